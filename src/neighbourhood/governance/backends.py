"""Sign-in with a username and password: Django's ModelBackend, except that the demo accounts are refused
when NEIGHBOURHOOD_ENV=production. Their usernames and passwords are printed in the README and on the demo's
console, so they must never open a production system, even if someone runs the demo command against it."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from neighbourhood.governance.access import record
from neighbourhood.governance.models import AuditEvent

DEMO_ACCOUNT_REFUSED = "Demo accounts cannot sign in when NEIGHBOURHOOD_ENV=production"


def _is_refused_demo_account(username: str | None) -> bool:
    from neighbourhood.governance.demo import is_demo_username

    return bool(settings.PRODUCTION and username and is_demo_username(username))


class StaffBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if _is_refused_demo_account(username):
            record(
                None,
                "sign_in_refused",
                outcome=AuditEvent.Outcome.REFUSED,
                username=username,
                reason=DEMO_ACCOUNT_REFUSED,
            )
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user):
        # Also ends a session a demo account already had (get_user asks this on every request).
        return super().user_can_authenticate(user) and not _is_refused_demo_account(user.get_username())
