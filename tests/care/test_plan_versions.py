"""Every version of the care plan is kept and can be compared; two people editing never overwrite each
other silently (#11)."""

import pytest
from django.utils import timezone

from neighbourhood.care import plan_actions
from neighbourhood.care.models import CarePlan, CarePlanVersion
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.care.test_plan import edit_url, plan_form
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_gp_and_nurse():
    practice = PracticeFactory()
    person = PersonFactory(practice=practice)
    gp = staff(Role.GP, practice.organisation, first_name="Ada", last_name="Okafor")
    nurse = staff(Role.PRACTICE_NURSE, practice.organisation, first_name="Femi", last_name="Cole")
    return person, gp, nurse


def versions_url(person) -> str:
    return f"/people/{person.nhs_number}/plan/versions/"


def test_every_version_is_listed_with_who_when_and_which_headings_changed(client, person_gp_and_nurse):
    person, gp, nurse = person_gp_and_nurse
    client.force_login(gp)
    client.post(edit_url(person), plan_form(what_matters="My garden"))
    client.force_login(nurse)
    client.post(edit_url(person), plan_form(1, what_matters="My garden", discharge_plan="Home with carers"))
    assert [v.number for v in CarePlanVersion.objects.all()] == [2, 1]
    page = client.get(versions_url(person)).content.decode()
    assert "Femi Cole" in page and "Ada Okafor" in page
    assert "Discharge plan" in page and "What matters to me, Review" in page
    assert f'href="/people/{person.nhs_number}/plan/versions/1/"' in page
    assert f'href="/people/{person.nhs_number}/plan/versions/2/"' not in page  # the current one
    assert AuditEvent.objects.filter(action="view_care_plan_versions", person=person, user=nurse).exists()


def test_an_earlier_version_is_shown_beside_the_current_one_with_changed_headings_tagged(
    client, person_gp_and_nurse
):
    person, gp, _ = person_gp_and_nurse
    client.force_login(gp)
    client.post(edit_url(person), plan_form(what_matters="My garden", about_me="Retired teacher"))
    client.post(edit_url(person), plan_form(1, what_matters="My grandchildren", about_me="Retired teacher"))
    response = client.get(f"/people/{person.nhs_number}/plan/versions/1/")
    page = response.content.decode()
    assert "My garden" in page and "My grandchildren" in page
    assert page.count("Retired teacher") == 2
    assert "1 of 10 headings changed" in page
    # The tag "Changed" appears in both columns of the one changed heading, and nowhere else.
    assert page.count("nhsuk-tag--yellow") == 2
    assert AuditEvent.objects.filter(action="compare_care_plan_versions", person=person).exists()


def test_an_unknown_version_or_another_persons_version_is_not_found(client, person_gp_and_nurse):
    person, gp, _ = person_gp_and_nurse
    other = PersonFactory(practice=person.practice)
    client.force_login(gp)
    client.post(edit_url(other), plan_form(what_matters="Theirs"))
    client.post(edit_url(other), plan_form(1, what_matters="Theirs, changed"))
    client.post(edit_url(person), plan_form(what_matters="Mine"))
    assert client.get(f"/people/{person.nhs_number}/plan/versions/1/").status_code == 200
    assert client.get(f"/people/{person.nhs_number}/plan/versions/2/").status_code == 404
    assert client.get(f"/people/{person.nhs_number}/plan/versions/0/").status_code == 404


def test_a_second_save_of_the_same_version_is_refused_showing_both_texts_and_keeping_the_typed_one(
    client, person_gp_and_nurse
):
    person, gp, nurse = person_gp_and_nurse
    client.force_login(gp)
    client.post(edit_url(person), plan_form(what_matters="My garden", discharge_plan="Home"))
    # Both open version 1; the GP saves first.
    client.post(edit_url(person), plan_form(1, what_matters="My grandchildren", discharge_plan="Home"))
    client.force_login(nurse)
    response = client.post(edit_url(person), plan_form(1, what_matters="Singing", discharge_plan="Home"))

    assert response.status_code == 409
    page = response.content.decode()
    saved_at = timezone.localtime(CarePlan.objects.get().updated_at)
    assert "Changed by Ada Okafor at " in page and "while you were editing: What matters to me" in page
    assert f"{saved_at.day} {saved_at:%B %Y} at" in page
    assert "My grandchildren" in page  # theirs, beside…
    assert page.count("Singing") == 2  # …what the nurse typed, also still in the form
    assert 'name="version" value="2"' in page
    plan = CarePlan.objects.get()
    assert plan.version == 2 and plan.content["what_matters"]["what_matters"] == "My grandchildren"
    assert (
        not AuditEvent.objects.filter(action="edit_care_plan", user=nurse, outcome="allowed")
        .exclude(detail={"changed": False})
        .exists()
    )

    # Saving again, now naming version 2, is a deliberate overwrite.
    response = client.post(edit_url(person), plan_form(2, what_matters="Singing", discharge_plan="Home"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 3 and plan.content["what_matters"]["what_matters"] == "Singing"
    assert plan.updated_by == nurse


def test_two_people_writing_the_first_plan_at_once_cannot_both_create_it(person_gp_and_nurse):
    person, gp, nurse = person_gp_and_nurse
    review = timezone.localdate()
    content = {"what_matters": {"what_matters": "Mine"}, "review": {"next_review_date": review.isoformat()}}
    plan_actions.save_plan(person=person, content=content, edited_version=0, by=gp)
    with pytest.raises(plan_actions.ChangedMeanwhile) as refused:
        plan_actions.save_plan(person=person, content=content, edited_version=0, by=nurse)
    assert refused.value.headings == ["what_matters", "review"]
    assert CarePlan.objects.get().version == 1 and CarePlanVersion.objects.count() == 1


def test_saving_an_unchanged_plan_makes_no_new_version(client, person_gp_and_nurse):
    person, gp, _ = person_gp_and_nurse
    client.force_login(gp)
    client.post(edit_url(person), plan_form(what_matters="My garden"))
    response = client.post(edit_url(person), plan_form(1, what_matters="My garden"), follow=True)
    assert "You did not change anything, so no new version was saved" in response.content.decode()
    assert CarePlan.objects.get().version == 1 and CarePlanVersion.objects.count() == 1


def test_the_action_refuses_a_plan_without_a_review_date(person_gp_and_nurse):
    person, gp, _ = person_gp_and_nurse
    with pytest.raises(ValueError, match="Enter the next review date"):
        plan_actions.save_plan(person=person, content={}, edited_version=0, by=gp)
    assert not CarePlan.objects.exists()
