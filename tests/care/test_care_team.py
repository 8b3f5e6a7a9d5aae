"""The care team pages (#11): the team and its gaps, adding someone, changing a place, the named GP, and who
may change any of it."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from neighbourhood.care import team_queries
from neighbourhood.care.models import CareTeam, CareTeamMember
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.care.factories import place, team_for
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import AdultSocialCareFactory, OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db

Status = CareTeamMember.Status
Responsibility = CareTeamMember.Responsibility


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


@pytest.fixture
def practice():
    return PracticeFactory(name="Riverside Surgery")


@pytest.fixture
def person(practice):
    # Aged 60: nothing requires a named GP unless a test makes them older or puts them on the register.
    return PersonFactory(practice=practice, date_of_birth=years_before(timezone.localdate(), 60))


@pytest.fixture
def gp(practice):
    return staff(Role.GP, practice.organisation, first_name="Asha", last_name="Patel", username="dr-patel")


def url(person, tail=""):
    return f"/people/{person.nhs_number}/care-team/{tail}"


def text_of(response) -> str:
    """The page's words, tags stripped and spaces squeezed, as someone reading it would see them."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def error_links(response) -> list[tuple[str, str]]:
    """The error summary's links, as (href, words)."""
    summary = response.content.decode().partition("nhsuk-error-summary__list")[2].partition("</ul>")[0]
    return [
        (href, re.sub(r"\s+", " ", words).strip())
        for href, words in re.findall(r'<a href="(#[^"]+)"\s*>(.*?)</a>', summary, flags=re.S)
    ]


def put_on_register(person):
    RiskScoreFactory(run=RiskRunFactory(), person=person, on_register=True)


def start_parts(day: dt.date, prefix="start") -> dict:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


# The team page


def test_the_page_shows_each_place_with_role_organisation_status_and_dates(client, person, gp, practice):
    social_care = AdultSocialCareFactory(name="Testshire Adult Social Care")
    worker = staff(Role.SOCIAL_WORKER, social_care, first_name="Jo", last_name="Okafor")
    nurse = staff(
        Role.COMMUNITY_NURSE, OrganisationFactory(name="Testshire Community Health"), last_name="Reid"
    )
    place(person, gp, responsibility=Responsibility.NAMED_GP)
    place(person, worker, responsibility=Responsibility.CARE_COORDINATOR, status=Status.PROPOSED)
    ended = place(person, nurse, status=Status.ENDED)
    CareTeamMember.objects.filter(pk=ended.pk).update(
        start_date=dt.date(2025, 1, 6), end_date=dt.date(2025, 3, 2)
    )
    client.force_login(gp)

    page = text_of(client.get(url(person)))

    assert "Named accountable GP Name Asha Patel Role GP, Riverside Surgery Status Active" in page
    assert (
        "Care coordinator Name Jo Okafor Role Social worker, Testshire Adult Social Care Status Proposed"
        in page
    )
    assert (
        "Sam Reid Member Community nurse, Testshire Community Health Ended "
        "From 6 January 2025 to 2 March 2025" in page
    )
    assert f"From {timezone.localdate().day} " in page
    assert "This care team is not complete" not in page


def test_a_person_without_a_team_is_told_so(client, person, gp):
    client.force_login(gp)
    page = text_of(client.get(url(person)))
    assert "has no care team yet" in page and "Nobody is their named accountable GP yet." in page


def test_a_named_gp_is_needed_from_the_75th_birthday(client, person, gp):
    client.force_login(gp)
    today = timezone.localdate()
    person.date_of_birth = years_before(today, 75) + dt.timedelta(days=1)  # 74 years and 364 days
    person.save()
    assert "No named accountable GP" not in text_of(client.get(url(person)))
    person.date_of_birth = years_before(today, 75)
    person.save()
    page = text_of(client.get(url(person)))
    assert "No named accountable GP — needed because they are aged 75 or over" in page
    assert "No care coordinator" not in page


