"""Factories for test objects. Synthetic NHS numbers are from the reserved test range and pass Modulus 11."""

import datetime as dt

import factory
import numpy as np
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from neighbourhood.governance.models import Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.nhs_number import sample_test_numbers
from neighbourhood.register.models import PCN, LocalAuthority, Organisation, Person, Practice

_TEST_NUMBERS = iter(sample_test_numbers(np.random.default_rng(20261123), 20_000))


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = "E06000099"
    name = "Testshire Council"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.COMMUNITY_PROVIDER


class AdultSocialCareFactory(OrganisationFactory):
    kind = Organisation.Kind.ADULT_SOCIAL_CARE
    name = "Testshire Adult Social Care"
    local_authority = factory.SubFactory(LocalAuthorityFactory)


class PCNFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PCN
        django_get_or_create = ("code",)

    code = "U99001"
    name = "Test Primary Care Network"


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    ods_code = factory.Sequence(lambda n: f"N8{n:04d}")
    name = factory.Sequence(lambda n: f"Test Practice {n}")
    pcn = factory.SubFactory(PCNFactory)
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    organisation = factory.SubFactory(
        OrganisationFactory,
        code=factory.SelfAttribute("..ods_code"),
        name=factory.SelfAttribute("..name"),
        kind=Organisation.Kind.PRACTICE,
        local_authority=factory.SelfAttribute("..local_authority"),
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    nhs_number = factory.LazyFunction(lambda: str(next(_TEST_NUMBERS)))
    given_name = factory.Iterator(["Ada", "Bilal", "Chloe", "Dev", "Eileen", "Femi"])
    family_name = factory.Iterator(["Archer", "Begum", "Cole", "Dale", "Evans", "Fisher"])
    date_of_birth = dt.date(1940, 5, 17)
    sex = Person.Sex.FEMALE
    ethnicity = "A"
    practice = factory.SubFactory(PracticeFactory)
    local_authority = factory.SelfAttribute("practice.local_authority")
    lsoa_code = "E01099999"
    imd_decile = 3


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.GP


def staff(role: str, organisation: Organisation, **user_fields) -> User:
    """A user with one active membership."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


# A fixed TOTP key (hex, 20 bytes) for test users' authenticator apps, so tests can compute their codes.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def enrol_totp(user: User, key_hex: str = TEST_TOTP_KEY) -> TOTPDevice:
    """The user's confirmed authenticator app (TOTP device), made with `key_hex` if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name="Test authenticator", key=key_hex, confirmed=True
    )


def totp_code(device: TOTPDevice) -> str:
    """The code the device's authenticator app shows now, or the next one if now's has been used (django-otp
    accepts each time step once, and one step ahead), so a user can sign in twice within 30 seconds."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time = totp.time + device.step
    return f"{totp.token():0{device.digits}d}"
