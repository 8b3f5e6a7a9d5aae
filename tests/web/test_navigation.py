import pytest

from neighbourhood.governance.roles import Role
from tests.factories import PracticeFactory, staff

pytestmark = pytest.mark.django_db


def links(client):
    page = client.get("/").content.decode()
    return {
        text
        for text in ("Find a person", "Case finding", "Population overview", "Staff accounts")
        if text in page
    }


def test_clinicians_are_offered_records_and_analysts_only_aggregates(client):
    practice = PracticeFactory()
    client.force_login(staff(Role.GP, practice.organisation))
    assert links(client) == {"Find a person", "Case finding", "Population overview"}
    client.force_login(staff(Role.PRACTICE_NURSE, practice.organisation))
    assert links(client) == {"Find a person", "Case finding"}
    client.force_login(staff(Role.ANALYST, practice.organisation))
    assert links(client) == {"Population overview"}
    client.force_login(staff(Role.ADMINISTRATOR, practice.organisation))
    assert links(client) == {"Staff accounts"}
