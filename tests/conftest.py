import pytest

# One Chromium for the whole run, shared by the browser journeys and any capability's browser tests.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture
def practice(db):
    from tests.factories import PracticeFactory

    return PracticeFactory()
