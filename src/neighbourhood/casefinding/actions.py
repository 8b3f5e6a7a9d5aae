"""Every change case finding makes: clinicians' register decisions, and storing a run's results."""

from neighbourhood.casefinding.models import Exclusion, Nomination, Review, RiskRun
from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person


def nominate(*, person: Person, reason: str, by: User) -> Nomination:
    """Ask for a person to be on the proactive care register. Active until an exclusion replaces it."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter why you are nominating this person")
    with access.changing(
        by, Permission.CHANGE_RECORD, action="nominate_for_register", person=person, detail={"reason": reason}
    ) as decision:
        person.exclusions.filter(is_active=True).update(is_active=False)
        return Nomination.objects.create(
            person=person, reason=reason, nominated_by=by, nominated_by_role=decision.membership.role
        )


def exclude(*, person: Person, reason: str, detail: str = "", by: User) -> Exclusion:
    """Take a person off the register (or keep them off).

    The only way anyone alive and registered leaves the register.
    """
    if reason not in Exclusion.Reason.values:
        raise ValueError("Choose a reason for removing this person from the register")
    detail = detail.strip()
    if reason == Exclusion.Reason.OTHER and not detail:
        raise ValueError("Say why, when the reason is 'Other'")
    with access.changing(
        by,
        Permission.CHANGE_RECORD,
        action="exclude_from_register",
        person=person,
        detail={"reason": reason, "detail": detail},
    ) as decision:
        person.nominations.filter(is_active=True).update(is_active=False)
        return Exclusion.objects.create(
            person=person,
            reason=reason,
            detail=detail,
            excluded_by=by,
            excluded_by_role=decision.membership.role,
        )


def mark_reviewed(*, person: Person, run: RiskRun, note: str = "", by: User) -> Review:
    with access.changing(
        by, Permission.CHANGE_RECORD, action="review_case_finding", person=person, detail={"run": run.pk}
    ):
        return Review.objects.create(person=person, run=run, reviewed_by=by, note=note.strip())
