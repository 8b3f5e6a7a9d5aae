"""Generate a synthetic neighbourhood: the Parquet lake described in docs/data-model.md.

Pure Python (numpy and pyarrow), no Django, so tests, `neighbourhood synth` and `neighbourhood demo`
all call `generate_neighbourhood`. People are made in fixed-size chunks, each with its own random
generator spawned from the seed, so the output depends only on the seed, the number of people, the
index date and the tariff, and memory stays bounded however many people are asked for.
"""

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from neighbourhood.nhs_number import sample_test_numbers

from .area import Area, build_area
from .columns import EventLog, dates, strings
from .conditions import draw_conditions, draw_deaths
from .frailty import draw_frailty
from .gp_record import record_diagnoses, record_measurements
from .hospital import draw_hospital, true_risk
from .medications import draw_medications
from .population import ETHNIC_CODES, draw_cohort, name_columns
from .routine import draw_routine_care
from .schema import CHUNKED_TABLES, SCHEMAS
from .social import draw_carers, draw_social_care
from .tariff import Tariff
from .timeline import Timeline, from_day

CHUNK_SIZE = 50_000
DEFAULT_INDEX_DATE = date(2026, 4, 1)


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    people: int
    seed: int
    index_date: date
    rows: dict[str, int] = field(default_factory=dict)


