import itertools

import pytest
from django.core.exceptions import PermissionDenied

from neighbourhood.governance.access import (
    NOT_FOUND_OR_NOT_YOURS,
    authorise,
    decide,
    record,
    viewable_people,
)
from neighbourhood.governance.models import AuditEvent, Membership
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.register.models import LocalAuthority, Organisation
from tests.factories import AdultSocialCareFactory, OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db

NO_RELATIONSHIP = NOT_FOUND_OR_NOT_YOURS


@pytest.fixture
def world():
    """Two practices in one council area and a third in another; each council's adult social care, an ICB,
    a voluntary organisation; people at each practice, some known to social care; staff in every role."""
    here = LocalAuthority.objects.create(code="E06000001", name="Hereshire Council")
    there = LocalAuthority.objects.create(code="E06000002", name="Thereshire Council")
    north = PracticeFactory(local_authority=here)
    south = PracticeFactory(local_authority=here)
    far = PracticeFactory(local_authority=there)
    here_asc = AdultSocialCareFactory(local_authority=here, code="ASC-E06000001")
    there_asc = AdultSocialCareFactory(local_authority=there, code="ASC-E06000002")
    unplaced_asc = AdultSocialCareFactory(local_authority=None, code="ASC-NONE")
    icb = OrganisationFactory(kind=Organisation.Kind.ICB)
    voluntary = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY)

    people = {
        "north": PersonFactory(practice=north),
        "north_social_care": PersonFactory(practice=north, known_to_social_care=True),
        "south_social_care": PersonFactory(practice=south, known_to_social_care=True),
        "far_social_care": PersonFactory(practice=far, known_to_social_care=True),
        # Registered here but living in the other council's area: social care follows where they live.
        "north_living_there": PersonFactory(practice=north, local_authority=there, known_to_social_care=True),
        "north_no_council": PersonFactory(practice=north, local_authority=None, known_to_social_care=True),
    }
    inactive_membership = staff(Role.GP, north.organisation)
    inactive_membership.memberships.update(is_active=False)
    users = {
        "north_gp": staff(Role.GP, north.organisation),
        "north_nurse": staff(Role.PRACTICE_NURSE, north.organisation),
        "south_coordinator": staff(Role.CARE_COORDINATOR, south.organisation),
        "here_social_worker": staff(Role.SOCIAL_WORKER, here_asc),
        "there_social_worker": staff(Role.SOCIAL_WORKER, there_asc),
        "unplaced_social_worker": staff(Role.SOCIAL_WORKER, unplaced_asc),
        "link_worker": staff(Role.LINK_WORKER, voluntary),
        "analyst": staff(Role.ANALYST, icb),
        "analyst_at_practice": staff(Role.ANALYST, north.organisation),
        "administrator": staff(Role.ADMINISTRATOR, north.organisation),
        "inactive_user": staff(Role.GP, north.organisation, is_active=False),
        "inactive_membership": inactive_membership,
        "no_membership": staff(Role.GP, north.organisation),
    }
    users["no_membership"].memberships.all().delete()
    return users, people


# Who may view whose record; every pair not listed is refused.
EXPECTED_VIEWABLE = {
    "north_gp": {"north", "north_social_care", "north_living_there", "north_no_council"},
    "north_nurse": {"north", "north_social_care", "north_living_there", "north_no_council"},
    "south_coordinator": {"south_social_care"},
    "here_social_worker": {"north_social_care", "south_social_care"},
    "there_social_worker": {"far_social_care", "north_living_there"},
}


def test_access_matrix(world):
    users, people = world
    for (user_key, user), (person_key, person) in itertools.product(users.items(), people.items()):
        decision = decide(user, Permission.VIEW_RECORD, person)
        expected = person_key in EXPECTED_VIEWABLE.get(user_key, set())
        assert decision.allowed is expected, (user_key, person_key, decision.basis)


@pytest.mark.parametrize("permission", [Permission.VIEW_RECORD, Permission.CHANGE_RECORD])
def test_viewable_people_agrees_with_decide_for_every_pair(world, permission):
    users, people = world
    for user in users.values():
        viewable = set(viewable_people(user, permission).values_list("pk", flat=True))
        decided = {person.pk for person in people.values() if decide(user, permission, person).allowed}
        assert viewable == decided, user.username


def test_allowed_decisions_say_why_and_under_which_membership(world):
    users, people = world

    practice = decide(users["north_gp"], Permission.VIEW_RECORD, people["north"])
    social_care = decide(users["here_social_worker"], Permission.VIEW_RECORD, people["south_social_care"])

    assert practice.basis == f"Registered with your practice, {people['north'].practice.name}"
    assert practice.membership.role == Role.GP
    assert social_care.basis == "Known to Testshire Adult Social Care"
    assert social_care.membership.organisation.code == "ASC-E06000001"


def test_refusals_say_why(world):
    users, people = world
    person = people["north"]

    assert decide(users["south_coordinator"], Permission.VIEW_RECORD, person).basis == NO_RELATIONSHIP
    assert (
        decide(users["analyst_at_practice"], Permission.VIEW_RECORD, person).basis
        == "Your role does not allow you to view a person's record"
    )
    for key in ["inactive_user", "inactive_membership", "no_membership"]:
        refusal = decide(users[key], Permission.VIEW_RECORD, person)
        assert refusal.basis == "You do not have an active role in any organisation"
        assert refusal.membership is None


