"""The care team pages in a real browser, with axe after every step."""

import pytest
from playwright.sync_api import expect

from neighbourhood.care.models import CareTeamMember
from neighbourhood.governance.roles import Role
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import AdultSocialCareFactory, PersonFactory, PracticeFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_gp_fills_the_gaps_in_a_care_team(page, live_server):
    practice = PracticeFactory(name="Riverside Surgery")
    person = PersonFactory(practice=practice)  # born 1940: needs a named accountable GP
    staff(Role.GP, practice.organisation, username="dr-patel", first_name="Asha", last_name="Patel")
    staff(
        Role.SOCIAL_WORKER,
        AdultSocialCareFactory(name="Testshire Adult Social Care"),
        first_name="Jo",
        last_name="Okafor",
    )

    page.goto(f"{live_server.url}/people/{person.nhs_number}/care-team/")
    sign_in(page, "dr-patel")
    expect(page.get_by_role("heading", name="Care team", level=1)).to_be_visible()
    expect(
        page.get_by_text("No named accountable GP — needed because they are aged 75 or over")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add someone to the care team").click()
    page.get_by_label("Member of staff").select_option(
        label="Jo Okafor – Social worker, Testshire Adult Social Care"  # noqa: RUF001 - an en dash
    )
    page.get_by_label("Named accountable GP").check()
    page.get_by_role("button", name="Add to the care team").click()
    error = page.get_by_role("link", name="Jo Okafor is not a GP: only a GP can be the named accountable GP")
    expect(error).to_be_visible()
    assert_accessible(page)
    error.click()
    expect(
        page.get_by_role("radio", name="Member", exact=True)
    ).to_be_focused()  # the question's first answer

    page.get_by_label("Care coordinator (key worker)").check()
    page.get_by_role("button", name="Add to the care team").click()
    expect(page.get_by_text("Jo Okafor has been added to the care team.")).to_be_visible()
    expect(page.get_by_role("cell", name="Care coordinator", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change the named accountable GP").click()
    page.get_by_label("Named accountable GP").select_option(label="Asha Patel")
    page.get_by_role("button", name="Save named GP").click()
    expect(page.get_by_text("Asha Patel is now their named accountable GP.")).to_be_visible()
    expect(page.get_by_text("This care team is not complete")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Change Jo Okafor's place as care coordinator").click()
    page.get_by_label("Ended", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("link", name="Enter the date their place ended")).to_be_visible()
    assert_accessible(page)
    assert CareTeamMember.objects.get(user__last_name="Okafor").status == CareTeamMember.Status.ACTIVE
