"""Every change governance makes: staff memberships (through the admin), emergency access and its review.

Each action is keyword-only, takes the acting user as `by=`, and holds the change and its audit event in one
transaction; a refusal is audited on its own and raises PermissionDenied.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from neighbourhood import nhs_number as nhs_numbers
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent, EmergencyAccess, Membership, User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Organisation

# --- Staff accounts and memberships (through the admin) --------------------------------------------------

NOT_YOUR_OWN_ACCESS = "You cannot change your own roles, organisations or account. Ask another administrator"


def _state(membership: Membership) -> dict:
    return {
        "organisation": membership.organisation.code,
        "role": membership.role,
        "is_active": membership.is_active,
    }


def check_may_manage(*, user: User, by: User, action: str, detail: dict) -> access.Decision:
    """Whether `by` may change `user`'s account or memberships: they need MANAGE_USERS (or to be a
    superuser), and nobody changes their own. A refusal is audited and raises PermissionDenied; call this
    outside the change's transaction (the admin calls it while validating its form)."""
    decision = access.decide(by, Permission.MANAGE_USERS)
    refusal = None
    if user.pk is not None and user.pk == by.pk:
        refusal = NOT_YOUR_OWN_ACCESS
    elif not decision.allowed and not by.is_superuser:
        refusal = decision.basis
    if refusal:
        access.record(
            by,
            action,
            outcome=AuditEvent.Outcome.REFUSED,
            membership=decision.membership,
            reason=refusal,
            detail=detail,
        )
        raise PermissionDenied(refusal)
    return decision


@contextmanager
def _managing(*, user: User, by: User, action: str, detail: dict):
    decision = check_may_manage(user=user, by=by, action=action, detail=detail)
    with transaction.atomic():
        yield
        access.record(
            by,
            action,
            outcome=AuditEvent.Outcome.ALLOWED,
            membership=decision.membership,
            reason=decision.basis if decision.allowed else "Superuser",
            detail=detail,
        )


def add_membership(
    *, user: User, organisation: Organisation, role: str, is_active: bool = True, by: User
) -> Membership:
    membership = Membership(user=user, organisation=organisation, role=role, is_active=is_active)
    detail = {"user": user.get_username(), "from": None, "to": _state(membership)}
    with _managing(user=user, by=by, action="add_membership", detail=detail):
        membership.save()
    return membership


def change_membership(
    *,
    membership: Membership,
    role: str | None = None,
    organisation: Organisation | None = None,
    is_active: bool | None = None,
    by: User,
) -> Membership:
    """`membership` as it is stored; the arguments that are not None are what changes."""
    before = _state(membership)
    if role is not None:
        membership.role = role
    if organisation is not None:
        membership.organisation = organisation
    if is_active is not None:
        membership.is_active = is_active
    detail = {"user": membership.user.get_username(), "from": before, "to": _state(membership)}
    with _managing(user=membership.user, by=by, action="change_membership", detail=detail):
        membership.save()
    return membership


def remove_membership(*, membership: Membership, by: User) -> None:
    detail = {"user": membership.user.get_username(), "from": _state(membership), "to": None}
    with _managing(user=membership.user, by=by, action="remove_membership", detail=detail):
        membership.delete()


def set_user_access(
    *, user: User, is_active: bool | None = None, is_staff: bool | None = None, by: User
) -> User:
    """Whether an account may sign in (is_active) and open the admin (is_staff); `user` as stored."""
    fields = {"is_active": is_active, "is_staff": is_staff}
    changes = {name: value for name, value in fields.items() if value is not None}
    before = {name: getattr(user, name) for name in changes}
    detail = {"user": user.get_username(), "from": before, "to": changes}
    with _managing(user=user, by=by, action="change_user_access", detail=detail):
        for name, value in changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(changes))
    return user


def reset_two_factor(*, user: User, by: User) -> int:
    """Remove every second factor of `user` (a lost or replaced phone): they set up an authenticator app
    again at their next sign-in. Returns how many devices were removed."""
    with _managing(user=user, by=by, action="reset_two_factor", detail={"user": user.get_username()}):
        removed = sum(model.objects.filter(user=user).delete()[0] for model in (TOTPDevice, StaticDevice))
    return removed


