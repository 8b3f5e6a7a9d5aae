"""The one access service. Every read or change of a person's record asks `authorise`,
which decides and audits.

Access needs two things: a role that carries the permission, and a legitimate relationship between the
organisation the user works for and the person:
  - staff of the person's registered practice;
  - the council's adult social care staff, for people known to social care in that council's area.
Later capabilities (care teams, referrals, break-glass) extend `_relationship_basis` and
`viewable_people`, and nothing else: there is no second way to check access.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import ROLE_PERMISSIONS, Permission
from neighbourhood.register.models import Organisation, Person


@dataclass(frozen=True)
class Decision:
    allowed: bool
    membership: Membership | None  # the role and organisation under which the user acts
    basis: str  # why access is legitimate, or why it was refused, in words shown to the user and audited


def active_memberships(user: User) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(user.memberships.filter(is_active=True).select_related("organisation"))


def role_permissions(role: str) -> list[Permission]:
    """What a role may do, in the order `Permission` lists them (for showing people their access)."""
    granted = ROLE_PERMISSIONS.get(role, frozenset())
    return [permission for permission in Permission if permission in granted]


def has_permission(user: User, permission: str) -> bool:
    return any(permission in ROLE_PERMISSIONS.get(m.role, ()) for m in active_memberships(user))


def _relationship_basis(membership: Membership, person: Person) -> str | None:
    organisation = membership.organisation
    if organisation.kind == Organisation.Kind.PRACTICE and person.practice.organisation_id == organisation.pk:
        return f"Registered with your practice, {organisation.name}"
    if (
        organisation.kind == Organisation.Kind.ADULT_SOCIAL_CARE
        and person.known_to_social_care
        and person.local_authority_id is not None
        and person.local_authority_id == organisation.local_authority_id
    ):
        return f"Known to {organisation.name}"
    return None


def decide(user: User, permission: str, person: Person | None = None) -> Decision:
    """Decide without recording anything. Use `authorise` in views and actions."""
    memberships = active_memberships(user)
    granting = [m for m in memberships if permission in ROLE_PERMISSIONS.get(m.role, ())]
    if not memberships:
        return Decision(False, None, "You do not have an active role in any organisation")
    if not granting:
        label = Permission(permission).label.lower() if permission in Permission.values else permission
        return Decision(
            False, memberships[0] if memberships else None, f"Your role does not allow you to {label}"
        )
    if person is None:
        return Decision(True, granting[0], "Allowed by your role")
    for membership in granting:
        if basis := _relationship_basis(membership, person):
            return Decision(True, membership, basis)
    return Decision(
        False, granting[0], "You do not have a care relationship with this person through your organisation"
    )


def record(
    user: User | None,
    action: str,
    *,
    outcome: str,
    membership: Membership | None = None,
    person: Person | None = None,
    reason: str = "",
    detail: dict | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one audit event. `user=None` is a system action (a loader, a scheduled job): name it with
    `username`, e.g. `record(None, "load_register", outcome="allowed", username="system:load")`."""
    signed_in = user is not None and user.is_authenticated
    if username is None:
        if user is None:
            raise ValueError("record() needs username= for a system action (user=None), e.g. 'system:load'")
        username = user.get_username() if signed_in else "anonymous"
    return AuditEvent.objects.create(
        user=user if signed_in else None,
        username=username,
        role=membership.role if membership else "",
        organisation_code=membership.organisation.code if membership else "",
        person=person,
        nhs_number=person.nhs_number if person else "",
        action=action,
        outcome=outcome,
        reason=reason,
        detail=detail or {},
    )


def authorise(
    user: User, permission: str, *, action: str, person: Person | None = None, detail: dict | None = None
) -> Decision:
    """Decide, append an audit event either way, and raise PermissionDenied (a 403 page) if refused."""
    decision = decide(user, permission, person)
    outcome = AuditEvent.Outcome.ALLOWED if decision.allowed else AuditEvent.Outcome.REFUSED
    # Call this before opening the write transaction, so a refusal's audit row is committed on its own.
    record(
        user,
        action,
        outcome=outcome,
        membership=decision.membership,
        person=person,
        reason=decision.basis,
        detail=detail,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.basis)
    return decision


def viewable_people(user: User, permission: str = Permission.VIEW_RECORD) -> QuerySet[Person]:
    """The people `user` may open: the same rule as `decide`, as a query (for search and worklists)."""
    granting = [m for m in active_memberships(user) if permission in ROLE_PERMISSIONS.get(m.role, ())]
    rule = Q(pk__in=[])
    for membership in granting:
        organisation = membership.organisation
        if organisation.kind == Organisation.Kind.PRACTICE:
            rule |= Q(practice__organisation=organisation)
        elif organisation.kind == Organisation.Kind.ADULT_SOCIAL_CARE and organisation.local_authority_id:
            rule |= Q(known_to_social_care=True, local_authority_id=organisation.local_authority_id)
    return Person.objects.filter(rule)
