"""The idle-session warning (web/static/web/session-timeout.js), with a session of a few seconds."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.signed_in import sign_in_with_session_cookie
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_the_warning_comes_before_the_end_and_stay_signed_in_keeps_the_session(
    settings, page, live_server, client
):
    settings.SESSION_COOKIE_AGE = 14
    settings.NEIGHBOURHOOD_IDLE_WARNING_SECONDS = 10
    sign_in_with_session_cookie(page, client, live_server, UserFactory())
    page.goto(live_server.url + "/your-access/")
    loaded = time.monotonic()

    warning = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=8_000)  # 4 seconds after the page loaded, 10 before the end
    expect(warning).to_contain_text(re.compile(r"we will sign you out in \d+ seconds"))
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(warning.get_by_role("link", name="Sign out")).to_have_attribute("href", "/sign-out/")
    assert_accessible(page)

    stay.click()
    expect(warning).to_be_hidden()

    # Past the end the session had before "Stay signed in": still signed in.
    page.wait_for_timeout(max(0, loaded + 15 - time.monotonic()) * 1000)
    page.goto(live_server.url + "/your-access/")
    expect(page.get_by_role("heading", name="Your roles and access", level=1)).to_be_visible()


def test_an_idle_session_ends_on_the_sign_in_page(settings, page, live_server, client):
    settings.SESSION_COOKIE_AGE = 4
    settings.NEIGHBOURHOOD_IDLE_WARNING_SECONDS = 2
    sign_in_with_session_cookie(page, client, live_server, UserFactory())
    page.goto(live_server.url + "/your-access/")
    expect(page.get_by_role("heading", name="Your roles and access", level=1)).to_be_visible()

    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/your-access/$"), timeout=8_000)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    # The session really has ended, not just the page.
    page.goto(live_server.url + "/your-access/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/your-access/$"))
