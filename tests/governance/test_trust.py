"""The access holes found in review (issue #9, holes 3, 4, 6 and 7), emergency access (break-glass) and its
review by the privacy officer, and "who has looked at this record"."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from neighbourhood.casefinding import actions as casefinding_actions
from neighbourhood.casefinding.models import Nomination
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent, EmergencyAccess
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation
from tests.casefinding.factories import RiskRunFactory
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff
from tests.routes import every_route

pytestmark = pytest.mark.django_db

EMERGENCY = {"reason": "emergency_care", "justification": "Collapsed in clinic; needs her medicines list now"}


@pytest.fixture
def world():
    ours, theirs = PracticeFactory(name="Riverside Surgery"), PracticeFactory(name="Hillside Surgery")
    return {
        "ours": ours,
        "theirs": theirs,
        "our_patient": PersonFactory(practice=ours, given_name="Eileen", family_name="Marsh"),
        "their_patient": PersonFactory(practice=theirs, given_name="Tom", family_name="Quill"),
        "gp": staff(Role.GP, ours.organisation, first_name="Ada", last_name="Okafor"),
        "their_gp": staff(Role.GP, theirs.organisation),
        "analyst": staff(Role.ANALYST, OrganisationFactory(kind=Organisation.Kind.ICB)),
        "privacy_officer": staff(Role.PRIVACY_OFFICER, ours.organisation),
        "their_privacy_officer": staff(Role.PRIVACY_OFFICER, theirs.organisation),
    }


def html_of(response) -> str:
    """The page without what changes on every response (CSP nonces, CSRF tokens)."""
    html = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'csrf-token="[^"]*"', "", html)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


# Hole 3: search is a permission like any other


def test_an_analyst_may_not_search_and_the_refusal_is_audited(client, world):
    client.force_login(world["analyst"])

    response = client.get("/people/", {"nhs_number": world["our_patient"].nhs_number})

    assert response.status_code == 403
    assert world["our_patient"].family_name not in response.content.decode()
    event = AuditEvent.objects.get(action="search_register")
    assert (event.outcome, event.username) == ("refused", world["analyst"].username)


def test_a_gp_search_is_audited_as_allowed_with_its_count(client, world):
    client.force_login(world["gp"])

    client.get("/people/", {"nhs_number": world["our_patient"].nhs_number})

    event = AuditEvent.objects.get(action="search_register")
    assert (event.outcome, event.detail) == ("allowed", {"search": "nhs_number", "results": 1})


# Hole 4: an unknown NHS number and a person you may not see answer alike


def test_unknown_and_not_yours_give_the_same_page_and_are_both_audited(client, world):
    client.force_login(world["gp"])
    theirs = world["their_patient"].nhs_number
    unknown = next(n for n in ("9990000018", "9990000026", "9990000034") if n != theirs)

    not_yours = client.get(f"/people/{theirs}/")
    nobody = client.get(f"/people/{unknown}/")

    assert not_yours.status_code == nobody.status_code == 403
    assert text_of(not_yours) == text_of(nobody)  # the pages differ only in the number in a link
    assert html_of(not_yours).replace(theirs, unknown) == html_of(nobody)
    refusals = AuditEvent.objects.filter(action="view_record", outcome="refused").order_by("id")
    assert [e.nhs_number for e in refusals] == [theirs, unknown]
    assert refusals[0].reason == refusals[1].reason == access.NOT_FOUND_OR_NOT_YOURS


def test_the_api_answers_unknown_and_not_yours_alike(client, world):
    client.force_login(world["gp"])

    not_yours = client.get(f"/api/people/{world['their_patient'].nhs_number}")
    nobody = client.get("/api/people/9990000018")

    assert not_yours.status_code == nobody.status_code == 403
    assert not_yours.json() == nobody.json()
    assert AuditEvent.objects.filter(action="view_record", outcome="refused").count() == 2


def test_the_case_finding_panel_answers_unknown_and_not_yours_alike(client, world):
    client.force_login(world["gp"])

    not_yours = client.get(f"/case-finding/people/{world['their_patient'].nhs_number}/panel/")
    nobody = client.get("/case-finding/people/9990000018/panel/")

    assert not_yours.status_code == nobody.status_code == 403
    assert text_of(not_yours) == text_of(nobody)


# Hole 6: every refusal is audited, by construction


def test_a_refused_chart_image_is_audited(client, world):
    run = RiskRunFactory()
    client.force_login(staff(Role.PRACTICE_NURSE, world["ours"].organisation))

    response = client.get(f"/case-finding/runs/{run.pk}/charts/roc.png")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="view_model_report_chart", outcome="refused").count() == 1


def test_every_page_of_ours_declares_its_access_rule():
    """A new page cannot forget the access service: it must come in through `access.route` or
    `access.person_route` (or be one of the sign-in pages, which are open to people not yet signed in)."""
    undeclared = [
        route
        for route, view in every_route()
        # The API's handlers open people through access.open_person; these are its JSON 404s.
        if view.__module__.startswith("neighbourhood.")
        and not route.startswith("api/")
        and not hasattr(view, "access_rule")
        and getattr(view, "login_required", True)
    ]
    assert undeclared == []


# Hole 7: a change and its audit row commit together


def test_a_change_that_rolls_back_leaves_no_allowed_audit_row(world, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Nomination.objects, "create", fail)

    with pytest.raises(RuntimeError):
        casefinding_actions.nominate(person=world["our_patient"], reason="Falls", by=world["gp"])

    assert not AuditEvent.objects.filter(action="nominate_for_register").exists()
    assert not world["our_patient"].exclusions.filter(is_active=False).exists()


def test_a_refused_change_is_audited_even_though_nothing_changes(world):
    with pytest.raises(access.PermissionDenied):
        casefinding_actions.nominate(person=world["their_patient"], reason="Falls", by=world["gp"])

    assert AuditEvent.objects.get(action="nominate_for_register").outcome == "refused"
    assert not Nomination.objects.exists()


def test_an_allowed_change_is_audited_once_in_its_own_transaction(client, world):
    client.force_login(world["gp"])
    person = world["our_patient"]

    client.post(f"/case-finding/people/{person.nhs_number}/nominate/", {"reason": "Two falls"})
    client.post(f"/case-finding/people/{person.nhs_number}/nominate/", {"reason": ""})  # form error

    events = AuditEvent.objects.filter(person=person).order_by("id")
    assert [(e.action, e.outcome, e.detail.get("changed", True)) for e in events] == [
        ("nominate_for_register", "allowed", True),
        ("nominate_for_register", "allowed", False),
    ]


def test_a_failed_case_finding_run_is_recorded_as_failed(tmp_path):
    from neighbourhood.casefinding.runs import run_case_finding

    with pytest.raises(Exception):  # noqa: B017 - any failure of the run will do
        run_case_finding(data_dir=tmp_path / "no-lake", index_date=dt.date(2026, 1, 1))

    event = AuditEvent.objects.get(action="case_finding_run")
    assert event.outcome == AuditEvent.Outcome.FAILED


# Emergency access (break-glass)


def test_the_refusal_offers_emergency_access_to_clinicians_only(client, world):
    number = world["their_patient"].nhs_number
    client.force_login(world["gp"])
    assert f"/people/{number}/emergency-access/" in client.get(f"/people/{number}/").content.decode()

    client.force_login(world["analyst"])
    assert "emergency-access" not in client.get(f"/people/{number}/").content.decode()


def test_emergency_access_opens_the_record_for_a_limited_time_with_a_banner(client, world, settings):
    settings.EMERGENCY_ACCESS_HOURS = 4
    person, gp = world["their_patient"], world["gp"]
    client.force_login(gp)

    form = client.get(f"/people/{person.nhs_number}/emergency-access/")
    assert form.status_code == 200
    assert person.family_name not in form.content.decode()  # the form says nothing of who it is

    response = client.post(f"/people/{person.nhs_number}/emergency-access/", EMERGENCY, follow=True)

    page = text_of(response)
    assert response.status_code == 200
    assert "Tom Quill" in page
    assert "You opened this record in an emergency" in page
    emergency = EmergencyAccess.objects.get()
    assert (emergency.user, emergency.person, emergency.reason) == (gp, person, "emergency_care")
    assert emergency.expires_at - emergency.started_at == dt.timedelta(hours=4)
    outcomes = list(AuditEvent.objects.filter(person=person).order_by("id").values_list("action", "outcome"))
    assert outcomes == [("emergency_access", "break_glass"), ("view_record", "break_glass")]

    # Emergency access is for reading: a change still needs a recorded relationship.
    client.post(f"/case-finding/people/{person.nhs_number}/nominate/", {"reason": "Falls"})
    assert not Nomination.objects.exists()

    EmergencyAccess.objects.filter(pk=emergency.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(f"/people/{person.nhs_number}/").status_code == 403


def test_emergency_access_needs_a_reason_and_keeps_what_was_typed(client, world):
    client.force_login(world["gp"])
    number = world["their_patient"].nhs_number

    response = client.post(f"/people/{number}/emergency-access/", {"justification": "Needs it now, urgently"})

    assert response.status_code == 400
    assert "Choose why you need emergency access" in text_of(response)
    assert "Needs it now, urgently" in response.content.decode()
    assert not EmergencyAccess.objects.exists()


def test_emergency_access_to_an_unknown_number_is_refused_and_audited(client, world):
    client.force_login(world["gp"])

    response = client.post("/people/9990000018/emergency-access/", EMERGENCY)

    assert response.status_code == 404
    assert "Nobody with this NHS number is on the register" in text_of(response)
    event = AuditEvent.objects.get(action="emergency_access")
    assert (event.outcome, event.nhs_number) == ("refused", "9990000018")


def test_analysts_cannot_ask_for_emergency_access(client, world):
    client.force_login(world["analyst"])

    response = client.post(f"/people/{world['their_patient'].nhs_number}/emergency-access/", EMERGENCY)

    assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()
    assert AuditEvent.objects.filter(outcome="refused").exists()


def _break_glass(client, world):
    client.force_login(world["gp"])
    client.post(f"/people/{world['their_patient'].nhs_number}/emergency-access/", EMERGENCY, follow=True)
    return EmergencyAccess.objects.get()


def test_the_privacy_officer_reviews_their_staffs_emergency_access(client, world):
    emergency = _break_glass(client, world)
    client.force_login(world["privacy_officer"])

    listing = client.get("/privacy/emergency-access/")
    assert "Tom Quill" in text_of(listing)
    assert "Ada Okafor" in text_of(listing)

    detail = client.get(f"/privacy/emergency-access/{emergency.pk}/")
    assert "Collapsed in clinic" in text_of(detail)
    assert "Viewed a record" in text_of(detail)  # what the GP did while it lasted

    missing_note = client.post(f"/privacy/emergency-access/{emergency.pk}/", {"outcome": "not_appropriate"})
    assert missing_note.status_code == 400
    assert "Say why this emergency access was not appropriate" in text_of(missing_note)

    client.post(
        f"/privacy/emergency-access/{emergency.pk}/",
        {"outcome": "not_appropriate", "note": "Not her patient; spoken to Dr Okafor"},
    )
    emergency.refresh_from_db()
    assert (emergency.review_outcome, emergency.reviewed_by) == ("not_appropriate", world["privacy_officer"])
    assert "Tom Quill" not in text_of(client.get("/privacy/emergency-access/"))  # nothing left to review
    review = AuditEvent.objects.get(action="review_emergency_access")
    assert (review.outcome, review.person) == ("allowed", world["their_patient"])


def test_another_organisations_privacy_officer_cannot_see_or_review_it(client, world):
    emergency = _break_glass(client, world)
    client.force_login(world["their_privacy_officer"])

    assert "Tom Quill" not in text_of(client.get("/privacy/emergency-access/"))
    others = client.get(f"/privacy/emergency-access/{emergency.pk}/")
    nobody = client.get(f"/privacy/emergency-access/{emergency.pk + 100}/")
    assert others.status_code == nobody.status_code == 403
    assert text_of(others) == text_of(nobody)
    client.post(f"/privacy/emergency-access/{emergency.pk}/", {"outcome": "appropriate"})
    emergency.refresh_from_db()
    assert emergency.review_outcome == ""


def test_clinicians_cannot_open_the_review_pages(client, world):
    client.force_login(world["gp"])

    assert client.get("/privacy/emergency-access/").status_code == 403
    assert AuditEvent.objects.get(action="list_emergency_access").outcome == "refused"


# Who has looked at this record


def test_the_care_team_sees_who_has_looked_at_the_record(client, world):
    _break_glass(client, world)
    client.force_login(world["their_gp"])

    record = client.get(f"/people/{world['their_patient'].nhs_number}/")
    assert "Who has looked at this record" in text_of(record)
    response = client.get(f"/people/{world['their_patient'].nhs_number}/who-has-looked/")

    page = text_of(response)
    assert response.status_code == 200
    assert "Ada Okafor" in page
    assert "Emergency access" in page
    assert "Riverside Surgery" in page  # the organisation, by name
    assert AuditEvent.objects.filter(action="view_access_log", outcome="allowed").count() == 1


def test_someone_with_only_emergency_access_does_not_see_who_has_looked(client, world):
    _break_glass(client, world)

    record = client.get(f"/people/{world['their_patient'].nhs_number}/")
    assert "Who has looked at this record" not in text_of(record)
    assert client.get(f"/people/{world['their_patient'].nhs_number}/who-has-looked/").status_code == 403


def test_the_privacy_officer_sees_who_has_looked_at_a_record_their_staff_opened_in_an_emergency(
    client, world
):
    _break_glass(client, world)
    client.force_login(world["privacy_officer"])

    assert client.get(f"/people/{world['their_patient'].nhs_number}/who-has-looked/").status_code == 200
    assert client.get(f"/people/{world['their_patient'].nhs_number}/").status_code == 403  # not the record
