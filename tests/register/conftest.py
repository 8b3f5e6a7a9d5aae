import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff factories set a password; argon2 makes that take a noticeable share of each test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
