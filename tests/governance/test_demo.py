import base64
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import authenticate as django_authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from neighbourhood.governance.backends import DEMO_ACCOUNT_REFUSED
from neighbourhood.governance.demo import (
    BadTOTPSecret,
    DemoRefusedInProduction,
    RegisterNotLoaded,
    create_demo_users,
    demo_username,
)
from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import LocalAuthority, Organisation
from tests.factories import AdultSocialCareFactory, PersonFactory, PracticeFactory, UserFactory


def authenticate(**credentials):
    """Sign-in lockout (django-axes) needs the request every real sign-in has."""
    return django_authenticate(RequestFactory().post("/sign-in/"), **credentials)


pytestmark = pytest.mark.django_db

PASSWORD = "demo password for tests"


@pytest.fixture
def register():
    """A small practice listed first, and the largest practice (where practice staff should work)."""
    PracticeFactory(ods_code="A00001", name="Small Surgery", list_size=120)
    largest = PracticeFactory(ods_code="B00002", name="Large Medical Centre", list_size=9000)
    return largest


def memberships_by_username() -> dict[str, set[tuple[str, str, bool]]]:
    found = {}
    for membership in Membership.objects.select_related("user", "organisation"):
        found.setdefault(membership.user.username, set()).add(
            (membership.role, membership.organisation.name, membership.is_active)
        )
    return found


def test_one_user_per_role_with_the_memberships_the_demo_needs(register):
    local_authority = register.local_authority

    demo_users = create_demo_users(password=PASSWORD)

    asc = f"{local_authority.name} Adult Social Care"
    practice = "Large Medical Centre"
    assert memberships_by_username() == {
        "gp": {(Role.GP, practice, True)},
        "practice-nurse": {(Role.PRACTICE_NURSE, practice, True)},
        "care-coordinator": {(Role.CARE_COORDINATOR, practice, True)},
        "social-worker": {(Role.SOCIAL_WORKER, asc, True)},
        # Caseload only: they see the people whose care team they are in, not the practice's whole list.
        "link-worker": {(Role.LINK_WORKER, "Neighbourhood Voluntary Action", True)},
        "community-nurse": {(Role.COMMUNITY_NURSE, "Neighbourhood Community Health", True)},
        "mdt-chair": {(Role.MDT_CHAIR, practice, True)},
        "analyst": {(Role.ANALYST, "Neighbourhood ICB", True)},
        "administrator": {(Role.ADMINISTRATOR, "Neighbourhood ICB", True)},
        "privacy-officer": {(Role.PRIVACY_OFFICER, practice, True)},
    }
    assert [(u.username, u.role) for u in demo_users] == [
        (role.value.replace("_", "-"), role.label) for role in Role
    ]
    assert demo_users[4].organisation == "Neighbourhood Voluntary Action"
    social_care = Organisation.objects.get(kind=Organisation.Kind.ADULT_SOCIAL_CARE)
    assert (social_care.code, social_care.local_authority) == (f"ASC-{local_authority.code}", local_authority)
    assert Organisation.objects.get(name="Neighbourhood ICB").kind == Organisation.Kind.ICB
    assert Organisation.objects.get(name="Neighbourhood Voluntary Action").kind == Organisation.Kind.VOLUNTARY
    assert (
        Organisation.objects.get(name="Neighbourhood Community Health").kind
        == Organisation.Kind.COMMUNITY_PROVIDER
    )


def test_only_the_administrator_reaches_the_admin_site_and_nobody_is_superuser(register):
    create_demo_users(password=PASSWORD)

    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {"administrator"}
    assert not User.objects.filter(is_superuser=True).exists()


def test_an_existing_adult_social_care_organisation_is_used(register):
    existing = AdultSocialCareFactory(code="ASC-E06000099", name="Testshire Adult Social Care")

    create_demo_users(password=PASSWORD)

    assert Membership.objects.get(user__username="social-worker").organisation == existing
    assert Organisation.objects.filter(kind=Organisation.Kind.ADULT_SOCIAL_CARE).count() == 1


def test_the_practices_own_council_is_preferred_when_there_are_several(register):
    elsewhere = LocalAuthority.objects.create(code="E06000001", name="Elsewhere Council")
    AdultSocialCareFactory(
        code="ASC-E06000001", name="Elsewhere Adult Social Care", local_authority=elsewhere
    )
    own = AdultSocialCareFactory(code="ASC-E06000099", local_authority=register.local_authority)

    create_demo_users(password=PASSWORD)

    assert Membership.objects.get(user__username="social-worker").organisation == own


def test_social_care_is_created_for_the_first_local_authority(register):
    first = LocalAuthority.objects.order_by("pk").first()
    LocalAuthority.objects.create(code="E06000100", name="Later Council")

    create_demo_users(password=PASSWORD)

    assert Membership.objects.get(user__username="social-worker").organisation.code == f"ASC-{first.code}"