def test_a_register_member_needs_a_named_gp_and_a_care_coordinator(client, person, gp):
    put_on_register(person)
    client.force_login(gp)
    page = text_of(client.get(url(person)))
    assert "No named accountable GP — needed because they are on the proactive care register" in page
    assert "No care coordinator — needed because they are on the proactive care register" in page

    place(person, gp, responsibility=Responsibility.NAMED_GP, status=Status.PROPOSED)
    coordinator = staff(Role.CARE_COORDINATOR, person.practice.organisation)
    place(person, coordinator, responsibility=Responsibility.CARE_COORDINATOR, status=Status.SUSPENDED)
    page = text_of(client.get(url(person)))
    assert "No named accountable GP" not in page
    # A suspended coordinator is nobody coordinating their care now.
    assert "No care coordinator — needed" in page


def test_the_preferred_gp_is_shown_and_the_reason_only_when_someone_else_is_named(
    client, person, gp, practice
):
    preferred = staff(Role.GP, practice.organisation, first_name="Ben", last_name="Hughes")
    team = team_for(person)
    team.preferred_gp = preferred
    team.preference_not_honoured_reason = "Dr Hughes works one day a week"
    team.save()
    place(person, gp, responsibility=Responsibility.NAMED_GP)
    client.force_login(gp)
    page = text_of(client.get(url(person)))
    assert "Preferred GP Ben Hughes" in page
    assert "Why their preference is not honoured Dr Hughes works one day a week" in page

    CareTeamMember.objects.filter(user=gp).update(user=preferred)
    assert "Dr Hughes works one day a week" not in text_of(client.get(url(person)))


def test_change_links_are_shown_only_to_those_who_may_change_the_team(client, person, gp, practice):
    member = place(person, gp, responsibility=Responsibility.NAMED_GP)
    client.force_login(staff(Role.PRACTICE_NURSE, practice.organisation))
    page = client.get(url(person)).content.decode()
    assert "Asha Patel" in page
    assert "Add someone to the care team" not in page and url(person, f"{member.pk}/") not in page

    client.force_login(gp)
    page = client.get(url(person)).content.decode()
    assert "Add someone to the care team" in page and url(person, f"{member.pk}/") in page
    assert url(person, "named-gp/") in page


def test_viewing_the_team_is_audited(client, person, gp):
    client.force_login(gp)
    client.get(url(person))
    assert AuditEvent.objects.filter(action="view_care_team", person=person, outcome="allowed").count() == 1


# Adding someone


def test_staff_are_offered_by_name_role_and_organisation_and_the_start_date_defaults_to_today(
    client, person, gp
):
    social_care = AdultSocialCareFactory(name="Testshire Adult Social Care")
    staff(Role.SOCIAL_WORKER, social_care, first_name="Jo", last_name="Okafor")
    staff(Role.ANALYST, social_care, first_name="Al", last_name="Numbers")
    client.force_login(gp)
    page = client.get(url(person, "add/")).content.decode()
    assert "Jo Okafor – Social worker, Testshire Adult Social Care" in page  # noqa: RUF001 - an en dash
    assert "Al Numbers" not in page  # not a care role
    today = timezone.localdate()
    assert re.search(rf'id="start_day"[^>]*value="{today.day}"', page)
    assert re.search(rf'id="start_year"[^>]*value="{today.year}"', page)


def add(client, person, membership, responsibility=Responsibility.MEMBER, status=Status.ACTIVE, **dates):
    data = {"membership": str(membership.pk), "responsibility": responsibility, "status": status}
    data.update(dates or start_parts(timezone.localdate()))
    return client.post(url(person, "add/"), data)