# --- Emergency access (break-glass) and its review -------------------------------------------------------


class NotOnRegister(Exception):
    """Emergency access was asked for an NHS number that nobody on the register has."""


def emergency_access_hours() -> float:
    return float(settings.EMERGENCY_ACCESS_HOURS)


def open_emergency_access(
    *, nhs_number: str, reason: str, justification: str, by: User
) -> EmergencyAccess | None:
    """Open `nhs_number`'s record for `by` in an emergency, for a limited time. Returns None when `by` has a
    recorded relationship already (no emergency access is needed). Raises NotOnRegister for an unknown
    number and PermissionDenied for a role without record access, both audited."""
    justification = justification.strip()
    if reason not in EmergencyAccess.Reason.values:
        raise ValueError("Choose why you need emergency access")
    if not justification:
        raise ValueError("Say why you need to see this record now")
    decision = access.decide(by, Permission.VIEW_RECORD)
    detail = {"reason": reason}
    if not decision.allowed:
        access.record(by, "emergency_access", outcome=AuditEvent.Outcome.REFUSED, reason=decision.basis)
        raise PermissionDenied(decision.basis)
    person = access.find_person(nhs_number)
    if person is None:
        access.record(
            by,
            "emergency_access",
            outcome=AuditEvent.Outcome.REFUSED,
            membership=decision.membership,
            nhs_number=nhs_numbers.normalise(nhs_number) if nhs_numbers.is_valid(nhs_number) else "",
            reason="Nobody with this NHS number is on the register",
            detail=detail,
        )
        raise NotOnRegister("Nobody with this NHS number is on the register")
    if access.decide(by, Permission.VIEW_RECORD, person).allowed:
        return None
    started = timezone.now()
    with transaction.atomic():
        emergency = EmergencyAccess.objects.create(
            user=by,
            membership=decision.membership,
            person=person,
            reason=reason,
            justification=justification,
            started_at=started,
            expires_at=started + timedelta(hours=emergency_access_hours()),
        )
        access.record(
            by,
            "emergency_access",
            outcome=AuditEvent.Outcome.BREAK_GLASS,
            membership=decision.membership,
            person=person,
            reason=emergency.get_reason_display(),
            detail={**detail, "emergency_access": emergency.pk, "hours": emergency_access_hours()},
        )
    return emergency


def review_emergency_access(
    *, emergency_access: EmergencyAccess, outcome: str, note: str = "", by: User
) -> EmergencyAccess:
    """The privacy officer's verdict on one emergency access: appropriate or not, with a note."""
    note = note.strip()
    if outcome not in EmergencyAccess.Review.values:
        raise ValueError("Choose whether this emergency access was appropriate")
    if outcome == EmergencyAccess.Review.NOT_APPROPRIATE and not note:
        raise ValueError("Say why this emergency access was not appropriate")
    refusal = None
    if emergency_access.user_id == by.pk:
        refusal = "Nobody may review their own emergency access"
    elif not access.reviewable_emergency_accesses(by).filter(pk=emergency_access.pk).exists():
        refusal = "You cannot review this emergency access"
    if refusal:
        access.record(
            by,
            "review_emergency_access",
            outcome=AuditEvent.Outcome.REFUSED,
            person=emergency_access.person,
            reason=refusal,
            detail={"emergency_access": emergency_access.pk},
        )
        raise PermissionDenied(refusal)
    with access.changing(
        by,
        Permission.REVIEW_ACCESS,
        action="review_emergency_access",
        person=emergency_access.person,
        detail={"emergency_access": emergency_access.pk, "outcome": outcome},
    ):
        emergency_access.reviewed_by = by
        emergency_access.reviewed_at = timezone.now()
        emergency_access.review_outcome = outcome
        emergency_access.review_note = note
        emergency_access.save()
    return emergency_access
