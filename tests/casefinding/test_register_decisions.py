import pytest

from neighbourhood.casefinding import queries
from neighbourhood.casefinding.models import Exclusion, Nomination
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_and_gp():
    practice = PracticeFactory()
    person = PersonFactory(practice=practice)
    return person, staff(Role.GP, practice.organisation)


def test_panel_shows_score_reasons_and_history(client, person_and_gp):
    person, gp = person_and_gp
    older = RiskRunFactory(index_date="2026-03-01")
    RiskScoreFactory(run=older, person=person, admission_risk=0.1)
    RiskScoreFactory(
        run=RiskRunFactory(),
        person=person,
        admission_risk=0.3,
        wokingham_flag=True,
        wokingham_reasons=["At least 5 repeat oral medicines"],
    )
    client.force_login(gp)
    panel = client.get(f"/case-finding/people/{person.nhs_number}/panel/").content.decode()
    assert "30.0%" in panel and "At least 5 repeat oral medicines" in panel
    assert "Earlier results" in panel and "10.0%" in panel
    assert "Nominate for the register" in panel


def test_nominating_needs_a_reason_and_is_kept_with_who_and_why(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    url = f"/case-finding/people/{person.nhs_number}/nominate/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Enter why you are nominating this person" in response.content.decode()
    assert not Nomination.objects.exists()
    client.post(url, {"reason": "Carer is struggling; two falls this winter"})
    nomination = Nomination.objects.get()
    assert nomination.nominated_by == gp and nomination.nominated_by_role == Role.GP
    assert queries.active_nominations() == [(person.nhs_number, nomination.reason, gp.username)]
    assert AuditEvent.objects.filter(
        action="nominate_for_register", person=person, outcome="allowed"
    ).exists()


def test_excluding_replaces_a_nomination_and_other_needs_detail(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    client.post(f"/case-finding/people/{person.nhs_number}/nominate/", {"reason": "Frail"})
    url = f"/case-finding/people/{person.nhs_number}/exclude/"
    response = client.post(url, {"reason": "other", "detail": ""})
    assert "Say why, when the reason is" in response.content.decode()
    client.post(url, {"reason": "declined"})
    assert Exclusion.objects.get().get_reason_display() == "Declined proactive care"
    assert not Nomination.objects.filter(is_active=True).exists()
    assert queries.active_exclusions() == [(person.nhs_number, "Declined proactive care")]


def test_staff_of_another_practice_cannot_nominate_and_the_refusal_is_audited(client, person_and_gp):
    person, _ = person_and_gp
    outsider = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(outsider)
    response = client.post(f"/case-finding/people/{person.nhs_number}/nominate/", {"reason": "x"})
    assert response.status_code == 403
    assert not Nomination.objects.exists()
    assert AuditEvent.objects.filter(user=outsider, person=person, outcome="refused").exists()