def test_adding_someone_starts_a_team_and_is_audited(client, person, gp):
    worker = staff(Role.SOCIAL_WORKER, AdultSocialCareFactory(), first_name="Jo", last_name="Okafor")
    client.force_login(gp)
    response = add(
        client,
        person,
        worker.memberships.get(),
        Responsibility.CARE_COORDINATOR,
        **start_parts(dt.date(2026, 5, 17)),
    )
    assert response.status_code == 302 and response["Location"] == url(person)
    assert CareTeam.objects.get(person=person).origin == CareTeam.Origin.STAFF
    added = CareTeamMember.objects.get()
    assert (added.user, added.role, added.responsibility, added.status, added.start_date, added.added_by) == (
        worker,
        Role.SOCIAL_WORKER,
        Responsibility.CARE_COORDINATOR,
        Status.ACTIVE,
        dt.date(2026, 5, 17),
        gp,
    )
    assert "Jo Okafor has been added to the care team" in text_of(client.get(url(person)))
    assert (
        AuditEvent.objects.filter(action="add_care_team_member", person=person, outcome="allowed").count()
        == 1
    )


def test_only_a_gp_can_be_added_as_named_gp_and_what_was_typed_is_kept(client, person, gp, practice):
    nurse = staff(Role.PRACTICE_NURSE, practice.organisation, first_name="Kim", last_name="Lowe")
    client.force_login(gp)
    response = add(
        client, person, nurse.memberships.get(), Responsibility.NAMED_GP, **start_parts(dt.date(2026, 2, 3))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert error_links(response) == [
        ("#responsibility", "Kim Lowe is not a GP: only a GP can be the named accountable GP")
    ]
    assert re.search(rf'<option value="{nurse.memberships.get().pk}"\s+selected', page)
    assert re.search(r'id="start_year"[^>]*value="2026"', page)
    assert not CareTeam.objects.exists()

    assert add(client, person, gp.memberships.get(), Responsibility.NAMED_GP).status_code == 302


def test_a_second_named_gp_or_coordinator_is_refused_naming_who_holds_it(client, person, gp, practice):
    coordinator = staff(Role.CARE_COORDINATOR, practice.organisation, first_name="Mo", last_name="Said")
    other = staff(Role.CARE_COORDINATOR, practice.organisation)
    place(person, coordinator, responsibility=Responsibility.CARE_COORDINATOR, status=Status.PROPOSED)
    client.force_login(gp)
    response = add(client, person, other.memberships.get(), Responsibility.CARE_COORDINATOR)
    assert response.status_code == 400
    assert (
        "Mo Said (proposed) is already their care coordinator. End their place in the care team first"
        in text_of(response)
    )
    assert CareTeamMember.objects.count() == 1

    CareTeamMember.objects.filter(user=coordinator).update(status=Status.ENDED, end_date=timezone.localdate())
    assert add(client, person, other.memberships.get(), Responsibility.CARE_COORDINATOR).status_code == 302


def test_the_same_person_twice_in_one_responsibility_is_refused_but_not_in_another(
    client, person, gp, practice
):
    coordinator = staff(Role.CARE_COORDINATOR, practice.organisation, first_name="Mo", last_name="Said")
    place(person, coordinator, status=Status.SUSPENDED)
    client.force_login(gp)
    response = add(client, person, coordinator.memberships.get(), Responsibility.MEMBER)
    assert response.status_code == 400
    assert "Mo Said (suspended) already has a place in this care team as member" in text_of(response)
    assert (
        add(client, person, coordinator.memberships.get(), Responsibility.CARE_COORDINATOR).status_code == 302
    )
    assert CareTeamMember.objects.count() == 2


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"start_day": "", "start_month": "", "start_year": ""}, "Enter the start date"),
        ({"start_day": "3", "start_month": "", "start_year": ""}, "Start date must include a month and year"),
        ({"start_day": "30", "start_month": "2", "start_year": "2026"}, "Start date must be a real date"),
        ({"start_day": "1", "start_month": "2", "start_year": "26"}, "Start date must be a real date"),
    ],
)
def test_a_start_date_must_be_a_whole_real_date(client, person, gp, dates, message):
    client.force_login(gp)
    response = add(client, person, gp.memberships.get(), **dates)
    assert response.status_code == 400
    [(href, words)] = error_links(response)
    assert href == "#start_day" and words.startswith(message)
    assert not CareTeamMember.objects.exists()


