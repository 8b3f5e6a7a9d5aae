"""The consent and capacity pages and actions (issue #11): what they show, what they refuse, and that bad
input loses nothing and saves nothing."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from neighbourhood import presenters
from neighbourhood.care import consent_actions
from neighbourhood.care.models import BestInterestsDecision, CapacityAssessment, Consent, Objection
from neighbourhood.governance.models import AuditEvent, EmergencyAccess
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation
from tests.care import factories as care
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def person():
    return PersonFactory(practice=PracticeFactory(name="Riverside Surgery"))


@pytest.fixture
def coordinator(person):
    return staff(Role.CARE_COORDINATOR, person.practice.organisation, first_name="Cara", last_name="Jones")


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def url(person, tail=""):
    return f"/people/{person.nhs_number}/consent/{tail}"


def text_of(response) -> str:
    """The page's words, without tags, with runs of space made one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def page(client, person) -> str:
    response = client.get(url(person))
    assert response.status_code == 200
    return text_of(response)


def date_parts(day: dt.date) -> dict:
    return {"review_day": str(day.day), "review_month": str(day.month), "review_year": str(day.year)}


# The consent page


def test_with_nothing_recorded_the_page_says_neither_sharing_nor_mdt_discussion_will_happen(
    signed_in, person
):
    shown = page(signed_in, person)
    assert "No decision recorded: sharing with voluntary-sector organisations will not happen" in shown
    assert "No decision recorded: they will not be discussed at an MDT meeting" in shown
    for link in (
        "Record a consent decision",
        "Record an objection to an organisation",
        "Record a mental capacity assessment",
    ):
        assert link in shown
    assert AuditEvent.objects.filter(action="view_consent", person=person, outcome="allowed").count() == 1


def test_someone_reading_in_an_emergency_sees_the_decisions_but_no_way_to_change_them(client, person):
    elsewhere = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(elsewhere)
    assert client.get(url(person)).status_code == 403
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=elsewhere,
        membership=elsewhere.memberships.get(),
        person=person,
        reason=EmergencyAccess.Reason.EMERGENCY_CARE,
        justification="Collapsed in clinic",
        started_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    shown = page(client, person)
    assert "No decision recorded" in shown
    assert "Record a consent decision" not in shown and "Record a mental capacity assessment" not in shown
    assert client.get(url(person, "record/")).status_code == 403


def test_a_recorded_consent_is_in_force_and_in_the_history_with_who_how_and_when(signed_in, person):
    response = signed_in.post(
        url(person, "record/"), {"scope": "sharing", "decision": "given", "how": "written"}
    )
    assert response.status_code == 302 and response["Location"] == url(person)
    shown = page(signed_in, person)
    today = presenters.long_date(TODAY)
    assert f"Consent given in writing on {today}: voluntary-sector organisations in their care team" in shown
    assert "No decision recorded: they will not be discussed at an MDT meeting" in shown
    assert f"By Cara Jones on {today}" in shown
    assert "Consent decision recorded." in shown
    event = AuditEvent.objects.get(action="record_consent", person=person)
    assert event.outcome == "allowed" and event.detail["scope"] == "sharing"


def test_a_representative_is_needed_for_a_decision_made_by_an_attorney(signed_in, person):
    data = {"scope": "mdt", "decision": "given", "how": "lpa", "representative_name": "  "}
    response = signed_in.post(url(person, "record/"), data)
    assert response.status_code == 400
    shown = text_of(response)
    assert "There is a problem" in shown
    assert shown.count(consent_actions.ENTER_REPRESENTATIVE) == 2  # in the summary and at the field
    assert 'href="#representative_name"' in response.content.decode()
    assert not Consent.objects.exists()
    signed_in.post(url(person, "record/"), {**data, "representative_name": "Joan Archer"})
    consent = Consent.objects.get()
    assert consent.representative_name == "Joan Archer"
    assert "Consent given by their lasting power of attorney for health and welfare (Joan Archer)" in page(
        signed_in, person
    )


def test_a_representative_named_for_a_decision_the_person_made_themselves_is_not_kept(signed_in, person):
    data = {"scope": "mdt", "decision": "refused", "how": "verbal", "representative_name": "Joan Archer"}
    assert signed_in.post(url(person, "record/"), data).status_code == 302
    assert Consent.objects.get().representative_name == ""


