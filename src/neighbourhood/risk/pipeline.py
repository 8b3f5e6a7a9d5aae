"""One stratification run: eFI, admission risk, Wokingham flags, pyramid of need and the proactive care
register for every living registered person on the index date, from data dated before it.

The engine (DuckDB or Spark) does the heavy work and returns one row per person; everything after that (model
scores, ranks, flags, register) runs on that frame, so both engines give the same answers from the same lake.
Nothing is returned unless the whole run succeeds.
"""

import contextlib
import datetime as dt
import gc
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from neighbourhood.risk import efi, flags, pyramid
from neighbourhood.risk.dates import years_before
from neighbourhood.risk.explain import MIN_CONTRIBUTION, top_factors_of
from neighbourhood.risk.features import (
    UnstableDefinition,
    case_finding_events_kept,
    features_at,
    population,
    to_frame,
)
from neighbourhood.risk.lake import Lake, LakeError, connect, fetch, read_lake
from neighbourhood.risk.model import MAX_TRAINING_PEOPLE, MODEL_FEATURES, AdmissionRiskModel, train
from neighbourhood.risk.register import RegisterRules, select_register

EXPORT_COLUMNS = (
    "nhs_number",
    "efi",
    "efi_category",
    "admission_risk",
    "wokingham_flag",
    "segment",
    "on_register",
    "reasons",
)
PEOPLE_COLUMNS = (
    "nhs_number",
    "practice_ods_code",
    "age",
    "sex",
    "imd_decile",
    "ethnicity",
    "efi",
    "efi_category",
    "efi_deficits",
    "admission_risk",
    "risk_percentile",
    "risk_factors",
    "wokingham_flag",
    "wokingham_reasons",
    "segment",
    "on_register",
    "register_reasons",
    "cost_12m_gbp",
    "emergency_admissions_12m",
)


@dataclass(frozen=True)
class StratifyConfig:
    wokingham: flags.WokinghamThresholds = field(default_factory=flags.WokinghamThresholds)
    unstable: UnstableDefinition = field(default_factory=UnstableDefinition)
    register: RegisterRules = field(default_factory=RegisterRules)
    segments: tuple[pyramid.Segment, ...] = pyramid.DEFAULT_SEGMENTS


@dataclass
class StratificationResult:
    index_date: dt.date
    engine: str
    people: pd.DataFrame
    pyramid: pd.DataFrame
    entrants: pd.DataFrame
    leavers: pd.DataFrame
    model_info: dict
    warnings: list[str]
    counts: dict
    timings: dict
    model: AdmissionRiskModel
    data_dir: Path


def emergency_admissions_between(lake: Lake, start: dt.date, end: dt.date) -> ir.Table:
    """nhs_number of everyone with an emergency admission starting in [start, end)."""
    spells = lake.hospital_activity
    admitted = spells.filter(
        spells.setting == "inpatient",
        spells.admission_method == "emergency",
        spells.start_date >= start,
        spells.start_date < end,
    )
    return admitted.select("nhs_number").distinct().mutate(admitted=ibis.literal(1))


def train_on_earlier_window(
    lake: Lake,
    index_date: dt.date,
    config: StratifyConfig,
    population_size: int | None = None,
) -> AdmissionRiskModel:
    """Features 12 months before the index date; outcome: an emergency admission in the 12 months up to it.

    With more people than the model needs (MAX_TRAINING_PEOPLE), it trains on a fixed sample of them
    (`Lake.sample`), so the engine computes the training features for that sample only."""
    frame = training_frame(lake, index_date, config, population_size)
    return train(frame, frame["admitted"].to_numpy(), index_date=index_date)


def training_frame(
    lake: Lake, index_date: dt.date, config: StratifyConfig, population_size: int | None = None
) -> pd.DataFrame:
    """The people the model trains on: features 12 months before the index date and `admitted` (0/1) in the
    12 months up to it (the model report fits its baselines on the same people)."""
    training_date = years_before(index_date)
    if population_size:
        lake = lake.sample(math.ceil(1000 * MAX_TRAINING_PEOPLE / population_size))
    table = features_at(lake, training_date, unstable=config.unstable).drop("efi_deficit_mask")
    outcome = emergency_admissions_between(lake, training_date, index_date)
    table = table.left_join(outcome, "nhs_number").drop("nhs_number_right")
    return to_frame(table.mutate(admitted=table.admitted.fill_null(0)))


def _departures(lake: Lake, previous: set[str], index_date: dt.date) -> dict[str, str]:
    """Why each previous register member is not among the living registered people on the index date."""
    if not previous:
        return {}
    living = population(lake, index_date).select("nhs_number")
    people = lake.people.filter(lake.people.nhs_number.isin(sorted(previous)))
    gone = fetch(people.anti_join(living, "nhs_number"))
    reasons = {}
    for row in gone.itertuples(index=False):
        if pd.notna(row.date_of_death) and row.date_of_death <= index_date:
            reasons[row.nhs_number] = "Died"
        elif row.practice_ods_code is None or pd.isna(row.practice_ods_code):
            reasons[row.nhs_number] = "No registered practice in the data (left the practice?)"
        elif row.registration_date is not None and row.registration_date >= index_date:
            reasons[row.nhs_number] = "Registered again after the index date"
        else:
            reasons[row.nhs_number] = "Invalid NHS number in the data"
    return reasons


