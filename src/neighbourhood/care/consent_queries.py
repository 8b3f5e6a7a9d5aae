"""Reads for the consent and capacity pages. What is in force comes from consent_rules, the one definition."""

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils import timezone

from neighbourhood.care import consent_actions, consent_rules
from neighbourhood.care.models import BestInterestsDecision, CapacityAssessment, Consent, Objection
from neighbourhood.register.models import Person

# What each kind of sharing means for the person, in the words the consent page uses.
SCOPE_NAMES = {
    Consent.Scope.SHARING: "Sharing their record with voluntary-sector organisations",
    Consent.Scope.MDT: "Being discussed at a multidisciplinary team (MDT) meeting",
}
WILL_NOT_HAPPEN = {
    Consent.Scope.SHARING: "sharing with voluntary-sector organisations will not happen",
    Consent.Scope.MDT: "they will not be discussed at an MDT meeting",
}
WILL_HAPPEN = {
    Consent.Scope.SHARING: "voluntary-sector organisations in their care team may see their record",
    Consent.Scope.MDT: "they may be put on an MDT meeting's agenda",
}


@dataclass(frozen=True)
class ScopeStatus:
    scope: str
    name: str
    in_force: consent_rules.InForce | None
    review_due: bool

    @property
    def words(self) -> str:
        if self.in_force is None:
            return f"No decision recorded: {WILL_NOT_HAPPEN[self.scope]}"
        effect = WILL_HAPPEN[self.scope] if self.in_force.allows else WILL_NOT_HAPPEN[self.scope]
        return f"{self.in_force.words}: {effect}"


@dataclass(frozen=True)
class AssessmentRow:
    assessment: CapacityAssessment
    unable_to: list[str]  # what stage 2 found, in words
    may_record_best_interests: bool  # the latest for its decision, and it found a lack of capacity

    @property
    def outcome(self) -> str:
        return "Lacks capacity for this decision" if self.assessment.lacks_capacity else "Has capacity"


@dataclass(frozen=True)
class ConsentOverview:
    scopes: list[ScopeStatus]
    history: list[Consent]
    objections: list[Objection]
    assessments: list[AssessmentRow]
    best_interests: list[BestInterestsDecision]


UNABLE_TO_WORDS = {
    "understand": "understand the information",
    "retain": "retain it",
    "weigh": "use or weigh it",
    "communicate": "communicate their decision",
}


def _unable_to(assessment: CapacityAssessment) -> list[str]:
    return [
        UNABLE_TO_WORDS[key] for key, field in consent_actions.UNABLE_TO.items() if getattr(assessment, field)
    ]


def review_due(review_date: dt.date | None, today: dt.date) -> bool:
    """Due once the review date has passed (on the day itself it is not yet overdue)."""
    return review_date is not None and review_date < today


def consent_overview(person: Person, today: dt.date | None = None) -> ConsentOverview:
    today = today or timezone.localdate()
    scopes = []
    for scope in Consent.Scope:
        in_force = consent_rules.decision_in_force(person, scope)
        scopes.append(
            ScopeStatus(
                scope,
                SCOPE_NAMES[scope],
                in_force,
                in_force is not None and review_due(in_force.review_date, today),
            )
        )
    assessments = list(
        person.capacity_assessments.select_related("assessed_by").order_by("-assessed_at", "-id")
    )
    return ConsentOverview(
        scopes=scopes,
        history=list(
            person.consents.select_related("recorded_by", "withdrawn_by").order_by("-recorded_at", "-id")
        ),
        objections=list(
            person.objections.filter(withdrawn_at__isnull=True)
            .select_related("organisation", "recorded_by")
            .order_by("-recorded_at", "-id")
        ),
        assessments=[
            AssessmentRow(a, _unable_to(a), consent_actions.may_rest_best_interests_on(a) is None)
            for a in assessments
        ],
        best_interests=list(
            person.best_interests_decisions.select_related("decided_by").order_by("-decided_at", "-id")
        ),
    )


def consent_of(person: Person, consent_id: int) -> Consent:
    return get_object_or_404(Consent.objects.select_related("recorded_by"), pk=consent_id, person=person)


def objection_of(person: Person, objection_id: int) -> Objection:
    return get_object_or_404(Objection.objects.select_related("organisation"), pk=objection_id, person=person)


def assessment_of(person: Person, assessment_id: int) -> CapacityAssessment:
    return get_object_or_404(
        CapacityAssessment.objects.select_related("person", "assessed_by"), pk=assessment_id, person=person
    )


def best_interests_question(scope: str) -> str:
    return {
        Consent.Scope.SHARING: "Is sharing their record with the voluntary sector in their best interests?",
        Consent.Scope.MDT: "Is being discussed at an MDT meeting in their best interests?",
    }[scope]
