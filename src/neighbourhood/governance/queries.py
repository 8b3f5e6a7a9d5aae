"""Reads for the governance pages."""

from dataclasses import dataclass

from neighbourhood.governance.access import (
    active_memberships,
    has_permission,
    reviewable_emergency_accesses,
    role_permissions,
)
from neighbourhood.governance.models import AuditEvent, EmergencyAccess, User
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.register.models import Organisation, Person

RECENT_AUDIT_EVENTS = 50


@dataclass(frozen=True)
class RoleAccess:
    role: str
    organisation: str
    may: list[str]  # what the role allows, in words


def roles_and_access(user: User) -> list[RoleAccess]:
    return [
        RoleAccess(
            role=Role(membership.role).label if membership.role in Role.values else membership.role,
            organisation=membership.organisation.name,
            may=[permission.label for permission in role_permissions(membership.role)],
        )
        for membership in sorted(active_memberships(user), key=lambda m: (m.organisation.name, m.role))
    ]


def recent_audit_events(user: User, limit: int = RECENT_AUDIT_EVENTS) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])


def may_see_whose_record(user: User) -> bool:
    """Only people who may view records see NHS numbers in their own audit trail."""
    return has_permission(user, Permission.VIEW_RECORD)


@dataclass(frozen=True)
class RecordAccess:
    at: object
    who: str
    role: str
    organisation: str
    what: str
    outcome: str
    emergency: bool


def _organisation_names(codes: set[str]) -> dict[str, str]:
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))


def accesses_to(person: Person, limit: int = 200) -> list[RecordAccess]:
    """Who has looked at (or tried to open, or changed) this person's record, newest first."""
    events = list(
        AuditEvent.objects.filter(person=person).select_related("user").order_by("-at", "-id")[:limit]
    )
    names = _organisation_names({event.organisation_code for event in events})
    return [
        RecordAccess(
            at=event.at,
            who=(event.user.get_full_name() if event.user else "") or event.username,
            role=Role(event.role).label if event.role in Role.values else event.role,
            organisation=names.get(event.organisation_code, event.organisation_code),
            what=event.action_label,
            outcome=event.get_outcome_display(),
            emergency=event.outcome == AuditEvent.Outcome.BREAK_GLASS,
        )
        for event in events
    ]


def emergency_accesses_to_review(user: User, show: str = "to_review") -> list[EmergencyAccess]:
    """The emergency accesses `user` reviews: those not yet reviewed, or all of them (`show="all"`)."""
    accesses = reviewable_emergency_accesses(user)
    if show != "all":
        accesses = accesses.filter(reviewed_at__isnull=True)
    return list(accesses.order_by("-started_at", "-id"))


def seen_during(emergency: EmergencyAccess) -> list[AuditEvent]:
    """What the user did with the person's record while the emergency access lasted."""
    return list(
        AuditEvent.objects.filter(
            user=emergency.user,
            person=emergency.person,
            at__gte=emergency.started_at,
            at__lte=emergency.expires_at,
        ).order_by("at", "id")
    )


AUDIT_REFERENCE_EVENTS = 500


@dataclass(frozen=True)
class ReferencedPerson:
    nhs_number: str
    person: Person | None  # None when the person has since left the register
    events: list[AuditEvent]  # newest first, up to AUDIT_REFERENCE_EVENTS


def people_with_audit_reference(reference: str) -> list[ReferencedPerson]:
    """Whose NHS number the audit events with `reference` name: one person, or more in the rare case that two
    NHS numbers share a reference. Read from the rows themselves, so a reference made with an earlier key
    still resolves."""
    numbers = sorted(
        set(
            AuditEvent.objects.filter(person_reference=reference)
            .exclude(nhs_number="")
            .values_list("nhs_number", flat=True)
        )
    )
    people = Person.objects.in_bulk(numbers, field_name="nhs_number")
    events = AuditEvent.objects.filter(person_reference=reference).order_by("-at", "-id")
    return [
        ReferencedPerson(
            nhs_number=number,
            person=people.get(number),
            events=list(events.filter(nhs_number=number)[:AUDIT_REFERENCE_EVENTS]),
        )
        for number in numbers
    ]
