"""Care teams proposed after a case-finding run (#11): for register members and everyone aged 75 or over."""

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from neighbourhood.care.models import CareTeam, CareTeamMember
from neighbourhood.care.proposals import born_on_or_before_for_age, propose_care_teams
from neighbourhood.casefinding.models import RiskRun
from neighbourhood.casefinding.runs import _store
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from tests.care.factories import place, team_for
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db

INDEX_DATE = dt.date(2026, 4, 1)
AGED_75_TODAY = dt.date(1951, 4, 1)
Responsibility = CareTeamMember.Responsibility


@pytest.fixture
def run():
    return RiskRunFactory(index_date=INDEX_DATE)


@pytest.fixture
def practice():
    return PracticeFactory()


def on_register(run, practice, **person):
    person = PersonFactory(practice=practice, date_of_birth=dt.date(1966, 1, 1), **person)
    RiskScoreFactory(run=run, person=person, on_register=True)
    return person


def proposed(person, responsibility):
    return [
        (p.user.username, p.status, p.role, p.organisation_id)
        for p in CareTeamMember.objects.filter(team__person=person, responsibility=responsibility)
    ]


def test_a_register_member_gets_a_proposed_named_gp_and_care_coordinator_from_their_practice(run, practice):
    staff(Role.GP, practice.organisation, username="gp-a")
    staff(Role.CARE_COORDINATOR, practice.organisation, username="cc-a")
    staff(Role.GP, PracticeFactory().organisation, username="gp-elsewhere")
    person = on_register(run, practice)

    result = propose_care_teams(run=run)

    team = CareTeam.objects.get(person=person)
    assert team.origin == CareTeam.Origin.REGISTER
    assert proposed(person, Responsibility.NAMED_GP) == [
        ("gp-a", "proposed", Role.GP, practice.organisation_id)
    ]
    assert proposed(person, Responsibility.CARE_COORDINATOR) == [
        ("cc-a", "proposed", Role.CARE_COORDINATOR, practice.organisation_id)
    ]
    assert (result.teams, result.named_gps_proposed, result.coordinators_proposed) == (1, 1, 1)
    event = AuditEvent.objects.get(action="create_care_teams")
    assert (event.username, event.outcome, event.person) == ("system:case-finding", "allowed", None)
    assert event.detail == {"run": run.pk, "teams": 1, "named_gps_proposed": 1, "coordinators_proposed": 1}


def test_a_named_gp_is_proposed_from_the_75th_birthday_on_the_index_date(run, practice):
    staff(Role.GP, practice.organisation, username="gp-a")
    staff(Role.CARE_COORDINATOR, practice.organisation, username="cc-a")
    turning_75 = PersonFactory(practice=practice, date_of_birth=AGED_75_TODAY)
    not_yet = PersonFactory(practice=practice, date_of_birth=AGED_75_TODAY + dt.timedelta(days=1))

    propose_care_teams(run=run)

    assert CareTeam.objects.get(person=turning_75).origin == CareTeam.Origin.AGED_75
    assert proposed(turning_75, Responsibility.NAMED_GP) == [
        ("gp-a", "proposed", Role.GP, practice.organisation_id)
    ]
    assert proposed(turning_75, Responsibility.CARE_COORDINATOR) == []  # not on the register
    assert not CareTeam.objects.filter(person=not_yet).exists()


def test_someone_on_the_register_and_over_75_gets_a_register_team(run, practice):
    person = on_register(run, practice)
    person.date_of_birth = dt.date(1940, 1, 1)
    person.save()
    propose_care_teams(run=run)
    assert CareTeam.objects.get(person=person).origin == CareTeam.Origin.REGISTER


def test_only_this_runs_register_counts(run, practice):
    person = PersonFactory(practice=practice, date_of_birth=dt.date(1966, 1, 1))
    RiskScoreFactory(run=RiskRunFactory(index_date=dt.date(2025, 4, 1)), person=person, on_register=True)
    RiskScoreFactory(run=run, person=person, on_register=False)
    assert propose_care_teams(run=run).teams == 0


def test_someone_who_has_died_gets_no_team(run, practice):
    PersonFactory(practice=practice, date_of_birth=dt.date(1930, 1, 1), date_of_death=dt.date(2026, 1, 1))
    assert propose_care_teams(run=run).teams == 0