@contextlib.contextmanager
def _garbage_collector_paused():
    """A run makes millions of short-lived objects (Ibis's query trees, per-person lists) and no cycles worth
    collecting; left on, Python's collector walks every live object again and again (about a second at 900,000
    people)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_garbage_collector_paused()
def run_stratification(
    data_dir: Path | str,
    *,
    index_date: dt.date,
    engine: str = "duckdb",
    config: StratifyConfig | None = None,
    nominations=(),
    exclusions=(),
    previous_register=(),
    model: AdmissionRiskModel | Path | str | None = None,
    spark_session=None,
    spark_master: str | None = None,
    spark_conf: dict[str, str] | None = None,
) -> StratificationResult:
    """Everything for one index date. `model`: a trained model, a saved model directory, or None to train
    one on the 12 months before the index date from the same lake. Spark: `spark_session`, or one started for
    `spark_master` (a cluster, e.g. spark://HOST:7077; default local mode) with `spark_conf` settings."""
    config = config or StratifyConfig()
    if isinstance(model, str | Path):
        model = AdmissionRiskModel.load(Path(model))
    if not isinstance(index_date, dt.date) or isinstance(index_date, dt.datetime):
        raise TypeError(f"index_date must be a datetime.date, got {type(index_date).__name__}")
    if index_date > dt.date.today():
        raise LakeError(f"The index date {index_date.isoformat()} is in the future")
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        started = now

    con = connect(engine, spark_session, spark_master=spark_master, spark_conf=spark_conf)
    lake = read_lake(con, data_dir, engine=engine)
    lap("read_lake")
    with case_finding_events_kept(lake, index_date) as kept:
        people = to_frame(features_at(kept, index_date, unstable=config.unstable))
        lap("features")
        if people.empty:
            raise LakeError(
                f"No living registered people with a valid NHS number on {index_date.isoformat()}"
            )
        if model is None:
            model = train_on_earlier_window(kept, index_date, config, len(people))
            lap("train")

    aged = people["age"] >= efi.EFI_MIN_AGE
    efi.add_scores(people)
    people["admission_risk"], strongest = model.score_strongest(people, at_least=MIN_CONTRIBUTION)
    people["risk_factors"] = top_factors_of(
        people, list(MODEL_FEATURES), strongest.rows, strongest.features, strongest.values
    )
    lap("score")

    people["cost_12m_gbp"] = (people["hospital_cost_12m"] + people["social_care_cost_12m"]).round(2)
    people["wokingham_flag"], people["wokingham_reasons"] = flags.wokingham(people, config.wokingham)
    people["risk_rank"] = pyramid.risk_rank(people["nhs_number"], people["admission_risk"])
    people["risk_percentile"] = pyramid.risk_percentile(people["risk_rank"])
    people["segment"] = pyramid.segment_of(people["risk_rank"], config.segments)
    previous = set(previous_register)
    selection = select_register(
        people,
        rules=config.register,
        nominations=nominations,
        exclusions=exclusions,
        previous_register=previous,
        departures=_departures(lake, previous - set(people["nhs_number"]) if previous else set(), index_date),
    )
    people["on_register"] = selection.on_register
    people["register_reasons"] = selection.reasons
    lap("flags_register")

    counts = dict(lake.counts) | {
        "living_registered": len(people),
        "aged_65_plus": int(aged.sum()),
        "adults": int((people["age"] >= config.register.adult_age).sum()),
        "register_target": selection.target_size,
        "register_size": int(people["on_register"].sum()),
        "wokingham_flagged": int(people["wokingham_flag"].sum()),
        "entrants": len(selection.entrants),
        "leavers": len(selection.leavers),
    }
    extra = [c for c in people.columns if c not in PEOPLE_COLUMNS]
    return StratificationResult(
        index_date=index_date,
        engine=engine,
        people=people[[*PEOPLE_COLUMNS, *extra]],
        pyramid=pyramid.pyramid(people, config.segments),
        entrants=selection.entrants,
        leavers=selection.leavers,
        model_info=model.info,
        warnings=[*lake.warnings, *selection.warnings],
        counts=counts,
        timings=timings,
        model=model,
        data_dir=Path(data_dir),
    )


def export_frame(result: StratificationResult) -> pd.DataFrame:
    people = result.people

    def reasons(row) -> str:
        parts = []
        if row.register_reasons:
            parts.append("Register: " + "; ".join(row.register_reasons))
        if row.wokingham_reasons:
            parts.append("Wokingham flag: " + "; ".join(row.wokingham_reasons))
        if row.risk_factors:
            parts.append("Risk factors: " + "; ".join(row.risk_factors))
        return " | ".join(parts)

    frame = people[list(EXPORT_COLUMNS[:-1])].copy()
    frame["reasons"] = [reasons(row) for row in people.itertuples(index=False)]
    return frame


def export(result: StratificationResult, path: Path | str) -> Path:
    """One row per person with exactly EXPORT_COLUMNS, as CSV or Parquet by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"Export to .csv or .parquet, not {path.name!r}")
    frame = export_frame(result)
    partial = path.with_name(path.name + ".partial")
    if suffix == ".csv":
        frame.to_csv(partial, index=False)
    else:
        frame.to_parquet(partial, index=False)
    partial.replace(path)
    return path


__all__ = [
    "EXPORT_COLUMNS",
    "StratificationResult",
    "StratifyConfig",
    "export",
    "run_stratification",
]
