"""Every change case finding makes: clinicians' register decisions, and storing a run's results."""

from neighbourhood.casefinding import queries
from neighbourhood.casefinding.models import Exclusion, Nomination, Review, RiskRun
from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person


class DecisionRefused(ValueError):
    """A register decision that would duplicate one already made, or undo one that is not pending."""


ALREADY_NOMINATED = (
    "This person has already been nominated for the register, so they have not been nominated again"
)
ALREADY_REMOVED = (
    "This person has already been removed from the register, so they have not been removed again"
)
ONLY_PRACTICE_CLINICIANS_UNDO_REMOVAL = (
    "Only a clinician at the person's practice can undo a removal from the register"
)
NOTHING_TO_UNDO = "There is no register decision waiting for the next case-finding run to undo"


def _lock(person: Person) -> None:
    """Serialise decisions about one person (PostgreSQL; SQLite's transactions already are), so two
    clinicians nominating at once cannot both succeed."""
    # Fetch the row itself: the lock is taken by a SELECT … FOR UPDATE that reads it.
    Person.objects.select_for_update().only("pk").get(pk=person.pk)


def nominate(*, person: Person, reason: str, by: User) -> Nomination:
    """Ask for a person to be on the proactive care register. Active until an exclusion replaces it.

    Refused (DecisionRefused, nothing changed or audited as a change) while they have an active nomination."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter why you are nominating this person")
    with access.changing(
        by, Permission.CHANGE_RECORD, action="nominate_for_register", person=person, detail={"reason": reason}
    ) as decision:
        _lock(person)
        if person.nominations.filter(is_active=True).exists():
            raise DecisionRefused(ALREADY_NOMINATED)
        person.exclusions.filter(is_active=True).update(is_active=False)
        return Nomination.objects.create(
            person=person, reason=reason, nominated_by=by, nominated_by_role=decision.membership.role
        )


def exclude(*, person: Person, reason: str, detail: str = "", by: User) -> Exclusion:
    """Take a person off the register (or keep them off).

    The only way anyone alive and registered leaves the register. Refused (DecisionRefused) while they have an
    active exclusion.
    """
    if reason not in Exclusion.Reason.values:
        raise ValueError("Choose a reason for removing this person from the register")
    detail = detail.strip()
    if reason == Exclusion.Reason.OTHER and not detail:
        raise ValueError("Say why, when the reason is 'Other'")
    with access.changing(
        by,
        Permission.REMOVE_FROM_REGISTER,
        action="exclude_from_register",
        person=person,
        detail={"reason": reason, "detail": detail},
    ) as decision:
        _lock(person)
        if person.exclusions.filter(is_active=True).exists():
            raise DecisionRefused(ALREADY_REMOVED)
        exclusion = Exclusion.objects.create(
            person=person,
            reason=reason,
            detail=detail,
            excluded_by=by,
            excluded_by_role=decision.membership.role,
        )
        person.nominations.filter(is_active=True).update(is_active=False, ended_by=exclusion)
        return exclusion


def undo_register_decision(*, person: Person, by: User) -> Nomination | Exclusion:
    """Withdraw the person's pending nomination or exclusion (one made since the latest run started, so no run
    has applied it): it is deactivated and the next run goes on as if it had not been made. A decision a run
    has applied is changed by the opposite decision instead. Raises DecisionRefused if nothing is pending."""
    detail: dict = {}  # filled in below: `changing` audits this dict once the block has run
    with access.changing(
        by, Permission.CHANGE_RECORD, action="undo_register_decision", person=person, detail=detail
    ):
        _lock(person)
        pending = queries.pending_decision(person)
        if pending is None:
            raise DecisionRefused(NOTHING_TO_UNDO)
        may_remove = access.decide(by, Permission.REMOVE_FROM_REGISTER, person).allowed
        if isinstance(pending, Exclusion) and not may_remove:
            raise DecisionRefused(ONLY_PRACTICE_CLINICIANS_UNDO_REMOVAL)
        type(pending).objects.filter(pk=pending.pk).update(is_active=False)
        if isinstance(pending, Exclusion):
            if restored := pending.ended_nominations.update(is_active=True, ended_by=None):
                detail.update(nominations_restored=restored)
        pending.is_active = False
        detail.update(undone=type(pending).__name__.lower(), id=pending.pk)
    return pending


def mark_reviewed(*, person: Person, run: RiskRun, note: str = "", by: User) -> Review:
    with access.changing(
        by, Permission.CHANGE_RECORD, action="review_case_finding", person=person, detail={"run": run.pk}
    ):
        return Review.objects.create(person=person, run=run, reviewed_by=by, note=note.strip())