def test_choosing_nobody_is_an_error_on_the_select(client, person, gp):
    client.force_login(gp)
    response = client.post(
        url(person, "add/"),
        {"responsibility": "member", "status": "active", **start_parts(timezone.localdate())},
    )
    assert ("#membership", "Choose the member of staff to add") in error_links(response)


# Changing a place


def change(client, person, member, status, start=None, end=None):
    data = {"status": status, **start_parts(start or member.start_date)}
    if end is not None:
        data.update(start_parts(end, "end"))
    return client.post(url(person, f"{member.pk}/"), data)


def test_a_proposed_place_becomes_active_and_only_then_opens_the_record(client, person, gp):
    link_worker = staff(Role.LINK_WORKER, OrganisationFactory(), first_name="Lee", last_name="Ward")
    member = place(person, link_worker, status=Status.PROPOSED)
    client.force_login(link_worker)
    assert client.get(url(person)).status_code == 403
    client.force_login(gp)
    response = change(client, person, member, Status.ACTIVE)
    assert response.status_code == 302
    assert "Lee Ward's place in the care team has been changed" in text_of(client.get(url(person)))
    client.force_login(link_worker)
    assert client.get(url(person)).status_code == 200
    event = AuditEvent.objects.get(action="change_care_team_member", person=person)
    assert event.detail == {"member": member.pk, "from": "proposed", "to": "active"}


def test_active_and_suspended_go_both_ways_but_proposed_cannot_be_suspended(client, person, gp, practice):
    member = place(person, staff(Role.CARE_COORDINATOR, practice.organisation))
    client.force_login(gp)
    assert change(client, person, member, Status.SUSPENDED).status_code == 302
    assert change(client, person, member, Status.ACTIVE).status_code == 302
    member.refresh_from_db()
    assert member.status == Status.ACTIVE

    proposed = place(person, staff(Role.GP, practice.organisation), status=Status.PROPOSED)
    response = change(client, person, proposed, Status.SUSPENDED)
    assert response.status_code == 400 and error_links(response) == [("#status", "Choose a status")]
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_ending_a_place_needs_an_end_date_not_before_the_start(client, person, gp, practice):
    member = place(person, staff(Role.CARE_COORDINATOR, practice.organisation))
    start = member.start_date
    client.force_login(gp)
    response = change(client, person, member, Status.ENDED)
    assert ("#end_day", "Enter the date their place ended") in error_links(response)
    response = change(client, person, member, Status.ENDED, end=start - dt.timedelta(days=1))
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert re.search(
        rf'id="end_day"[^>]*value="{(start - dt.timedelta(days=1)).day}"', response.content.decode()
    )
    member.refresh_from_db()
    assert member.status == Status.ACTIVE

    assert change(client, person, member, Status.ENDED, end=start).status_code == 302
    member.refresh_from_db()
    assert (member.status, member.end_date) == (Status.ENDED, start)


def test_an_end_date_is_refused_for_a_place_that_goes_on(client, person, gp, practice):
    member = place(person, staff(Role.CARE_COORDINATOR, practice.organisation))
    client.force_login(gp)
    response = change(client, person, member, Status.SUSPENDED, end=member.start_date)
    assert "Leave the end date empty unless their place has ended" in response.content.decode()


def test_an_ended_place_is_final(client, person, gp, practice):
    member = place(person, staff(Role.CARE_COORDINATOR, practice.organisation), status=Status.ENDED)
    client.force_login(gp)
    page = text_of(client.get(url(person, f"{member.pk}/")))
    assert "an ended place cannot be changed" in page and "Add them to the care team again" in page
    response = change(client, person, member, Status.ENDED, end=member.start_date)
    assert response.status_code == 400
    assert "This place in the care team has ended, and an ended place cannot be changed" in text_of(response)


def test_a_place_in_another_persons_team_is_not_found_through_this_person(client, person, gp, practice):
    neighbour = PersonFactory(practice=practice)
    theirs = place(neighbour, staff(Role.CARE_COORDINATOR, practice.organisation))
    client.force_login(gp)
    assert client.get(url(person, f"{theirs.pk}/")).status_code == 404
    assert change(client, person, theirs, Status.ENDED, end=theirs.start_date).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.ACTIVE


