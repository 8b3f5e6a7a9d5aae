"""Reads for holistic assessments. Access is decided by `governance.access`, never here."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from neighbourhood.care.assessment_domains import DOMAINS, is_not_assessed, not_assessed_reason
from neighbourhood.care.models import HolisticAssessment
from neighbourhood.governance.models import AuditEvent
from neighbourhood.register.models import Person

NOT_STARTED, COMPLETED, NOT_ASSESSED = "Not started", "Completed", "Not assessed"


def assessments_for(person: Person) -> QuerySet[HolisticAssessment]:
    return person.holistic_assessments.select_related("started_by", "updated_by", "completed_by")


def assessment_for(person: Person, assessment_id: int) -> HolisticAssessment:
    """The person's assessment with this id; 404 for another person's, as for one that does not exist."""
    return get_object_or_404(assessments_for(person), pk=assessment_id)


def draft_for(person: Person) -> HolisticAssessment | None:
    return person.holistic_assessments.filter(status=HolisticAssessment.Status.DRAFT).first()


def domain_status(answer: str) -> str:
    if not answer.strip():
        return NOT_STARTED
    return NOT_ASSESSED if is_not_assessed(answer) else COMPLETED


@dataclass(frozen=True)
class DomainView:
    """One domain of one assessment as the pages show it."""

    key: str
    heading: str
    hint: str
    record_lines: list[str]  # what the record said when the assessment was started
    answer: str
    status: str

    @property
    def not_assessed_reason(self) -> str:
        return not_assessed_reason(self.answer)


def domain_views(assessment: HolisticAssessment) -> list[DomainView]:
    return [
        DomainView(
            key=d.key,
            heading=d.heading,
            hint=d.hint,
            record_lines=list(assessment.prefill.get(d.key, [])),
            answer=assessment.answers.get(d.key, ""),
            status=domain_status(assessment.answers.get(d.key, "")),
        )
        for d in DOMAINS
    ]


def domains_changed_since(assessment: HolisticAssessment, version: int) -> list[str]:
    """The keys of the domains whose answers were saved after `version`, in the form's order.

    Each save's audit row says which domains it changed (assessment_actions.save_assessment); the audit trail
    is the record of who changed what, so it is read rather than keeping a second history."""
    saves = AuditEvent.objects.filter(
        action="edit_assessment",
        outcome=AuditEvent.Outcome.ALLOWED,
        person_id=assessment.person_id,
        detail__assessment=assessment.pk,
    ).only("detail")
    changed = {
        key for save in saves if save.detail.get("version", 0) > version for key in save.detail["changed"]
    }
    return [d.key for d in DOMAINS if d.key in changed]
