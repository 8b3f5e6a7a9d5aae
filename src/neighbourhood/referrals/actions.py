"""Making and closing a referral. The single point of access (screening, triage, clocks) builds on these."""

from django.utils import timezone

from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission
from neighbourhood.referrals.models import Referral
from neighbourhood.register.models import Organisation, Person


class ReferralRefused(ValueError):
    """The referral cannot be made or closed as asked; the message says why."""


def refer(*, person: Person, to_organisation: Organisation, reason: str, by: User) -> Referral:
    reason = reason.strip()
    if not reason:
        raise ReferralRefused("Say why you are referring this person")
    with access.changing(
        by,
        Permission.CHANGE_RECORD,
        action="make_referral",
        person=person,
        detail={"to": to_organisation.code},
    ):
        return Referral.objects.create(
            person=person,
            to_organisation=to_organisation,
            reason=reason,
            referred_by=by,
            received_at=timezone.now(),
        )


def close_referral(*, referral: Referral, by: User) -> Referral:
    """Closing ends the receiving team's relationship to the person through this referral."""
    with access.changing(
        by,
        Permission.CHANGE_RECORD,
        action="close_referral",
        person=referral.person,
        detail={"referral": referral.pk},
    ):
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status == Referral.Status.CLOSED:
            raise ReferralRefused("This referral is already closed")
        locked.status = Referral.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        return locked