def test_missing_choices_are_each_named_and_what_was_chosen_is_kept(signed_in, person):
    response = signed_in.post(url(person, "record/"), {"decision": "refused"})
    assert response.status_code == 400
    shown = text_of(response)
    assert "Choose what the decision is about" in shown and "Choose how the decision was made" in shown
    assert re.search(r'value="refused"\s+checked', response.content.decode())
    assert "Error: Record a consent decision" in shown
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("review_date", "saved"),
    [(TODAY - dt.timedelta(days=1), False), (TODAY, True), (TODAY + dt.timedelta(days=365), True)],
)
def test_a_review_date_may_be_today_or_later_but_not_in_the_past(signed_in, person, review_date, saved):
    data = {"scope": "sharing", "decision": "given", "how": "verbal", **date_parts(review_date)}
    response = signed_in.post(url(person, "record/"), data)
    if saved:
        assert response.status_code == 302
        assert Consent.objects.get().review_date == review_date
    else:
        assert response.status_code == 400
        assert "Review date must be today or in the future" in text_of(response)
        assert f'value="{review_date.year}"' in response.content.decode()
        assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"review_day": "31", "review_month": "2", "review_year": "2030"}, "Review date must be a real date"),
        ({"review_day": "1", "review_month": "", "review_year": "2030"}, "Review date must include a month"),
        ({"review_day": "1", "review_month": "5", "review_year": "30"}, "Review date must be a real date"),
    ],
)
def test_a_review_date_that_is_not_a_whole_real_date_is_refused(signed_in, person, parts, message):
    response = signed_in.post(
        url(person, "record/"), {"scope": "sharing", "decision": "given", "how": "verbal", **parts}
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Consent.objects.exists()


def test_the_action_refuses_a_past_review_date_too(person, coordinator):
    with pytest.raises(ValueError, match="today or in the future"):
        consent_actions.record_consent(
            person=person,
            scope="sharing",
            decision="given",
            how="verbal",
            review_date=TODAY - dt.timedelta(days=1),
            by=coordinator,
        )
    assert not Consent.objects.exists()


@pytest.mark.parametrize(("days_ago", "due"), [(1, True), (0, False)])
def test_review_due_shows_once_the_review_date_has_passed(signed_in, person, coordinator, days_ago, due):
    consent = care.consent(person, coordinator)
    Consent.objects.filter(pk=consent.pk).update(review_date=TODAY - dt.timedelta(days=days_ago))
    shown = page(signed_in, person)
    assert f"Review by {presenters.long_date(TODAY - dt.timedelta(days=days_ago))}" in shown
    assert ("Review due" in shown) is due


def test_a_withdrawn_decision_is_not_in_force_and_shows_who_withdrew_it_and_why(
    signed_in, person, coordinator
):
    consent = care.consent(person, coordinator)
    confirm = signed_in.get(url(person, f"{consent.pk}/withdraw/"))
    assert confirm.status_code == 200 and "Withdraw this consent decision?" in text_of(confirm)
    response = signed_in.post(url(person, f"{consent.pk}/withdraw/"), {"note": "  "})
    assert response.status_code == 400
    assert "Enter why this decision is being withdrawn" in text_of(response)
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    signed_in.post(url(person, f"{consent.pk}/withdraw/"), {"note": "She changed her mind"})
    consent.refresh_from_db()
    assert consent.withdrawn_by == coordinator and consent.withdrawal_note == "She changed her mind"
    shown = page(signed_in, person)
    assert "No decision recorded: sharing with voluntary-sector organisations will not happen" in shown
    assert f"By Cara Jones on {presenters.long_date(TODAY)}: She changed her mind" in shown


def test_withdrawing_an_already_withdrawn_decision_is_refused_and_changes_nothing(
    signed_in, person, coordinator
):
    consent = care.consent(person, coordinator)
    consent_actions.withdraw_consent(person=person, consent=consent, note="First", by=coordinator)
    consent.refresh_from_db()
    first_withdrawal = consent.withdrawn_at
    response = signed_in.post(url(person, f"{consent.pk}/withdraw/"), {"note": "Second"}, follow=True)
    assert consent_actions.ALREADY_WITHDRAWN in text_of(response)
    consent.refresh_from_db()
    assert consent.withdrawn_at == first_withdrawal and consent.withdrawal_note == "First"
    with pytest.raises(consent_actions.ConsentRefused):
        consent_actions.withdraw_consent(person=person, consent=consent, note="Again", by=coordinator)
    assert AuditEvent.objects.filter(
        action="withdraw_consent", outcome="allowed", detail__changed=False
    ).exists()


def test_another_persons_consent_cannot_be_withdrawn_through_this_person(signed_in, person, coordinator):
    neighbour = PersonFactory(practice=person.practice)
    theirs = care.consent(neighbour, coordinator)
    assert signed_in.get(url(person, f"{theirs.pk}/withdraw/")).status_code == 404
    assert signed_in.post(url(person, f"{theirs.pk}/withdraw/"), {"note": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


# Objections


def test_objecting_offers_every_organisation_but_their_practice_and_says_how_to_leave_it(signed_in, person):
    charity = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY, name="Age Well Charity")
    response = signed_in.get(url(person, "objection/"))
    html = response.content.decode()
    assert f'value="{charity.pk}"' in html
    assert f'value="{person.practice.organisation_id}"' not in html
    assert "they would register with another practice" in text_of(response)
    response = signed_in.post(url(person, "objection/"), {"organisation": person.practice.organisation_id})
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_an_objection_is_listed_and_a_second_one_to_the_same_organisation_is_refused(signed_in, person):
    charity = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY, name="Age Well Charity")
    signed_in.post(
        url(person, "objection/"), {"organisation": charity.pk, "reason": "A neighbour volunteers there"}
    )
    shown = page(signed_in, person)
    assert "Age Well Charity A neighbour volunteers there By Cara Jones on" in shown
    response = signed_in.post(url(person, "objection/"), {"organisation": charity.pk, "reason": "Again"})
    assert response.status_code == 400
    shown = text_of(response)
    assert "They already object to Age Well Charity seeing their record" in shown
    assert "Again" in shown  # what was typed is kept
    assert Objection.objects.count() == 1


def test_a_withdrawn_objection_is_no_longer_listed_and_cannot_be_withdrawn_twice(
    signed_in, person, coordinator
):
    charity = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY, name="Age Well Charity")
    objection = care.objection(person, charity, coordinator)
    assert "Withdraw the objection to Age Well Charity" in page(signed_in, person)
    signed_in.post(url(person, f"objection/{objection.pk}/withdraw/"))
    objection.refresh_from_db()
    assert objection.withdrawn_by == coordinator
    assert "No objections recorded." in page(signed_in, person)
    response = signed_in.post(url(person, f"objection/{objection.pk}/withdraw/"), follow=True)
    assert consent_actions.OBJECTION_ALREADY_WITHDRAWN in text_of(response)
    # Once withdrawn, a new objection to the organisation may be recorded.
    signed_in.post(url(person, "objection/"), {"organisation": charity.pk})
    assert Objection.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_withdrawing_an_objection_is_post_only_and_within_the_person(signed_in, person, coordinator):
    charity = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY)
    neighbour = PersonFactory(practice=person.practice)
    theirs = care.objection(neighbour, charity, coordinator)
    assert signed_in.get(url(neighbour, f"objection/{theirs.pk}/withdraw/")).status_code == 405
    assert signed_in.post(url(person, f"objection/{theirs.pk}/withdraw/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


# Mental capacity


def assess(client, person, **data):
    return client.post(url(person, "capacity/"), {"decision": "sharing", **data})


def test_with_no_impairment_stage_2_answers_are_refused_because_capacity_is_presumed(signed_in, person):
    response = assess(signed_in, person, impairment="no", unable_to=["retain"], notes="Seen at home")
    assert response.status_code == 400
    html = response.content.decode()
    assert "the Mental Capacity Act presumes capacity" in text_of(response)
    assert 'href="#unable_to"' in html
    assert re.search(r'value="retain"\s+checked', html) and "Seen at home" in html
    assert not CapacityAssessment.objects.exists()


def test_an_impairment_must_be_described(signed_in, person):
    response = assess(signed_in, person, impairment="yes", impairment_detail="", unable_to=["retain"])
    assert response.status_code == 400
    assert consent_actions.DESCRIBE_IMPAIRMENT in text_of(response)
    assert not CapacityAssessment.objects.exists()


def test_no_impairment_and_nothing_in_stage_2_has_capacity(signed_in, person):
    assert assess(signed_in, person, impairment="no").status_code == 302
    shown = page(signed_in, person)
    assert "Has capacity" in shown and "No impairment of the mind or brain" in shown
    assert "Record a best-interests decision" not in shown


def test_an_impairment_with_nothing_unable_has_capacity(signed_in, person):
    assess(signed_in, person, impairment="yes", impairment_detail="Mild cognitive impairment")
    assert not CapacityAssessment.objects.get().lacks_capacity
    shown = page(signed_in, person)
    assert "Has capacity" in shown and "Record a best-interests decision" not in shown


def test_an_impairment_and_one_thing_unable_lacks_capacity_and_offers_a_best_interests_decision(
    signed_in, person
):
    response = assess(
        signed_in,
        person,
        decision="mdt",
        impairment="yes",
        impairment_detail="Delirium",
        unable_to=["communicate"],
    )
    assert response.status_code == 302
    shown = page(signed_in, person)
    assert (
        "lacks capacity for the decision to be discussed at a multidisciplinary team (MDT) meeting" in shown
    )
    assert "Lacks capacity for this decision" in shown and "Unable to communicate their decision" in shown
    assert "Record a best-interests decision" in shown
    assessment = CapacityAssessment.objects.get()
    assert assessment.unable_to_communicate and not assessment.unable_to_retain
    event = AuditEvent.objects.get(action="assess_capacity")
    assert event.detail == {"decision": "mdt", "lacks_capacity": True}


# Best interests


def lacking(person, by, decision="sharing", at=None):
    return CapacityAssessment.objects.create(
        person=person,
        decision=decision,
        impairment=True,
        impairment_detail="Dementia",
        unable_to_weigh=True,
        assessed_by=by,
        assessed_at=at or timezone.now(),
    )


def best_interests_url(person, assessment):
    return url(person, f"capacity/{assessment.pk}/best-interests/")


def test_a_best_interests_decision_needs_who_was_consulted_and_why(signed_in, person, coordinator):
    assessment = lacking(person, coordinator)
    form = signed_in.get(best_interests_url(person, assessment))
    assert "Is sharing their record with the voluntary sector in their best interests?" in text_of(form)
    response = signed_in.post(
        best_interests_url(person, assessment), {"in_favour": "yes", "consulted": "Her son"}
    )
    assert response.status_code == 400
    assert "Enter the reason for the decision" in text_of(response) and "Her son" in response.content.decode()
    assert not BestInterestsDecision.objects.exists()
    response = signed_in.post(
        best_interests_url(person, assessment),
        {
            "in_favour": "yes",
            "consulted": "Her son",
            "reason": "Lonely; befriending helps",
            **date_parts(TODAY),
        },
    )
    assert response.status_code == 302
    decision = BestInterestsDecision.objects.get()
    assert decision.decision == "sharing" and decision.capacity_assessment == assessment
    assert decision.review_date == TODAY
    shown = page(signed_in, person)
    assert f"Best-interests decision in favour on {presenters.long_date(TODAY)}" in shown
    assert "Consulted: Her son Reason: Lonely; befriending helps" in shown


def test_no_best_interests_decision_rests_on_an_assessment_that_found_capacity(
    signed_in, person, coordinator
):
    has_capacity = CapacityAssessment.objects.create(
        person=person,
        decision="sharing",
        impairment=False,
        assessed_by=coordinator,
        assessed_at=timezone.now(),
    )
    response = signed_in.get(best_interests_url(person, has_capacity))
    assert response.status_code == 409
    assert "they have capacity for this decision, so they make it themselves" in text_of(response)
    response = signed_in.post(
        best_interests_url(person, has_capacity), {"in_favour": "yes", "consulted": "Son", "reason": "Helps"}
    )
    assert response.status_code == 409
    assert not BestInterestsDecision.objects.exists()
    with pytest.raises(consent_actions.ConsentRefused):
        consent_actions.record_best_interests(
            person=person,
            assessment=has_capacity,
            in_favour=True,
            consulted="Son",
            reason="Helps",
            by=coordinator,
        )


def test_a_superseded_assessment_takes_no_best_interests_decision(signed_in, person, coordinator):
    older = lacking(person, coordinator, at=timezone.now() - dt.timedelta(days=30))
    latest = lacking(person, coordinator)
    assert signed_in.get(best_interests_url(person, older)).status_code == 409
    assert signed_in.get(best_interests_url(person, latest)).status_code == 200
    shown = page(signed_in, person)
    assert shown.count("Record a best-interests decision") == 1


def test_another_persons_assessment_cannot_be_used(signed_in, person, coordinator):
    theirs = lacking(PersonFactory(practice=person.practice), coordinator)
    response = signed_in.post(
        best_interests_url(person, theirs), {"in_favour": "yes", "consulted": "Son", "reason": "Helps"}
    )
    assert response.status_code == 404
    assert not BestInterestsDecision.objects.exists()
