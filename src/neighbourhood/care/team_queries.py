"""Reads about care teams: a person's team as the care team page shows it, its current named GP and care
coordinator (other pages import these), and the staff who may be given a place."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from neighbourhood import presenters
from neighbourhood.care.models import CareTeam, CareTeamMember
from neighbourhood.casefinding.queries import person_case_finding
from neighbourhood.governance import access
from neighbourhood.governance.models import Membership, User
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.register.models import Person

# Proposed or active: the place someone holds now or is about to (the database allows one named GP and one
# care coordinator among these). Only an active place is a legitimate relationship (governance.access).
CURRENT_STATUSES = (CareTeamMember.Status.PROPOSED, CareTeamMember.Status.ACTIVE)
# Roles that care for people (they may view records), so may hold a place in a care team.
CARE_ROLES = frozenset(role for role in Role if Permission.VIEW_RECORD in access.role_permissions(role))
NAMED_GP_AGE = 75
_RESPONSIBILITY_ORDER = {
    CareTeamMember.Responsibility.NAMED_GP: 0,
    CareTeamMember.Responsibility.CARE_COORDINATOR: 1,
    CareTeamMember.Responsibility.MEMBER: 2,
}


def staff_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def staff_label(membership: Membership) -> str:
    """How a member of staff is offered for a place: name, en dash, role, comma, organisation."""
    name, role = staff_name(membership.user), membership.get_role_display()
    return f"{name} – {role}, {membership.organisation.name}"  # noqa: RUF001 - an en dash, as the NHS writes it


def _current_place(person: Person, responsibility: str) -> CareTeamMember | None:
    return (
        CareTeamMember.objects.filter(
            team__person=person, responsibility=responsibility, status__in=CURRENT_STATUSES
        )
        .select_related("user", "organisation")
        .first()
    )


def current_named_gp(person: Person) -> CareTeamMember | None:
    """The person's named accountable GP place that is active or proposed, or None."""
    return _current_place(person, CareTeamMember.Responsibility.NAMED_GP)


def current_coordinator(person: Person) -> CareTeamMember | None:
    """The person's care coordinator (key worker) place that is active or proposed, or None."""
    return _current_place(person, CareTeamMember.Responsibility.CARE_COORDINATOR)


def place_in_team(person: Person, member_id: int) -> CareTeamMember | None:
    """A place in this person's care team (None for another person's, so nobody can reach it through them)."""
    return (
        CareTeamMember.objects.filter(team__person=person, pk=member_id)
        .select_related("user", "organisation", "team")
        .first()
    )


def staff_for_places() -> list[Membership]:
    """Every active membership in a care role, in name order: who may be added to a care team."""
    return list(
        Membership.objects.filter(is_active=True, role__in=CARE_ROLES, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "user__username", "organisation__name", "role")
    )


def practice_gps(person: Person) -> list[User]:
    """The GPs working at the person's registered practice: who may be their named accountable GP."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role=Role.GP,
            memberships__organisation_id=person.practice.organisation_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@dataclass(frozen=True)
class CareTeamSummary:
    team: CareTeam | None
    places: list[CareTeamMember]  # named GP, care coordinator, members; ended places last
    named_gp: CareTeamMember | None
    coordinator: CareTeamMember | None
    age: presenters.Age | None
    on_register: bool
    gaps: list[str] = field(default_factory=list)  # what the team is missing, in words

    @property
    def preferred_gp(self) -> User | None:
        return self.team.preferred_gp if self.team else None

    @property
    def preference_not_honoured(self) -> str:
        """Why the named GP is not the one the person prefers ("" when it is, or no preference is known)."""
        if self.team is None or self.preferred_gp is None or self.named_gp is None:
            return ""
        if self.named_gp.user_id == self.preferred_gp.pk:
            return ""
        return self.team.preference_not_honoured_reason


def care_team_summary(person: Person, today: dt.date | None = None) -> CareTeamSummary:
    today = today or timezone.localdate()
    team = CareTeam.objects.filter(person=person).select_related("preferred_gp").first()
    places = []
    if team is not None:
        places = sorted(
            team.members.select_related("user", "organisation"),
            key=lambda p: (
                p.status == CareTeamMember.Status.ENDED,
                _RESPONSIBILITY_ORDER[p.responsibility],
                p.start_date or dt.date.max,
                p.pk,
            ),
        )
    current = [p for p in places if p.status in CURRENT_STATUSES]
    named_gp = next((p for p in current if p.responsibility == CareTeamMember.Responsibility.NAMED_GP), None)
    coordinator = next(
        (p for p in current if p.responsibility == CareTeamMember.Responsibility.CARE_COORDINATOR), None
    )
    age = presenters.age_on(person.date_of_birth, today, person.date_of_death)
    on_register = person_case_finding(person).on_register
    return CareTeamSummary(
        team=team,
        places=places,
        named_gp=named_gp,
        coordinator=coordinator,
        age=age,
        on_register=on_register,
        gaps=_gaps(
            named_gp,
            coordinator,
            aged_75=age is not None and age.years >= NAMED_GP_AGE,
            on_register=on_register,
        ),
    )


def _gaps(named_gp, coordinator, *, aged_75: bool, on_register: bool) -> list[str]:
    gaps = []
    if named_gp is None and (aged_75 or on_register):
        because = " and ".join(
            reason
            for reason, applies in (
                ("they are aged 75 or over", aged_75),
                ("they are on the proactive care register", on_register),
            )
            if applies
        )
        gaps.append(f"No named accountable GP — needed because {because}")
    if coordinator is None and on_register:
        gaps.append("No care coordinator — needed because they are on the proactive care register")
    return gaps
