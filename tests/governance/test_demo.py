import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from neighbourhood.governance.demo import RegisterNotLoaded, create_demo_users
from neighbourhood.governance.models import Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import LocalAuthority, Organisation
from tests.factories import AdultSocialCareFactory, PracticeFactory


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
        "link-worker": {
            (Role.LINK_WORKER, "Neighbourhood Voluntary Action", True),
            (Role.LINK_WORKER, practice, True),
        },
        "community-nurse": {
            (Role.COMMUNITY_NURSE, "Neighbourhood Community Health", True),
            (Role.COMMUNITY_NURSE, practice, True),
        },
        "mdt-chair": {(Role.MDT_CHAIR, practice, True)},
        "analyst": {(Role.ANALYST, "Neighbourhood ICB", True)},
        "administrator": {(Role.ADMINISTRATOR, "Neighbourhood ICB", True)},
    }
    assert [(u.username, u.role) for u in demo_users] == [
        (role.value.replace("_", "-"), role.label) for role in Role
    ]
    assert demo_users[4].organisation == f"Neighbourhood Voluntary Action and {practice}"
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
