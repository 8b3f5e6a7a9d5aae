"""Reads for the governance pages."""

from dataclasses import dataclass

from neighbourhood.governance.access import active_memberships, has_permission, role_permissions
from neighbourhood.governance.models import AuditEvent, User
from neighbourhood.governance.roles import Permission, Role

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
