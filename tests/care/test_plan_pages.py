"""The care plan's pages in a real browser, with axe after every step: write a plan, fix an error, read
it, change it, see its versions and compare them."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_write_read_change_and_compare_a_care_plan(page, live_server):
    practice = PracticeFactory()
    person = PersonFactory(practice=practice, given_name="Eileen", family_name="Evans")
    staff(Role.GP, practice.organisation, username="dr-okafor", first_name="Ada", last_name="Okafor")
    review = timezone.localdate() + dt.timedelta(days=40)

    page.goto(f"{live_server.url}/people/{person.nhs_number}/plan/")
    sign_in(page, "dr-okafor")
    expect(page.get_by_text("does not have a care and support plan yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Write a care and support plan").click()
    expect(page.get_by_role("heading", name="Write the care and support plan", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("What matters to me").fill("Getting back to my allotment")
    goal_1 = page.get_by_role("group", name="Goal 1")
    goal_1.get_by_label("Goal", exact=True).fill("Walk to the allotment")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the next review date")).to_be_visible()
    expect(page.get_by_role("link", name="Goal 1 is not complete", exact=False)).to_be_visible()
    expect(page.get_by_label("What matters to me")).to_have_value("Getting back to my allotment")
    assert_accessible(page)

    goal_1 = page.get_by_role("group", name="Goal 1")
    goal_1.get_by_label("Owner").fill("Eileen")
    target = goal_1.get_by_role("group", name="Target date")
    target.get_by_label("Day").fill(str(review.day))
    target.get_by_label("Month").fill(str(review.month))
    target.get_by_label("Year").fill(str(review.year))
    goal_1.get_by_label("Status").select_option(label="In progress")
    next_review = page.get_by_role("group", name="Next review date")
    next_review.get_by_label("Day").fill(str(review.day))
    next_review.get_by_label("Month").fill(str(review.month))
    next_review.get_by_label("Year").fill(str(review.year))
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Care and support plan saved as version 1.")).to_be_visible()
    expect(page.get_by_role("cell", name="Walk to the allotment")).to_be_visible()
    expect(page.get_by_text("(version 1)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change the plan").click()
    page.get_by_label("What matters to me").fill("My grandchildren")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Care and support plan saved as version 2.")).to_be_visible()

    page.get_by_role("link", name="Every version and what changed").click()
    expect(page.get_by_role("heading", name="Versions of the care and support plan")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Compare version 1 with the current one").click()
    expect(page.get_by_text("Getting back to my allotment")).to_be_visible()
    expect(page.get_by_text("My grandchildren")).to_be_visible()
    expect(page.get_by_role("heading", name="What matters to me Changed")).to_have_count(2)
    assert_accessible(page)

    page.goto(f"{live_server.url}/people/{person.nhs_number}/plan/?print=1")
    expect(page.get_by_text("This is the plan as it prints")).to_be_visible()
    assert_accessible(page)
