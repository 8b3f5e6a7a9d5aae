"""The one definition of the personalised care and support plan: its headings (PRSB's personalised care and
support plan and "About me" standards) and their fields, the shape of CarePlan.content, and how two contents
differ heading by heading.

CarePlan.content (and CarePlanVersion.content) is {heading key: {field name: value}}. A value is a string:
free text, a choice's value, or a date as ISO "2027-01-31" ("" when not given). A heading with repeated rows
(goals, agreed actions) holds {rows name: [{column name: value}, ...]} instead, blank rows left out.
"""

import datetime as dt
from dataclasses import dataclass

TEXT = "text"  # one line
LONG_TEXT = "long_text"  # a textarea
DATE = "date"
CHOICE = "choice"

GOAL_STATUSES = (
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("achieved", "Achieved"),
    ("no_longer_relevant", "No longer relevant"),
)
DNACPR_STATUSES = (
    ("not_discussed", "Not discussed"),
    ("for_cpr", "For CPR"),
    ("dnacpr_in_place", "DNACPR decision in place"),
)
DNACPR_IN_PLACE = "dnacpr_in_place"
RESPECT_STATUSES = (
    ("none", "No ReSPECT form"),
    ("in_place", "ReSPECT form in place"),
)
RESPECT_IN_PLACE = "in_place"
AGREED_HOW = (
    ("in_person", "In person"),
    ("phone", "By phone"),
    ("video", "By video"),
    ("representative", "With their representative"),
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""

    def display(self, value: str) -> str:
        """The value in words (dates as 23 November 2026), "" when not given."""
        if not value:
            return ""
        if self.kind == CHOICE:
            return dict(self.choices).get(value, value)
        if self.kind == DATE:
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
        return value


@dataclass(frozen=True)
class Rows:
    """Repeated rows under one heading: `row_label` names one ("Goal" -> "Goal 2")."""

    name: str
    row_label: str
    columns: tuple[Field, ...]


@dataclass(frozen=True)
class Heading:
    key: str
    title: str
    fields: tuple[Field, ...] = ()
    rows: Rows | None = None


GOALS = Rows(
    "goals",
    "Goal",
    (
        Field("goal", "Goal"),
        Field("owner", "Owner", hint="Who leads on it: the person, a carer or a professional"),
        Field("target_date", "Target date", DATE),
        Field("status", "Status", CHOICE, GOAL_STATUSES),
    ),
)
ACTIONS = Rows(
    "actions",
    "Action",
    (
        Field("need", "Need"),
        Field("action", "Agreed action"),
        Field("who", "Who does it"),
        Field("due_date", "By when", DATE),
    ),
)

HEADINGS: tuple[Heading, ...] = (
    Heading(
        "about_me",
        "About me and how to communicate with me",
        (
            Field("about_me", "About me", LONG_TEXT, hint="What the person wants people to know about them"),
            Field(
                "communication",
                "How to communicate with me",
                LONG_TEXT,
                hint="For example: hearing, sight, language, an interpreter, the best time to call",
            ),
        ),
    ),
    Heading("what_matters", "What matters to me", (Field("what_matters", "What matters to me", LONG_TEXT),)),
    Heading("goals", "My goals", rows=GOALS),
    Heading("needs_and_actions", "My needs and agreed actions", rows=ACTIONS),
    Heading(
        "carers",
        "Carers",
        (
            Field("carer_name", "Carer's name"),
            Field("carer_relationship", "Relationship to the person"),
            Field("carer_contact", "Carer's contact details"),
            Field("carers_views", "Carers' views", LONG_TEXT),
        ),
    ),
    Heading(
        "contingency",
        "My contingency and urgent care plan",
        (
            Field("if_unwell", "What to do if I become unwell", LONG_TEXT),
            Field("call_in_the_day", "Who to call in the day", LONG_TEXT),
            Field("call_at_night", "Who to call at night and at weekends", LONG_TEXT),
            Field("treatment_escalation", "Treatment escalation plan", LONG_TEXT),
            Field("anticipatory_decisions", "Other anticipatory decisions", LONG_TEXT),
            Field("dnacpr", "DNACPR", CHOICE, DNACPR_STATUSES),
            Field("dnacpr_date", "Date of the DNACPR decision", DATE),
            Field("respect", "ReSPECT", CHOICE, RESPECT_STATUSES),
            Field("respect_date", "Date of the ReSPECT form", DATE),
            Field("preferred_place_of_care", "Preferred place of care"),
            Field("preferred_place_of_death", "Preferred place of death"),
        ),
    ),
    Heading(
        "medication", "Medication review", (Field("medication_review_date", "Medication review date", DATE),)
    ),
    Heading("discharge", "Discharge plan", (Field("discharge_plan", "Discharge plan", LONG_TEXT),)),
    Heading("review", "Review", (Field("next_review_date", "Next review date", DATE),)),
    Heading(
        "agreement",
        "Agreed with me",
        (
            Field("agreed_on", "Date agreed", DATE),
            Field("agreed_how", "How it was agreed", CHOICE, AGREED_HOW),
            Field("agreed_by", "Agreed by", hint="The name and role of who agreed it with the person"),
        ),
    ),
)
HEADINGS_BY_KEY = {heading.key: heading for heading in HEADINGS}


def empty_heading(heading: Heading) -> dict:
    if heading.rows:
        return {heading.rows.name: []}
    return {field.name: "" for field in heading.fields}


def normalised(content: dict | None) -> dict:
    """Every heading and field present (missing ones empty), nothing else: so contents compare fairly."""
    content = content or {}
    result = {}
    for heading in HEADINGS:
        saved = content.get(heading.key) or {}
        if heading.rows:
            columns = [column.name for column in heading.rows.columns]
            result[heading.key] = {
                heading.rows.name: [
                    {name: str(row.get(name, "")) for name in columns}
                    for row in saved.get(heading.rows.name, [])
                ]
            }
        else:
            result[heading.key] = {field.name: str(saved.get(field.name, "")) for field in heading.fields}
    return result


def changed_headings(before: dict | None, after: dict | None) -> list[str]:
    """The keys of the headings whose content differs, in the plan's order."""
    old, new = normalised(before), normalised(after)
    return [heading.key for heading in HEADINGS if old[heading.key] != new[heading.key]]


def titles(keys: list[str]) -> list[str]:
    return [HEADINGS_BY_KEY[key].title for key in keys if key in HEADINGS_BY_KEY]


def value(content: dict | None, heading_key: str, field_name: str) -> str:
    return normalised(content)[heading_key].get(field_name, "")


def date_value(content: dict | None, heading_key: str, field_name: str) -> dt.date | None:
    text = value(content, heading_key, field_name)
    return dt.date.fromisoformat(text) if text else None
