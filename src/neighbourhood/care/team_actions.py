"""Every change a member of staff makes to a care team: adding someone, changing their place, and setting
the named accountable GP. Each decides, changes and audits in one transaction (access.changing)."""

import datetime as dt

from django.utils import timezone

from neighbourhood.care.models import CareTeam, CareTeamMember
from neighbourhood.care.team_queries import CARE_ROLES, CURRENT_STATUSES, staff_name
from neighbourhood.governance import access
from neighbourhood.governance.models import Membership, User
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.register.models import Person

Status = CareTeamMember.Status
Responsibility = CareTeamMember.Responsibility

# Where a place may go from each status. An ended place is final: to come back, someone is added again.
NEXT_STATUSES = {
    Status.PROPOSED: (Status.PROPOSED, Status.ACTIVE, Status.ENDED),
    Status.ACTIVE: (Status.ACTIVE, Status.SUSPENDED, Status.ENDED),
    Status.SUSPENDED: (Status.SUSPENDED, Status.ACTIVE, Status.ENDED),
    Status.ENDED: (),
}
ENDED_IS_FINAL = (
    "This place in the care team has ended, and an ended place cannot be changed. To bring them back, add "
    "them to the care team again"
)
NAMED_GP_MUST_BE_A_GP = "Only a GP can be the named accountable GP: choose someone whose role is GP"
NAMED_GP_MUST_BE_AT_PRACTICE = "The named accountable GP must be a GP at the person's practice"


