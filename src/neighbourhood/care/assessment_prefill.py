"""What the record already says, domain by domain, taken when a holistic assessment is started.

Every line names where it came from and its date, e.g. "Emergency admission, 3 March 2026 (hospital record)",
so the assessor can tell what is known from what they find.
"""

import datetime as dt

from django.utils import timezone

from neighbourhood.casefinding.models import RiskScore
from neighbourhood.casefinding.queries import latest_run
from neighbourhood.presenters import long_date
from neighbourhood.register.models import Activity, Person, Relationship
from neighbourhood.register.queries import record_date
from neighbourhood.terminology import term_for

# Each deficit of the electronic Frailty Index (risk.codes.efi_deficit_names) and the domain it informs.
EFI_DEFICIT_DOMAINS = {
    "Falls": "falls",
    "Memory & cognitive problems": "cognition_and_mood",
    "Urinary incontinence": "continence",
    "Weight loss & anorexia": "nutrition",
    "Mobility and transfer problems": "function_and_mobility",
    "Housebound": "function_and_mobility",
    "Activity limitation": "function_and_mobility",
    "Social vulnerability": "social_situation_and_carers",
    "Polypharmacy": "medicines",
    "Anaemia & haematinic deficiency": "physical_health",
    "Arthritis": "physical_health",
    "Atrial fibrillation": "physical_health",
    "Cerebrovascular disease": "physical_health",
    "Chronic kidney disease": "physical_health",
    "Diabetes": "physical_health",
    "Dizziness": "physical_health",
    "Dyspnoea": "physical_health",
    "Foot problems": "physical_health",
    "Fragility fracture": "physical_health",
    "Hearing impairment": "physical_health",
    "Heart failure": "physical_health",
    "Heart valve disease": "physical_health",
    "Hypertension": "physical_health",
    "Hypotension / syncope": "physical_health",
    "Ischaemic heart disease": "physical_health",
    "Osteoporosis": "physical_health",
    "Parkinsonism & tremor": "physical_health",
    "Peptic ulcer": "physical_health",
    "Peripheral vascular disease": "physical_health",
    "Requirement for care": "physical_health",
    "Respiratory disease": "physical_health",
    "Skin ulcer": "physical_health",
    "Sleep disturbance": "physical_health",
    "Thyroid disease": "physical_health",
    "Urinary system disease": "physical_health",
    "Visual impairment": "physical_health",
}
# Ten or more repeat medicines: worth a structured medication review (NICE NG5's threshold for complex cases).
MEDICINES_REVIEW_AT = 10
ADMISSION_KINDS = (Activity.Kind.EMERGENCY_ADMISSION, Activity.Kind.AE_ATTENDANCE)


def record_prefill(person: Person, today: dt.date | None = None) -> dict[str, list[str]]:
    """{domain_key: [lines]} for every domain that the record says something about."""
    today = today or timezone.localdate()
    lines: dict[str, list[str]] = {}

    def add(domain: str, line: str) -> None:
        lines.setdefault(domain, []).append(line)

    for domain, line in [
        *_frailty(person),
        *_conditions(person),
        *_medicines(person, today),
        *_hospital_care(person, today),
        *_social(person),
    ]:
        add(domain, line)
    return lines


def _frailty(person: Person) -> list[tuple[str, str]]:
    run = latest_run()
    score = RiskScore.objects.filter(run=run, person=person).first() if run else None
    if score is None:
        return []
    source = f"electronic Frailty Index, case-finding data to {long_date(run.index_date)}"
    found = []
    if score.efi is not None:
        found.append(
            ("physical_health", f"eFI {score.efi:.2f}, {_efi_category(score.efi_category)} ({source})")
        )
    found.extend((EFI_DEFICIT_DOMAINS[name], f"{name} ({source})") for name in score.efi_deficits)
    return found


def _efi_category(category: str) -> str:
    return "fit" if category == "fit" else f"{category} frailty"


def _conditions(person: Person) -> list[tuple[str, str]]:
    return [
        ("physical_health", f"{c.name}, first recorded {long_date(c.first_recorded)} (GP record)")
        for c in person.conditions.order_by("first_recorded", "name")
    ]


def _medicines(person: Person, today: dt.date) -> list[tuple[str, str]]:
    current = [
        m
        for m in person.medications.filter(is_repeat=True, start_date__lte=today).order_by("name")
        if m.end_date is None or m.end_date > today
    ]
    if not current:
        return []
    count = len(current)
    summary = f"{count} current repeat medicine{'' if count == 1 else 's'} on {long_date(today)} (GP record)"
    if count >= MEDICINES_REVIEW_AT:
        summary += f": {MEDICINES_REVIEW_AT} or more, worth a medicines review"
    found = [("medicines", summary)]
    found.extend(
        ("medicines", f"{m.name}, repeat since {long_date(m.start_date)} (GP record)") for m in current
    )
    return found


def _year_before(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _hospital_care(person: Person, today: dt.date) -> list[tuple[str, str]]:
    """Emergency admissions and A&E attendances in the 12 months up to and including today."""
    found = []
    activities = person.activities.filter(
        kind__in=ADMISSION_KINDS, start_date__gte=_year_before(today), start_date__lte=today
    ).order_by("-start_date", "-id")
    for activity in activities:
        line = f"{activity.get_kind_display()}, {long_date(activity.start_date)} (hospital record)"
        if activity.detail:
            line += f": {term_for(activity.detail)}"
        found.append(("physical_health", line))
    return found


def _social(person: Person) -> list[tuple[str, str]]:
    as_of = f"register record, {long_date(record_date())}"
    found = []
    carers = Relationship.objects.filter(related_person=person, kind=Relationship.Kind.CARER_OF)
    for relationship in carers.select_related("person").order_by("start_date", "id"):
        since = (
            f"register record, since {long_date(relationship.start_date)}"
            if relationship.start_date
            else as_of
        )
        found.append(
            ("social_situation_and_carers", f"Cared for by {relationship.person.full_name} ({since})")
        )
    flags = [
        ("social_situation_and_carers", person.is_carer, "Is a carer for someone"),
        ("social_situation_and_carers", person.lives_alone, "Lives alone"),
        ("social_situation_and_carers", person.socially_isolated, "Socially isolated"),
        ("function_and_mobility", person.housebound, "Housebound"),
    ]
    found.extend((domain, f"{words} ({as_of})") for domain, present, words in flags if present)
    return found
