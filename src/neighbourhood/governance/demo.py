"""Demo staff accounts, one per role, on top of a loaded register. Synthetic data only: never for production.

Re-running resets each account's password and memberships, so the demo always starts from the same place.
"""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count

from neighbourhood.governance.access import record
from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import LocalAuthority, Organisation, Practice

VOLUNTARY_ORGANISATION = ("VCS-NVA", "Neighbourhood Voluntary Action", Organisation.Kind.VOLUNTARY)
COMMUNITY_PROVIDER = ("CHS-NCH", "Neighbourhood Community Health", Organisation.Kind.COMMUNITY_PROVIDER)
ICB = ("ICB-NBH", "Neighbourhood ICB", Organisation.Kind.ICB)


class RegisterNotLoaded(Exception):
    """Demo users need practices to work at."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # the role's label, e.g. "Practice nurse"
    organisation: str  # where they work; "A and B" for two organisations


def demo_username(role: str) -> str:
    return role.replace("_", "-")


def largest_practice() -> Practice:
    practice = (
        Practice.objects.select_related("organisation", "local_authority")
        .annotate(patient_count=Count("patients"))
        .order_by("-list_size", "-patient_count", "ods_code")
        .first()
    )
    if practice is None:
        raise RegisterNotLoaded("Load the register first: neighbourhood load DIR")
    return practice


def _organisation(
    code: str, name: str, kind: str, local_authority: LocalAuthority | None = None
) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "local_authority": local_authority}
    )
    return organisation


def _adult_social_care(practice: Practice) -> Organisation:
    """The council adult social care the loader made, preferring the demo practice's own council."""
    councils = Organisation.objects.filter(kind=Organisation.Kind.ADULT_SOCIAL_CARE)
    existing = (
        councils.filter(local_authority=practice.local_authority).order_by("code").first()
        or councils.order_by("code").first()
    )
    if existing is not None:
        return existing
    local_authority = LocalAuthority.objects.order_by("pk").first() or practice.local_authority
    return _organisation(
        f"ASC-{local_authority.code}",
        f"{local_authority.name} Adult Social Care",
        Organisation.Kind.ADULT_SOCIAL_CARE,
        local_authority,
    )


def _organisations_by_role(practice: Practice) -> dict[str, list[Organisation]]:
    gp_practice = practice.organisation
    icb = _organisation(*ICB)
    # Link workers and community nurses have no legitimate relationship of their own yet (no care teams or
    # referrals), so they also work at the practice: otherwise the demo would show them nobody.
    return {
        Role.GP: [gp_practice],
        Role.PRACTICE_NURSE: [gp_practice],
        Role.CARE_COORDINATOR: [gp_practice],
        Role.SOCIAL_WORKER: [_adult_social_care(practice)],
        Role.LINK_WORKER: [_organisation(*VOLUNTARY_ORGANISATION), gp_practice],
        Role.COMMUNITY_NURSE: [_organisation(*COMMUNITY_PROVIDER), gp_practice],
        Role.MDT_CHAIR: [gp_practice],
        Role.ANALYST: [icb],
        Role.ADMINISTRATOR: [icb],
    }


def create_demo_users(*, password: str) -> list[DemoUser]:
    """One account per role (username = the role with hyphens), all with `password`. Raises
    RegisterNotLoaded when there are no practices, and ValidationError for a weak password."""
    with transaction.atomic():
        practice = largest_practice()
        validate_password(password)
        created = []
        for role, organisations in _organisations_by_role(practice).items():
            user, _ = User.objects.update_or_create(
                username=demo_username(role),
                defaults={
                    "first_name": "Demo",
                    "last_name": Role(role).label,
                    "is_active": True,
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": False,
                },
            )
            user.set_password(password)
            user.save()
            user.memberships.exclude(role=role, organisation__in=organisations).delete()
            for organisation in organisations:
                Membership.objects.update_or_create(
                    user=user, organisation=organisation, role=role, defaults={"is_active": True}
                )
            created.append(
                DemoUser(
                    username=user.username,
                    role=Role(role).label,
                    organisation=" and ".join(organisation.name for organisation in organisations),
                )
            )
        record(
            None,
            "create_demo_users",
            outcome=AuditEvent.Outcome.ALLOWED,
            username="system:demo_users",
            detail={"usernames": [demo.username for demo in created]},
        )
    return created
