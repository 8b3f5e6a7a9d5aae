import pytest

from neighbourhood.casefinding import actions, queries
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


# Decisions take effect on the page at once, pending until the next run, undoable, and not duplicable (#11).


def panel(client, person) -> str:
    return client.get(f"/case-finding/people/{person.nhs_number}/panel/").content.decode()


@pytest.fixture
def on_the_register(person_and_gp):
    person, gp = person_and_gp
    RiskScoreFactory(run=RiskRunFactory(), person=person, on_register=True)
    return person, gp


def test_a_removal_shows_at_once_as_pending_with_no_second_remove(client, on_the_register):
    person, gp = on_the_register
    gp.first_name, gp.last_name = "Ada", "Jones"
    gp.save()
    client.force_login(gp)
    before = panel(client, person)
    assert "On the proactive care register" in before and "Remove from the register" in before
    response = client.post(f"/case-finding/people/{person.nhs_number}/exclude/", {"reason": "declined"})
    assert response.status_code == 302
    after = panel(client, person)
    assert "On the proactive care register" not in after
    assert "Removed from the register by Ada Jones on " in after
    assert "takes effect at the next case-finding run" in after
    assert "Remove from the register" not in after and "Nominate for the register" not in after
    assert "Undo removal" in after


def test_a_second_removal_is_refused_by_the_action_and_the_page(client, on_the_register):
    person, gp = on_the_register
    actions.exclude(person=person, reason="declined", by=gp)
    with pytest.raises(actions.DecisionRefused, match="already been removed"):
        actions.exclude(person=person, reason="moved", by=gp)
    client.force_login(gp)
    response = client.post(f"/case-finding/people/{person.nhs_number}/exclude/", {"reason": "moved"})
    assert response.status_code == 400
    assert "already been removed from the register" in response.content.decode()
    assert Exclusion.objects.filter(is_active=True).count() == 1


def test_undoing_a_removal_restores_the_register_entry(client, on_the_register):
    person, gp = on_the_register
    client.force_login(gp)
    client.post(f"/case-finding/people/{person.nhs_number}/exclude/", {"reason": "declined"})
    response = client.post(f"/case-finding/people/{person.nhs_number}/undo/")
    assert response.status_code == 302
    assert not Exclusion.objects.filter(is_active=True).exists()
    assert queries.active_exclusions() == []
    restored = panel(client, person)
    assert "On the proactive care register" in restored and "Remove from the register" in restored
    assert "takes effect at the next case-finding run" not in restored and "Undo" not in restored


def test_a_nomination_shows_at_once_as_pending_and_can_be_undone(client, person_and_gp):
    person, gp = person_and_gp
    RiskScoreFactory(run=RiskRunFactory(), person=person)
    client.force_login(gp)
    client.post(f"/case-finding/people/{person.nhs_number}/nominate/", {"reason": "Two falls this winter"})
    pending = panel(client, person)
    assert f"Nominated by {gp.get_full_name() or gp.username} on " in pending
    assert "joins at the next run" in pending and "Two falls this winter" in pending
    assert "Nominate for the register" not in pending and "Undo nomination" in pending
    client.post(f"/case-finding/people/{person.nhs_number}/undo/")
    assert queries.active_nominations() == []
    after = panel(client, person)
    assert "Nominate for the register" in after and "joins at the next run" not in after


