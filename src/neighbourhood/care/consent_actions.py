"""Every change to a person's consent, objections, capacity assessments and best-interests decisions.

Each is audited by the access service in the change's own transaction. Audit details name kinds and ids,
never the free text typed (reasons, notes, who was consulted), which may identify people.
"""

import datetime as dt
from collections.abc import Collection

from django.utils import timezone

from neighbourhood.care import consent_rules
from neighbourhood.care.models import BestInterestsDecision, CapacityAssessment, Consent, Objection
from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Organisation, Person


class ConsentRefused(ValueError):
    """A change that the person's record as it stands does not allow (nothing was changed)."""


# Stage 2 of the two-stage test: what the person is unable to do, as CapacityAssessment's fields.
UNABLE_TO = {
    "understand": "unable_to_understand",
    "retain": "unable_to_retain",
    "weigh": "unable_to_weigh",
    "communicate": "unable_to_communicate",
}
NEEDS_REPRESENTATIVE = frozenset({Consent.How.LASTING_POWER_OF_ATTORNEY, Consent.How.REPRESENTATIVE})

ENTER_REPRESENTATIVE = "Enter the name of the person who made the decision for them"
REVIEW_DATE_IN_PAST = "Review date must be today or in the future"
ALREADY_WITHDRAWN = "This decision has already been withdrawn, so nothing has changed"
OBJECTION_ALREADY_WITHDRAWN = "This objection has already been withdrawn, so nothing has changed"
ALREADY_OBJECTS = (
    "They already object to {organisation} seeing their record, so no second objection was recorded"
)
OWN_PRACTICE = (
    "They cannot object to their own practice seeing their record: to stop that, they would register with "
    "another practice"
)
PRESUMED_CAPACITY = (
    "With no impairment of the mind or brain the Mental Capacity Act presumes capacity: do not choose what "
    "they are unable to do"
)
DESCRIBE_IMPAIRMENT = "Describe the impairment or disturbance of the mind or brain"
NO_IMPAIRMENT_TO_DESCRIBE = "You said there is no impairment: remove the description, or choose Yes"
HAS_CAPACITY = (
    "This assessment found they have capacity for this decision, so they make it themselves: no "
    "best-interests decision can be recorded"
)
NOT_LATEST_ASSESSMENT = (
    "A later capacity assessment for this decision has been recorded: record a best-interests decision "
    "against that one"
)


def _lock(person: Person) -> None:
    """Serialise changes to one person's decisions, so two people withdrawing or objecting at once cannot
    both succeed."""
    Person.objects.select_for_update().only("pk").get(pk=person.pk)


def _check_review_date(review_date: dt.date | None) -> None:
    if review_date is not None and review_date < timezone.localdate():
        raise ValueError(REVIEW_DATE_IN_PAST)


def record_consent(
    *,
    person: Person,
    scope: str,
    decision: str,
    how: str,
    representative_name: str = "",
    review_date: dt.date | None = None,
    by: User,
) -> Consent:
    """Record a consent decision; the newest one not withdrawn is the one in force. A representative's name
    is kept only when a lasting power of attorney or another representative decided."""
    if (
        scope not in Consent.Scope.values
        or decision not in Consent.Decision.values
        or how not in Consent.How.values
    ):
        raise ValueError("Choose what the decision is about, what was decided and how")
    representative_name = representative_name.strip() if how in NEEDS_REPRESENTATIVE else ""
    if how in NEEDS_REPRESENTATIVE and not representative_name:
        raise ValueError(ENTER_REPRESENTATIVE)
    _check_review_date(review_date)
    detail = {"scope": scope, "decision": decision, "how": how}
    with access.changing(by, Permission.CHANGE_RECORD, action="record_consent", person=person, detail=detail):
        _lock(person)
        return Consent.objects.create(
            person=person,
            scope=scope,
            decision=decision,
            how=how,
            representative_name=representative_name,
            recorded_by=by,
            recorded_at=timezone.now(),
            review_date=review_date,
        )


def withdraw_consent(*, person: Person, consent: Consent, note: str, by: User) -> Consent:
    """Withdraw a consent decision (recorded in error, or no longer the person's wish): the one before it,
    if any, is in force again. Refused (ConsentRefused) if it is already withdrawn."""
    if consent.person_id != person.pk:
        raise ValueError("This consent decision is not this person's")
    note = note.strip()
    if not note:
        raise ValueError("Enter why this decision is being withdrawn")
    detail = {"consent": consent.pk, "scope": consent.scope}
    with access.changing(
        by, Permission.CHANGE_RECORD, action="withdraw_consent", person=person, detail=detail
    ):
        _lock(person)
        if Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=False).exists():
            raise ConsentRefused(ALREADY_WITHDRAWN)
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = by
        consent.withdrawal_note = note
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
        return consent


