"""Emergency access as a GP and a privacy officer would use it, with an accessibility check at each step."""

import re

import pytest
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.browser


def sign_out(page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))


def test_a_gp_opens_a_record_in_an_emergency_and_the_privacy_officer_reviews_it(page, live_server):
    ours, theirs = PracticeFactory(name="Riverside Surgery"), PracticeFactory(name="Hillside Surgery")
    person = PersonFactory(practice=theirs, given_name="Tom", family_name="Quill")
    staff(Role.GP, ours.organisation, username="dr-okafor", first_name="Ada", last_name="Okafor")
    staff(Role.PRIVACY_OFFICER, ours.organisation, username="po-reid", first_name="Sam", last_name="Reid")

    page.goto(f"{live_server.url}/people/{person.nhs_number}/")
    sign_in(page, "dr-okafor")
    expect(page.get_by_role("heading", name="You do not have access to this", level=1)).to_be_visible()
    expect(page.get_by_text("Either nobody with this NHS number is on the register")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ask for emergency access").click()
    expect(page.get_by_role("heading", name="Emergency access", level=1)).to_be_visible()
    page.get_by_role("button", name="Open the record in an emergency").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Choose why you need emergency access")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Emergency or urgent care: the person cannot be asked").check()
    page.get_by_label("What is happening, and why can it not wait?").fill(
        "Collapsed at the bus stop outside; brought in, needs his medicines list"
    )
    page.get_by_role("button", name="Open the record in an emergency").click()
    expect(page.get_by_role("heading", name="Tom Quill", level=1)).to_be_visible()
    expect(page.get_by_text("You opened this record in an emergency")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, "po-reid")
    page.get_by_role("banner").get_by_role("link", name="Emergency access").click()
    table = page.get_by_role("table", name="Emergency access by your staff")
    expect(table).to_contain_text("Tom Quill")
    expect(table).to_contain_text("Ada Okafor")
    assert_accessible(page)

    table.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Review emergency access", level=1)).to_be_visible()
    expect(page.get_by_text("Collapsed at the bus stop outside")).to_be_visible()
    page.get_by_label("Appropriate", exact=True).check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review saved.")).to_be_visible()
    expect(page.get_by_text("There is no emergency access to review.")).to_be_visible()
    assert_accessible(page)
