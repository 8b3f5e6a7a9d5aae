"""At a phone's width (375 px), and with NHS.UK frontend's JavaScript initialised (web/init-nhsuk.js)."""

import pytest
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from neighbourhood.web.navigation import navigation_items
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.factories import PracticeFactory, staff

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def javascript_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def assert_nothing_overflows(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page is {scroll_width} px wide at {PHONE['width']} px"


def test_at_a_phones_width_every_header_link_can_be_reached(
    page, live_server, csp_violations, javascript_errors
):
    gp = staff(Role.GP, PracticeFactory().organisation)
    gp.is_verified = lambda: True  # navigation_items shows the links of a user past the second factor
    links = [item["text"] for item in navigation_items(gp)]
    assert len(links) > 1
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/")
    sign_in(page, gp.username)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Neighbourhood", level=1)).to_be_visible()

    navigation = page.locator(".nhsuk-header__navigation")
    # NHS.UK frontend's Header has run: links that do not fit moved behind the "More" button.
    more = navigation.locator(".nhsuk-header__menu-toggle")
    hidden_before = [text for text in links if not navigation.get_by_role("link", name=text).is_visible()]
    if hidden_before:
        expect(more).to_be_visible()
        expect(more).to_have_attribute("aria-expanded", "false")
        more.click()
        expect(more).to_have_attribute("aria-expanded", "true")
    for text in links:
        expect(navigation.get_by_role("link", name=text)).to_be_visible()
    assert_nothing_overflows(page)
    assert_accessible(page)

    if hidden_before:  # and it closes again
        more.click()
        expect(more).to_have_attribute("aria-expanded", "false")
    assert_nothing_overflows(page)

    assert csp_violations == []
    assert javascript_errors == []


def test_the_error_summary_takes_focus(page, live_server, csp_violations, javascript_errors):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/sign-in/")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    assert_nothing_overflows(page)
    assert_accessible(page)

    assert csp_violations == []
    assert javascript_errors == []