def test_reactivating_a_suspended_coordinator_is_refused_while_another_holds_it(client, person, gp, practice):
    first = place(
        person,
        staff(Role.CARE_COORDINATOR, practice.organisation),
        responsibility=Responsibility.CARE_COORDINATOR,
    )
    CareTeamMember.objects.filter(pk=first.pk).update(status=Status.SUSPENDED)
    place(
        person,
        staff(Role.CARE_COORDINATOR, practice.organisation, first_name="Mo", last_name="Said"),
        responsibility=Responsibility.CARE_COORDINATOR,
    )
    client.force_login(gp)
    response = change(client, person, first, Status.ACTIVE)
    assert response.status_code == 400
    assert "Mo Said (active) is already their care coordinator" in text_of(response)


# The named GP


def test_a_new_named_gp_ends_the_previous_one_today_and_is_active_from_today(client, person, gp, practice):
    successor = staff(Role.GP, practice.organisation, first_name="Ben", last_name="Hughes")
    previous = place(person, gp, responsibility=Responsibility.NAMED_GP)
    CareTeamMember.objects.filter(pk=previous.pk).update(start_date=dt.date(2024, 1, 1))
    client.force_login(gp)
    response = client.post(url(person, "named-gp/"), {"named_gp": str(successor.pk), "preferred_gp": ""})
    assert response.status_code == 302
    today = timezone.localdate()
    previous.refresh_from_db()
    assert (previous.status, previous.end_date) == (Status.ENDED, today)
    now = team_queries.current_named_gp(person)
    assert (now.user, now.status, now.start_date, now.organisation) == (
        successor,
        Status.ACTIVE,
        today,
        practice.organisation,
    )
    assert "Ben Hughes is now their named accountable GP" in text_of(client.get(url(person)))
    assert AuditEvent.objects.filter(action="set_named_gp", person=person, outcome="allowed").count() == 1


