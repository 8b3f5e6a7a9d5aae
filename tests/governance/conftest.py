from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def static_root_exists(django_test_environment):
    """WhiteNoise warns (an error here) when STATIC_ROOT is missing, as it is before any collectstatic."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 takes about a third of a second per password here; tests that need it set it back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
