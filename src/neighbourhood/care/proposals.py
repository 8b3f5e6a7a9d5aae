"""Proposed care teams for the people a case-finding run says need one: everyone on the proactive care
register (a named accountable GP and a care coordinator) and everyone aged 75 or over (a named GP).

A system action run inside the run's own transaction. It reads a fixed number of queries however many people
there are (900,000 in a large area), shares places out among each practice's staff, fewest places first, and
leaves alone anyone who already has a care team, so a re-run adds nothing.
"""

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from neighbourhood.care.models import CareTeam, CareTeamMember
from neighbourhood.care.team_queries import CURRENT_STATUSES, NAMED_GP_AGE
from neighbourhood.casefinding.models import RiskRun, RiskScore
from neighbourhood.governance import access
from neighbourhood.governance.models import Membership
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation, Person

SYSTEM_USERNAME = "system:case-finding"
BATCH = 2_000
Responsibility = CareTeamMember.Responsibility


@dataclass(frozen=True)
class ProposedTeams:
    teams: int
    named_gps_proposed: int
    coordinators_proposed: int


def born_on_or_before_for_age(age: int, on: dt.date) -> dt.date:
    """The latest date of birth of someone aged `age` or more on `on` (someone born on 29 February has their
    birthday on 1 March in other years, as presenters.age_on counts it)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # `on` is 29 February and that year was not a leap year
        return dt.date(on.year - age, 2, 28)


class _Rota:
    """Each practice's staff in one role, handed out fewest current places first, ties by username."""

    def __init__(self, role: str, responsibility: str):
        staff = Membership.objects.filter(
            is_active=True, user__is_active=True, role=role, organisation__kind=Organisation.Kind.PRACTICE
        ).values_list("organisation_id", "user_id", "user__username")
        held = dict(
            CareTeamMember.objects.filter(responsibility=responsibility, status__in=CURRENT_STATUSES)
            .values_list("user_id")
            .annotate(places=Count("id"))
        )
        self._heaps: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
        for organisation_id, user_id, username in staff:
            self._heaps[organisation_id].append((held.get(user_id, 0), username, user_id))
        for heap in self._heaps.values():
            heapq.heapify(heap)

    def next_for(self, organisation_id: int) -> int | None:
        heap = self._heaps.get(organisation_id)
        if not heap:
            return None
        places, username, user_id = heap[0]
        heapq.heapreplace(heap, (places + 1, username, user_id))
        return user_id


def propose_care_teams(*, run: RiskRun) -> ProposedTeams:
    """Create a care team, with proposed places, for everyone in `run` on the register and everyone aged 75
    or over on its index date, who has none. The practice's GP with the fewest current named-GP places is
    proposed as named GP and, for register members, its care coordinator with the fewest as care coordinator;
    a practice without such staff gets teams without them (the care team page shows the gap)."""
    on_register = RiskScore.objects.filter(run=run, person=OuterRef("pk"), on_register=True)
    cutoff = born_on_or_before_for_age(NAMED_GP_AGE, run.index_date)
    needing = (
        Person.objects.annotate(registered=Exists(on_register))
        .filter(Q(registered=True) | Q(date_of_birth__lte=cutoff, date_of_death__isnull=True))
        .filter(~Exists(CareTeam.objects.filter(person=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "practice__organisation_id", "registered")
    )
    with transaction.atomic():
        people = list(needing)
        gps = _Rota(Role.GP, Responsibility.NAMED_GP)
        coordinators = _Rota(Role.CARE_COORDINATOR, Responsibility.CARE_COORDINATOR)
        now = timezone.now()
        teams = [
            CareTeam(
                person_id=person_id,
                origin=CareTeam.Origin.REGISTER if registered else CareTeam.Origin.AGED_75,
                created_at=now,
            )
            for person_id, _, registered in people
        ]
        CareTeam.objects.bulk_create(teams, batch_size=BATCH)
        team_ids = _team_ids(teams, now)
        places = []
        for person_id, organisation_id, registered in people:
            wanted = [(Responsibility.NAMED_GP, Role.GP, gps)]
            if registered:
                wanted.append((Responsibility.CARE_COORDINATOR, Role.CARE_COORDINATOR, coordinators))
            for responsibility, role, rota in wanted:
                user_id = rota.next_for(organisation_id)
                if user_id is None:
                    continue
                places.append(
                    CareTeamMember(
                        team_id=team_ids[person_id],
                        user_id=user_id,
                        organisation_id=organisation_id,
                        role=role,
                        responsibility=responsibility,
                        status=CareTeamMember.Status.PROPOSED,
                        added_at=now,
                        changed_at=now,
                    )
                )
        CareTeamMember.objects.bulk_create(places, batch_size=BATCH)
        proposed = ProposedTeams(
            teams=len(teams),
            named_gps_proposed=sum(p.responsibility == Responsibility.NAMED_GP for p in places),
            coordinators_proposed=sum(p.responsibility == Responsibility.CARE_COORDINATOR for p in places),
        )
        access.record(
            None,
            "create_care_teams",
            outcome="allowed",
            username=SYSTEM_USERNAME,
            detail={
                "run": run.pk,
                "teams": proposed.teams,
                "named_gps_proposed": proposed.named_gps_proposed,
                "coordinators_proposed": proposed.coordinators_proposed,
            },
        )
    return proposed


def _team_ids(teams: list[CareTeam], created_at: dt.datetime) -> dict[int, int]:
    """person id -> team id of the teams just created. Databases that return new rows' keys from a bulk insert
    (PostgreSQL, SQLite 3.35+) have set them; otherwise they are read back by their creation time."""
    if all(team.pk is not None for team in teams):
        return {team.person_id: team.pk for team in teams}
    return dict(CareTeam.objects.filter(created_at=created_at).values_list("person_id", "pk"))
