"""Two-factor sign-in for every member of staff (django-otp).

The password step (views.SignInView) signs someone in *unverified*. Until they also give a code from their
authenticator app (TOTP), or one of their single-use recovery codes, every page sends them here
(web.middleware) and the API answers 401 (`VerifiedSessionAuth`). Someone with no authenticator yet sets one
up first: a QR code drawn here as SVG (nothing is sent to another site), the secret as text, and a first code
to prove the app has it; then they get 10 recovery codes, shown once.

Repeated wrong codes are slowed by django-otp's own throttling (1, 2, 4, 8… seconds per device, settings
OTP_*_THROTTLE_FACTOR). Every success and failure is audited; codes never are.
"""

import math
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup
from ninja.security import SessionAuth

from neighbourhood.formhelpers import error_summary_items
from neighbourhood.governance.access import record, route
from neighbourhood.governance.models import AuditEvent, User
from neighbourhood.governance.two_factor_forms import (
    ConfirmAuthenticatorForm,
    SecurityCodeForm,
    is_security_code,
)

# Views someone signed in with only their password may still open (by URL name).
PASSWORD_ONLY_VIEWS = frozenset({"login", "logout", "two_factor", "two_factor_setup"})
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_APP = "Authenticator app"
RECOVERY_CODES = "Recovery codes"
_NEW_RECOVERY_CODES = "two_factor_new_recovery_codes"  # session key: shown once, then removed

WRONG_CODE = "The security code is not right. Enter the code your authenticator app shows now"
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used. Each recovery code works once"
_WRONG_REASONS = {"authenticator_app": "Wrong security code", "recovery_code": "Wrong or used recovery code"}


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def second_step_url(user: User, next_url: str) -> str:
    """Where someone signed in with only a password goes: the code page, or setting up an authenticator."""
    name = "two_factor" if confirmed_authenticator(user) else "two_factor_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def safe_next_url(request: HttpRequest) -> str:
    """`next` from the form or the query string when it is a page on this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class VerifiedSessionAuth(SessionAuth):
    """django-ninja's session auth, for sessions that have also passed the second factor: a password alone
    gets the same 401 as no session at all."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and user.is_verified():
            return user
        return None


verified_session_auth = VerifiedSessionAuth()


# --- writes: each audited ---------------------------------------------------------------------------------


def _throttle_message(device: Device) -> str | None:
    """Why django-otp will not check a code on this device just now, or None when it will."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    if details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        wait = math.ceil(max((details["locked_until"] - timezone.now()).total_seconds(), 1))
        failures = details["failure_count"]
        return (
            f"Wait {wait} second{'s' if wait != 1 else ''}, then try again: the code has been wrong "
            f"{failures} time{'s' if failures != 1 else ''} in a row"
        )
    return "You cannot enter a code just now. Wait a minute, then try again"


def _check_code(user: User, device: Device | None, code: str, *, method: str, step: str) -> str | None:
    """Check `code` on `device` (throttled by django-otp). Returns None when it is right; otherwise the
    message for the user, after auditing the failure."""
    wrong = WRONG_CODE if method == "authenticator_app" else WRONG_RECOVERY_CODE
    problem = _throttle_message(device) if device is not None else None
    if problem is None and device is not None and django_otp.verify_token(user, device.persistent_id, code):
        return None
    failures = type(device).objects.get(pk=device.pk).throttling_failure_count if device is not None else 0
    record(
        user,
        "two_factor_failed",
        outcome=AuditEvent.Outcome.REFUSED,
        reason="Too many wrong codes in a row: checking is paused" if problem else _WRONG_REASONS[method],
        detail={"method": method, "step": step, "failures_in_a_row": failures},
    )
    return problem or wrong


def verify_second_factor(*, by: User, code: str) -> tuple[Device | None, str]:
    """The device that accepts `code` (a 6-digit code for the authenticator app, else a recovery code,
    which is used up), or None and what to tell the user."""
    if is_security_code(code):
        device, method = confirmed_authenticator(by), "authenticator_app"
    else:
        device = StaticDevice.objects.devices_for_user(by, confirmed=True).order_by("pk").first()
        method = "recovery_code"
    # One transaction: a recovery code used up (django-otp deletes it) and its audit row commit together.
    # Nothing here raises, so a wrong code's audited failure commits too.
    with transaction.atomic():
        problem = _check_code(by, device, code, method=method, step="sign_in")
        if problem is not None:
            return None, problem
        detail = {"method": method}
        if method == "recovery_code":
            detail["recovery_codes_left"] = device.token_set.count()
        record(by, "two_factor", outcome=AuditEvent.Outcome.ALLOWED, detail=detail)
    return device, ""


def start_set_up(*, by: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up: the one from last time, or a new secret."""
    if confirmed_authenticator(by) is not None:
        raise PermissionDenied("You already have an authenticator app")
    existing = TOTPDevice.objects.devices_for_user(by, confirmed=False).order_by("pk").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=by, name=AUTHENTICATOR_APP, confirmed=False)
        record(by, "two_factor_set_up_started", outcome=AuditEvent.Outcome.ALLOWED)
    return device