def test_a_second_nomination_is_refused_and_only_one_is_active(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    url = f"/case-finding/people/{person.nhs_number}/nominate/"
    client.post(url, {"reason": "Frail"})
    response = client.post(url, {"reason": "Frail, again"})
    assert response.status_code == 400
    assert "already been nominated for the register" in response.content.decode()
    assert Nomination.objects.filter(person=person, is_active=True).count() == 1
    with pytest.raises(actions.DecisionRefused, match="already been nominated"):
        actions.nominate(person=person, reason="Still frail", by=gp)
    assert Nomination.objects.filter(person=person).count() == 1
    # the refused request is audited once, as a change that changed nothing
    refused = AuditEvent.objects.filter(action="nominate_for_register", person=person).order_by("pk")
    assert [e.detail.get("changed", True) for e in refused] == [True, False]


def test_undo_is_audited_once_naming_the_person(client, on_the_register):
    person, gp = on_the_register
    exclusion = actions.exclude(person=person, reason="declined", by=gp)
    client.force_login(gp)
    client.post(f"/case-finding/people/{person.nhs_number}/undo/")
    undo = AuditEvent.objects.filter(action="undo_register_decision")
    assert undo.count() == 1
    event = undo.get()
    assert event.person == person and event.nhs_number == person.nhs_number and event.outcome == "allowed"
    assert event.detail == {"undone": "exclusion", "id": exclusion.pk}


def test_undo_at_the_action_deactivates_only_the_pending_decision(on_the_register):
    person, gp = on_the_register
    nurse = staff(Role.PRACTICE_NURSE, person.practice.organisation)
    exclusion = actions.exclude(person=person, reason="moved", by=gp)
    undone = actions.undo_register_decision(person=person, by=nurse)  # anyone who may change the record
    assert undone == exclusion
    exclusion.refresh_from_db()
    assert not exclusion.is_active
    assert AuditEvent.objects.filter(action="undo_register_decision", person=person, user=nurse).count() == 1
    with pytest.raises(actions.DecisionRefused, match="no register decision waiting"):
        actions.undo_register_decision(person=person, by=gp)
    assert AuditEvent.objects.filter(action="undo_register_decision").count() == 1


def test_a_decision_a_run_has_read_is_no_longer_pending_or_undoable(client, person_and_gp):
    person, gp = person_and_gp
    actions.nominate(person=person, reason="Frail", by=gp)
    RiskScoreFactory(run=RiskRunFactory(), person=person, on_register=True)  # the next run adds them
    client.force_login(gp)
    shown = panel(client, person)
    assert "On the proactive care register" in shown and "joins at the next run" not in shown
    assert "Undo" not in shown and "Remove from the register" in shown
    with pytest.raises(actions.DecisionRefused):
        actions.undo_register_decision(person=person, by=gp)


def test_staff_of_another_practice_cannot_undo(client, on_the_register):
    person, gp = on_the_register
    actions.exclude(person=person, reason="declined", by=gp)
    outsider = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(outsider)
    response = client.post(f"/case-finding/people/{person.nhs_number}/undo/")
    assert response.status_code == 403
    assert Exclusion.objects.filter(is_active=True).count() == 1
    assert (
        AuditEvent.objects.filter(
            action="undo_register_decision", user=outsider, person=person, outcome="refused"
        ).count()
        == 1
    )


def test_undoing_a_removal_that_replaced_a_nomination_brings_the_nomination_back_with_its_reason(
    person_and_gp,
):
    person, gp = person_and_gp
    nomination = actions.nominate(person=person, reason="Carer is struggling", by=gp)
    actions.exclude(person=person, reason="declined", by=gp)
    nomination.refresh_from_db()
    assert not nomination.is_active
    actions.undo_register_decision(person=person, by=gp)
    nomination.refresh_from_db()
    assert nomination.is_active and nomination.reason == "Carer is struggling"
    assert queries.pending_decision(person) == nomination
    undo = AuditEvent.objects.get(action="undo_register_decision", person=person)
    assert undo.detail["nominations_restored"] == 1


def test_undoing_a_removal_restores_only_the_nominations_it_ended(person_and_gp):
    person, gp = person_and_gp
    first = actions.nominate(person=person, reason="Frail", by=gp)
    actions.exclude(person=person, reason="declined", by=gp)
    actions.undo_register_decision(person=person, by=gp)  # the nomination is back, pending
    actions.undo_register_decision(person=person, by=gp)  # and now that is undone too
    first.refresh_from_db()
    assert not first.is_active
    second = actions.nominate(person=person, reason="Two falls", by=gp)
    actions.exclude(person=person, reason="moved", by=gp)
    actions.undo_register_decision(person=person, by=gp)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
