"""Failed sign-ins lock a username at one address, and an address for every username (django-axes).

A lock on the username alone would let anyone lock anyone out, from anywhere, by typing their username with a
wrong password five times. A lock on the (username, address) pair alone would let one address try one password
against every account. So axes counts failures both ways, and each count has its own limit:

- a username at one address: AXES_FAILURE_LIMIT (5) failures lock that username there; it still signs in
  from elsewhere;
- an address: NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT (30) failures, whatever the usernames, lock every sign-in
  from it. Higher, because a practice or a trust can sit behind one address.

Both last AXES_COOLOFF_TIME after the latest failure. The address is the one the request came from, or with
NEIGHBOURHOOD_TRUSTED_PROXIES set, the one the outermost trusted proxy saw (`client_address`).
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from django.shortcuts import render

from neighbourhood.governance.models import User

# The order matters: AddressAwareHandler reads the counts in this order.
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]


def client_address(request) -> str | None:
    """REMOTE_ADDR, unless NEIGHBOURHOOD_TRUSTED_PROXIES proxies stand in front of the app. Each appends the
    address it received the request from to X-Forwarded-For, so the n-th entry from the right is the client
    as the outermost trusted proxy saw it; anything left of that was written by the client and is ignored."""
    trusted_proxies = settings.NEIGHBOURHOOD_TRUSTED_PROXIES
    if trusted_proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= trusted_proxies:
            return forwarded[-trusted_proxies]
    return request.META.get("REMOTE_ADDR")


class AddressAwareHandler(AxesDatabaseHandler):
    """Axes compares one count of failures with one limit. This reports the (username, address) count, or the
    account limit itself once the address has reached its own, larger limit, so that both locks take effect
    on the very failure that reaches them."""

    def failures_by_pair_and_address(self, request, credentials=None) -> tuple[int, int]:
        if settings.AXES_LOCKOUT_PARAMETERS != LOCKOUT_PARAMETERS:
            raise ImproperlyConfigured(
                f"AddressAwareHandler needs AXES_LOCKOUT_PARAMETERS = {LOCKOUT_PARAMETERS}"
            )
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return pair, address

    def get_failures(self, request, credentials=None) -> int:
        pair, address = self.failures_by_pair_and_address(request, credentials)
        if address >= settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that username's failures at that address only: signing in to one's own
        account must not wipe the count of guesses made at other accounts from the same address."""
        pair_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair_attempts.delete()
        return count


def address_is_locked(request, credentials=None) -> bool:
    _, address = AddressAwareHandler().failures_by_pair_and_address(request, credentials)
    return address >= settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT


def locked_out(request, original_response=None, credentials=None):
    """The page axes shows instead of the sign-in form (AXES_LOCKOUT_CALLABLE). It says which lock applies,
    and never whether the username typed is an account."""
    cool_off = get_cool_off(request) or timedelta(0)
    return render(
        request,
        "governance/locked_out.jinja",
        {
            "whole_address": address_is_locked(request, credentials),
            "minutes": round(cool_off.total_seconds() / 60),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def lockout_audit_fields(request, username: str | None, address: str | None) -> dict:
    """What the audit log keeps about a lockout: the account, if the username typed is one (never the text
    typed otherwise, which is sometimes a password), which lock, and the address it applies to."""
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    credentials = {User.USERNAME_FIELD: username} if username else None
    whole_address = address_is_locked(request, credentials)
    return {
        "account": account,
        "reason": (
            "Too many failed sign-ins from this address"
            if whole_address
            else "Too many failed sign-ins to this account from this address"
        ),
        "detail": {"lock": "address" if whole_address else "account_at_address", "address": address or ""},
    }
