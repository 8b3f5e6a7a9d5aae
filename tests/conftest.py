import pytest

# One Chromium for the whole run, shared by the browser journeys and any capability's browser tests.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 takes about a third of a second per password here and factories set one for every user.
    The test that checks real passwords are stored with argon2 sets it back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