def test_running_again_resets_passwords_and_memberships_without_duplicates(register):
    create_demo_users(password=PASSWORD)
    gp = User.objects.get(username="gp")
    gp.memberships.update(is_active=False)
    gp.memberships.create(organisation=Organisation.objects.get(name="Neighbourhood ICB"), role=Role.ANALYST)
    User.objects.filter(username="analyst").update(is_active=False, is_staff=True)
    expected = memberships_by_username()
    expected["gp"] = {(Role.GP, "Large Medical Centre", True)}

    create_demo_users(password="a different demo password")

    assert User.objects.count() == len(Role)
    assert memberships_by_username() == expected
    assert authenticate(username="gp", password="a different demo password") is not None
    assert authenticate(username="gp", password=PASSWORD) is None
    analyst = User.objects.get(username="analyst")
    assert analyst.is_active and not analyst.is_staff
    assert Organisation.objects.filter(name="Neighbourhood ICB").count() == 1


def test_demo_users_can_sign_in(register):
    create_demo_users(password=PASSWORD)

    for role in Role:
        assert authenticate(username=role.value.replace("_", "-"), password=PASSWORD) is not None


def test_an_empty_register_is_a_clear_error():
    with pytest.raises(RegisterNotLoaded, match="Load the register first: neighbourhood load DIR"):
        create_demo_users(password=PASSWORD)
    assert not User.objects.exists()


def test_a_weak_password_is_refused_and_nothing_is_written(register):
    with pytest.raises(ValidationError):
        create_demo_users(password="short")
    assert not User.objects.exists()
    assert not Organisation.objects.filter(kind=Organisation.Kind.ICB).exists()


def test_command_uses_the_password_option_and_prints_a_table(register, capsys):
    call_command("demo_users", "--password", PASSWORD)

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Username", "Role", "Organisation"]
    assert lines[1].split() == ["gp", "GP", "Large", "Medical", "Centre"]
    assert any(line.startswith("social-worker") for line in lines)
    assert PASSWORD not in "\n".join(lines)
    assert authenticate(username="mdt-chair", password=PASSWORD) is not None


def test_command_reads_the_password_from_the_environment(register, capsys, monkeypatch):
    monkeypatch.setenv("NEIGHBOURHOOD_DEMO_PASSWORD", "password from the environment")

    call_command("demo_users")

    assert "password from the environment" not in capsys.readouterr().out
    assert authenticate(username="analyst", password="password from the environment") is not None


def test_command_generates_a_password_and_prints_it_once(register, capsys, monkeypatch):
    monkeypatch.delenv("NEIGHBOURHOOD_DEMO_PASSWORD", raising=False)

    call_command("demo_users")

    out = capsys.readouterr().out
    password = out.rsplit(": ", 1)[1].strip()
    assert len(password) >= 12
    assert out.count(password) == 1
    assert authenticate(username="gp", password=password) is not None


def test_command_on_an_empty_register_says_what_to_do():
    with pytest.raises(CommandError, match="Load the register first: neighbourhood load DIR"):
        call_command("demo_users", "--password", PASSWORD)


def test_command_refuses_a_weak_password(register):
    with pytest.raises(CommandError, match="The demo password is too weak"):
        call_command("demo_users", "--password", "password")


# --- two-factor sign-in, and never in production ---------------------------------------------------------

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, 20 bytes


