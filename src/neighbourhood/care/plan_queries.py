"""Reading a person's care and support plan, and presenting its content heading by heading for the pages
and the PDF (so templates only lay it out)."""

from dataclasses import dataclass, field

from neighbourhood.care import plan_content
from neighbourhood.care.models import CarePlan, CarePlanVersion
from neighbourhood.care.plan_content import CHOICE, Heading
from neighbourhood.register.models import Person

NOT_RECORDED = "Not recorded"
GOAL_STATUS_TAG_CLASSES = {
    "not_started": "nhsuk-tag--grey",
    "in_progress": "nhsuk-tag--blue",
    "achieved": "nhsuk-tag--green",
    "no_longer_relevant": "nhsuk-tag--white",
}


@dataclass(frozen=True)
class Cell:
    text: str
    tag_classes: str = ""  # shown as an NHS.UK tag when set


@dataclass
class HeadingView:
    key: str
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (label, value in words) for a summary list
    columns: list[str] = field(default_factory=list)  # for repeated rows: a table
    rows: list[list[Cell]] = field(default_factory=list)
    row_label: str = ""
    changed: bool = False


def plan_for(person: Person) -> CarePlan | None:
    return CarePlan.objects.filter(person=person).select_related("updated_by").first()


def versions_of(plan: CarePlan) -> list[CarePlanVersion]:
    return list(plan.versions.select_related("saved_by").order_by("-number"))


def version_of(plan: CarePlan, number: int) -> CarePlanVersion | None:
    return plan.versions.select_related("saved_by").filter(number=number).first()


def name_of(user) -> str:
    if user is None:
        return "someone no longer on the system"
    return user.get_full_name() or user.get_username()


def heading_view(content: dict | None, heading: Heading, *, changed: bool = False) -> HeadingView:
    saved = plan_content.normalised(content)[heading.key]
    view = HeadingView(heading.key, heading.title, changed=changed)
    if heading.rows:
        view.row_label = heading.rows.row_label
        view.columns = [column.label for column in heading.rows.columns]
        for row in saved[heading.rows.name]:
            cells = []
            for column in heading.rows.columns:
                text = column.display(row[column.name])
                tag = GOAL_STATUS_TAG_CLASSES.get(row[column.name], "") if column.kind == CHOICE else ""
                cells.append(Cell(text or NOT_RECORDED, tag))
            view.rows.append(cells)
    else:
        view.items = [(f.label, f.display(saved[f.name]) or NOT_RECORDED) for f in heading.fields]
    return view


def heading_views(
    content: dict | None, *, changed: list[str] = (), only: list[str] | None = None
) -> list[HeadingView]:
    """Every heading of `content` (or those in `only`), in the plan's order, marking the `changed` ones."""
    return [
        heading_view(content, heading, changed=heading.key in changed)
        for heading in plan_content.HEADINGS
        if only is None or heading.key in only
    ]


def side_by_side(
    older: dict | None, newer: dict | None, *, only: list[str] | None = None
) -> list[tuple[HeadingView, HeadingView]]:
    """Pairs of the same heading from two contents, the headings that differ marked changed in both."""
    changed = plan_content.changed_headings(older, newer)
    return list(
        zip(
            heading_views(older, changed=changed, only=only),
            heading_views(newer, changed=changed, only=only),
            strict=True,
        )
    )
