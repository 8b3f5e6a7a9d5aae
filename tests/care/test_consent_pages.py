"""The consent and capacity pages in a real browser, partly by keyboard, with axe after every step."""

import pytest
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_record_consent_an_objection_a_capacity_assessment_and_a_best_interests_decision(page, live_server):
    practice = PracticeFactory(name="Riverside Surgery")
    person = PersonFactory(practice=practice, given_name="Ada", family_name="Archer")
    OrganisationFactory(kind=Organisation.Kind.VOLUNTARY, name="Age Well Charity")
    staff(Role.CARE_COORDINATOR, practice.organisation, username="cara", first_name="Cara", last_name="Jones")

    page.goto(f"{live_server.url}/people/{person.nhs_number}/")
    sign_in(page, "cara")
    page.get_by_role("navigation", name="This person's record").get_by_role(
        "link", name="Consent and capacity"
    ).click()
    expect(page.get_by_role("heading", name="Consent and capacity", level=1)).to_be_visible()
    expect(
        page.get_by_text("No decision recorded: sharing with voluntary-sector organisations")
    ).to_be_visible()
    assert_accessible(page)

    # A decision by an attorney without the attorney's name: the error summary links to the field.
    page.get_by_role("link", name="Record a consent decision").click()
    page.get_by_label("Share my record between health, social care and the voluntary sector").check()
    page.get_by_label("Consent given").check()
    page.get_by_label("By their lasting power of attorney").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("Consent given")).to_be_checked()  # nothing typed is lost
    assert_accessible(page)
    page.get_by_role("link", name="Enter the name of the person who made the decision for them").click()
    expect(page.get_by_label("Name of their attorney or representative")).to_be_focused()
    page.keyboard.type("Joan Archer")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Consent decision recorded.")).to_be_visible()
    expect(page.get_by_text("(Joan Archer) on").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record an objection to an organisation").click()
    expect(page.get_by_text("they would register with another practice")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Which organisation do they object to?").select_option(label="Age Well Charity")
    page.get_by_label("Their reason (optional)").fill("A neighbour volunteers there")
    page.get_by_role("button", name="Save objection").click()
    expect(
        page.get_by_text("Objection recorded: Age Well Charity can no longer see their record.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw the objection to Age Well Charity")).to_be_visible()
    assert_accessible(page)

    # Stage 2 answered with no impairment is refused, then the assessment is put right.
    page.get_by_role("link", name="Record a mental capacity assessment").click()
    page.get_by_label("Be discussed at a multidisciplinary team (MDT) meeting").check()
    page.get_by_role("group", name="Stage 1").get_by_label("No").check()
    page.get_by_label("Communicate their decision (by any means)").check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Communicate their decision (by any means)")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("group", name="Stage 1").get_by_label("Yes").check()
    page.get_by_label("What is the impairment or disturbance?").fill("Delirium with a urine infection")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Lacks capacity for this decision")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record a best-interests decision").click()
    expect(page.get_by_role("heading", name="Record a best-interests decision", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role(
        "group", name="Is being discussed at an MDT meeting in their best interests?"
    ).get_by_label("Yes").check()
    page.get_by_label("Who was consulted?").fill("Her daughter and her GP")
    page.get_by_label("Why is this the decision in their best interests?").fill("Her care needs joining up")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Best-interests decision in favour on")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Withdraw the decision recorded on").click()
    expect(page.get_by_role("heading", name="Withdraw this consent decision?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is this decision being withdrawn?").fill("Recorded in error")
    page.get_by_role("button", name="Withdraw decision").click()
    expect(page.get_by_text("Consent decision withdrawn.")).to_be_visible()
    expect(
        page.get_by_text("No decision recorded: sharing with voluntary-sector organisations")
    ).to_be_visible()
    assert_accessible(page)