def confirm_set_up(*, by: User, device: TOTPDevice, code: str) -> tuple[list[str] | None, str]:
    """Confirm the new authenticator with its first code, and replace the user's recovery codes with
    RECOVERY_CODE_COUNT new ones. Returns the codes (to show once), or None and what to tell the user."""
    if device.user_id != by.pk or device.confirmed or confirmed_authenticator(by) is not None:
        raise PermissionDenied("You already have an authenticator app")
    problem = _check_code(by, device, code, method="authenticator_app", step="set_up")
    if problem is not None:
        return None, problem
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        TOTPDevice.objects.filter(user=by).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=by).delete()
        recovery = StaticDevice.objects.create(user=by, name=RECOVERY_CODES, confirmed=True)
        codes: set[str] = set()
        while len(codes) < RECOVERY_CODE_COUNT:
            codes.add(StaticToken.random_token())
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=token) for token in codes)
        record(
            by,
            "two_factor_enrolled",
            outcome=AuditEvent.Outcome.ALLOWED,
            detail={"method": "authenticator_app", "recovery_codes": RECOVERY_CODE_COUNT},
        )
    device.refresh_from_db()
    return sorted(codes), ""


# --- pages ------------------------------------------------------------------------------------------------


def _signed_in_with(request: HttpRequest, device: Device) -> None:
    request.session.cycle_key()  # a new session id for the now fully signed-in session
    django_otp.login(request, device)


def qr_code_svg(device: TOTPDevice) -> Markup:
    """The otpauth:// URI as an inline SVG QR code. Safe to mark safe: segno draws it from our own URI,
    and no text from the user is written into the markup (the username is only inside the encoded data)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, light="#fff", svgclass="app-qr-code", lineclass=None
    )
    labelled = svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code for adding Neighbourhood to your authenticator app" ', 1
    )
    return Markup(labelled)  # noqa: S704 - generated SVG, see the docstring


def _secret_in_groups(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@route(None)  # anyone signed in with their password; what they may open comes after
def two_factor(request):
    next_url = safe_next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if confirmed_authenticator(request.user) is None:
        return redirect(second_step_url(request.user, next_url))
    form = SecurityCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device, problem = verify_second_factor(by=request.user, code=form.cleaned_data["otp_token"])
        if device is not None:
            _signed_in_with(request, device)
            return redirect(next_url)
        form.add_error("otp_token", problem)
    return render(
        request,
        "governance/two_factor.jinja",
        {"form": form, "error_list": error_summary_items(form), "next": next_url},
    )


@never_cache
@route(None)
def set_up_two_factor(request):
    next_url = safe_next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if confirmed_authenticator(request.user) is not None:
        return redirect(second_step_url(request.user, next_url))
    device = start_set_up(by=request.user)
    form = ConfirmAuthenticatorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes, problem = confirm_set_up(by=request.user, device=device, code=form.cleaned_data["otp_token"])
        if codes is not None:
            _signed_in_with(request, device)
            request.session[_NEW_RECOVERY_CODES] = codes
            return redirect(f"{reverse('two_factor_recovery_codes')}?{urlencode({'next': next_url})}")
        form.add_error("otp_token", problem)
    return render(
        request,
        "governance/set_up_two_factor.jinja",
        {
            "form": form,
            "error_list": error_summary_items(form),
            "next": next_url,
            "qr_code": qr_code_svg(device),
            "secret": _secret_in_groups(device),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@never_cache
@route(None)
def recovery_codes(request):
    """The new recovery codes, once: they are taken out of the session as they are shown."""
    next_url = safe_next_url(request)
    codes = request.session.pop(_NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect(next_url)
    return render(request, "governance/recovery_codes.jinja", {"codes": codes, "next": next_url})
