"""The care and support plan: its rules at their boundaries, the form, and the plan page (#11)."""

import datetime as dt

import pytest
from django.utils import timezone

from neighbourhood.care import plan_content, plan_rules
from neighbourhood.care.models import CarePlan, CarePlanVersion
from neighbourhood.governance.models import AuditEvent, EmergencyAccess
from neighbourhood.governance.roles import Role
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


def date_parts(name: str, day: dt.date | None) -> dict:
    if day is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def plan_form(
    version: int = 0, *, next_review: dt.date | None = None, goals=(), actions=(), **fields
) -> dict:
    """A whole posted plan form: `fields` by name, goals as (goal, owner, target date, status), actions as
    (need, action, who, due date); each list padded with one blank row."""
    data = {
        "version": str(version),
        "goals_count": str(len(goals) + 1),
        "actions_count": str(len(actions) + 1),
    }
    data.update(date_parts("next_review_date", timezone.localdate() + dt.timedelta(days=30)))
    if next_review is not None:
        data.update(date_parts("next_review_date", next_review))
    for index, (goal, owner, target, status) in enumerate([*goals, ("", "", None, "")]):
        data.update(
            {f"goals-{index}-goal": goal, f"goals-{index}-owner": owner, f"goals-{index}-status": status}
        )
        data.update(date_parts(f"goals-{index}-target_date", target))
    for index, (need, action, who, due) in enumerate([*actions, ("", "", "", None)]):
        data.update(
            {f"actions-{index}-need": need, f"actions-{index}-action": action, f"actions-{index}-who": who}
        )
        data.update(date_parts(f"actions-{index}-due_date", due))
    data.update(fields)
    return data


def edit_url(person) -> str:
    return f"/people/{person.nhs_number}/plan/edit/"


def plan_url(person) -> str:
    return f"/people/{person.nhs_number}/plan/"


def put_on_register(person) -> None:
    RiskScoreFactory(run=RiskRunFactory(), person=person, on_register=True)


@pytest.fixture
def person_and_gp():
    practice = PracticeFactory()
    person = PersonFactory(practice=practice)
    return person, staff(Role.GP, practice.organisation, first_name="Ada", last_name="Okafor")


# The rules, each at its boundary --------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 30)


def test_next_review_date_is_required_and_not_in_the_past():
    assert (
        plan_rules.next_review_problem(None, today=TODAY, on_register=False) == "Enter the next review date"
    )
    assert plan_rules.next_review_problem(TODAY, today=TODAY, on_register=False) is None
    yesterday = TODAY - dt.timedelta(days=1)
    assert plan_rules.next_review_problem(yesterday, today=TODAY, on_register=False) == (
        "Next review date must be today or in the future"
    )


def test_on_the_register_the_next_review_is_at_most_3_months_after_the_day_of_saving():
    # 30 November + 3 months is the last day of February.
    latest = dt.date(2027, 2, 28)
    assert plan_rules.next_review_problem(latest, today=TODAY, on_register=True) is None
    problem = plan_rules.next_review_problem(latest + dt.timedelta(days=1), today=TODAY, on_register=True)
    assert problem == (
        "Next review date must be within 3 months for someone on the proactive care register: "
        "on or before 28 February 2027"
    )
    assert (
        plan_rules.next_review_problem(latest + dt.timedelta(days=1), today=TODAY, on_register=False) is None
    )


