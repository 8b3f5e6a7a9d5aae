"""Per-person features on a given date, from data dated before it, as one Ibis expression.

Used twice: at the index date (scoring, flags, eFI) and 12 months earlier (training the admission-risk model).
Heavy work (joins, counts over events and activity) runs in the engine; one row per person comes back.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace

import ibis
import ibis.expr.types as ir
import pandas as pd

from neighbourhood.lake import states
from neighbourhood.risk import efi
from neighbourhood.risk.codes import COPD, DIABETES, HYPERTENSION, codes_table, ltc_names
from neighbourhood.risk.dates import Window, years_before
from neighbourhood.risk.lake import Lake, engine_quiet, fetch_arrow


@dataclass(frozen=True)
class UnstableDefinition:
    """When a long-term condition counts as unstable in the 12 months before the date
    (docs/case-finding.md)."""

    systolic_bp_mmhg: float = (
        160.0  # latest reading at or above: stage 2 hypertension, uncontrolled (NICE NG136)
    )
    hba1c_mmol_mol: float = 75.0  # latest reading at or above: poor control, high risk (NICE NG28 bands)
    copd_exacerbations: int = 1  # any recorded exacerbation
    # any emergency admission whose primary diagnosis is a code of the condition also makes it unstable


COUNT_COLUMNS = (
    "efi_deficit_count",
    "ltc_count",
    "unstable_ltc_count",
    "repeat_oral_medicines",
    "falls_12m",
    "ae_attendances_12m",
    "emergency_admissions_12m",
    "elective_admissions_12m",
    "bed_days_12m",
    "emergency_admissions_year_before",
    "ae_attendances_year_before",
    "social_care_services",
    "social_care_assessments_12m",
)
MONEY_COLUMNS = ("hospital_cost_12m", "social_care_cost_12m")


def condition_column(condition: str) -> str:
    """`Heart failure` -> `has_heart_failure`: one 0/1 column per long-term condition in the codelist."""
    return "has_" + "".join(c if c.isalnum() else "_" for c in condition.lower()).strip("_")


CONDITION_COLUMNS = {condition_column(c): c for c in ltc_names()}  # in the order of their bits
YES_NO_COLUMNS = ("is_carer", "lives_alone", "housebound", "self_medication_concern", *CONDITION_COLUMNS)
# counts as 32-bit and yes/no as 8-bit integers, everywhere: a third of the bytes of 64-bit numbers to bring
# out of the engine, sort and keep for a million people
COLUMN_TYPES = (
    {"age": "int32"} | dict.fromkeys(COUNT_COLUMNS, "int32") | dict.fromkeys(YES_NO_COLUMNS, "int8")
)


def population(lake: Lake, as_of: dt.date) -> ir.Table:
    """Living registered people on `as_of`: valid NHS number, a practice, registered before and not died by
    then."""
    people = lake.valid_people
    living = people.filter(
        # no registration date: in the people table with a practice, so registered (the record agrees)
        people.registration_date.isnull() | (people.registration_date < as_of),
        people.date_of_death.isnull() | (people.date_of_death > as_of),
    )
    born = living.date_of_birth
    birthday_passed = (born.month() * 100 + born.day()) <= (as_of.month * 100 + as_of.day)
    age = (as_of.year - born.year()) - birthday_passed.ifelse(0, 1)
    return living.select(
        "nhs_number",
        "practice_ods_code",
        "sex",
        "ethnicity",
        imd_decile=living.imd_decile.cast("float64"),
        age=age.cast(COLUMN_TYPES["age"]),
    )


def coded_events(lake: Lake, as_of: dt.date) -> ir.Table:
    """GP events before `as_of` with a code case finding reads, tagged with its kind and name.

    The one pass over the events table (most GP codes are in no list); a run keeps the result as
    `lake.case_finding_events` and computes the features for every date from it."""
    if lake.case_finding_events is not None:
        kept, kept_before = lake.case_finding_events, lake.case_finding_events_before
        if as_of > kept_before:
            raise ValueError(f"Events were kept only before {kept_before}, not {as_of}")
        # on the date they were kept for, no filter: the engine reads the kept table as it is, not a copy
        return kept if as_of == kept_before else kept.filter(kept.date < as_of)
    events = lake.events.filter(lake.events.date < as_of)
    return events.inner_join(codes_table(), "snomed_code").select(
        "nhs_number", "date", "value", "kind", "name", "bit"
    )


@contextlib.contextmanager
def case_finding_events_kept(lake: Lake, as_of: dt.date) -> Iterator[Lake]:
    """The lake with `coded_events(lake, as_of)` kept as `case_finding_events`: on DuckDB a temporary table,
    released on leaving, so every date computed inside reads it instead of the events table. Spark plans the
    reuse itself (and cannot cache an expression holding Ibis's in-memory tables)."""
    coded = coded_events(lake, as_of)
    if lake.engine != "duckdb":
        yield replace(lake, case_finding_events=coded, case_finding_events_before=as_of)
        return
    with engine_quiet():
        coded = coded.cache()
    try:
        yield replace(lake, case_finding_events=coded, case_finding_events_before=as_of)
    finally:
        coded.release()


FINDING_KINDS = ("finding", "measurement")
CODED_STATES = ("housebound", "carer_code", "lives_alone")  # the states (`lake.states`) that are features


@ibis.udf.agg.builtin
def bit_or(value: int) -> int:
    """BIT_OR, built into DuckDB and Spark SQL (Ibis has no Spark rule for its own)."""


@ibis.udf.scalar.builtin
def bit_count(value: int) -> int:
    """BIT_COUNT, the number of bits set: built into DuckDB and Spark SQL."""


def coded_summary(coded: ir.Table, window: Window) -> ir.Table:
    """Everything read from coded events, in one pass: the deficits and long-term conditions ever recorded
    (as bit masks: a code's `bit`, so no list per person and no de-duplication) and the findings."""
    found = coded.kind.isin(FINDING_KINDS)
    in_window = coded.date >= window.start

    def finding(name: str) -> ir.BooleanValue:
        return found & (coded.name == name)

    # the coded states' categories sit in the case-finding codelist (kind "finding") or in observations
    # (kind "measurement"): either way, by name
    summary = coded.group_by("nhs_number").agg(
        efi_coded_mask=bit_or(coded.bit, where=coded.kind == "efi"),
        ltc_mask=bit_or(coded.bit, where=coded.kind == "ltc"),
        self_medication_concern=(finding("self_medication_concern") & in_window).any(),
        **states.coded_state_aggregates(coded, lambda _codelist, category: finding(category), CODED_STATES),
    )
    # the contract's rule (`neighbourhood.lake.states`): the latest code decides, and on the same day the
    # "no longer" code wins
    coded_states = states.coded_state_values(summary, CODED_STATES)
    return summary.select(
        "nhs_number",
        "efi_coded_mask",
        "ltc_mask",
        lives_alone=coded_states["lives_alone"].cast("int64"),
        self_medication_concern=summary.self_medication_concern.cast("int64"),
        carer_code=coded_states["carer_code"].cast("int64"),
        housebound=coded_states["housebound"].cast("int64"),
    )


def _falls(coded: ir.Table, window: Window) -> ir.Table:
    """nhs_number, falls_12m: days with a fall recorded in the window (a distinct count over just these rows:
    inside `coded_summary` it would hash every coded event)."""
    falls = coded.filter(coded.kind.isin(FINDING_KINDS), coded.name == "fall", coded.date >= window.start)
    return falls.group_by("nhs_number").agg(falls_12m=falls.date.nunique())


def _latest_value(coded: ir.Table, measurement: str, window: Window) -> ir.Table:
    """nhs_number, latest: the highest value on the most recent day with a reading in the window."""
    readings = coded.filter(
        coded.name == measurement, coded.date >= window.start, coded.value.notnull()
    ).select("nhs_number", "date", "value")
    last_day = readings.group_by("nhs_number").agg(last_date=readings.date.max())
    on_last_day = readings.inner_join(last_day, "nhs_number").filter(lambda t: t.date == t.last_date)
    return on_last_day.group_by("nhs_number").agg(latest=on_last_day.value.max())


def _unstable_conditions(
    lake: Lake, coded: ir.Table, window: Window, unstable: UnstableDefinition
) -> ir.Table:
    """nhs_number, unstable_ltc_count: distinct long-term conditions unstable in the window."""
    ltc_codes = codes_table().filter(lambda t: t.kind == "ltc").select("snomed_code", condition="name")
    admissions = _activity_in(lake.hospital_activity, window)
    admitted = admissions.filter(
        admissions.setting == "inpatient", admissions.admission_method == "emergency"
    ).inner_join(ltc_codes, admissions.diagnosis_code == ltc_codes.snomed_code)
    from_admissions = admitted.select("nhs_number", "condition")

    def tagged(people: ir.Table, condition: str) -> ir.Table:
        return people.select("nhs_number", condition=ibis.literal(condition))

    def measured(measurement: str, threshold: float, condition: str) -> ir.Table:
        latest = _latest_value(coded, measurement, window)
        return tagged(latest.filter(latest.latest >= threshold), condition)

    exacerbated = coded.filter(coded.name == "copd_exacerbation", coded.date >= window.start)
    exacerbations = exacerbated.group_by("nhs_number").agg(n=exacerbated.count())
    from_records = ibis.union(
        measured("systolic_bp", unstable.systolic_bp_mmhg, HYPERTENSION),
        measured("hba1c", unstable.hba1c_mmol_mol, DIABETES),
        tagged(exacerbations.filter(exacerbations.n >= unstable.copd_exacerbations), COPD),
    )
    # a reading or an exacerbation makes a condition unstable only where the condition is recorded
    recorded = coded.filter(coded.kind == "ltc", coded.name.isin([HYPERTENSION, DIABETES, COPD]))
    diagnosed = from_records.semi_join(
        recorded.select("nhs_number", condition=recorded.name), ["nhs_number", "condition"]
    )
    unstable_rows = from_admissions.union(diagnosed, distinct=True)
    return unstable_rows.group_by("nhs_number").agg(unstable_ltc_count=unstable_rows.count())


def _activity_in(hospital: ir.Table, window: Window) -> ir.Table:
    return hospital.filter(hospital.start_date >= window.start, hospital.start_date < window.end)


def _hospital(lake: Lake, window: Window) -> ir.Table:
    """Use in the last 12 months, and emergency use in the 12 months before that (a persistent pattern)."""
    earlier = Window(start=years_before(window.start), end=window.start)
    spells = _activity_in(lake.hospital_activity, Window(start=earlier.start, end=window.end))
    recent = spells.start_date >= window.start
    inpatient = spells.setting == "inpatient"
    emergency = inpatient & (spells.admission_method == "emergency")
    # a spell still open on the date counts only the days before it: its discharge is in the future
    end = ibis.least(spells.end_date.fill_null(window.end), ibis.date(window.end))
    stay = end.delta(spells.start_date, unit="day")
    # counts, not sums of booleans: DuckDB sums integers into 128-bit numbers, slow to bring out
    return spells.group_by("nhs_number").agg(
        ae_attendances_12m=spells.count(where=(spells.setting == "ae") & recent),
        emergency_admissions_12m=spells.count(where=emergency & recent),
        elective_admissions_12m=spells.count(
            where=inpatient & (spells.admission_method == "elective") & recent
        ),
        bed_days_12m=stay.sum(where=inpatient & recent).cast("int64"),
        hospital_cost_12m=spells.cost_gbp.sum(where=recent),
        emergency_admissions_year_before=spells.count(where=emergency & ~recent),
        ae_attendances_year_before=spells.count(where=(spells.setting == "ae") & ~recent),
    )


def _social_care(lake: Lake, window: Window) -> ir.Table:
    care = lake.social_care.filter(lake.social_care.start_date < window.end)
    service = care.activity == "service"
    open_on_date = care.end_date.isnull() | (care.end_date >= window.end)
    overlap_start = ibis.greatest(care.start_date, ibis.date(window.start))
    overlap_end = ibis.least(care.end_date.fill_null(window.end), ibis.date(window.end))
    overlap_days = ibis.greatest(overlap_end.delta(overlap_start, unit="day"), 0)
    return care.group_by("nhs_number").agg(
        social_care_services=care.count(where=service & open_on_date),
        social_care_assessments_12m=care.count(
            where=(care.activity == "assessment") & (care.start_date >= window.start)
        ),
        social_care_cost_12m=(care.weekly_cost_gbp.fill_null(0) * overlap_days / 7).sum(where=service),
    )


def _medicines(lake: Lake, window: Window) -> list[ir.Table]:
    """Repeat oral medicines current on the date, and distinct medicines prescribed in the 12 months before
    it (for polypharmacy, `efi.deficit_mask`): two passes, as one would make the engine hash every
    prescription twice."""
    meds = lake.medications
    current_repeat_oral = meds.filter(
        meds.start_date < window.end,
        meds.end_date.isnull() | (meds.end_date > window.end),
        meds.is_repeat,
        meds.route == "oral",
    )
    in_window = meds.filter(
        meds.start_date < window.end, meds.end_date.isnull() | (meds.end_date > window.start)
    )
    return [
        current_repeat_oral.group_by("nhs_number").agg(
            repeat_oral_medicines=current_repeat_oral.name.nunique()
        ),
        in_window.group_by("nhs_number").agg(medicines_12m=in_window.name.nunique()),
    ]


def _carer_relationships(lake: Lake, as_of: dt.date) -> ir.Table | None:
    if lake.relationships is None:
        return None
    carers = states.carer_relationships(lake.relationships, as_of)
    return carers.select("nhs_number", carer_relationship=ibis.literal(1))


def features_at(lake: Lake, as_of: dt.date, *, unstable: UnstableDefinition | None = None) -> ir.Table:
    """One row per living registered person on `as_of` with every feature; counts are 0 when there is
    nothing. The deficits and conditions also come as bit masks (`efi_deficit_mask`, `ltc_mask`), which
    `to_frame` unpacks."""
    unstable = unstable or UnstableDefinition()
    window = Window.year_before(as_of)
    coded = coded_events(lake, as_of)
    parts = [
        coded_summary(coded, window),
        _falls(coded, window),
        _unstable_conditions(lake, coded, window, unstable),
        _hospital(lake, window),
        _social_care(lake, window),
        *_medicines(lake, window),
    ]
    carer_links = _carer_relationships(lake, as_of)
    if carer_links is not None:
        parts.append(carer_links)
    table = population(lake, as_of)
    for part in parts:
        table = table.left_join(part, "nhs_number").drop("nhs_number_right")
    carer = table.carer_code.fill_null(0)
    if carer_links is not None:
        carer = ibis.greatest(carer, table.carer_relationship.fill_null(0))
    fills = {
        column: table[column].fill_null(0).cast(COLUMN_TYPES[column])
        for column in (*COUNT_COLUMNS, *YES_NO_COLUMNS)
        if column in table.columns
    }
    fills |= {column: table[column].fill_null(0.0).cast("float64") for column in MONEY_COLUMNS}
    deficits = efi.deficit_mask(table.efi_coded_mask, table.medicines_12m).cast("int64")
    conditions = table.ltc_mask.fill_null(0).cast("int64")
    table = table.mutate(
        is_carer=carer.cast(COLUMN_TYPES["is_carer"]),
        efi_deficit_mask=deficits,
        efi_deficit_count=bit_count(deficits).cast(COLUMN_TYPES["efi_deficit_count"]),
        ltc_mask=conditions,
        ltc_count=bit_count(conditions).cast(COLUMN_TYPES["ltc_count"]),
        **fills,
    )
    drop = [
        c
        for c in ("carer_code", "carer_relationship", "efi_coded_mask", "medicines_12m")
        if c in table.columns
    ]
    return table.drop(*drop)


# what the eFI and the Wokingham flag read (`reference.efi_and_flag_inputs` computes the same in pandas)
EFI_AND_FLAG_INPUTS = (
    "age",
    "efi_deficit_count",
    "emergency_admissions_12m",
    "ae_attendances_12m",
    "repeat_oral_medicines",
    "falls_12m",
    "self_medication_concern",
    "unstable_ltc_count",
    "hospital_cost_12m",
    "social_care_cost_12m",
)


def efi_and_flag_inputs(
    lake: Lake, as_of: dt.date, *, unstable: UnstableDefinition | None = None
) -> ir.Table:
    """`features_at` narrowed to EFI_AND_FLAG_INPUTS: the engine leaves out the parts nothing here reads."""
    return features_at(lake, as_of, unstable=unstable).select("nhs_number", *EFI_AND_FLAG_INPUTS)


def to_frame(table: ir.Table) -> pd.DataFrame:
    """Execute and return a frame sorted by NHS number with plain numpy dtypes (same on every engine), with
    the deficits' names as `efi_deficits` and a 0/1 column per long-term condition (CONDITION_COLUMNS)."""
    # sorted by the engine, in its own memory (no second copy of the result here); one block per column, so
    # numbers come over without another copy of the whole frame
    arrow = fetch_arrow(table.order_by("nhs_number"))
    frame = arrow.to_pandas(date_as_object=True, split_blocks=True, self_destruct=True)
    del arrow  # self_destruct: its buffers now belong to the frame
    for column, dtype in COLUMN_TYPES.items():
        if column in frame and frame[column].dtype != dtype:
            frame[column] = frame[column].astype(dtype)
    for column in (*MONEY_COLUMNS, "imd_decile"):
        if column in frame and frame[column].dtype != "float64":
            frame[column] = frame[column].astype("float64")
    if "efi_deficit_mask" in frame:
        frame["efi_deficits"] = efi.deficit_names(frame.pop("efi_deficit_mask").to_numpy())
    if "ltc_mask" in frame:
        conditions = frame.pop("ltc_mask").to_numpy()
        for bit, column in enumerate(CONDITION_COLUMNS):
            frame[column] = ((conditions >> bit) & 1).astype(COLUMN_TYPES[column])
    return frame