def record_objection(*, person: Person, organisation: Organisation, reason: str = "", by: User) -> Objection:
    """The person objects to `organisation` seeing their record: it loses its access at once. Refused
    (ConsentRefused) for their own practice, or while an objection to the organisation stands."""
    if organisation.pk == person.practice.organisation_id:
        raise ConsentRefused(OWN_PRACTICE)
    detail = {"organisation": organisation.code}
    with access.changing(
        by, Permission.CHANGE_RECORD, action="record_objection", person=person, detail=detail
    ):
        _lock(person)
        if consent_rules.objects_to(person, organisation):
            raise ConsentRefused(ALREADY_OBJECTS.format(organisation=organisation.name))
        return Objection.objects.create(
            person=person,
            organisation=organisation,
            reason=reason.strip(),
            recorded_by=by,
            recorded_at=timezone.now(),
        )


def withdraw_objection(*, person: Person, objection: Objection, by: User) -> Objection:
    """The organisation's access (if it has a relationship) comes back. Refused if already withdrawn."""
    if objection.person_id != person.pk:
        raise ValueError("This objection is not this person's")
    detail = {"objection": objection.pk, "organisation": objection.organisation.code}
    with access.changing(
        by, Permission.CHANGE_RECORD, action="withdraw_objection", person=person, detail=detail
    ):
        _lock(person)
        if Objection.objects.filter(pk=objection.pk, withdrawn_at__isnull=False).exists():
            raise ConsentRefused(OBJECTION_ALREADY_WITHDRAWN)
        objection.withdrawn_at = timezone.now()
        objection.withdrawn_by = by
        objection.save(update_fields=["withdrawn_at", "withdrawn_by"])
        return objection


def assess_capacity(
    *,
    person: Person,
    decision: str,
    impairment: bool,
    impairment_detail: str = "",
    unable_to: Collection[str] = (),
    notes: str = "",
    by: User,
) -> CapacityAssessment:
    """Record the two-stage test for one decision. `unable_to` names what, because of the impairment, the
    person cannot do (keys of UNABLE_TO). Without an impairment there is no stage 2: capacity is presumed."""
    if decision not in Consent.Scope.values:
        raise ValueError("Choose which decision the assessment is about")
    unknown = set(unable_to) - set(UNABLE_TO)
    if unknown:
        raise ValueError(f"Unknown stage 2 answers: {', '.join(sorted(unknown))}")
    impairment_detail = impairment_detail.strip()
    if impairment and not impairment_detail:
        raise ValueError(DESCRIBE_IMPAIRMENT)
    if not impairment and impairment_detail:
        raise ValueError(NO_IMPAIRMENT_TO_DESCRIBE)
    if not impairment and unable_to:
        raise ValueError(PRESUMED_CAPACITY)
    assessment = CapacityAssessment(
        person=person,
        decision=decision,
        impairment=impairment,
        impairment_detail=impairment_detail,
        notes=notes.strip(),
        assessed_by=by,
        **{field: key in unable_to for key, field in UNABLE_TO.items()},
    )
    detail = {"decision": decision, "lacks_capacity": assessment.lacks_capacity}
    with access.changing(
        by, Permission.CHANGE_RECORD, action="assess_capacity", person=person, detail=detail
    ):
        assessment.assessed_at = timezone.now()
        assessment.save()
        return assessment


def may_rest_best_interests_on(assessment: CapacityAssessment) -> str | None:
    """Why no best-interests decision can be made on this assessment, or None if one can."""
    if not assessment.lacks_capacity:
        return HAS_CAPACITY
    latest = consent_rules.latest_assessment(assessment.person, assessment.decision)
    if latest is not None and latest.pk != assessment.pk:
        return NOT_LATEST_ASSESSMENT
    return None


def record_best_interests(
    *,
    person: Person,
    assessment: CapacityAssessment,
    in_favour: bool,
    consulted: str,
    reason: str,
    review_date: dt.date | None = None,
    by: User,
) -> BestInterestsDecision:
    """A best-interests decision (MCA section 4) for the decision `assessment` was about. Refused
    (ConsentRefused) unless that is the latest assessment for the decision and it found a lack of capacity."""
    if assessment.person_id != person.pk:
        raise ValueError("This capacity assessment is not this person's")
    consulted, reason = consulted.strip(), reason.strip()
    if not consulted:
        raise ValueError("Enter who was consulted")
    if not reason:
        raise ValueError("Enter the reason for the decision")
    _check_review_date(review_date)
    detail = {"assessment": assessment.pk, "decision": assessment.decision, "in_favour": in_favour}
    with access.changing(
        by, Permission.CHANGE_RECORD, action="record_best_interests", person=person, detail=detail
    ):
        _lock(person)
        if refusal := may_rest_best_interests_on(assessment):
            raise ConsentRefused(refusal)
        return BestInterestsDecision.objects.create(
            person=person,
            capacity_assessment=assessment,
            decision=assessment.decision,
            in_favour=in_favour,
            consulted=consulted,
            reason=reason,
            decided_by=by,
            decided_at=timezone.now(),
            review_date=review_date,
        )
