"""Reads for the register pages. Access is decided by `governance.access`, never here."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from neighbourhood import presenters
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent, User
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Activity, Condition, Medication, Person, Relationship
from neighbourhood.terminology import term_for

TIMELINE_MONTHS = 24
SOCIAL_CARE_KINDS = {
    "care_act_assessment": "Care Act assessment",
    "carers_assessment": "Carer's assessment",
    "review": "Review",
    "home_care": "Home care",
    "day_care": "Day care",
    "residential_care": "Residential care",
    "nursing_care": "Nursing care",
    "reablement": "Reablement",
    "telecare": "Telecare",
    "equipment": "Equipment",
}


def find_people(
    user: User,
    *,
    nhs_number: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
) -> QuerySet[Person]:
    """Matching people that `user` may view; people outside their relationships are simply not found."""
    people = access.viewable_people(user).select_related("practice")
    if nhs_number:
        return people.filter(nhs_number=nhs_number)
    return people.filter(family_name__iexact=family_name, date_of_birth=date_of_birth).order_by(
        "family_name", "given_name"
    )


def record_date() -> dt.date:
    """The date the register describes: the as-of date of the latest load, or today if never loaded."""
    load = AuditEvent.objects.filter(action="load_register", outcome=AuditEvent.Outcome.ALLOWED).first()
    as_of = load.detail.get("as_of") if load else None
    return dt.date.fromisoformat(as_of) if as_of else timezone.localdate()


@dataclass(frozen=True)
class TimelineEntry:
    start_date: dt.date
    end_date: dt.date | None
    what: str
    detail: str
    length_of_stay_days: int | None  # admissions only; None while still in hospital
    weekly_cost_gbp: float | None  # social care services only
    ongoing: bool


@dataclass(frozen=True)
class RelatedPerson:
    """A carer, someone cared for or a next of kin, and whether the viewer may open their record (decided
    here, by the access service, so the page links only to records that would open)."""

    person: Person
    may_open: bool


@dataclass(frozen=True)
class PersonSummary:
    person: Person
    record_date: dt.date
    age: presenters.Age | None  # on record_date, and saying so
    carers: list[RelatedPerson]
    cared_for: list[RelatedPerson]
    next_of_kin: list[RelatedPerson]
    conditions: list[Condition]
    current_medications: list[Medication]
    current_repeat_count: int
    timeline: list[TimelineEntry]

    @property
    def social_context(self) -> list[tuple[str, bool]]:
        p = self.person
        return [
            ("Lives alone", p.lives_alone),
            ("Housebound", p.housebound),
            ("Socially isolated", p.socially_isolated),
            ("Is a carer", p.is_carer),
            ("Known to adult social care", p.known_to_social_care),
        ]


def person_by_nhs_number(nhs_number: str) -> Person | None:
    return (
        Person.objects.select_related("practice__pcn", "local_authority", "practice__local_authority")
        .filter(nhs_number=nhs_number)
        .first()
    )


def _timeline_entry(activity: Activity) -> TimelineEntry:
    if activity.kind.startswith("social_care"):
        detail = SOCIAL_CARE_KINDS.get(activity.detail, activity.detail.replace("_", " ").capitalize())
    elif activity.detail:
        detail = term_for(activity.detail)
    else:
        detail = ""
    is_admission = activity.kind in (Activity.Kind.EMERGENCY_ADMISSION, Activity.Kind.ELECTIVE_ADMISSION)
    return TimelineEntry(
        start_date=activity.start_date,
        end_date=activity.end_date,
        what=activity.get_kind_display(),
        detail=detail,
        length_of_stay_days=(activity.end_date - activity.start_date).days
        if is_admission and activity.end_date
        else None,
        weekly_cost_gbp=float(activity.weekly_cost_gbp)
        if activity.kind == Activity.Kind.SOCIAL_CARE_SERVICE and activity.weekly_cost_gbp is not None
        else None,
        ongoing=activity.end_date is None,
    )


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _related(viewer: User, people: list[Person]) -> list[RelatedPerson]:
    return [RelatedPerson(p, access.decide(viewer, Permission.VIEW_RECORD, p).allowed) for p in people]


def person_summary(person: Person, viewer: User) -> PersonSummary:
    """`person`'s record as `viewer` sees it (they may open it; related people only where they may too)."""
    on = record_date()
    relationships = Relationship.objects.select_related("person", "related_person")
    carers = [r.person for r in relationships.filter(related_person=person, kind=Relationship.Kind.CARER_OF)]
    cared_for = [
        r.related_person for r in relationships.filter(person=person, kind=Relationship.Kind.CARER_OF)
    ]
    next_of_kin = [
        r.person for r in relationships.filter(related_person=person, kind=Relationship.Kind.NEXT_OF_KIN_OF)
    ]
    current = [
        m for m in person.medications.filter(start_date__lte=on) if m.end_date is None or m.end_date > on
    ]
    since = _years_before(on, TIMELINE_MONTHS // 12)
    timeline = [
        _timeline_entry(a)
        for a in person.activities.filter(start_date__gte=since, start_date__lte=on).order_by(
            "-start_date", "-id"
        )
    ]
    return PersonSummary(
        person=person,
        record_date=on,
        age=presenters.age_on(person.date_of_birth, on, person.date_of_death),
        carers=_related(viewer, carers),
        cared_for=_related(viewer, cared_for),
        next_of_kin=_related(viewer, next_of_kin),
        conditions=list(person.conditions.all()),
        current_medications=sorted(current, key=lambda m: (not m.is_repeat, m.name)),
        current_repeat_count=sum(1 for m in current if m.is_repeat),
        timeline=timeline,
    )
