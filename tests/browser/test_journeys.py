import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Role
from neighbourhood.nhs_number import format_for_display
from tests.browser.axe import assert_accessible
from tests.browser.factories import CarerRelationshipFactory, ConditionFactory
from tests.factories import PersonFactory, PracticeFactory, enrol_totp, staff, totp_code

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # UserFactory's
NHS_BLUE = "rgb(0, 94, 184)"


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in as a member of staff with an authenticator app (enrolled here if they have none): the
    password, then the security code. A wrong password stops at the password step's error."""
    account = User.objects.filter(username=username).first()
    device = enrol_totp(account) if account is not None else None
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if device is None or not re.search(r"/sign-in/two-factor/", page.url):
        return
    expect(page.get_by_role("heading", name="Enter your security code", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Security code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()


def test_sign_in_see_your_access_and_sign_out(page, live_server):
    practice = PracticeFactory(name="Riverside Surgery")
    staff(Role.GP, practice.organisation, username="dr-okafor", first_name="Ada", last_name="Okafor")

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    # The NHS.UK stylesheet loaded (through the live server's static files): the header is NHS blue.
    expect(page.locator("header.nhsuk-header")).to_have_css("background-color", NHS_BLUE)
    assert_accessible(page)

    sign_in(page, "dr-okafor", "not the password")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter a correct username and password")).to_be_visible()
    assert_accessible(page)

    sign_in(page, "dr-okafor")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Neighbourhood", level=1)).to_be_visible()
    assert_accessible(page)

    # The home page offers only what this role can open; the header's navigation holds the same links.
    expect(page.get_by_role("main").get_by_role("link", name="Find a person")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Staff accounts")).to_have_count(0)
    page.get_by_role("banner").get_by_role("link", name="Your access").click()
    expect(page.get_by_role("heading", name="Your roles and access", level=1)).to_be_visible()
    roles = page.get_by_role("table", name="Your roles and what each allows")
    expect(roles).to_contain_text("Riverside Surgery")
    expect(roles).to_contain_text("View a person's record")
    activity = page.get_by_role("table", name="Your recent activity")
    expect(activity).to_contain_text("Signed in")
    expect(activity).to_contain_text("Sign-in failed")
    assert_accessible(page)

    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_text("You have signed out")).to_be_visible()

    page.goto(live_server.url + "/your-access/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/your-access/$"))


def test_find_a_person_by_nhs_number_and_open_their_record(page, live_server):
    practice = PracticeFactory(name="Riverside Surgery")
    person = PersonFactory(practice=practice, given_name="Eileen", family_name="Marsh")
    ConditionFactory(person=person, name="Heart failure")
    CarerRelationshipFactory(
        person=PersonFactory(practice=practice, given_name="Tom", family_name="Marsh"), related_person=person
    )
    staff(Role.GP, practice.organisation, username="dr-okafor")

    page.goto(live_server.url + "/")
    sign_in(page, "dr-okafor")
    page.get_by_role("link", name="Find a person").first.click()
    expect(page.get_by_role("heading", name="Find a person", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("NHS number").fill(format_for_display(person.nhs_number))
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(f"{live_server.url}/people/{person.nhs_number}/")
    expect(page.get_by_role("heading", name="Eileen Marsh", level=1)).to_be_visible()
    expect(page.get_by_text(format_for_display(person.nhs_number)).first).to_be_visible()
    assert_accessible(page)


def test_the_accessibility_check_fails_on_serious_violations(page):
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main><img src="x.png"></main></body></html>'
    )

    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(page)


def test_a_new_member_of_staff_sets_up_two_factor_sign_in(page, live_server):
    practice = PracticeFactory(name="Riverside Surgery")
    staff(Role.GP, practice.organisation, username="dr-new", first_name="Nia", last_name="New")

    page.goto(live_server.url + "/your-access/")
    page.get_by_label("Username").fill("dr-new")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up two-factor sign-in", level=1)).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code for adding Neighbourhood to your authenticator app")
    ).to_be_visible()
    # Nothing yet: no navigation until the second factor is done.
    expect(page.get_by_role("banner").get_by_role("link", name="Your access")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Security code").fill(f"{(int(totp_now(page)) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("The security code is not right"))).to_be_visible()
    assert_accessible(page)
    # django-otp pauses checking for a second after a wrong code; don't make the journey depend on timing.
    TOTPDevice.objects.filter(user__username="dr-new").update(throttling_failure_timestamp=None)

    # What an authenticator app shows after the setup key is typed into it.
    page.get_by_label("Security code").fill(totp_now(page))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Your recovery codes", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(live_server.url + "/your-access/")
    expect(page.get_by_role("heading", name="Your roles and access", level=1)).to_be_visible()
    activity = page.get_by_role("table", name="Your recent activity")
    expect(activity).to_contain_text("Set up two-factor sign-in")
    assert_accessible(page)


def totp_now(page) -> str:
    """The code an authenticator app shows now for the setup key on the page."""
    row = page.locator(".nhsuk-summary-list__row", has=page.get_by_text("Setup key", exact=True))
    secret = row.locator("code").inner_text().replace(" ", "")
    padded = secret + "=" * (-len(secret) % 8)
    return f"{TOTP(base64.b32decode(padded)).token():06d}"
