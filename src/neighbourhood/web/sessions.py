"""How long a signed-in session lasts.

- Idle: SESSION_COOKIE_AGE (NEIGHBOURHOOD_IDLE_MINUTES, default 30) after the latest request. The session
  is saved, and its expiry moved on, at every request (SESSION_SAVE_EVERY_REQUEST); once it lapses the next
  page sends the person to sign in. web/static/web/session-timeout.js warns two minutes before, and its
  "Stay signed in" button posts to `keep_alive`.
- Absolute: NEIGHBOURHOOD_SESSION_MAX_HOURS (default 8, one working day) after signing in, however busy.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from neighbourhood.governance.access import route

SIGNED_IN_AT = "neighbourhood_signed_in_at"


class AbsoluteSessionLimitMiddleware:
    """Signs out a session that began more than NEIGHBOURHOOD_SESSION_MAX_SECONDS ago. The request then goes
    on as an anonymous one, so pages send it to sign in and the API answers 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.NEIGHBOURHOOD_SESSION_MAX_SECONDS:
                logout(request)
                hours = round(settings.NEIGHBOURHOOD_SESSION_MAX_SECONDS / 3600)
                messages.info(
                    request, f"You were signed out because you had been signed in for {hours} hours"
                )
        return self.get_response(request)


def session_timeout(request) -> dict | None:
    """What session-timeout.js needs, for the pages of someone fully signed in; None otherwise. The
    second-factor pages go without: keep-alive is not open to a session with only a password."""
    user = request.user
    if not (user.is_authenticated and (not hasattr(user, "is_verified") or user.is_verified())):
        return None
    return {
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "warning_seconds": min(settings.NEIGHBOURHOOD_IDLE_WARNING_SECONDS, settings.SESSION_COOKIE_AGE),
    }


@never_cache
@require_POST
@route(None)
def keep_alive(request):
    """Nothing to show: the request itself moves the session's expiry on. Anonymous requests never get here
    (LoginRequiredForPagesMiddleware sends them to sign in), and a missing CSRF token is refused."""
    return HttpResponse(status=204)
