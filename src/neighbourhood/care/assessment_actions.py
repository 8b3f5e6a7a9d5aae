"""Every change to a holistic assessment: starting one with what the record says, saving it, completing it."""

import datetime as dt

from django.utils import timezone

from neighbourhood.care import assessment_queries
from neighbourhood.care.assessment_domains import DOMAINS, completion_errors
from neighbourhood.care.assessment_prefill import record_prefill
from neighbourhood.care.models import HolisticAssessment
from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person


class DraftExists(Exception):
    """The person already has an assessment in progress: continue that one rather than start another."""

    def __init__(self, draft: HolisticAssessment):
        super().__init__("This person already has a holistic assessment in progress")
        self.draft = draft


class AssessmentCompleted(Exception):
    """A completed assessment is read only."""

    def __init__(self):
        super().__init__("This assessment has been completed, so it can no longer be changed")


class IncompleteAssessment(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class EditConflict(Exception):
    """Someone saved the assessment after the version this save was edited from. `current` is the
    assessment as it is now (its version is the one to name to overwrite it); `changed` the keys of the
    domains saved since the edited version."""

    def __init__(self, current: HolisticAssessment, changed: list[str]):
        super().__init__("Someone else saved this assessment while you were editing it")
        self.current = current
        self.changed = changed

    @property
    def saved_by(self) -> User:
        return self.current.updated_by

    @property
    def saved_at(self) -> dt.datetime:
        return self.current.updated_at


class _NothingChanged(Exception):
    pass


def _lock_person(person: Person) -> None:
    """Serialise starts for one person (PostgreSQL; SQLite's transactions already are), so two people
    starting at once cannot make two drafts."""
    Person.objects.select_for_update().only("pk").get(pk=person.pk)


def start_assessment(*, person: Person, by: User) -> HolisticAssessment:
    """A draft assessment holding what the record says now. Raises DraftExists (nothing changed) while one
    is in progress: there is never more than one draft."""
    detail: dict = {}  # filled in below: `changing` audits this dict once the block has run
    with access.changing(
        by, Permission.CHANGE_RECORD, action="start_assessment", person=person, detail=detail
    ):
        _lock_person(person)
        draft = assessment_queries.draft_for(person)
        if draft is not None:
            raise DraftExists(draft)
        now = timezone.now()
        assessment = HolisticAssessment.objects.create(
            person=person,
            prefill=record_prefill(person),
            started_by=by,
            started_at=now,
            updated_by=by,
            updated_at=now,
        )
        detail.update(assessment=assessment.pk, version=assessment.version)
    return assessment


def save_assessment(
    *, assessment: HolisticAssessment, answers: dict[str, str], edited_version: int, complete: bool, by: User
) -> HolisticAssessment:
    """Save what was written for each domain (`answers`, by domain key), edited from `edited_version`; with
    `complete`, also complete it. Nothing is changed when it raises:
      - EditConflict if someone saved a newer version meanwhile (save again naming that version to overwrite);
      - AssessmentCompleted if it has been completed;
      - IncompleteAssessment if `complete` and a domain is not done (completion_errors).
    Saving with nothing changed and no completion changes nothing and is not audited as a change."""
    answers = {d.key: answers.get(d.key, "").strip() for d in DOMAINS}
    if complete and (errors := completion_errors(answers)):
        raise IncompleteAssessment(errors)
    detail: dict = {}  # filled in below: `changing` audits this dict once the block has run
    try:
        with access.changing(
            by, Permission.CHANGE_RECORD, action="edit_assessment", person=assessment.person, detail=detail
        ):
            current = (
                HolisticAssessment.objects.select_for_update()
                .select_related("updated_by", "person")
                .get(pk=assessment.pk)
            )
            if current.status == HolisticAssessment.Status.COMPLETED:
                raise AssessmentCompleted()
            if current.version != edited_version:
                raise EditConflict(current, assessment_queries.domains_changed_since(current, edited_version))
            changed = [key for key, text in answers.items() if text != current.answers.get(key, "")]
            if not changed and not complete:
                raise _NothingChanged()
            now = timezone.now()
            current.answers = {key: text for key, text in answers.items() if text}
            current.version += 1
            current.updated_by, current.updated_at = by, now
            if complete:
                current.status = HolisticAssessment.Status.COMPLETED
                current.completed_by, current.completed_at = by, now
            current.save()
            detail.update(assessment=current.pk, version=current.version, changed=changed, completed=complete)
    except _NothingChanged:
        pass
    return current