def test_places_go_to_whoever_has_fewest_current_places_ties_by_username(run, practice):
    gp_a = staff(Role.GP, practice.organisation, username="gp-a")
    gp_b = staff(Role.GP, practice.organisation, username="gp-b")
    staff(Role.GP, practice.organisation, username="gp-c").memberships.update(is_active=False)
    already = PersonFactory(practice=practice, date_of_birth=dt.date(1966, 1, 1))
    place(already, gp_a, responsibility=Responsibility.NAMED_GP, status=CareTeamMember.Status.PROPOSED)
    # An ended place is nobody's workload now.
    place(already, gp_b, responsibility=Responsibility.NAMED_GP, status=CareTeamMember.Status.ENDED)
    people = [on_register(run, practice) for _ in range(3)]

    result = propose_care_teams(run=run)

    named = [proposed(p, Responsibility.NAMED_GP)[0][0] for p in people]
    assert named == ["gp-b", "gp-a", "gp-b"]  # b has 0; then a and b tie on 1, a first; then b
    assert (result.named_gps_proposed, result.coordinators_proposed) == (3, 0)


def test_a_practice_without_gps_or_coordinators_gets_teams_without_them(run, practice):
    person = on_register(run, practice)
    result = propose_care_teams(run=run)
    assert CareTeam.objects.filter(person=person).exists()
    assert not CareTeamMember.objects.exists()
    assert (result.teams, result.named_gps_proposed, result.coordinators_proposed) == (1, 0, 0)


def test_re_running_adds_nothing_for_people_who_already_have_a_team(run, practice):
    staff(Role.GP, practice.organisation, username="gp-a")
    has_team = on_register(run, practice)
    team_for(has_team)  # started by staff, with nobody in it yet
    on_register(run, practice)
    assert propose_care_teams(run=run).teams == 1
    assert not CareTeamMember.objects.filter(team__person=has_team).exists()

    again = propose_care_teams(run=run)
    assert (again.teams, again.named_gps_proposed) == (0, 0)
    assert CareTeam.objects.count() == 2 and CareTeamMember.objects.count() == 1


def test_the_number_of_queries_does_not_grow_with_the_number_of_people():
    def queries_for(people: int) -> int:
        run = RiskRunFactory(index_date=INDEX_DATE)
        practices = [PracticeFactory() for _ in range(2)]
        for p in practices:
            staff(Role.GP, p.organisation)
            staff(Role.CARE_COORDINATOR, p.organisation)
        for i in range(people):
            on_register(run, practices[i % 2])
        with CaptureQueriesContext(connection) as captured:
            assert propose_care_teams(run=run).teams == people
        return len(captured)

    assert queries_for(2) == queries_for(40)


@pytest.mark.parametrize(
    ("on", "latest_birth_date"),
    [
        (dt.date(2026, 4, 1), dt.date(1951, 4, 1)),
        (dt.date(2028, 2, 29), dt.date(1953, 2, 28)),  # 1953 had no 29 February
        (dt.date(2024, 2, 29), dt.date(1949, 2, 28)),
        (dt.date(2027, 2, 28), dt.date(1952, 2, 28)),  # born 29 February 1952: 75 on 1 March 2027
    ],
)
def test_the_latest_date_of_birth_for_75_matches_how_ages_are_counted(on, latest_birth_date):
    from neighbourhood.presenters import age

    assert born_on_or_before_for_age(75, on) == latest_birth_date
    assert age(latest_birth_date, on) == 75
    assert age(latest_birth_date + dt.timedelta(days=1), on) == 74


def test_storing_a_run_proposes_care_teams_in_the_same_transaction(practice):
    staff(Role.GP, practice.organisation, username="gp-a")
    joining = PersonFactory(practice=practice, date_of_birth=dt.date(1966, 1, 1))
    run = RiskRun.objects.create(index_date=INDEX_DATE, data_dir="/tmp/lake", started_by="system:test")
    row = {
        "nhs_number": joining.nhs_number,
        "efi": 0.2,
        "efi_category": "mild",
        "efi_deficits": [],
        "admission_risk": 0.3,
        "risk_percentile": 99.5,
        "risk_factors": [],
        "wokingham_flag": False,
        "wokingham_reasons": [],
        "segment": "Top 0.5%",
        "on_register": True,
        "register_reasons": ["Top 0.5% for admission risk"],
        "cost_12m_gbp": 100.0,
        "emergency_admissions_12m": 1,
    }
    result = SimpleNamespace(
        people=pd.DataFrame([row]),
        warnings=[],
        entrants=pd.DataFrame(
            {"nhs_number": [joining.nhs_number], "reasons": [["Top 0.5% for admission risk"]]}
        ),
        leavers=pd.DataFrame({"nhs_number": [], "reason": []}),
        model_info={"version": "test"},
        pyramid=pd.DataFrame([{"segment": "Top 0.5%", "people": 1}]),
        counts={},
    )
    started = timezone.now()

    _store(run, result)

    team = CareTeam.objects.get(person=joining)
    assert team.origin == CareTeam.Origin.REGISTER and team.created_at >= started
    assert proposed(joining, Responsibility.NAMED_GP)[0][:2] == ("gp-a", "proposed")
    assert AuditEvent.objects.get(action="create_care_teams").detail["run"] == run.pk
