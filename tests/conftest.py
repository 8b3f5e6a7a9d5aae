import pytest


@pytest.fixture
def practice(db):
    from tests.factories import PracticeFactory

    return PracticeFactory()