def test_naming_someone_other_than_the_preferred_gp_needs_a_reason(client, person, gp, practice):
    preferred = staff(Role.GP, practice.organisation, first_name="Ben", last_name="Hughes")
    client.force_login(gp)
    response = client.post(
        url(person, "named-gp/"), {"named_gp": str(gp.pk), "preferred_gp": str(preferred.pk)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert error_links(response) == [
        (
            "#preference_not_honoured_reason",
            "Say why Ben Hughes, whom they prefer, cannot be their named accountable GP",
        )
    ]
    assert re.search(rf'<option value="{preferred.pk}"\s+selected', page)
    assert not CareTeamMember.objects.exists()

    client.post(
        url(person, "named-gp/"),
        {
            "named_gp": str(gp.pk),
            "preferred_gp": str(preferred.pk),
            "preference_not_honoured_reason": "On leave",
        },
    )
    team = CareTeam.objects.get(person=person)
    assert (team.preferred_gp, team.preference_not_honoured_reason, team.origin) == (
        preferred,
        "On leave",
        CareTeam.Origin.STAFF,
    )


def test_naming_the_preferred_gp_needs_no_reason_and_clears_an_old_one(client, person, gp, practice):
    team = team_for(person)
    team.preference_not_honoured_reason = "Was away"
    team.save()
    client.force_login(gp)
    response = client.post(url(person, "named-gp/"), {"named_gp": str(gp.pk), "preferred_gp": str(gp.pk)})
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.preferred_gp, team.preference_not_honoured_reason) == (gp, "")


def test_only_gps_at_the_persons_practice_can_be_named(client, person, gp, practice):
    elsewhere = staff(Role.GP, PracticeFactory().organisation, first_name="Far", last_name="Away")
    staff(Role.PRACTICE_NURSE, practice.organisation, first_name="Kim", last_name="Lowe")
    client.force_login(gp)
    page = client.get(url(person, "named-gp/")).content.decode()
    assert "Asha Patel" in page and "Far Away" not in page and "Kim Lowe" not in page
    response = client.post(url(person, "named-gp/"), {"named_gp": str(elsewhere.pk)})
    assert ("#named_gp", "Choose their named accountable GP") in error_links(response)
    assert not CareTeamMember.objects.exists()


def test_naming_a_proposed_gp_makes_their_place_active(client, person, gp):
    proposed = place(person, gp, responsibility=Responsibility.NAMED_GP, status=Status.PROPOSED)
    client.force_login(gp)
    client.post(url(person, "named-gp/"), {"named_gp": str(gp.pk)})
    proposed.refresh_from_db()
    assert (proposed.status, proposed.start_date) == (Status.ACTIVE, timezone.localdate())
    assert CareTeamMember.objects.count() == 1


# Who may change the care team


def test_a_social_worker_who_is_the_active_coordinator_can_change_the_team(client, person, practice):
    worker = staff(Role.SOCIAL_WORKER, AdultSocialCareFactory())
    place(person, worker, responsibility=Responsibility.CARE_COORDINATOR)
    nurse = staff(Role.COMMUNITY_NURSE, OrganisationFactory())
    client.force_login(worker)
    assert client.get(url(person, "add/")).status_code == 200
    assert add(client, person, nurse.memberships.get()).status_code == 302


def test_a_proposed_coordinator_cannot_change_the_team_until_active(client, person):
    worker = staff(Role.SOCIAL_WORKER, AdultSocialCareFactory())
    place(person, worker, responsibility=Responsibility.CARE_COORDINATOR, status=Status.PROPOSED)
    client.force_login(worker)
    assert client.get(url(person, "add/")).status_code == 403


def test_a_practice_nurse_at_the_practice_may_not_change_the_team(client, person, practice, gp):
    nurse = staff(Role.PRACTICE_NURSE, practice.organisation)
    client.force_login(nurse)
    assert client.get(url(person)).status_code == 200
    assert client.get(url(person, "add/")).status_code == 403
    assert add(client, person, gp.memberships.get()).status_code == 403
    assert client.post(url(person, "named-gp/"), {"named_gp": str(gp.pk)}).status_code == 403
    assert not CareTeamMember.objects.exists()
    assert (
        AuditEvent.objects.filter(user=nurse, action="add_care_team_member", outcome="refused").count() == 2
    )


def test_a_link_worker_with_an_active_member_place_may_not_change_the_team(client, person, gp):
    link_worker = staff(Role.LINK_WORKER, OrganisationFactory())
    member = place(person, link_worker)
    client.force_login(link_worker)
    assert client.get(url(person)).status_code == 200
    assert client.get(url(person, "add/")).status_code == 403
    assert change(client, person, member, Status.ENDED, end=member.start_date).status_code == 403
    member.refresh_from_db()
    assert member.status == Status.ACTIVE


def test_the_named_gp_can_change_the_team(client, person, practice):
    # A GP working elsewhere who is this person's named GP: the place itself gives them the right.
    named = staff(Role.GP, OrganisationFactory(kind="practice"))
    place(person, named, responsibility=Responsibility.NAMED_GP)
    coordinator = staff(Role.CARE_COORDINATOR, practice.organisation)
    client.force_login(named)
    assert (
        add(client, person, coordinator.memberships.get(), Responsibility.CARE_COORDINATOR).status_code == 302
    )


def test_current_named_gp_and_coordinator_are_the_proposed_or_active_places(person, gp, practice):
    assert team_queries.current_named_gp(person) is None
    suspended = place(person, gp, responsibility=Responsibility.NAMED_GP, status=Status.SUSPENDED)
    assert team_queries.current_named_gp(person) is None
    CareTeamMember.objects.filter(pk=suspended.pk).update(status=Status.PROPOSED)
    assert team_queries.current_named_gp(person) == suspended
    coordinator = place(
        person,
        staff(Role.CARE_COORDINATOR, practice.organisation),
        responsibility=Responsibility.CARE_COORDINATOR,
    )
    assert team_queries.current_coordinator(person) == coordinator
