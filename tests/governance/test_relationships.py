"""The legitimate relationships care coordination adds to the access service: a place in the care team, an
open referral to the user's team, caseload-only roles, and who may take someone off the register. Each at its
boundary, through `decide` and `viewable_people` (which must agree) and through the person page."""

import pytest
from django.utils import timezone

from neighbourhood.care.models import CareTeamMember
from neighbourhood.casefinding import actions as casefinding_actions
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.referrals import actions as referral_actions
from neighbourhood.referrals.models import Referral
from neighbourhood.register.models import Organisation
from tests.care.factories import consent, place
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(name="Riverside Surgery")


@pytest.fixture
def person(practice):
    return PersonFactory(practice=practice)


def sees(user, person) -> bool:
    allowed = access.decide(user, Permission.VIEW_RECORD, person).allowed
    listed = access.viewable_people(user).filter(pk=person.pk).exists()
    assert allowed == listed, "decide and viewable_people disagree"
    return allowed


def referral(person, organisation, *, assigned_to=None, status=Referral.Status.OPEN):
    return Referral.objects.create(
        person=person,
        to_organisation=organisation,
        assigned_to=assigned_to,
        reason="Lonely since her husband died",
        referred_by=staff(Role.GP, person.practice.organisation),
        received_at=timezone.now(),
        status=status,
    )


@pytest.mark.parametrize("role", [Role.LINK_WORKER, Role.COMMUNITY_NURSE])
def test_caseload_roles_do_not_see_the_whole_practice_they_work_at(role, practice, person):
    worker = staff(role, practice.organisation)
    assert not sees(worker, person)
    place(person, worker)
    assert sees(worker, person)


@pytest.mark.parametrize("role", [Role.GP, Role.PRACTICE_NURSE, Role.CARE_COORDINATOR, Role.MDT_CHAIR])
def test_practice_staff_see_everyone_registered_there(role, practice, person):
    assert sees(staff(role, practice.organisation), person)
    assert not sees(staff(role, PracticeFactory().organisation), person)


@pytest.mark.parametrize(
    ("status", "sees_the_record"),
    [
        (CareTeamMember.Status.PROPOSED, False),
        (CareTeamMember.Status.ACTIVE, True),
        (CareTeamMember.Status.SUSPENDED, False),
        (CareTeamMember.Status.ENDED, False),
    ],
)
def test_only_an_active_place_in_the_care_team_is_a_relationship(status, sees_the_record, person):
    nurse = staff(Role.COMMUNITY_NURSE, OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER))
    place(person, nurse, status=status)
    assert sees(nurse, person) is sees_the_record


def test_a_place_counts_only_at_the_organisation_it_was_given_at(person):
    community = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER)
    nurse = staff(Role.COMMUNITY_NURSE, community)
    place(person, nurse)
    nurse.memberships.update(is_active=False)
    other = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER)
    nurse.memberships.create(organisation=other, role=Role.COMMUNITY_NURSE)
    assert not sees(nurse, person)


def test_the_reason_shown_names_the_place_in_the_care_team(person):
    nurse = staff(Role.COMMUNITY_NURSE, OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER))
    place(person, nurse)
    basis = access.decide(nurse, Permission.VIEW_RECORD, person).basis
    assert basis.startswith("You are in their care team (Community nurse")


def test_a_care_coordinator_elsewhere_is_told_they_coordinate_care(person):
    social_worker = staff(Role.SOCIAL_WORKER, OrganisationFactory(kind=Organisation.Kind.ADULT_SOCIAL_CARE))
    place(person, social_worker, responsibility=CareTeamMember.Responsibility.CARE_COORDINATOR)
    assert (
        access.decide(social_worker, Permission.VIEW_RECORD, person).basis == "You are their care coordinator"
    )


def test_an_open_referral_to_a_team_opens_the_record_to_it_until_it_is_closed(person):
    community = OrganisationFactory(
        kind=Organisation.Kind.COMMUNITY_PROVIDER, name="Riverside Community Health"
    )
    nurse = staff(Role.COMMUNITY_NURSE, community)
    made = referral(person, community)
    assert sees(nurse, person)
    assert access.decide(nurse, Permission.VIEW_RECORD, person).basis.startswith(
        "Referred to Riverside Community Health on "
    )
    made.status = Referral.Status.CLOSED
    made.save()
    assert not sees(nurse, person)


def test_a_referral_assigned_to_one_member_of_the_team_opens_it_to_them_alone(person):
    community = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER)
    taken_by, colleague = staff(Role.COMMUNITY_NURSE, community), staff(Role.COMMUNITY_NURSE, community)
    referral(person, community, assigned_to=taken_by)
    assert sees(taken_by, person)
    assert not sees(colleague, person)


def test_a_referral_to_another_team_opens_nothing(person):
    nurse = staff(Role.COMMUNITY_NURSE, OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER))
    referral(person, OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER))
    assert not sees(nurse, person)


def test_a_voluntary_sector_referral_still_needs_consent_to_share(person):
    voluntary = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY)
    link_worker = staff(Role.LINK_WORKER, voluntary)
    referral(person, voluntary)
    assert not sees(link_worker, person)
    consent(person, staff(Role.GP, person.practice.organisation))
    assert sees(link_worker, person)