def test_months_after_keeps_the_day_or_takes_the_months_last_day():
    assert plan_rules.months_after(dt.date(2026, 1, 15), 3) == dt.date(2026, 4, 15)
    assert plan_rules.months_after(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert plan_rules.months_after(dt.date(2026, 10, 31), 3) == dt.date(2027, 1, 31)


def test_a_dnacpr_decision_or_respect_form_in_place_needs_a_date_not_in_the_future():
    label = "date of the DNACPR decision"
    assert plan_rules.dated_decision_problem(True, None, today=TODAY, label=label) == f"Enter the {label}"
    assert plan_rules.dated_decision_problem(False, None, today=TODAY, label=label) is None
    assert plan_rules.dated_decision_problem(True, TODAY, today=TODAY, label=label) is None
    tomorrow = TODAY + dt.timedelta(days=1)
    assert plan_rules.dated_decision_problem(True, tomorrow, today=TODAY, label=label) == (
        "Date of the DNACPR decision must be today or in the past"
    )


def test_overdue_means_the_review_date_has_passed():
    assert not plan_rules.is_overdue(TODAY, today=TODAY)
    assert plan_rules.is_overdue(TODAY - dt.timedelta(days=1), today=TODAY)
    assert not plan_rules.is_overdue(None, today=TODAY)


def test_two_contents_differ_only_under_the_headings_that_changed():
    before = {"what_matters": {"what_matters": "My garden"}}
    after = {
        "what_matters": {"what_matters": "My garden"},
        "goals": {"goals": [{"goal": "Walk to the shop", "owner": "Me", "target_date": "", "status": ""}]},
    }
    assert plan_content.changed_headings(before, after) == ["goals"]
    assert plan_content.changed_headings({}, plan_content.normalised({})) == []


# Writing and reading the plan -----------------------------------------------------------------------------


def test_no_plan_yet_says_so_and_offers_to_write_one(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    page = client.get(plan_url(person)).content.decode()
    assert "does not have a care and support plan yet" in page
    assert f'href="{edit_url(person)}"' in page and "Write a care and support plan" in page


def test_the_form_has_every_heading_and_3_blank_goal_and_action_rows(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    page = client.get(edit_url(person)).content.decode()
    for heading in plan_content.HEADINGS:
        assert heading.title.replace("'", "&#39;") in page
    assert "Goal 3" in page and "Goal 4" not in page
    assert "Action 3" in page and "Action 4" not in page
    for label in ("Not started", "In progress", "Achieved", "No longer relevant", "DNACPR decision in place"):
        assert label in page
    for label in ("ReSPECT form in place", "In person", "By phone", "By video", "With their representative"):
        assert label in page


def test_saving_makes_version_1_and_the_plan_page_shows_it_under_its_headings(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    review = timezone.localdate() + dt.timedelta(days=60)
    target = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        edit_url(person),
        plan_form(
            next_review=review,
            what_matters="Getting back to my allotment",
            goals=[("Walk to the allotment", "Eileen", target, "in_progress")],
            actions=[("Steadier on my feet", "Strength and balance classes", "Physiotherapist", target)],
            dnacpr="dnacpr_in_place",
            **date_parts("dnacpr_date", timezone.localdate()),
        ),
    )
    assert response.status_code == 302 and response["Location"] == plan_url(person)
    plan = CarePlan.objects.get(person=person)
    assert plan.version == 1 and plan.next_review_date == review and plan.updated_by == gp
    version = CarePlanVersion.objects.get(plan=plan)
    assert version.number == 1 and version.saved_by == gp
    assert version.changed_headings == ["what_matters", "goals", "needs_and_actions", "contingency", "review"]
    assert len(version.content["goals"]["goals"]) == 1  # the blank row is not kept
    assert AuditEvent.objects.filter(action="edit_care_plan", person=person, outcome="allowed").count() == 1

    page = client.get(plan_url(person)).content.decode()
    assert f"Last changed by Ada Okafor on {_long(timezone.localdate())} (version 1)" in page
    assert "Getting back to my allotment" in page and "Strength and balance classes" in page
    assert "nhsuk-tag--blue" in page and "In progress" in page
    assert "DNACPR decision in place" in page and _long(review) in page
    assert "Overdue" not in page
    assert f'href="{edit_url(person)}"' in page
    assert f'href="/people/{person.nhs_number}/plan/pdf/"' in page
    assert f'href="/people/{person.nhs_number}/plan/versions/"' in page


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_a_missing_review_date_is_an_error_that_keeps_what_was_typed(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    data = plan_form(what_matters="My cat, Pepper", **date_parts("next_review_date", None))
    response = client.post(edit_url(person), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#next_review_date_day"' in page and page.count("Enter the next review date") == 2
    assert "My cat, Pepper" in page
    assert not CarePlan.objects.exists()
    assert AuditEvent.objects.filter(
        action="edit_care_plan", person=person, detail={"changed": False}
    ).exists()


def test_a_form_posted_with_nothing_in_it_is_shown_again_with_its_errors(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    response = client.post(edit_url(person), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This form is out of date: open the care plan again to change it" in page
    assert "Enter the next review date" in page
    assert not CarePlan.objects.exists()


def test_a_review_date_in_the_past_is_refused_and_today_is_allowed(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    today = timezone.localdate()
    response = client.post(edit_url(person), plan_form(next_review=today - dt.timedelta(days=1)))
    assert "Next review date must be today or in the future" in response.content.decode()
    assert client.post(edit_url(person), plan_form(next_review=today)).status_code == 302


def test_on_the_register_a_review_more_than_3_months_away_is_refused(client, person_and_gp):
    person, gp = person_and_gp
    put_on_register(person)
    client.force_login(gp)
    latest = plan_rules.months_after(timezone.localdate(), 3)
    response = client.post(edit_url(person), plan_form(next_review=latest + dt.timedelta(days=1)))
    assert response.status_code == 400
    assert "within 3 months for someone on the proactive care register" in response.content.decode()
    assert client.post(edit_url(person), plan_form(next_review=latest)).status_code == 302
    assert CarePlan.objects.get(person=person).next_review_date == latest


def test_off_the_register_a_review_more_than_3_months_away_is_allowed(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    later = plan_rules.months_after(timezone.localdate(), 3) + dt.timedelta(days=1)
    assert client.post(edit_url(person), plan_form(next_review=later)).status_code == 302


def test_a_half_filled_goal_row_is_an_error_naming_the_row(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    target = timezone.localdate() + dt.timedelta(days=10)
    data = plan_form(
        goals=[("Walk to the shop", "Eileen", target, "not_started"), ("Sleep better", "", None, "")]
    )
    response = client.post(edit_url(person), data)
    assert response.status_code == 400
    page = response.content.decode()
    message = "Goal 2 is not complete: fill in “Owner”, “Target date” and “Status”, or clear the row"
    assert message in page and 'href="#goals-1-owner"' in page
    assert "Sleep better" in page and "Walk to the shop" in page
    assert not CarePlan.objects.exists()


def test_a_goal_target_date_that_is_not_real_is_an_error(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    data = plan_form(goals=[("Walk to the shop", "Eileen", dt.date(2027, 2, 1), "in_progress")])
    data["goals-0-target_date_day"] = "30"
    response = client.post(edit_url(person), data)
    assert response.status_code == 400
    assert "Goal 1: target date must be a real date, like 17 5 2027" in response.content.decode()
    data["goals-0-target_date_day"] = "28"
    assert client.post(edit_url(person), data).status_code == 302


def test_an_action_row_needs_who_does_it(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    due = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(edit_url(person), plan_form(actions=[("Meals", "Meals on wheels", "", due)]))
    assert "Action 1 is not complete: fill in “Who does it”, or clear the row" in response.content.decode()


def test_a_dnacpr_decision_needs_its_date(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    response = client.post(edit_url(person), plan_form(dnacpr="dnacpr_in_place"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the date of the DNACPR decision" in page and 'href="#dnacpr_date_day"' in page


def test_a_respect_form_dated_tomorrow_is_refused(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        edit_url(person), plan_form(respect="in_place", **date_parts("respect_date", tomorrow))
    )
    assert "Date of the ReSPECT form must be today or in the past" in response.content.decode()


def test_the_plan_shows_overdue_once_the_review_date_has_passed(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    client.post(edit_url(person), plan_form(next_review=timezone.localdate()))
    assert "Overdue" not in client.get(plan_url(person)).content.decode()
    CarePlan.objects.filter(person=person).update(
        next_review_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "Overdue" in client.get(plan_url(person)).content.decode()


def test_someone_who_may_only_read_the_record_sees_no_change_link_and_cannot_save(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    client.post(edit_url(person), plan_form(what_matters="My garden"))
    reader = staff(Role.GP, PracticeFactory().organisation)
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=reader,
        membership=reader.memberships.get(),
        person=person,
        reason=EmergencyAccess.Reason.EMERGENCY_CARE,
        justification="Seen in A&E",
        started_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    client.force_login(reader)
    page = client.get(plan_url(person)).content.decode()
    assert "My garden" in page and f'href="{edit_url(person)}"' not in page
    response = client.post(edit_url(person), plan_form(1, what_matters="Changed by a reader"))
    assert response.status_code == 403
    assert CarePlan.objects.get(person=person).version == 1


def test_staff_with_no_relationship_cannot_read_the_plan_and_the_refusal_is_audited(client, person_and_gp):
    person, _ = person_and_gp
    outsider = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(outsider)
    assert client.get(plan_url(person)).status_code == 403
    assert AuditEvent.objects.filter(
        user=outsider, person=person, action="view_care_plan", outcome="refused"
    ).exists()
