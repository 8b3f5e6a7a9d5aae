import pytest

from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


def test_api_returns_a_person_to_staff_of_their_practice(client):
    person = PersonFactory()
    client.force_login(staff(Role.GP, person.practice.organisation))
    response = client.get(f"/api/people/{person.nhs_number}")
    assert response.status_code == 200
    assert response.json()["family_name"] == person.family_name
    assert AuditEvent.objects.filter(person=person, action="view_record", detail__via="api").count() == 1


@pytest.mark.parametrize(
    ("number", "message"),
    [("12345", "must be 10 digits long; this one has 5"), ("9434765918", "check digit (last digit) is 8")],
)
def test_api_says_which_nhs_number_check_failed(client, number, message):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    response = client.get(f"/api/people/{number}")
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_api_refuses_without_a_care_relationship_and_audits_it(client):
    person = PersonFactory()
    outsider = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(outsider)
    response = client.get(f"/api/people/{person.nhs_number}")
    assert response.status_code == 403
    assert AuditEvent.objects.get(user=outsider, action="view_record").outcome == "refused"


def test_api_needs_a_signed_in_user(client):
    assert client.get(f"/api/people/{PersonFactory().nhs_number}").status_code == 401


def test_openapi_schema_describes_the_people_endpoint(client):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    schema = client.get("/api/openapi.json").json()
    assert "/api/people/{nhs_number_text}" in schema["paths"]
