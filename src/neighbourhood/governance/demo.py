"""Demo staff accounts, one per role, on top of a loaded register. Synthetic data only: never for production.

Re-running resets each account's password, memberships and authenticator (one TOTP secret shared by every
demo account), so the demo always starts from the same place. With NEIGHBOURHOOD_ENV=production nothing here
runs, and the demo accounts cannot sign in (governance.backends).
"""

import base64
import binascii
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from neighbourhood.governance.access import record
from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import LocalAuthority, Organisation, Practice

VOLUNTARY_ORGANISATION = ("VCS-NVA", "Neighbourhood Voluntary Action", Organisation.Kind.VOLUNTARY)
COMMUNITY_PROVIDER = ("CHS-NCH", "Neighbourhood Community Health", Organisation.Kind.COMMUNITY_PROVIDER)
ICB = ("ICB-NBH", "Neighbourhood ICB", Organisation.Kind.ICB)


DEMO_AUTHENTICATOR = "Demo authenticator app"
TOTP_SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends; 32 characters of base32


class RegisterNotLoaded(Exception):
    """Demo users need practices to work at."""


class DemoRefusedInProduction(Exception):
    """The demo accounts' passwords and second factor are shared and printed: never in production."""


class BadTOTPSecret(ValueError):
    """The shared two-factor secret is not base32, or too short to be safe."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # the role's label, e.g. "Practice nurse"
    organisation: str  # where they work; "A and B" for two organisations


def demo_username(role: str) -> str:
    return role.replace("_", "-")


def is_demo_username(username: str) -> bool:
    return username in {demo_username(role) for role in Role}


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoRefusedInProduction(
            "Demo users are refused when NEIGHBOURHOOD_ENV=production: their password and second factor are "
            "shared and printed, and they can never sign in there"
        )


def new_totp_secret() -> str:
    """A random TOTP secret in base32 (A-Z, 2-7), the form authenticator apps accept when typed in."""
    return base64.b32encode(secrets.token_bytes(TOTP_SECRET_BYTES)).decode()


def totp_key_hex(secret: str) -> str:
    """A base32 secret (any case, spaces allowed, padding optional) as django-otp's hex key."""
    compact = "".join(secret.split()).upper().rstrip("=")
    try:
        key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    except (binascii.Error, ValueError) as error:
        raise BadTOTPSecret("The two-factor secret must be base32: letters A-Z and digits 2-7") from error
    if len(key) < 16:
        raise BadTOTPSecret(
            "The two-factor secret is too short: use at least 26 base32 characters (128 bits)"
        )
    return key.hex()


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
    # Link workers and community nurses see their caseload only: the demo's care teams and referrals
    # (care/demo.py) give them one.
    return {
        Role.GP: [gp_practice],
        Role.PRACTICE_NURSE: [gp_practice],
        Role.CARE_COORDINATOR: [gp_practice],
        Role.SOCIAL_WORKER: [_adult_social_care(practice)],
        Role.LINK_WORKER: [_organisation(*VOLUNTARY_ORGANISATION)],
        Role.COMMUNITY_NURSE: [_organisation(*COMMUNITY_PROVIDER)],
        Role.MDT_CHAIR: [gp_practice],
        Role.ANALYST: [icb],
        Role.ADMINISTRATOR: [icb],
        Role.PRIVACY_OFFICER: [gp_practice],
    }


def _reset_authenticator(user: User, key_hex: str) -> None:
    """The user's only second factor becomes a confirmed authenticator app with the shared key."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name=DEMO_AUTHENTICATOR, key=key_hex, confirmed=True)


def create_demo_users(*, password: str, totp_secret: str | None = None) -> list[DemoUser]:
    """One account per role (username = the role with hyphens), all with `password` and a confirmed
    authenticator app for the base32 `totp_secret` (a new, unprinted one when None). Raises
    DemoRefusedInProduction with NEIGHBOURHOOD_ENV=production, RegisterNotLoaded when there are no
    practices, ValidationError for a weak password and BadTOTPSecret for a secret that is not base32."""
    refuse_in_production()
    key_hex = totp_key_hex(totp_secret if totp_secret is not None else new_totp_secret())
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
            _reset_authenticator(user, key_hex)
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