def generate_neighbourhood(
    out_dir: Path,
    people: int,
    seed: int,
    index_date: date = DEFAULT_INDEX_DATE,
    tariff: Tariff | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerationSummary:
    """Write every lake table for `people` synthetic people into `out_dir`, replacing earlier output.

    `progress`, if given, is called with the number of people done so far: 0 once the request has been
    checked, then after each chunk. Fails at once (ValueError, before `progress` is first called) for
    more people than the reserved test range of NHS numbers holds.
    """
    if people < 1:
        raise ValueError(f"Asked for {people} people; ask for at least 1")
    tariff = tariff or Tariff()
    timeline = Timeline(index_date)
    n_chunks = -(-people // CHUNK_SIZE)
    area_seed, *chunk_seeds = np.random.SeedSequence(seed).spawn(n_chunks + 1)
    area_rng = np.random.default_rng(area_seed)
    nhs_numbers = sample_test_numbers(area_rng, people)
    area = build_area(area_rng, people)
    if progress is not None:
        progress(0)

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        rows = dict.fromkeys(SCHEMAS, 0)
        list_sizes = np.zeros(len(area.practice_codes), dtype=np.int64)
        for name in CHUNKED_TABLES:
            (staging / name).mkdir()
        for chunk, chunk_seed in enumerate(chunk_seeds):
            start = chunk * CHUNK_SIZE
            numbers = nhs_numbers[start : start + CHUNK_SIZE]
            tables, practice = _chunk_tables(
                np.random.default_rng(chunk_seed), chunk, numbers, area, timeline, tariff
            )
            list_sizes += np.bincount(practice, minlength=len(list_sizes))
            for name, table in tables.items():
                pq.write_table(table, staging / name / f"part-{chunk:05d}.parquet")
                rows[name] += table.num_rows
            if progress is not None:
                progress(start + len(numbers))
        for name, table in _area_tables(area, list_sizes).items():
            pq.write_table(table, staging / f"{name}.parquet")
            rows[name] = table.num_rows
        metadata = _metadata(seed, people, timeline, tariff)
        (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        _replace_output(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GenerationSummary(out_dir=out_dir, people=people, seed=seed, index_date=index_date, rows=rows)


def _chunk_tables(rng, chunk: int, numbers: np.ndarray, area: Area, timeline: Timeline, tariff: Tariff):
    cohort = draw_cohort(rng, numbers, area, timeline)
    conditions = draw_conditions(rng, cohort, timeline)
    death = draw_deaths(rng, cohort, conditions, timeline)
    events = EventLog()
    record_diagnoses(conditions, events)
    frailty = draw_frailty(rng, cohort, conditions, death, timeline, events)
    record_measurements(rng, cohort, conditions, death, timeline, events)
    carers = draw_carers(rng, cohort, conditions, frailty, death, timeline, events, SCHEMAS["relationships"])
    social_care, using_social_care = draw_social_care(
        rng, cohort, conditions, frailty, carers, death, timeline, tariff, chunk, SCHEMAS["social_care"]
    )
    risk = true_risk(rng, cohort, conditions, frailty, using_social_care, death, timeline)
    hospital = draw_hospital(
        rng, cohort, conditions, risk, death, timeline, tariff, chunk, SCHEMAS["hospital_activity"]
    )
    medications = draw_medications(rng, cohort, conditions, death, timeline, SCHEMAS["medications"])
    draw_routine_care(rng, cohort, conditions, death, timeline, events)
    given, family = name_columns(rng, cohort.female)
    people = pa.Table.from_arrays(
        [
            cohort.nhs_numbers,
            given,
            family,
            dates(cohort.date_of_birth),
            strings(("male", "female"), cohort.female.astype(np.int64)),
            strings(ETHNIC_CODES, cohort.ethnicity),
            strings(area.practice_codes, cohort.practice),
            strings(area.lsoa_codes, cohort.lsoa),
            pa.array(cohort.imd_decile, type=pa.int8()),
            dates(cohort.registration_date),
            dates(death),
        ],
        schema=SCHEMAS["people"],
    )
    truth = pa.Table.from_arrays([cohort.nhs_numbers, pa.array(risk.truth)], schema=SCHEMAS["truth"])
    tables = {
        "people": people,
        "events": events.table(cohort.nhs_numbers, SCHEMAS["events"]),
        "medications": medications,
        "hospital_activity": hospital,
        "social_care": social_care,
        "relationships": carers.relationships,
        "truth": truth,
    }
    return tables, cohort.practice


def _area_tables(area: Area, list_sizes: np.ndarray) -> dict[str, pa.Table]:
    n_practices = len(area.practice_codes)
    n_lsoas = len(area.lsoa_codes)
    practices = pa.Table.from_arrays(
        [
            pa.array(area.practice_codes),
            pa.array(area.practice_names),
            pa.array([area.pcn_code] * n_practices),
            pa.array([area.pcn_name] * n_practices),
            pa.array([area.local_authority_code] * n_practices),
            pa.array([area.local_authority_name] * n_practices),
            pa.array(list_sizes, type=pa.int64()),
        ],
        schema=SCHEMAS["practices"],
    )
    lsoas = pa.Table.from_arrays(
        [
            pa.array(area.lsoa_codes),
            pa.array([area.local_authority_code] * n_lsoas),
            pa.array(area.lsoa_imd_decile, type=pa.int8()),
        ],
        schema=SCHEMAS["lsoas"],
    )
    return {"practices": practices, "lsoas": lsoas}


def _metadata(seed: int, people: int, timeline: Timeline, tariff: Tariff) -> dict:
    try:
        code_version = version("neighbourhood")
    except PackageNotFoundError:
        code_version = "unknown"
    return {
        "generator": "neighbourhood synth",
        "seed": seed,
        "people": people,
        "index_date": timeline.index_date.isoformat(),
        "history_start": from_day(timeline.history_start).isoformat(),
        "follow_up_end": from_day(timeline.follow_up_end).isoformat(),
        "chunk_size": CHUNK_SIZE,
        "tariff": tariff.as_dict(),
        "tariff_note": "dated illustrative costs, not a payment tariff",
        "code_version": code_version,
    }


def _replace_output(staging: Path, out_dir: Path) -> None:
    """Swap the finished tables in, removing every earlier table so old and new parts never mix."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in [*SCHEMAS, "metadata.json"]:
        for old in (out_dir / name, out_dir / f"{name}.parquet"):
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
    for item in sorted(staging.iterdir()):
        item.rename(out_dir / item.name)
