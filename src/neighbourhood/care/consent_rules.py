"""What a person's consent, objections and best-interests decisions allow: the one definition, read by the
access service (governance.access) and shown on the consent page.

For each kind of sharing (Consent.Scope) the newest decision in force wins: a consent given or refused and not
withdrawn, or a best-interests decision made after an assessment found the person lacks capacity for it.
A best-interests decision stands only while the latest capacity assessment for that decision still finds a
lack of capacity: someone found to have capacity decides for themselves (Mental Capacity Act, section 1).
Without one in force the sharing does not happen.
"""

from dataclasses import dataclass
from datetime import date, datetime

from neighbourhood import presenters
from neighbourhood.care.models import BestInterestsDecision, CapacityAssessment, Consent, Objection
from neighbourhood.register.models import Organisation, Person


@dataclass(frozen=True)
class InForce:
    allows: bool
    words: str  # e.g. "Consent given verbally on 3 December 2026", shown to staff and audited
    at: datetime
    review_date: date | None = None  # when the decision should be looked at again, if anyone said


def latest_assessment(person: Person, scope: str) -> CapacityAssessment | None:
    return (
        CapacityAssessment.objects.filter(person=person, decision=scope)
        .order_by("-assessed_at", "-id")
        .first()
    )


def standing_best_interests(person: Person, scope: str) -> BestInterestsDecision | None:
    """The newest best-interests decision that still stands for this decision, if any."""
    latest = latest_assessment(person, scope)
    if latest is None or not latest.lacks_capacity:
        return None
    decisions = (
        BestInterestsDecision.objects.filter(person=person, decision=scope)
        .select_related("capacity_assessment")
        .order_by("-decided_at", "-id")
    )
    # A best-interests decision stands only on a finding that capacity is lacking.
    return next((d for d in decisions if d.capacity_assessment.lacks_capacity), None)


def decision_in_force(person: Person, scope: str) -> InForce | None:
    consent = (
        Consent.objects.filter(person=person, scope=scope, withdrawn_at__isnull=True)
        .order_by("-recorded_at", "-id")
        .first()
    )
    best_interests = standing_best_interests(person, scope)
    candidates = []
    if consent is not None:
        given = consent.decision == Consent.Decision.GIVEN
        how = consent.get_how_display()
        if consent.representative_name:
            how = f"{how} ({consent.representative_name})"
        when = presenters.long_date(consent.recorded_at)  # in local time: the day staff saw it recorded
        words = f"{'Consent given' if given else 'Consent refused'} {how[0].lower()}{how[1:]} on {when}"
        candidates.append(InForce(given, words, consent.recorded_at, consent.review_date))
    if best_interests is not None:
        when = presenters.long_date(best_interests.decided_at)
        verdict = "in favour" if best_interests.in_favour else "against"
        candidates.append(
            InForce(
                best_interests.in_favour,
                f"Best-interests decision {verdict} on {when}",
                best_interests.decided_at,
                best_interests.review_date,
            )
        )
    return max(candidates, key=lambda c: c.at, default=None)


def allows(person: Person, scope: str) -> InForce | None:
    """The decision in force if it allows this sharing, else None."""
    found = decision_in_force(person, scope)
    return found if found is not None and found.allows else None


def objects_to(person: Person, organisation: Organisation) -> bool:
    return Objection.objects.filter(
        person=person, organisation=organisation, withdrawn_at__isnull=True
    ).exists()


def people_objecting_to(organisation: Organisation):
    """As a subquery of person ids."""
    return Objection.objects.filter(organisation=organisation, withdrawn_at__isnull=True).values("person_id")


# Sharing with these organisations needs the person's consent (or a best-interests decision); health and
# social care share for direct care without it, unless the person objects.
NEEDS_SHARING_CONSENT = frozenset({Organisation.Kind.VOLUNTARY})
