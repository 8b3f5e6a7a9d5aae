"""Holistic assessments: starting one (never two drafts), saving, completing, read only once completed, and
two people editing at once (optimistic locking)."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from neighbourhood.care import assessment_actions as actions
from neighbourhood.care.assessment_domains import DOMAINS, WHAT_MATTERS
from neighbourhood.care.assessment_forms import ANSWER_MAX_LENGTH
from neighbourhood.care.models import HolisticAssessment
from neighbourhood.governance.models import AuditEvent, EmergencyAccess
from neighbourhood.governance.roles import Role
from tests.care import factories as care
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db

EVERY_DOMAIN_DONE = {f"answer_{d.key}": f"Found about {d.heading}" for d in DOMAINS}


@pytest.fixture
def person():
    return PersonFactory(practice=PracticeFactory())


@pytest.fixture
def gp(person):
    return staff(Role.GP, person.practice.organisation, first_name="Ada", last_name="Jones")


@pytest.fixture
def nurse(person):
    return staff(Role.PRACTICE_NURSE, person.practice.organisation, first_name="Femi", last_name="Cole")


def urls(person, assessment=None):
    base = f"/people/{person.nhs_number}/assessments/"
    if assessment is None:
        return base
    return {"view": f"{base}{assessment.pk}/", "edit": f"{base}{assessment.pk}/edit/"}


def page(response) -> str:
    """The page's text with HTML's escapes undone (an apostrophe is sent as &#x27;)."""
    return html.unescape(response.content.decode())


def posted(version, intent="save", **answers):
    return {"version": version, "intent": intent, **answers}


def test_the_list_offers_a_start_then_continue_and_shows_who_started_it(client, person, gp):
    client.force_login(gp)
    before = page(client.get(urls(person)))
    assert "Start a holistic assessment" in before and "No holistic assessment has been started" in before
    response = client.post(urls(person) + "new/")
    assessment = HolisticAssessment.objects.get(person=person)
    assert response["Location"] == urls(person, assessment)["edit"]
    after = page(client.get(urls(person)))
    assert "Start a holistic assessment" not in after and "Continue the assessment" in after
    assert "In progress" in after and "Ada Jones" in after and "Not yet" in after


def test_someone_who_can_only_read_the_record_is_not_offered_a_start(client, person):
    elsewhere = staff(Role.GP, PracticeFactory().organisation)
    EmergencyAccess.objects.create(
        user=elsewhere,
        membership=elsewhere.memberships.get(),
        person=person,
        reason=EmergencyAccess.Reason.EMERGENCY_CARE,
        justification="Seen in A&E",
        started_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(elsewhere)
    listing = client.get(urls(person))
    assert listing.status_code == 200
    assert "Start a holistic assessment" not in page(listing)
    assert client.post(urls(person) + "new/").status_code == 403
    assert not HolisticAssessment.objects.exists()


def test_starting_takes_what_the_record_says_and_is_audited(client, person, gp):
    person.lives_alone = True
    person.save()
    client.force_login(gp)
    client.post(urls(person) + "new/")
    assessment = HolisticAssessment.objects.get()
    assert assessment.status == HolisticAssessment.Status.DRAFT and assessment.started_by == gp
    assert any(
        line.startswith("Lives alone (register record")
        for line in assessment.prefill["social_situation_and_carers"]
    )
    event = AuditEvent.objects.get(action="start_assessment", person=person)
    assert event.outcome == "allowed" and event.detail["assessment"] == assessment.pk


def test_a_second_start_goes_to_the_draft_and_never_makes_two(client, person, gp, nurse):
    draft = actions.start_assessment(person=person, by=gp)
    with pytest.raises(actions.DraftExists):
        actions.start_assessment(person=person, by=nurse)
    client.force_login(nurse)
    response = client.post(urls(person) + "new/", follow=True)
    assert response.redirect_chain[-1][0] == urls(person, draft)["edit"]
    assert "already has an assessment in progress" in page(response)
    assert HolisticAssessment.objects.filter(person=person).count() == 1


def test_once_the_draft_is_completed_a_new_one_can_be_started(person, gp):
    care.holistic_assessment(person, gp, status=HolisticAssessment.Status.COMPLETED)
    second = actions.start_assessment(person=person, by=gp)
    assert second.status == HolisticAssessment.Status.DRAFT
    assert HolisticAssessment.objects.filter(person=person).count() == 2


def test_staff_without_a_relationship_cannot_start_one(client, person):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    assert client.post(urls(person) + "new/").status_code == 403
    assert not HolisticAssessment.objects.exists()


def test_another_persons_assessment_is_not_found_under_this_person(client, person, gp):
    neighbour = PersonFactory(practice=person.practice)
    theirs = care.holistic_assessment(neighbour, gp)
    client.force_login(gp)
    assert client.get(f"{urls(person)}{theirs.pk}/").status_code == 404
    assert client.get(f"{urls(person)}{theirs.pk}/edit/").status_code == 404
    assert client.get(urls(neighbour, theirs)["view"]).status_code == 200


def test_the_edit_page_shows_the_record_beside_each_domain(client, person, gp):
    assessment = care.holistic_assessment(
        person, gp, prefill={"falls": ["Falls (electronic Frailty Index, case-finding data to 1 April 2026)"]}
    )
    client.force_login(gp)
    text = page(client.get(urls(person, assessment)["edit"]))
    assert "Falls (electronic Frailty Index, case-finding data to 1 April 2026)" in text
    assert text.count("Nothing in the record about this") == len(DOMAINS) - 1
    assert text.count("<textarea") == len(DOMAINS)
    assert "Save and come back later" in text and "Complete the assessment" in text


def test_saving_keeps_the_text_and_marks_those_domains_completed(client, person, gp):
    assessment = care.holistic_assessment(person, gp)
    client.force_login(gp)
    response = client.post(urls(person, assessment)["edit"], posted(1, answer_falls="Two falls at night"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers == {"falls": "Two falls at night"} and assessment.version == 2
    assert assessment.status == HolisticAssessment.Status.DRAFT
    event = AuditEvent.objects.get(action="edit_assessment", person=person)
    assert event.detail == {
        "assessment": assessment.pk,
        "version": 2,
        "changed": ["falls"],
        "completed": False,
    }
    text = page(client.get(urls(person, assessment)["edit"]))
    statuses = re.findall(r'id="domains-\d+-status">\s*(?:<strong[^>]*>)?\s*([A-Za-z ]+?)\s*<', text)
    assert statuses[3] == "Completed" and statuses.count("Not started") == len(DOMAINS) - 1
    assert "Two falls at night" in text


def test_saving_with_nothing_changed_keeps_the_version(client, person, gp):
    assessment = care.holistic_assessment(person, gp, answers={"falls": "None"})
    client.force_login(gp)
    client.post(urls(person, assessment)["edit"], posted(1, answer_falls="None"))
    assessment.refresh_from_db()
    assert assessment.version == 1


def test_completing_needs_what_matters_and_keeps_everything_typed(client, person, gp):
    assessment = care.holistic_assessment(person, gp)
    client.force_login(gp)
    typed = {**EVERY_DOMAIN_DONE, "answer_what_matters": "  "}
    response = client.post(urls(person, assessment)["edit"], posted(1, "complete", **typed))
    assert response.status_code == 400
    text = page(response)
    assert 'href="#id_answer_what_matters"' in text and "Write what matters to the person" in text
    assert text.count("Write what matters to the person, in their words") == 2  # summary and field
    assert "Found about Nutrition" in text
    assessment.refresh_from_db()
    assert assessment.answers == {} and assessment.version == 1
    assert assessment.status == HolisticAssessment.Status.DRAFT


def test_what_matters_cannot_be_marked_not_assessed(person, gp):
    assessment = care.holistic_assessment(person, gp)
    answers = {d.key: "Written" for d in DOMAINS} | {WHAT_MATTERS: "Not assessed: asleep"}
    with pytest.raises(actions.IncompleteAssessment, match="what matters"):
        actions.save_assessment(
            assessment=assessment, answers=answers, edited_version=1, complete=True, by=gp
        )


def test_every_domain_must_be_written_or_not_assessed_with_a_reason(client, person, gp):
    assessment = care.holistic_assessment(person, gp)
    client.force_login(gp)
    url = urls(person, assessment)["edit"]
    one_left = {**EVERY_DOMAIN_DONE, "answer_continence": ""}
    response = client.post(url, posted(1, "complete", **one_left))
    assert response.status_code == 400
    assert "Continence: write what you found, or tick 'Not assessed' and say why" in page(response)
    ticked_without_reason = {**one_left, "not_assessed_continence": "on"}
    response = client.post(url, posted(1, "complete", **ticked_without_reason))
    assert response.status_code == 400 and "Continence: say why it was not assessed" in page(response)
    with_reason = {**ticked_without_reason, "answer_continence": "Declined to discuss today"}
    response = client.post(url, posted(1, "complete", **with_reason))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == HolisticAssessment.Status.COMPLETED
    assert assessment.completed_by == gp and assessment.completed_at is not None
    assert assessment.answers["continence"] == "Not assessed: Declined to discuss today"
    shown = page(client.get(urls(person, assessment)["view"]))
    assert "Not assessed. Why: Declined to discuss today" in shown and "Found about Falls" in shown


def test_an_answer_may_be_as_long_as_the_limit_and_no_longer(client, person, gp):
    assessment = care.holistic_assessment(person, gp)
    client.force_login(gp)
    url = urls(person, assessment)["edit"]
    too_long = client.post(url, posted(1, answer_nutrition="x" * (ANSWER_MAX_LENGTH + 1)))
    assert too_long.status_code == 400
    assert "Nutrition must be 10,000 characters or fewer" in page(too_long)
    assert client.post(url, posted(1, answer_nutrition="x" * ANSWER_MAX_LENGTH)).status_code == 302


def test_a_page_with_no_version_is_refused_as_out_of_date(client, person, gp):
    assessment = care.holistic_assessment(person, gp)
    client.force_login(gp)
    response = client.post(urls(person, assessment)["edit"], {"answer_falls": "Two"})
    assert response.status_code == 400 and "This page is out of date" in page(response)
    assessment.refresh_from_db()
    assert assessment.answers == {}


def test_a_completed_assessment_is_read_only(client, person, gp):
    assessment = care.holistic_assessment(
        person, gp, answers={"falls": "None"}, status=HolisticAssessment.Status.COMPLETED
    )
    client.force_login(gp)
    edit = client.get(urls(person, assessment)["edit"], follow=True)
    assert edit.redirect_chain[-1][0] == urls(person, assessment)["view"]
    assert "can no longer be changed" in page(edit)
    assert "Continue the assessment" not in page(edit)
    client.post(urls(person, assessment)["edit"], posted(1, answer_falls="Changed"))
    assessment.refresh_from_db()
    assert assessment.answers == {"falls": "None"} and assessment.version == 1
    with pytest.raises(actions.AssessmentCompleted):
        actions.save_assessment(
            assessment=assessment, answers={"falls": "x"}, edited_version=1, complete=False, by=gp
        )


def test_two_people_editing_at_once_the_second_save_is_refused_then_overwrites_deliberately(
    client, person, gp, nurse
):
    from tests.conftest import StaffClient

    assessment = care.holistic_assessment(person, gp, answers={"nutrition": "Eats well"})
    url = urls(person, assessment)["edit"]
    gp_client, nurse_client = client, StaffClient()
    gp_client.force_login(gp)
    nurse_client.force_login(nurse)
    # Both open version 1; the GP saves first.
    assert 'name="version" value="1"' in page(gp_client.get(url))
    assert 'name="version" value="1"' in page(nurse_client.get(url))
    gp_client.post(url, posted(1, answer_falls="Fell in March", answer_nutrition="Eats well"))

    nurse_typed = {"answer_nutrition": "Poor appetite since March", "answer_home_environment": "Stairs"}
    conflict = nurse_client.post(url, posted(1, **nurse_typed))
    assert conflict.status_code == 409
    text = page(conflict)
    assessment.refresh_from_db()
    assert assessment.answers == {"falls": "Fell in March", "nutrition": "Eats well"}
    assert "There is a problem" in text
    saved_at = re.escape(f"Ada Jones saved this assessment on {assessment.updated_at.day} ")
    assert re.search(saved_at, text) and "They changed: Falls. Your changes have not been saved" in text
    assert "Poor appetite since March" in text and "Stairs" in text  # everything the nurse typed
    assert "Fell in March" in text  # what the GP saved, shown beside the box they changed
    assert 'name="version" value="2"' in text

    # Saving again, now naming version 2, is the nurse's deliberate choice to replace the GP's version.
    again = nurse_client.post(url, posted(2, **nurse_typed))
    assert again.status_code == 302
    assessment.refresh_from_db()
    assert assessment.version == 3 and assessment.updated_by == nurse
    assert assessment.answers == {"nutrition": "Poor appetite since March", "home_environment": "Stairs"}


def test_a_conflict_names_every_domain_changed_since_the_version_edited(person, gp, nurse):
    assessment = care.holistic_assessment(person, gp)
    actions.save_assessment(
        assessment=assessment, answers={"falls": "a"}, edited_version=1, complete=False, by=gp
    )
    actions.save_assessment(
        assessment=assessment,
        answers={"falls": "a", "continence": "b"},
        edited_version=2,
        complete=False,
        by=gp,
    )
    with pytest.raises(actions.EditConflict) as from_one:
        actions.save_assessment(assessment=assessment, answers={}, edited_version=1, complete=False, by=nurse)
    assert from_one.value.changed == ["falls", "continence"] and from_one.value.saved_by == gp
    with pytest.raises(actions.EditConflict) as from_two:
        actions.save_assessment(assessment=assessment, answers={}, edited_version=2, complete=False, by=nurse)
    assert from_two.value.changed == ["continence"]


def test_each_request_leaves_one_audit_row_naming_the_person(client, person, gp):
    draft = care.holistic_assessment(person, gp)
    client.force_login(gp)
    requests = [
        lambda: client.get(urls(person)),
        lambda: client.post(urls(person) + "new/"),  # refused: a draft exists
        lambda: client.get(urls(person, draft)["view"]),
        lambda: client.get(urls(person, draft)["edit"]),
        lambda: client.post(urls(person, draft)["edit"], {}),  # errors
        lambda: client.post(urls(person, draft)["edit"], posted(1, answer_falls="a")),  # saved
        lambda: client.post(urls(person, draft)["edit"], posted(1, answer_falls="b")),  # conflict
    ]
    for send in requests:
        before = AuditEvent.objects.filter(nhs_number=person.nhs_number).count()
        assert send().status_code < 500
        assert AuditEvent.objects.filter(nhs_number=person.nhs_number).count() == before + 1
