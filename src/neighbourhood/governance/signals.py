"""Sign in and sign out are audited. Failed attempts name the account only when it exists: whatever else
was typed into the username box (sometimes a password) is not kept. An attempt refused by a lockout
(governance.lockout) is audited once, as the lockout."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from neighbourhood.governance.access import record
from neighbourhood.governance.lockout import lockout_audit_fields
from neighbourhood.governance.models import AuditEvent, User


@receiver(user_logged_in, dispatch_uid="governance_audit_sign_in")
def record_sign_in(sender, request, user, **kwargs):
    record(user, "sign_in", outcome=AuditEvent.Outcome.ALLOWED)


@receiver(user_login_failed, dispatch_uid="governance_audit_sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    if getattr(request, "axes_locked_out", False):
        return  # record_lockout has audited it
    typed_username = credentials.get(User.USERNAME_FIELD) or ""
    account = User.objects.filter(**{User.USERNAME_FIELD: typed_username}).first() if typed_username else None
    record(
        account,
        "sign_in_failed",
        outcome=AuditEvent.Outcome.REFUSED,
        username=account.get_username() if account else "unknown",
        reason="Wrong username or password, or the account is not active",
    )


@receiver(user_logged_out, dispatch_uid="governance_audit_sign_out")
def record_sign_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        record(user, "sign_out", outcome=AuditEvent.Outcome.ALLOWED)


@receiver(user_locked_out, dispatch_uid="governance_audit_lockout")
def record_lockout(sender, request, username=None, ip_address=None, **kwargs):
    fields = lockout_audit_fields(request, username, ip_address)
    account = fields["account"]
    record(
        account,
        "sign_in_locked_out",
        outcome=AuditEvent.Outcome.REFUSED,
        username=account.get_username() if account else "unknown",
        reason=fields["reason"],
        detail=fields["detail"],
    )