def test_analysts_and_administrators_never_see_identifiable_records(world):
    users, _ = world
    for key in ["analyst", "analyst_at_practice", "administrator"]:
        assert not viewable_people(users[key]).exists()
        assert not viewable_people(users[key], Permission.CHANGE_RECORD).exists()
    assert decide(users["analyst"], Permission.VIEW_AGGREGATES).allowed
    assert decide(users["administrator"], Permission.MANAGE_USERS).allowed
    assert not decide(users["north_nurse"], Permission.VIEW_AGGREGATES).allowed


def test_an_allowed_authorise_leaves_exactly_one_audit_event(world):
    users, people = world
    gp, person = users["north_gp"], people["north"]

    decision = authorise(gp, Permission.VIEW_RECORD, action="view_record", person=person, detail={"tab": "x"})

    assert decision.allowed
    event = AuditEvent.objects.get()
    assert (event.user, event.username, event.role, event.organisation_code) == (
        gp,
        gp.username,
        Role.GP,
        person.practice.ods_code,
    )
    assert (event.person, event.nhs_number, event.action, event.outcome) == (
        person,
        person.nhs_number,
        "view_record",
        "allowed",
    )
    assert event.reason == decision.basis
    assert event.detail == {"tab": "x"}


def test_a_refused_authorise_raises_and_leaves_exactly_one_audit_event(world):
    users, people = world
    coordinator, person = users["south_coordinator"], people["north"]

    with pytest.raises(PermissionDenied, match=NO_RELATIONSHIP):
        authorise(coordinator, Permission.VIEW_RECORD, action="view_record", person=person)

    event = AuditEvent.objects.get()
    assert (event.username, event.role, event.organisation_code, event.nhs_number) == (
        coordinator.username,
        Role.CARE_COORDINATOR,
        coordinator.memberships.get().organisation.code,
        person.nhs_number,
    )
    assert (event.action, event.outcome, event.reason) == ("view_record", "refused", NO_RELATIONSHIP)


def test_every_authorise_call_in_the_matrix_is_audited_once(world):
    users, people = world
    for (user_key, user), (person_key, person) in itertools.product(users.items(), people.items()):
        before = AuditEvent.objects.count()
        expected = person_key in EXPECTED_VIEWABLE.get(user_key, set())
        try:
            authorise(user, Permission.VIEW_RECORD, action="view_record", person=person)
            outcome = "allowed"
        except PermissionDenied:
            outcome = "refused"
        assert AuditEvent.objects.count() == before + 1
        latest = AuditEvent.objects.order_by("-id").first()
        assert (latest.username, latest.nhs_number, latest.outcome) == (
            user.username,
            person.nhs_number,
            "allowed" if expected else "refused",
        )
        assert outcome == latest.outcome


def test_record_accepts_a_system_action_without_a_user():
    event = record(None, "load_register", outcome="allowed", username="system:load", detail={"people": 3})

    event.refresh_from_db()
    assert (event.user, event.username, event.action, event.detail) == (
        None,
        "system:load",
        "load_register",
        {"people": 3},
    )


def test_record_without_a_user_must_be_given_a_name():
    with pytest.raises(ValueError, match="username="):
        record(None, "load_register", outcome="allowed")
    assert not AuditEvent.objects.exists()


def test_record_keeps_its_original_signature(world):
    users, people = world
    gp = users["north_gp"]
    membership = gp.memberships.get()

    event = record(
        gp, "view_record", outcome="allowed", membership=membership, person=people["north"], reason="r"
    )

    assert (event.username, event.role, event.organisation_code, event.reason) == (
        gp.username,
        Role.GP,
        membership.organisation.code,
        "r",
    )


def test_audit_events_cannot_be_changed_or_deleted():
    event = record(None, "load_register", outcome="allowed", username="system:load")

    event.outcome = "refused"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(outcome="refused")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().outcome == "allowed"


def test_audit_events_outlive_the_user_and_the_person(world):
    users, people = world
    gp, person = users["north_gp"], people["north"]
    authorise(gp, Permission.VIEW_RECORD, action="view_record", person=person)
    nhs_number = person.nhs_number

    Membership.objects.filter(user=gp).delete()
    gp.delete()
    person.delete()

    event = AuditEvent.objects.get()
    assert (event.user, event.person, event.username, event.nhs_number) == (
        None,
        None,
        gp.username,
        nhs_number,
    )


@pytest.mark.urls("tests.governance.urls")
def test_a_refusal_shows_the_403_page_with_the_reason(client, world):
    users, people = world
    client.force_login(users["south_coordinator"])

    response = client.get(f"/test-only/records/{people['north'].pk}/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not have access to this" in html
    assert NO_RELATIONSHIP in html
    assert people["north"].family_name not in html
    assert AuditEvent.objects.filter(action="view_record", outcome="refused").count() == 1


@pytest.mark.urls("tests.governance.urls")
def test_an_allowed_view_through_the_test_page(client, world):
    users, people = world
    client.force_login(users["north_gp"])

    response = client.get(f"/test-only/records/{people['north'].pk}/")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view_record", outcome="allowed").count() == 1


def test_a_refusal_on_the_person_page_shows_the_403_page_with_the_reason(client, world):
    users, people = world
    client.force_login(users["south_coordinator"])

    response = client.get(f"/people/{people['north'].nhs_number}/")

    assert response.status_code == 403
    assert NO_RELATIONSHIP in response.content.decode()
    assert people["north"].family_name not in response.content.decode()
    assert AuditEvent.objects.filter(action="view_record", outcome="refused").count() == 1
