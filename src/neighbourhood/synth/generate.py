"""Generate a synthetic neighbourhood: the Parquet lake described in docs/data-model.md.

Pure Python (numpy and pyarrow), no Django, so tests, `neighbourhood synth` and `neighbourhood demo`
all call `generate_neighbourhood`. People are made in fixed-size chunks, each with its own random
generator spawned from the seed, so the output depends only on the seed, the number of people, the
index date and the tariff, and memory stays bounded however many people are asked for.

Each person is named by a key (`neighbourhood.person_key`): an NHS number from the reserved test range, which
holds only 909,091, or beyond that a pseudonym, as in an analyst's pseudonymised extract. A pseudonymised lake
holds no names and only the month of birth (`date_of_birth` is the first of that month, as HES's month and
year of birth); otherwise it holds the same people as the NHS-number lake of the same seed and size.
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

from neighbourhood.nhs_number import TEST_RANGE_CAPACITY, sample_test_numbers
from neighbourhood.person_key import NHS_NUMBER, PSEUDONYM, synthetic_pseudonyms

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
PERSON_KEYS = (NHS_NUMBER, PSEUDONYM)
# what a pseudonymised extract leaves out of `people`
NAME_COLUMNS = ("given_name", "family_name")


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    people: int
    seed: int
    index_date: date
    rows: dict[str, int] = field(default_factory=dict)
    key: str = NHS_NUMBER


def generate_neighbourhood(
    out_dir: Path,
    people: int,
    seed: int,
    index_date: date = DEFAULT_INDEX_DATE,
    tariff: Tariff | None = None,
    progress: Callable[[int], None] | None = None,
    key: str | None = None,
) -> GenerationSummary:
    """Write every lake table for `people` synthetic people into `out_dir`, replacing earlier output.

    `key`: NHS_NUMBER or PSEUDONYM (`neighbourhood.person_key`); by default NHS numbers while the reserved
    test range holds enough, pseudonyms beyond. `progress`, if given, is called with the number of people
    done so far: 0 once the request has been checked, then after each chunk. Fails at once (ValueError,
    before `progress` is first called) for NHS numbers for more people than the test range holds.
    """
    if people < 1:
        raise ValueError(f"Asked for {people} people; ask for at least 1")
    key = key or (NHS_NUMBER if people <= TEST_RANGE_CAPACITY else PSEUDONYM)
    if key not in PERSON_KEYS:
        raise ValueError(f"Unknown person key {key!r}: use {' or '.join(map(repr, PERSON_KEYS))}")
    if key == NHS_NUMBER and people > TEST_RANGE_CAPACITY:
        raise ValueError(
            f"Asked for {people:,} people with NHS numbers, but the reserved test range (999...) holds only "
            f"{TEST_RANGE_CAPACITY:,} valid ones; for more, key them by pseudonym (--key pseudonym), which "
            "makes a pseudonymised lake"
        )
    tariff = tariff or Tariff()
    timeline = Timeline(index_date)
    n_chunks = -(-people // CHUNK_SIZE)
    area_seed, *chunk_seeds = np.random.SeedSequence(seed).spawn(n_chunks + 1)
    area_rng = np.random.default_rng(area_seed)
    # drawn whenever the range holds them, whichever the key, so that the area (drawn next from the same
    # generator), and so everyone, is the same in the NHS-number and the pseudonymised lake of a seed and size
    nhs_numbers = sample_test_numbers(area_rng, people) if people <= TEST_RANGE_CAPACITY else None
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
            if key == PSEUDONYM:  # by each person's own number, so the same whatever the chunking
                numbers = synthetic_pseudonyms(seed, start, min(CHUNK_SIZE, people - start))
            else:
                numbers = nhs_numbers[start : start + CHUNK_SIZE]
            tables, practice = _chunk_tables(
                np.random.default_rng(chunk_seed), chunk, numbers, area, timeline, tariff, key
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
        metadata = _metadata(seed, people, timeline, tariff, key)
        (staging / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        _replace_output(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GenerationSummary(
        out_dir=out_dir, people=people, seed=seed, index_date=index_date, rows=rows, key=key
    )


def _chunk_tables(
    rng,
    chunk: int,
    numbers: np.ndarray,
    area: Area,
    timeline: Timeline,
    tariff: Tariff,
    key: str = NHS_NUMBER,
):
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
    draw_routine_care(rng, cohort, conditions, death, timeline, events, risk.declines)
    columns = {
        "nhs_number": cohort.nhs_numbers,
        "date_of_birth": dates(cohort.date_of_birth),
        "sex": strings(("male", "female"), cohort.female.astype(np.int64)),
        "ethnicity": strings(ETHNIC_CODES, cohort.ethnicity),
        "practice_ods_code": strings(area.practice_codes, cohort.practice),
        "lsoa_code": strings(area.lsoa_codes, cohort.lsoa),
        "imd_decile": pa.array(cohort.imd_decile, type=pa.int8()),
        "registration_date": dates(cohort.registration_date),
        "date_of_death": dates(death),
    }
    if key == PSEUDONYM:
        columns["date_of_birth"] = dates(_first_of_month(cohort.date_of_birth))
    else:  # the last draws of a chunk, so a pseudonymised lake, which has no names, draws all the rest alike
        columns["given_name"], columns["family_name"] = name_columns(rng, cohort.female)
    people_schema = people_schema_for(key)
    people = pa.Table.from_arrays([columns[name] for name in people_schema.names], schema=people_schema)
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


def people_schema_for(key: str) -> pa.Schema:
    """The people table's schema: a pseudonymised lake has no names."""
    schema = SCHEMAS["people"]
    if key == PSEUDONYM:
        return pa.schema([f for f in schema if f.name not in NAME_COLUMNS])
    return schema


def _first_of_month(days: np.ndarray) -> np.ndarray:
    """Day numbers moved to the first of their month (day numbers count from 1970-01-01, numpy's epoch)."""
    month = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]")
    return month.astype("datetime64[D]").astype(np.int64)


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


def _metadata(seed: int, people: int, timeline: Timeline, tariff: Tariff, key: str) -> dict:
    try:
        code_version = version("neighbourhood")
    except PackageNotFoundError:
        code_version = "unknown"
    return {
        "generator": "neighbourhood synth",
        "seed": seed,
        "people": people,
        # what names a person in every table's nhs_number (and related_nhs_number) column
        "person_key": key,
        "date_of_birth_precision": "month" if key == PSEUDONYM else "day",
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
