"""Pages run under the Content-Security-Policy without Chromium refusing anything (settings.py)."""

import re

import pytest
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation
from tests.browser.signed_in import sign_in_with_session_cookie
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, UserFactory, staff

pytestmark = pytest.mark.browser


def test_the_sign_in_and_home_pages_break_no_rule_of_the_policy(page, live_server, client, csp_violations):
    page.goto(live_server.url + "/sign-in/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    # NHS.UK frontend's inline script ran (it carries the nonce), and so did its JavaScript.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    sign_in_with_session_cookie(page, client, live_server, UserFactory())
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Neighbourhood", level=1)).to_be_visible()
    expect(page.locator("body")).to_have_class(re.compile(r"\bnhsuk-frontend-supported\b"))
    page.goto(live_server.url + "/your-access/")
    expect(page.get_by_role("heading", name="Your roles and access", level=1)).to_be_visible()

    assert csp_violations == []


def test_the_admin_site_works_under_the_policy(page, live_server, client, csp_violations):
    administrator = staff(Role.ADMINISTRATOR, OrganisationFactory(kind=Organisation.Kind.ICB), is_staff=True)
    sign_in_with_session_cookie(page, client, live_server, administrator)

    page.goto(live_server.url + "/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(live_server.url + "/admin/governance/user/")
    expect(page.get_by_role("link", name=administrator.username)).to_be_visible()
    page.get_by_role("link", name=administrator.username).click()
    expect(page.get_by_role("heading", name=administrator.username)).to_be_visible()

    assert csp_violations == []


def test_a_persons_record_and_its_htmx_panel_break_no_rule_of_the_policy(
    page, live_server, client, csp_violations
):
    practice = PracticeFactory()
    person = PersonFactory(practice=practice, given_name="Eileen", family_name="Marsh")
    sign_in_with_session_cookie(page, client, live_server, staff(Role.GP, practice.organisation))

    with page.expect_response(lambda response: "/case-finding/" in response.url):  # htmx loads the panel
        page.goto(f"{live_server.url}/people/{person.nhs_number}/")
    expect(page.get_by_role("heading", name="Eileen Marsh", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert csp_violations == []
