"""Two-factor sign-in: after the password, a security code from an authenticator app or a recovery code."""

import base64
import datetime as dt
import re

import pytest
import segno
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.factories import PracticeFactory, UserFactory, enrol_totp, staff, totp_code
from tests.governance.html import elements, labels, visible_text
from tests.governance.redirects import UNSAFE_NEXT_URLS
from tests.governance.test_anonymous import every_path
from tests.governance.test_sign_in import PASSWORD, error_links, error_summary

pytestmark = pytest.mark.django_db

QR_CODE = "QR code for adding Neighbourhood to your authenticator app"
WRONG_CODE = "The security code is not right. Enter the code your authenticator app shows now"
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used. Each recovery code works once"


def sign_in_with_password(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def enter_code(client, code, next_url="/"):
    return client.post(reverse("two_factor"), {"otp_token": code, "next": next_url})


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def audit_rows(*actions):
    return list(
        AuditEvent.objects.filter(action__in=actions)
        .order_by("id")
        .values_list("action", "outcome", "username", "reason")
    )


@pytest.fixture
def gp():
    user = staff(Role.GP, PracticeFactory().organisation, username="dr-okafor")
    enrol_totp(user)
    return user


def let_the_throttle_pass(device):
    """django-otp waits 1, 2, 4… seconds after wrong codes: move the last failure back in time."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )


# --- the password is only the first step ------------------------------------------------------------------


def test_the_password_leads_to_the_security_code_page_keeping_next(client, gp):
    response = sign_in_with_password(client, gp, next_url="/your-access/")

    assert response["Location"] == f"{reverse('two_factor')}?next=%2Fyour-access%2F"
    assert client.session[SESSION_KEY] == str(gp.pk)
    assert not is_verified(client)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert labels(page.content) == {"id_otp_token": "Security code"}
    assert elements(page.content, "input", name="otp_token", autocomplete="one-time-code", value="")
    assert elements(page.content, "input", type="hidden", name="next", value="/your-access/")


def test_a_password_only_session_is_sent_to_the_second_step_from_every_page(client, gp):
    sign_in_with_password(client, gp)
    # The sign-in page, sign-out and the second step itself.
    allowed = {"/sign-in/", "/sign-out/", "/sign-in/two-factor/"}
    paths = [path for path in every_path() if not path.startswith("/api/")]
    assert "/your-access/" in paths and "/admin/" in paths and "/sign-in/recovery-codes/" in paths

    for path in paths:
        response = client.get(path)
        if path in allowed:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith(f"{reverse('two_factor')}?next="), path


def test_a_password_only_session_still_gets_the_stylesheets(client, gp):
    sign_in_with_password(client, gp)

    response = client.get("/static/web/neighbourhood.css")

    assert response.status_code == 200
    assert b"nbh-" in b"".join(response.streaming_content)


def test_a_password_only_session_gets_401_from_the_api(client, gp):
    sign_in_with_password(client, gp)

    response = client.get("/api/people/9990000018")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_fully_signed_in_session_reaches_the_api(client, gp):
    client.force_login(gp)  # tests.conftest: password and second factor

    assert client.get("/api/people/9990000018").status_code != 401


def test_a_password_only_session_is_offered_no_navigation(client, gp):
    sign_in_with_password(client, gp)

    text = visible_text(client.get(reverse("two_factor")).content)

    assert "Your access" not in text and "Find a person" not in text
    assert "Sign out" in text


# --- the security code ------------------------------------------------------------------------------------


def test_the_right_code_signs_in_and_follows_next(client, gp):
    sign_in_with_password(client, gp, next_url="/your-access/")
    session_before = client.session.session_key

    response = enter_code(client, totp_code(enrol_totp(gp)), next_url="/your-access/")

    assert response.status_code == 302
    assert response["Location"] == "/your-access/"
    assert is_verified(client)
    assert client.session.session_key != session_before
    assert client.get("/your-access/").status_code == 200
    assert audit_rows("two_factor", "two_factor_failed") == [("two_factor", "allowed", "dr-okafor", "")]


def test_a_code_typed_with_a_space_is_accepted(client, gp):
    sign_in_with_password(client, gp)
    code = totp_code(enrol_totp(gp))

    assert enter_code(client, f"{code[:3]} {code[3:]}")["Location"] == "/"
    assert is_verified(client)


def test_a_wrong_code_is_an_error_and_an_audited_failure(client, gp):
    sign_in_with_password(client, gp, next_url="/your-access/")
    right = totp_code(enrol_totp(gp))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = enter_code(client, wrong, next_url="/your-access/")

    assert response.status_code == 200
    assert "<title>Error: Enter your security code" in response.content.decode()
    assert error_summary(response) == f"There is a problem {WRONG_CODE}"
    assert error_links(response) == ["#id_otp_token"]
    assert elements(response.content, "input", name="otp_token", value="")
    assert wrong not in response.content.decode()
    assert elements(response.content, "input", type="hidden", name="next", value="/your-access/")
    assert not is_verified(client)
    assert audit_rows("two_factor", "two_factor_failed") == [
        ("two_factor_failed", "refused", "dr-okafor", "Wrong security code")
    ]
    assert wrong not in str(list(AuditEvent.objects.values()))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit security code from your authenticator app, or a recovery code"),
        ("12345", "Enter the 6-digit security code from your authenticator app, or a recovery code"),
        ("code?", "Enter the 6-digit security code from your authenticator app, or a recovery code"),
    ],
)
def test_something_that_is_not_a_code_says_what_to_enter(client, gp, typed, message):
    sign_in_with_password(client, gp)

    response = enter_code(client, typed)

    assert error_summary(response) == f"There is a problem {message}"
    assert not is_verified(client)


def test_repeated_wrong_codes_are_slowed_down_by_django_otp(client, gp):
    sign_in_with_password(client, gp)
    device = enrol_totp(gp)
    right = totp_code(device)

    enter_code(client, f"{(int(right) + 1) % 1_000_000:06d}")
    throttled = enter_code(client, right)  # right, but within a second of the wrong one

    assert re.fullmatch(
        r"There is a problem Wait 1 second, then try again: the code has been wrong 1 time in a row",
        error_summary(throttled),
    )
    assert not is_verified(client)
    assert [row[3] for row in audit_rows("two_factor_failed")] == [
        "Wrong security code",
        "Too many wrong codes in a row: checking is paused",
    ]

    let_the_throttle_pass(device)
    assert enter_code(client, right)["Location"] == "/"
    assert is_verified(client)


@pytest.mark.parametrize("next_url", UNSAFE_NEXT_URLS)
def test_next_to_another_site_is_refused(client, gp, next_url):
    sign_in_with_password(client, gp, next_url=next_url)
    page = client.get(reverse("two_factor"), {"next": next_url}).content.decode()

    response = enter_code(client, totp_code(enrol_totp(gp)), next_url=next_url)

    assert next_url not in page
    assert elements(page, "input", type="hidden", name="next", value="/")
    assert response["Location"] == "/"
    assert is_verified(client)


def test_someone_already_verified_goes_straight_on(client, gp):
    client.force_login(gp)

    assert client.get(reverse("two_factor"), {"next": "/your-access/"})["Location"] == "/your-access/"
    assert client.get(reverse("two_factor_setup"))["Location"] == "/"


# --- recovery codes -----------------------------------------------------------------------------------------


def test_a_recovery_code_works_once_and_not_twice(client, gp):
    recovery = StaticDevice.objects.create(user=gp, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6723")

    sign_in_with_password(client, gp)
    assert enter_code(client, "ABCD-2345")["Location"] == "/"
    assert is_verified(client)

    client.post(reverse("logout"))
    sign_in_with_password(client, gp)
    again = enter_code(client, "abcd2345")

    assert error_summary(again) == f"There is a problem {WRONG_RECOVERY_CODE}"
    assert not is_verified(client)
    assert list(recovery.token_set.values_list("token", flat=True)) == ["efgh6723"]
    assert audit_rows("two_factor", "two_factor_failed") == [
        ("two_factor", "allowed", "dr-okafor", ""),
        ("two_factor_failed", "refused", "dr-okafor", "Wrong or used recovery code"),
    ]
    assert AuditEvent.objects.get(action="two_factor").detail == {
        "method": "recovery_code",
        "recovery_codes_left": 1,
    }


# --- setting up an authenticator app ---------------------------------------------------------------------


def shown_secret(html: str) -> str:
    code = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html)
    assert code, "the setup key is shown as text"
    return code.group(1).replace(" ", "")


def code_for_secret(secret: str, device: TOTPDevice) -> str:
    """What an authenticator app that was given `secret` shows now."""
    assert base64.b32decode(secret).hex() == device.key
    return totp_code(device)


def test_someone_without_an_authenticator_sets_one_up_and_gets_ten_recovery_codes(client):
    user = staff(Role.GP, PracticeFactory().organisation, username="new-starter")
    response = sign_in_with_password(client, user, next_url="/your-access/")
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2Fyour-access%2F"
    assert client.get("/your-access/")["Location"] == f"{reverse('two_factor_setup')}?next=%2Fyour-access%2F"

    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert labels(page)["id_otp_token"] == "Security code"
    secret = shown_secret(page)

    confirmed = client.post(
        reverse("two_factor_setup"), {"otp_token": code_for_secret(secret, device), "next": "/your-access/"}
    )

    assert confirmed["Location"] == f"{reverse('two_factor_recovery_codes')}?next=%2Fyour-access%2F"
    assert is_verified(client)
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(confirmed["Location"]).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(shown) == 10 == len(set(shown))
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(
        shown
    )
    assert "You will not see these codes again" in visible_text(codes_page)
    assert elements(codes_page, "a", href="/your-access/", role="button")
    # Shown once: the page does not show them again.
    assert client.get(confirmed["Location"])["Location"] == "/your-access/"
    assert audit_rows("two_factor_set_up_started", "two_factor_enrolled") == [
        ("two_factor_set_up_started", "allowed", "new-starter", ""),
        ("two_factor_enrolled", "allowed", "new-starter", ""),
    ]
    # Next time: the security code page, where one of the recovery codes works.
    client.post(reverse("logout"))
    assert sign_in_with_password(client, user)["Location"] == f"{reverse('two_factor')}?next=%2F"
    assert enter_code(client, shown[3])["Location"] == "/"


def test_the_qr_code_is_an_inline_svg_of_the_otpauth_uri_with_nothing_from_another_site(client):
    user = UserFactory(username="new-starter")
    sign_in_with_password(client, user)

    page = client.get(reverse("two_factor_setup")).content.decode()

    device = TOTPDevice.objects.get(user=user)
    assert device.config_url.startswith("otpauth://totp/Neighbourhood%3Anew-starter?secret=")
    assert "&issuer=Neighbourhood" in device.config_url
    assert len(elements(page, "svg", role="img", aria_label=QR_CODE)) == 1
    qr_code = page[page.index(f'aria-label="{QR_CODE}"') :]
    drawn = re.search(r'<path stroke="#000" d="([^"]+)"', qr_code).group(1)
    expected = segno.make(device.config_url, error="m").svg_inline(scale=5, light="#fff", lineclass=None)
    assert drawn in expected
    assert not elements(page, "img")
    loaded = [
        a.get("src") or a.get("href") or ""
        for tag in ("script", "link", "iframe")
        for a in elements(page, tag)
    ]
    assert [url for url in loaded if url.startswith(("http:", "https:", "//"))] == []
    assert "otpauth://" not in page  # only inside the drawing, not as a link to follow
    assert client.get(reverse("two_factor_setup"))["Cache-Control"].startswith("max-age=0")


def test_a_wrong_first_code_leaves_the_app_unconfirmed(client):
    user = UserFactory(username="new-starter")
    sign_in_with_password(client, user)
    page = client.get(reverse("two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_setup"), {"otp_token": wrong, "next": "/"})

    assert error_summary(response) == f"There is a problem {WRONG_CODE}"
    assert shown_secret(response.content.decode()) == shown_secret(page)  # the same secret, to try again
    device.refresh_from_db()
    assert not device.confirmed
    assert not is_verified(client)
    assert not StaticDevice.objects.filter(user=user).exists()
    assert audit_rows("two_factor_failed") == [
        ("two_factor_failed", "refused", "new-starter", "Wrong security code")
    ]


def test_a_recovery_code_cannot_confirm_a_new_app(client):
    user = UserFactory()
    sign_in_with_password(client, user)
    client.get(reverse("two_factor_setup"))

    response = client.post(reverse("two_factor_setup"), {"otp_token": "abcd2345", "next": "/"})

    assert error_summary(response) == (
        "There is a problem Enter the 6-digit security code from your authenticator app"
    )


def test_someone_with_an_authenticator_cannot_set_up_another_with_only_their_password(client, gp):
    sign_in_with_password(client, gp)

    response = client.get(reverse("two_factor_setup"), {"next": "/your-access/"})

    assert response["Location"] == f"{reverse('two_factor')}?next=%2Fyour-access%2F"
    assert TOTPDevice.objects.filter(user=gp).count() == 1


def test_the_test_client_force_login_means_fully_signed_in(client, gp):
    client.force_login(gp)

    assert is_verified(client)
    assert client.get("/your-access/").status_code == 200
