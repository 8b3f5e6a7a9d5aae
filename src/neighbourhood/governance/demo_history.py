"""A few past emergency accesses for the demo, so the privacy officer has something to review: one open
now, one waiting for review, one already reviewed. Synthetic only; their audit rows carry the past times at
which the accesses happened (the demo's history), and chain like any other."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from neighbourhood.governance.demo import demo_username
from neighbourhood.governance.models import AuditEvent, EmergencyAccess, Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Person, Practice

Reason = EmergencyAccess.Reason
# (who, reason, what they wrote, started how long ago, review by the privacy officer or None)
PAST_EMERGENCY_ACCESSES = [
    (
        Role.GP,
        Reason.EMERGENCY_CARE,
        "Seen as a temporary resident after a fall in the car park; confused, needed her medicines list.",
        timedelta(hours=1),
        None,
    ),
    (
        Role.PRACTICE_NURSE,
        Reason.URGENT_REFERRAL,
        "Hospital discharge team phoned about wound care; patient moving to our list next week.",
        timedelta(days=3, hours=2),
        None,
    ),
    (
        Role.CARE_COORDINATOR,
        Reason.NEW_TO_CARE,
        "Looked up a neighbour's husband on request, to see if he was known to us.",
        timedelta(days=9, hours=5),
        (
            EmergencyAccess.Review.NOT_APPROPRIATE,
            "Not for care: spoke to the nurse and her manager; refresher training booked.",
        ),
    ),
]


def _event(*, at, user, membership, person, action, outcome, reason, detail=None) -> None:
    AuditEvent(
        at=at,
        user=user,
        username=user.get_username(),
        role=membership.role,
        organisation_code=membership.organisation.code,
        person=person,
        nhs_number=person.nhs_number,
        action=action,
        outcome=outcome,
        reason=reason,
        detail=detail or {},
    ).save()


def create_past_emergency_accesses(practice: Practice, *, hours: float) -> list[EmergencyAccess]:
    """Replace the demo users' emergency accesses with the ones above, each for a person registered at
    another practice (so emergency access was the only way in)."""
    elsewhere = list(
        Person.objects.exclude(practice=practice)
        .filter(date_of_death__isnull=True)
        .order_by("nhs_number")[: len(PAST_EMERGENCY_ACCESSES)]
    )
    if len(elsewhere) < len(PAST_EMERGENCY_ACCESSES):
        return []
    privacy_officer = User.objects.get(username=demo_username(Role.PRIVACY_OFFICER))
    now = timezone.now()
    created = []
    with transaction.atomic():
        demo_users = User.objects.filter(username__in=[demo_username(role) for role in Role])
        EmergencyAccess.objects.filter(user__in=demo_users).delete()
        for (role, reason, justification, ago, review), person in zip(
            PAST_EMERGENCY_ACCESSES, elsewhere, strict=True
        ):
            user = User.objects.get(username=demo_username(role))
            membership = Membership.objects.select_related("organisation").get(
                user=user, role=role, organisation=practice.organisation
            )
            started = now - ago
            emergency = EmergencyAccess.objects.create(
                user=user,
                membership=membership,
                person=person,
                reason=reason,
                justification=justification,
                started_at=started,
                expires_at=started + timedelta(hours=hours),
            )
            label = emergency.get_reason_display()
            _event(
                at=started,
                user=user,
                membership=membership,
                person=person,
                action="emergency_access",
                outcome=AuditEvent.Outcome.BREAK_GLASS,
                reason=label,
                detail={"reason": reason, "emergency_access": emergency.pk, "hours": hours},
            )
            _event(
                at=started + timedelta(seconds=20),
                user=user,
                membership=membership,
                person=person,
                action="view_record",
                outcome=AuditEvent.Outcome.BREAK_GLASS,
                reason=f"Emergency access: {label}",
            )
            if review is not None:
                emergency.review_outcome, emergency.review_note = review
                emergency.reviewed_by = privacy_officer
                emergency.reviewed_at = started + timedelta(days=1)
                emergency.save()
                _event(
                    at=emergency.reviewed_at,
                    user=privacy_officer,
                    membership=privacy_officer.memberships.select_related("organisation").get(
                        role=Role.PRIVACY_OFFICER
                    ),
                    person=person,
                    action="review_emergency_access",
                    outcome=AuditEvent.Outcome.ALLOWED,
                    reason=f"Opened in an emergency by staff of {membership.organisation.name}",
                    detail={"emergency_access": emergency.pk, "outcome": emergency.review_outcome},
                )
            created.append(emergency)
    return created