def test_the_person_page_refuses_a_link_worker_outside_the_care_team_and_audits_it(client, practice, person):
    link_worker = staff(Role.LINK_WORKER, practice.organisation)
    client.force_login(link_worker)
    assert client.get(f"/people/{person.nhs_number}/").status_code == 403
    refusal = AuditEvent.objects.filter(person=person, user=link_worker).get()
    assert refusal.outcome == AuditEvent.Outcome.REFUSED
    place(person, link_worker)
    consent(person, staff(Role.GP, practice.organisation))
    page = client.get(f"/people/{person.nhs_number}/")
    assert page.status_code == 200
    assert "You can see this record because: You are in their care team" in page.content.decode()


@pytest.mark.parametrize(
    ("role", "may_remove"),
    [
        (Role.GP, True),
        (Role.PRACTICE_NURSE, True),
        (Role.CARE_COORDINATOR, False),
        (Role.MDT_CHAIR, False),
        (Role.LINK_WORKER, False),
    ],
)
def test_only_clinicians_of_the_persons_practice_take_them_off_the_register(
    role, may_remove, practice, person
):
    member_of_staff = staff(role, practice.organisation)
    place(person, member_of_staff)
    consent(person, member_of_staff)
    assert access.decide(member_of_staff, Permission.REMOVE_FROM_REGISTER, person).allowed is may_remove


def test_a_gp_in_the_care_team_from_another_practice_cannot_take_them_off_the_register(person):
    elsewhere = staff(Role.GP, PracticeFactory().organisation)
    place(person, elsewhere)
    assert access.decide(elsewhere, Permission.VIEW_RECORD, person).allowed
    assert not access.decide(elsewhere, Permission.REMOVE_FROM_REGISTER, person).allowed
    with pytest.raises(access.PermissionDenied):
        casefinding_actions.exclude(person=person, reason="declined", by=elsewhere)


def test_a_care_coordinator_cannot_undo_a_clinicians_removal(practice, person):
    gp = staff(Role.GP, practice.organisation)
    coordinator = staff(Role.CARE_COORDINATOR, practice.organisation)
    casefinding_actions.exclude(person=person, reason="declined", by=gp)
    with pytest.raises(casefinding_actions.DecisionRefused, match="Only a clinician"):
        casefinding_actions.undo_register_decision(person=person, by=coordinator)
    casefinding_actions.undo_register_decision(person=person, by=gp)
    assert not person.exclusions.filter(is_active=True).exists()


@pytest.mark.parametrize(
    ("role", "at_practice", "may_change_team"),
    [
        (Role.GP, True, True),
        (Role.CARE_COORDINATOR, True, True),
        (Role.PRACTICE_NURSE, True, False),
        (Role.MDT_CHAIR, True, False),
        (Role.GP, False, False),
    ],
)
def test_who_may_change_a_care_team_without_a_place_in_it(
    role, at_practice, may_change_team, practice, person
):
    where = practice if at_practice else PracticeFactory()
    user = staff(role, where.organisation)
    assert access.decide(user, Permission.MANAGE_CARE_TEAM, person).allowed is may_change_team


@pytest.mark.parametrize(
    ("responsibility", "may_change_team"),
    [
        (CareTeamMember.Responsibility.CARE_COORDINATOR, True),
        (CareTeamMember.Responsibility.NAMED_GP, True),
        (CareTeamMember.Responsibility.MEMBER, False),
    ],
)
def test_the_teams_named_gp_and_coordinator_change_it_wherever_they_work(
    responsibility, may_change_team, person
):
    social_worker = staff(Role.SOCIAL_WORKER, OrganisationFactory(kind=Organisation.Kind.ADULT_SOCIAL_CARE))
    place(person, social_worker, responsibility=responsibility)
    assert access.decide(social_worker, Permission.MANAGE_CARE_TEAM, person).allowed is may_change_team


def test_closing_a_referral_ends_the_teams_access_and_both_steps_are_audited(person):
    community = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER)
    nurse = staff(Role.COMMUNITY_NURSE, community)
    gp = staff(Role.GP, person.practice.organisation)
    made = referral_actions.refer(
        person=person, to_organisation=community, reason="Leg ulcer dressings", by=gp
    )
    assert sees(nurse, person)
    referral_actions.close_referral(referral=made, by=nurse)
    assert not sees(nurse, person)
    with pytest.raises(access.PermissionDenied):  # and, no longer in her care, she cannot close it again
        referral_actions.close_referral(referral=made, by=nurse)
    actions = list(AuditEvent.objects.filter(person=person).order_by("id").values_list("action", "outcome"))
    assert actions == [
        ("make_referral", "allowed"),
        ("close_referral", "allowed"),
        ("close_referral", "refused"),
    ]


def test_a_referral_needs_a_reason_and_nothing_is_saved_without_one(person):
    gp = staff(Role.GP, person.practice.organisation)
    community = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER)
    with pytest.raises(referral_actions.ReferralRefused, match="Say why"):
        referral_actions.refer(person=person, to_organisation=community, reason="  ", by=gp)
    assert not Referral.objects.exists()
