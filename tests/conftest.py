import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

# One Chromium for the whole run, shared by the browser journeys and any capability's browser tests.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 takes about a third of a second per password here and factories set one for every user.
    The test that checks real passwords are stored with argon2 sets it back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class StaffClient(Client):
    """force_login(user) means a fully signed-in member of staff: password and second factor. The user gets a
    confirmed authenticator app (tests.factories.enrol_totp) and the session is marked verified with it."""

    def force_login(self, user, backend=None):
        from tests.factories import enrol_totp

        super().force_login(user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = enrol_totp(user).persistent_id
        session.save()


@pytest.fixture
def client():
    return StaffClient()
