"""Every change to a care and support plan: saving a new version, refused if someone else saved first."""

from django.utils import timezone

from neighbourhood.care import plan_content, plan_rules
from neighbourhood.care.models import CarePlan, CarePlanVersion
from neighbourhood.casefinding.queries import person_case_finding
from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person


class ChangedMeanwhile(Exception):
    """Someone saved the plan after the version the user edited: nothing was saved. `current` is the plan
    as it is now, `headings` the keys of the headings changed since the version the user edited."""

    def __init__(self, *, current: CarePlan, headings: list[str]):
        super().__init__("The care plan was changed while you were editing it")
        self.current = current
        self.headings = headings


class NothingChanged(ValueError):
    """The save would make a version identical to the current one."""


def save_plan(*, person: Person, content: dict, edited_version: int, by: User) -> CarePlanVersion:
    """Save `content` (care.plan_content's shape) as the plan's next version. `edited_version` is the version
    the user started from (0 for a new plan): if the plan has moved on since, ChangedMeanwhile is raised and
    nothing is saved. NothingChanged if it is the same as the current version; ValueError if it breaks the
    review-date rule."""
    content = plan_content.normalised(content)
    today = timezone.localdate()
    next_review = plan_content.date_value(content, "review", "next_review_date")
    on_register = person_case_finding(person).on_register
    if problem := plan_rules.next_review_problem(next_review, today=today, on_register=on_register):
        raise ValueError(problem)
    detail: dict = {}  # filled in below: `changing` audits it once the block has run
    with access.changing(by, Permission.CHANGE_RECORD, action="edit_care_plan", person=person, detail=detail):
        # Serialise saves of one person's plan (PostgreSQL; SQLite's transactions already are), so that two
        # people saving at once cannot both pass the version check, nor both create the plan.
        Person.objects.select_for_update().only("pk").get(pk=person.pk)
        now = timezone.now()
        plan = CarePlan.objects.filter(person=person).first()
        if plan is None:
            plan = CarePlan(person=person, version=0, content={}, created_at=now)
        if plan.version != edited_version:
            edited = plan.versions.filter(number=edited_version).first() if plan.pk else None
            since = plan_content.changed_headings(edited.content if edited else {}, plan.content)
            raise ChangedMeanwhile(current=plan, headings=since)
        changed = plan_content.changed_headings(plan.content, content)
        if not changed:
            raise NothingChanged("You did not change anything, so no new version was saved")
        plan.version += 1
        plan.content = content
        plan.next_review_date = next_review
        plan.agreed_on = plan_content.date_value(content, "agreement", "agreed_on")
        plan.updated_at = now
        plan.updated_by = by
        plan.save()
        detail.update(version=plan.version, changed_headings=changed)
        return CarePlanVersion.objects.create(
            plan=plan,
            number=plan.version,
            content=content,
            changed_headings=changed,
            saved_by=by,
            saved_at=now,
        )
