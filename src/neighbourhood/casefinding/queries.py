"""Reads for case finding. Pages always read the latest finished run; nothing is recomputed per request."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from neighbourhood.casefinding.models import Exclusion, Nomination, Review, RiskRun, RiskScore
from neighbourhood.governance import access
from neighbourhood.governance.models import User
from neighbourhood.register.models import Person, Practice

SORTS = {
    "risk": ("-admission_risk", "Admission risk (highest first)"),
    "efi": ("-efi", "eFI (highest first)"),
    "cost": ("-cost_12m_gbp", "Cost in the last 12 months (highest first)"),
    "name": ("person__family_name", "Family name (A to Z)"),
}


def latest_run() -> RiskRun | None:
    return RiskRun.objects.filter(status=RiskRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()


@dataclass(frozen=True)
class WorklistFilters:
    practice: str = ""
    segment: str = ""
    efi_category: str = ""
    flagged: bool = False
    on_register: bool = False
    not_reviewed: bool = False
    sort: str = "risk"


def worklist(user: User, run: RiskRun, filters: WorklistFilters) -> QuerySet[RiskScore]:
    """Scores in `run` for the people `user` may see, filtered and sorted as asked."""
    scores = RiskScore.objects.filter(run=run, person__in=access.viewable_people(user)).select_related(
        "person", "person__practice"
    )
    if filters.practice:
        scores = scores.filter(person__practice__ods_code=filters.practice)
    if filters.segment:
        scores = scores.filter(segment=filters.segment)
    if filters.efi_category:
        scores = scores.filter(efi_category=filters.efi_category)
    if filters.flagged:
        scores = scores.filter(wokingham_flag=True)
    if filters.on_register:
        scores = scores.filter(on_register=True)
    if filters.not_reviewed:
        reviewed = Review.objects.filter(person=OuterRef("person"), run=run)
        scores = scores.filter(~Exists(reviewed))
    order, _ = SORTS.get(filters.sort, SORTS["risk"])
    return scores.order_by(order, "person__family_name", "id")


def practices_for(user: User) -> list[tuple[str, str]]:
    """(ODS code, name) of the practices of the people `user` may view, for the worklist's practice filter."""
    practices = Practice.objects.filter(patients__in=access.viewable_people(user)).distinct().order_by("name")
    return [(p.ods_code, p.name) for p in practices]


def segments_in(run: RiskRun) -> list[str]:
    return [row["segment"] for row in run.pyramid] if run.pyramid else []


@dataclass
class PersonCaseFinding:
    latest: RiskScore | None
    history: list[RiskScore]
    nominations: list[Nomination]  # active and in effect (the latest run read them)
    exclusions: list[Exclusion]  # active and in effect
    reviewed_in_latest: bool
    # An active decision made since the latest run started: shown at once, applied by the next run, undoable.
    pending_nomination: Nomination | None = None
    pending_exclusion: Exclusion | None = None

    @property
    def pending(self) -> Nomination | Exclusion | None:
        return self.pending_nomination or self.pending_exclusion

    @property
    def on_register(self) -> bool:
        """On the register as of the latest run, and not removed since."""
        return bool(self.latest and self.latest.on_register and self.pending_exclusion is None)


def decided_since_latest_run(decided_at, run: RiskRun | None = None) -> bool:
    """Whether a decision made at `decided_at` is still to be read by a run: a run reads the active decisions
    after it starts (casefinding.runs), so one made since the latest finished run started is pending."""
    run = run if run is not None else latest_run()
    return run is None or decided_at >= run.started_at


def pending_decision(person: Person, run: RiskRun | None = None) -> Nomination | Exclusion | None:
    """The person's active nomination or exclusion that the next run will apply, if any."""
    run = run if run is not None else latest_run()
    decisions = [
        *person.nominations.filter(is_active=True).select_related("nominated_by"),
        *person.exclusions.filter(is_active=True).select_related("excluded_by"),
    ]
    pending = [d for d in decisions if decided_since_latest_run(_decided_at(d), run)]
    return max(pending, key=_decided_at, default=None)


def _decided_at(decision: Nomination | Exclusion):
    return decision.nominated_at if isinstance(decision, Nomination) else decision.excluded_at


def person_case_finding(person: Person) -> PersonCaseFinding:
    run = latest_run()
    history = list(
        RiskScore.objects.filter(person=person, run__status=RiskRun.Status.SUCCEEDED)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")[:12]
    )
    latest = history[0] if history and history[0].run_id == getattr(run, "pk", None) else None
    pending = pending_decision(person, run)
    nominations = list(person.nominations.filter(is_active=True).select_related("nominated_by"))
    exclusions = list(person.exclusions.filter(is_active=True).select_related("excluded_by"))
    return PersonCaseFinding(
        latest=latest,
        history=history,
        nominations=[n for n in nominations if n != pending],
        exclusions=[e for e in exclusions if e != pending],
        reviewed_in_latest=bool(latest and Review.objects.filter(person=person, run=latest.run).exists()),
        pending_nomination=pending if isinstance(pending, Nomination) else None,
        pending_exclusion=pending if isinstance(pending, Exclusion) else None,
    )


def current_register_nhs_numbers() -> list[str]:
    run = latest_run()
    if run is None:
        return []
    return list(run.scores.filter(on_register=True).values_list("person__nhs_number", flat=True))


def active_nominations() -> list[tuple[str, str, str]]:
    return [
        (n.person.nhs_number, n.reason, n.nominated_by.get_username())
        for n in Nomination.objects.filter(is_active=True).select_related("person", "nominated_by")
    ]


def active_exclusions() -> list[tuple[str, str]]:
    return [
        (e.person.nhs_number, e.get_reason_display() + (f": {e.detail}" if e.detail else ""))
        for e in Exclusion.objects.filter(is_active=True).select_related("person")
    ]
