"""A holistic assessment in a real browser, from starting it to completing it, with axe after every step."""

import pytest
from playwright.sync_api import expect

from neighbourhood.care.assessment_domains import DOMAINS
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Condition
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_start_fill_in_correct_and_complete_an_assessment(page, live_server):
    practice = PracticeFactory()
    person = PersonFactory(practice=practice, given_name="Eileen", family_name="Evans", lives_alone=True)
    Condition.objects.create(
        person=person, name="Heart failure", snomed_code="84114007", first_recorded="2021-06-09"
    )
    staff(
        Role.PRACTICE_NURSE, practice.organisation, username="nurse-cole", first_name="Femi", last_name="Cole"
    )

    page.goto(f"{live_server.url}/people/{person.nhs_number}/assessments/")
    sign_in(page, "nurse-cole")
    expect(page.get_by_role("heading", name="Holistic assessments", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start a holistic assessment").click()
    expect(page.get_by_role("heading", name="Holistic assessment", level=1)).to_be_visible()
    expect(page.get_by_text("Heart failure, first recorded 9 June 2021 (GP record)")).to_be_visible()
    expect(page.get_by_text("Lives alone (register record,")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Falls", exact=True).fill("One fall in the garden in March")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Saved. You can come back to the assessment later.")).to_be_visible()
    expect(page.locator("#domains-4-status")).to_have_text("Completed")
    assert_accessible(page)

    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_role("link", name="Write what matters to the person, in their words").click()
    expect(page.get_by_label("What matters to the person")).to_be_focused()
    expect(page.get_by_label("Falls", exact=True)).to_have_value("One fall in the garden in March")
    assert_accessible(page)

    for domain in DOMAINS:
        box = page.get_by_label(domain.heading, exact=True)
        if domain.key == "home_environment":
            box.fill("Not visited at home yet")
            page.locator("#not_assessed_home_environment").check()
        elif not box.input_value():
            box.fill(f"Talked about {domain.heading.lower()}")
    page.get_by_label("What matters to the person").fill("Staying at home with her cat")
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("Assessment completed.")).to_be_visible()
    expect(page.get_by_text("Not assessed. Why: Not visited at home yet")).to_be_visible()
    expect(page.get_by_text("Staying at home with her cat")).to_be_visible()
    expect(page.get_by_role("link", name="Continue the assessment")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="All holistic assessments").click()
    expect(page.get_by_role("button", name="Start a holistic assessment")).to_be_visible()
    expect(page.get_by_role("cell", name="Completed").first).to_be_visible()
    assert_accessible(page)