class CareTeamRefused(ValueError):
    """A change the care team's rules do not allow; `field` is the form field the message belongs to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _lock(person: Person) -> None:
    """Serialise changes to one person's care team (PostgreSQL; SQLite's transactions already are)."""
    Person.objects.select_for_update().only("pk").get(pk=person.pk)


def _team(person: Person, now: dt.datetime) -> CareTeam:
    team, _ = CareTeam.objects.get_or_create(
        person=person, defaults={"origin": CareTeam.Origin.STAFF, "created_at": now}
    )
    return team


def _held_by(place: CareTeamMember) -> str:
    return f"{staff_name(place.user)} ({place.get_status_display().lower()})"


def _refuse_second_lead(team: CareTeam, responsibility: str, *, field: str, except_place=None) -> None:
    """One named GP and one care coordinator at a time: say who holds it and what to do."""
    if responsibility == Responsibility.MEMBER:
        return
    holders = team.members.filter(responsibility=responsibility, status__in=CURRENT_STATUSES)
    if except_place is not None:
        holders = holders.exclude(pk=except_place.pk)
    holder = holders.select_related("user").first()
    if holder is not None:
        what = Responsibility(responsibility).label.lower()
        raise CareTeamRefused(
            f"{_held_by(holder)} is already their {what}. End their place in the care team first, then add "
            "someone else",
            field=field,
        )


def add_member(
    *,
    person: Person,
    membership: Membership,
    responsibility: str,
    status: str,
    start_date: dt.date,
    by: User,
) -> CareTeamMember:
    """Give the member of staff behind `membership` a place in the person's care team (started if there is
    none). Refused (CareTeamRefused) for a second named GP or care coordinator, or the same person twice in
    the same responsibility."""
    if responsibility not in Responsibility.values:
        raise ValueError(f"Unknown responsibility {responsibility!r}")
    if status not in (Status.PROPOSED, Status.ACTIVE):
        raise ValueError("A new place is proposed or active")
    if not membership.is_active or membership.role not in CARE_ROLES:
        raise ValueError("Only an active member of staff in a care role can join a care team")
    if responsibility == Responsibility.NAMED_GP and membership.role != Role.GP:
        raise CareTeamRefused(NAMED_GP_MUST_BE_A_GP, field="responsibility")
    detail = {"user": membership.user.get_username(), "responsibility": responsibility, "status": status}
    with access.changing(
        by, Permission.MANAGE_CARE_TEAM, action="add_care_team_member", person=person, detail=detail
    ):
        _lock(person)
        now = timezone.now()
        team = _team(person, now)
        _refuse_second_lead(team, responsibility, field="responsibility")
        already = (
            team.members.filter(user_id=membership.user_id, responsibility=responsibility)
            .exclude(status=Status.ENDED)
            .first()
        )
        if already is not None:
            what = Responsibility(responsibility).label.lower()
            raise CareTeamRefused(
                f"{_held_by(already)} already has a place in this care team as {what}. "
                "Change that place instead",
                field="membership",
            )
        place = CareTeamMember.objects.create(
            team=team,
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            role=membership.role,
            responsibility=responsibility,
            status=status,
            start_date=start_date,
            added_by=by,
            added_at=now,
            changed_at=now,
        )
        detail["member"] = place.pk
    return place


def change_member(
    *,
    person: Person,
    place: CareTeamMember,
    status: str,
    start_date: dt.date,
    end_date: dt.date | None,
    by: User,
) -> CareTeamMember:
    """Change a place's status and dates: proposed → active, active ↔ suspended, any → ended (with an end
    date, not before the start date). An ended place is final (CareTeamRefused)."""
    if place.team.person_id != person.pk:
        raise ValueError("That place is in another person's care team")
    detail = {"member": place.pk, "from": place.status, "to": status}
    with access.changing(
        by, Permission.MANAGE_CARE_TEAM, action="change_care_team_member", person=person, detail=detail
    ):
        _lock(person)
        place.refresh_from_db()
        if place.status == Status.ENDED:
            raise CareTeamRefused(ENDED_IS_FINAL)
        if status not in NEXT_STATUSES[place.status]:
            raise CareTeamRefused(
                f"A place that is {place.get_status_display().lower()} "
                f"cannot become {Status(status).label.lower()}",
                field="status",
            )
        if status == Status.ENDED and end_date is None:
            raise CareTeamRefused("Enter the date their place ended", field="end_day")
        if status != Status.ENDED and end_date is not None:
            raise CareTeamRefused("Leave the end date empty unless their place has ended", field="end_day")
        if end_date is not None and end_date < start_date:
            raise CareTeamRefused("The end date must be the same as or after the start date", field="end_day")
        if status in CURRENT_STATUSES and place.status not in CURRENT_STATUSES:
            _refuse_second_lead(place.team, place.responsibility, field="status", except_place=place)
        place.status = status
        place.start_date = start_date
        place.end_date = end_date
        place.changed_at = timezone.now()
        place.save(update_fields=["status", "start_date", "end_date", "changed_at"])
    return place


def set_named_gp(
    *, person: Person, named_gp: User, preferred_gp: User | None, reason: str = "", by: User
) -> CareTeamMember:
    """Make `named_gp` (a GP at the person's practice) their named accountable GP, active from today, and
    record whom they prefer. A previous named GP's place ends today, in the same transaction. When the named
    GP is not the preferred one, `reason` says why and is kept with the team."""
    reason = reason.strip()
    practice_organisation = person.practice.organisation_id
    for gp in filter(None, (named_gp, preferred_gp)):
        if not gp.memberships.filter(
            is_active=True, role=Role.GP, organisation_id=practice_organisation
        ).exists():
            raise CareTeamRefused(NAMED_GP_MUST_BE_AT_PRACTICE)
    honoured = preferred_gp is None or preferred_gp.pk == named_gp.pk
    if not honoured and not reason:
        raise CareTeamRefused(
            "Say why their preferred GP cannot be their named accountable GP",
            field="preference_not_honoured_reason",
        )
    detail = {
        "named_gp": named_gp.get_username(),
        "preferred_gp": preferred_gp.get_username() if preferred_gp else None,
        "preference_honoured": honoured,
    }
    with access.changing(
        by, Permission.MANAGE_CARE_TEAM, action="set_named_gp", person=person, detail=detail
    ):
        _lock(person)
        now = timezone.now()
        today = timezone.localdate()
        team = _team(person, now)
        team.preferred_gp = preferred_gp
        team.preference_not_honoured_reason = "" if honoured else reason
        team.save(update_fields=["preferred_gp", "preference_not_honoured_reason"])
        places = team.members.filter(responsibility=Responsibility.NAMED_GP)
        previous = places.filter(status__in=CURRENT_STATUSES).exclude(user=named_gp).first()
        if previous is not None:
            previous.status = Status.ENDED
            previous.end_date = max(today, previous.start_date) if previous.start_date else today
            previous.changed_at = now
            previous.save(update_fields=["status", "end_date", "changed_at"])
            detail["ended_member"] = previous.pk
        # The GP may already hold the place (proposed, or suspended): it becomes active, not a second one.
        place = places.filter(user=named_gp).exclude(status=Status.ENDED).first()
        if place is None:
            place = CareTeamMember.objects.create(
                team=team,
                user=named_gp,
                organisation_id=practice_organisation,
                role=Role.GP,
                responsibility=Responsibility.NAMED_GP,
                status=Status.ACTIVE,
                start_date=today,
                added_by=by,
                added_at=now,
                changed_at=now,
            )
        elif place.status != Status.ACTIVE:
            if place.status == Status.PROPOSED or place.start_date is None:
                place.start_date = today
            place.status = Status.ACTIVE
            place.changed_at = now
            place.save(update_fields=["status", "start_date", "changed_at"])
        detail["member"] = place.pk
    return place