def authenticator_keys() -> dict[str, str]:
    return dict(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", "key"))


def test_every_demo_user_has_the_same_confirmed_authenticator(register):
    demo_users = create_demo_users(
        password=PASSWORD, totp_secret=TOTP_SECRET.lower()[:16] + " " + TOTP_SECRET[16:]
    )

    key = base64.b32decode(TOTP_SECRET).hex()
    assert authenticator_keys() == {demo.username: key for demo in demo_users}
    assert TOTPDevice.objects.count() == len(demo_users)


def test_running_again_replaces_the_authenticator_and_any_recovery_codes(register):
    create_demo_users(password=PASSWORD, totp_secret=TOTP_SECRET)
    gp = User.objects.get(username="gp")
    StaticDevice.objects.create(user=gp, name="Recovery codes", confirmed=True).token_set.create(
        token="abcd2345"
    )
    TOTPDevice.objects.create(user=gp, name="Another phone", confirmed=True)

    create_demo_users(password=PASSWORD, totp_secret="MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U")

    assert set(authenticator_keys().values()) == {base64.b32decode("MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U").hex()}
    assert TOTPDevice.objects.filter(user=gp).count() == 1
    assert not StaticDevice.objects.filter(user=gp).exists()


@pytest.mark.parametrize(
    ("secret", "message"),
    [("not base32 at all!", "must be base32"), ("JBSWY3DPEHPK3PXP", "too short")],
)
def test_a_bad_two_factor_secret_is_refused_and_nothing_is_written(register, secret, message):
    with pytest.raises(BadTOTPSecret, match=message):
        create_demo_users(password=PASSWORD, totp_secret=secret)
    assert not User.objects.exists()


def test_command_generates_a_two_factor_secret_and_prints_it_once_with_the_password(
    register, capsys, monkeypatch
):
    monkeypatch.delenv("NEIGHBOURHOOD_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("NEIGHBOURHOOD_DEMO_TOTP_SECRET", raising=False)

    call_command("demo_users")

    out = capsys.readouterr().out
    secret = re.search(
        r"Two-factor secret for every demo account \(shown only now\): ([A-Z2-7]+)\n", out
    ).group(1)
    assert out.count(secret) == 1
    assert "Password for every demo account (shown only now): " in out
    assert set(authenticator_keys().values()) == {base64.b32decode(secret).hex()}
    # An authenticator app given the printed secret shows a code the sign-in accepts.
    gp = User.objects.get(username="gp")
    device = TOTPDevice.objects.get(user=gp)
    assert device.verify_token(totp(base64.b32decode(secret)))


def test_command_reads_the_two_factor_secret_from_the_environment(register, capsys, monkeypatch):
    monkeypatch.setenv("NEIGHBOURHOOD_DEMO_TOTP_SECRET", TOTP_SECRET)

    call_command("demo_users", "--password", PASSWORD)

    out = capsys.readouterr().out
    assert TOTP_SECRET not in out
    assert "Two-factor secret for every demo account: the one in $NEIGHBOURHOOD_DEMO_TOTP_SECRET." in out
    assert set(authenticator_keys().values()) == {base64.b32decode(TOTP_SECRET).hex()}


def test_command_refuses_a_bad_two_factor_secret(register, monkeypatch):
    monkeypatch.setenv("NEIGHBOURHOOD_DEMO_TOTP_SECRET", "0189")

    with pytest.raises(CommandError, match="NEIGHBOURHOOD_DEMO_TOTP_SECRET: The two-factor secret must be"):
        call_command("demo_users", "--password", PASSWORD)


@pytest.mark.parametrize(
    "command_line", [["demo_users", "--password", PASSWORD], ["demo", "--people", "100", "--no-serve"]]
)
def test_production_refuses_the_demo_commands(register, settings, command_line):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="Demo users are refused when NEIGHBOURHOOD_ENV=production"):
        call_command(*command_line)
    assert not User.objects.exists()


def test_production_refuses_creating_demo_users(register, settings):
    settings.PRODUCTION = True

    with pytest.raises(DemoRefusedInProduction):
        create_demo_users(password=PASSWORD, totp_secret=TOTP_SECRET)
    assert not User.objects.exists()


def test_production_refuses_signing_in_as_any_demo_account(register, settings, client):
    create_demo_users(password=PASSWORD, totp_secret=TOTP_SECRET)
    real = UserFactory(username="dr-real")
    settings.PRODUCTION = True

    for role in Role:
        response = client.post("/sign-in/", {"username": demo_username(role), "password": PASSWORD})
        assert "Enter a correct username and password" in response.content.decode(), role
        assert SESSION_KEY not in client.session
    refused = AuditEvent.objects.filter(action="sign_in_refused")
    assert sorted(refused.values_list("username", flat=True)) == sorted(demo_username(role) for role in Role)
    assert {event.reason for event in refused} == {DEMO_ACCOUNT_REFUSED}
    # Real accounts still sign in.
    response = client.post(
        "/sign-in/", {"username": real.username, "password": "correct horse battery staple"}
    )
    assert response["Location"].startswith("/sign-in/set-up-two-factor/")


def test_production_ends_a_session_a_demo_account_already_had(register, settings, client):
    create_demo_users(password=PASSWORD, totp_secret=TOTP_SECRET)
    client.force_login(User.objects.get(username="gp"))
    assert client.get("/your-access/").status_code == 200

    settings.PRODUCTION = True

    assert client.get("/your-access/")["Location"] == "/sign-in/?next=/your-access/"


def test_the_demo_has_emergency_accesses_for_the_privacy_officer_to_review(register, capsys):
    from neighbourhood.governance import audit_chain
    from neighbourhood.governance.access import reviewable_emergency_accesses
    from neighbourhood.governance.models import EmergencyAccess
    from neighbourhood.governance.queries import seen_during

    other_practice = PracticeFactory(ods_code="C00003", name="Far Surgery")
    strangers = PersonFactory.create_batch(3, practice=other_practice)

    call_command("demo_users", "--password", PASSWORD)
    call_command("demo_users", "--password", PASSWORD)  # again: the same history, not twice as much

    accesses = list(EmergencyAccess.objects.order_by("started_at"))
    assert len(accesses) == 3
    assert {a.person for a in accesses} == set(strangers)  # people the demo users have no relationship with
    assert [bool(a.review_outcome) for a in accesses] == [True, False, False]
    assert accesses[-1].expires_at > timezone.now()  # one is still open: the GP sees the banner
    privacy_officer = User.objects.get(username="privacy-officer")
    assert set(reviewable_emergency_accesses(privacy_officer)) == set(accesses)
    assert all(len(seen_during(a)) >= 2 for a in accesses)  # the access and a view of the record
    assert audit_chain.verify().ok
    assert "3 emergency accesses in the demo's history" in capsys.readouterr().out
