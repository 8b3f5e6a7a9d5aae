"""Reading the lake (`neighbourhood.lake.contract`; Parquet or CSV) and checking it, before anything is
written.

`read_lake` returns clean rows ready to write, or raises `LakeInvalid` listing every problem it found
(`neighbourhood.lake.problems.Problem`: table, row counted from 1, column and what is wrong; for CSV the file
and line too). Messages never hold NHS numbers, names or dates of birth, because they are printed and may be
logged. The record is for direct care: a pseudonymised lake is refused whole. Person-level states
(housebound, carer, ...) come from `neighbourhood.lake.states`, the same rules the analytics use.
"""

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from neighbourhood import nhs_number, person_key
from neighbourhood.lake import contract, states
from neighbourhood.lake.files import (
    CSV,
    CsvTable,
    TableFiles,
    TableFilesError,
    expected,
    find_table,
    parquet_columns,
    read_csv_table,
)
from neighbourhood.lake.problems import MAX_LISTED_PROBLEMS, Problem, Problems, report
from neighbourhood.terminology import load_codelist

# The tables the record reads: the contract's (`lsoas` is the only one it reads only when present).
RECORD_TABLES = contract.tables_for(contract.RECORD)
SOURCE_ID_LENGTH = 40  # Activity.source_id
# The register's column sizes (register/models.py; a test checks they agree): a longer value is reported here
# rather than refused by the database (PostgreSQL) in the middle of the load.
PRACTICE_TEXT_LENGTHS = {
    "ods_code": 10,
    "name": 200,
    "pcn_code": 10,
    "pcn_name": 200,
    "local_authority_code": 9,
    "local_authority_name": 200,
}
NAME_LENGTH = 100  # Person.given_name, family_name
LSOA_CODE_LENGTH = 9  # Person.lsoa_code
MONEY_LIMITS = {"cost_gbp": 10**10, "weekly_cost_gbp": 10**8}  # Activity: 12 and 10 digits, 2 after the point


def choices(table: str, column: str) -> tuple[str, ...]:
    return contract.TABLES[table].column(column).choices


class LakeInvalid(Exception):
    """The lake cannot be loaded. `problems` lists the first few; `total` counts them all."""

    def __init__(self, problems: list[Problem], total: int):
        self.problems = problems
        self.total = total
        super().__init__(self.report())

    def report(self) -> str:
        return report(
            self.problems, self.total, heading="The data cannot be loaded", footer="Nothing was written."
        )


class _Problems(Problems):
    def raise_if_any(self) -> None:
        if self.total:
            raise LakeInvalid(self.listed, self.total)


@dataclass
class CleanLake:
    """What the lake says was known on `as_of`, checked and ready to write."""

    as_of: dt.date
    practices: list[dict] = field(default_factory=list)
    lsoa_authority: dict[str, str] = field(default_factory=dict)  # lsoa_code -> local authority code
    people: list[dict] = field(default_factory=list)
    relationships: list[dict] = field(default_factory=list)
    medications: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    conditions: list[dict] = field(default_factory=list)
    flags: dict[str, dict[str, bool]] = field(default_factory=dict)  # nhs_number -> flag -> value


class _Source:
    """One table's rows, from Parquet or CSV, numbered from 1 across its files; for CSV, each row's file and
    line too, so a report points at the line to fix."""

    def __init__(self, files: TableFiles, problems: _Problems):
        self.files = files
        self.csv: CsvTable | None = None
        if files.format == CSV:
            self.csv = read_csv_table(files)
            problems.extend(self.csv.problems.listed)
            problems.total += self.csv.problems.total - len(self.csv.problems.listed)

    @property
    def table(self) -> str:
        return self.files.table

    def missing_columns(self) -> list[str]:
        if self.csv is not None:
            return []  # reported when the CSV was read
        present = parquet_columns(self.files)
        return [
            c.name for c in contract.TABLES[self.table].columns if c.name not in present and not c.optional
        ]

    def column(self, column: str) -> list:
        if self.csv is not None:
            return self.csv.table[column].to_pylist() if self.csv.table is not None else []
        return pq.read_table(list(self.files.paths), columns=[column])[column].to_pylist()

    def rows(self, columns: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
        """(row number from 1 across all parts, row as a dict)."""
        if self.csv is not None:
            if self.csv.table is not None:
                yield from enumerate(_as_python(self.csv.table.select(list(columns))), start=1)
            return
        number = 0
        for path in self.files.paths:
            present = set(pq.read_schema(path).names)
            table = pq.read_table(path, columns=[c for c in columns if c in present])
            for column in columns:
                if column not in present:  # an optional column left out
                    table = table.append_column(column, pa.nulls(table.num_rows))
            for row in _as_python(table):
                number += 1
                yield number, row

    def problem(self, number: int, column: str | None, reason: str) -> Problem:
        if self.csv is not None:
            return self.csv.problem(number - 1, column, reason)
        return Problem(self.table, reason, row=number, column=column)


def index_date_of(data_dir: Path) -> dt.date | None:
    """The index date the data was made for, if its metadata.json says."""
    metadata = Path(data_dir) / "metadata.json"
    if metadata.is_file():
        index_date = json.loads(metadata.read_text()).get("index_date")
        if index_date:
            return dt.date.fromisoformat(str(index_date)[:10])
    return None


def default_as_of(data_dir: Path) -> dt.date:
    """The index date the data was made for (metadata.json), else today."""
    return index_date_of(data_dir) or dt.date.today()


def _as_python(table: pa.Table) -> list[dict]:
    try:
        return table.to_pylist()
    except OverflowError:
        # A date outside the years 1 to 9999 has no Python date: read dates as text, so the row is reported.
        text = [pa.string() if pa.types.is_temporal(f.type) else f.type for f in table.schema]
        return table.cast(
            pa.schema([f.with_type(t) for f, t in zip(table.schema, text, strict=True)])
        ).to_pylist()


def _may_show(value: str) -> bool:
    """Whether a bad value can be printed in a report: only when it looks like a code. An NHS number or a
    date in the wrong column is longer or has more digits, and is never printed."""
    return len(value) <= 12 and sum(c.isdigit() for c in value) <= 5


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _date(value) -> dt.date | None:
    """A date from date32, timestamp or ISO text; ValueError when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _parquet_problem(table: str):
    return lambda number, column, reason: Problem(table, reason, row=number, column=column)


class _Row:
    """Field readers for one row that record a problem (`Problem`: table, row, column, reason) instead of
    raising. Reasons never repeat the value, except a short code that cannot be a person's number or date."""

    def __init__(self, problems: _Problems, where, number: int, row: dict):
        self.problems, self.where, self.row_number, self.row = problems, where, number, row
        self.ok = True

    def problem(self, column: str | None, reason: str) -> None:
        self.ok = False
        self.problems.add(self.where(self.row_number, column, reason))

    @property
    def place(self) -> str:
        return self.where(self.row_number, None, "").where

    def text(self, column: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = _text(self.row[column])
        if required and not value:
            self.problem(column, "is empty")
        if "\x00" in value:
            self.problem(column, "contains a null character")
        if max_length is not None and len(value) > max_length:
            self.problem(column, f"is longer than {max_length} characters")
        return value

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        try:
            value = _date(self.row[column])
        except ValueError:
            self.problem(column, "is not a date (expected YYYY-MM-DD)")
            return None
        if value is None and required:
            self.problem(column, "is empty")
        return value

    def choice(self, column: str, allowed: tuple[str, ...], *, required: bool = True) -> str:
        value = _text(self.row[column])
        if not value and not required:
            return value
        if value not in allowed:
            if not value:
                shown = ", not empty"
            else:
                shown = f", not {value!r}" if _may_show(value) else "; the value given is not shown here"
            self.problem(column, f"must be {' or '.join(allowed)}{shown}")
        return value

    def number(self, column: str, *, below: float = math.inf) -> float | None:
        value = self.row[column]
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if not math.isfinite(number):
            self.problem(column, "is not a number")
            return None
        if abs(round(number, 2)) >= below:  # as it will be stored: pounds and pence
            self.problem(column, f"must be less than {below:,.0f}")
            return None
        return number

    def person(self, column: str, known: set[str]) -> str:
        value = nhs_number.normalise(_text(self.row[column]))
        if value in known:
            return value
        try:
            nhs_number.validate(value)
        except nhs_number.InvalidNHSNumber as error:
            self.problem(column, str(error))
        else:
            self.problem(column, "is not in people")
        return value


def _sources(data_dir: Path, problems: _Problems) -> dict[str, _Source]:
    sources: dict[str, _Source] = {}
    for table, spec in RECORD_TABLES.items():
        try:
            found = find_table(data_dir, table)
        except TableFilesError as error:
            problems.add(error.problem)
            continue
        if found is None:
            if contract.RECORD in spec.read_by:
                problems.add(Problem(table, f"table is missing (expected {expected(table)})"))
            continue
        source = _Source(found, problems)
        missing = source.missing_columns()
        for column in missing:
            problems.add(Problem(table, "required column is missing", column=column))
        if not missing:
            sources[table] = source
    return sources


def _people_keys(data_dir: Path) -> list:
    """Every key in people.nhs_number, or [] when that cannot be read (the checks that follow say why)."""
    try:
        files = find_table(data_dir, "people")
    except TableFilesError:
        return []
    if files is None:
        return []
    if files.format == CSV:
        read = read_csv_table(files, ("nhs_number",))
        return read.table["nhs_number"].to_pylist() if read.table is not None else []
    try:
        return pq.read_table(list(files.paths), columns=["nhs_number"])["nhs_number"].to_pylist()
    except (OSError, KeyError, pa.ArrowException):
        return []


def _refuse_pseudonymised(data_dir: Path, problems: _Problems) -> None:
    """The record is for direct care and is keyed by NHS number: a pseudonymised lake is refused whole, before
    anything else is said about it (it has no names, for one)."""
    keys = [str(key).strip() for key in _people_keys(data_dir) if key is not None]
    pseudonyms = sum(1 for key in keys if person_key.is_pseudonym(key))
    if not pseudonyms:
        return
    numbers = sum(1 for key in keys if nhs_number.is_valid(key))
    reason = contract.mixed_keys_reason(numbers, pseudonyms) if numbers else contract.PSEUDONYMISED_FOR_RECORD
    problems.add(Problem("people", reason, column="nhs_number"))
    problems.raise_if_any()


def read_lake(data_dir: Path, as_of: dt.date) -> CleanLake:
    """Check the whole lake and return what was known on `as_of`; raise LakeInvalid if anything is wrong."""
    data_dir = Path(data_dir)
    problems = _Problems()
    if not data_dir.is_dir():
        problems.add(Problem("lake", f"{data_dir} is not a folder"))
        problems.raise_if_any()
    _refuse_pseudonymised(data_dir, problems)
    sources = _sources(data_dir, problems)
    problems.raise_if_any()

    lake = CleanLake(as_of=as_of)
    _read_practices(lake, sources["practices"], problems)
    if "lsoas" in sources:
        _read_lsoas(lake, sources["lsoas"], problems)
    # Rows naming a person whose own row was rejected are not reported again: that problem is listed already.
    people = sources["people"]
    known = _read_people(lake, people.rows(contract.columns_of("people")), problems, where=people.problem)
    _read_relationships(lake, sources["relationships"], known, problems)
    _read_medications(lake, sources["medications"], known, problems)
    _read_activity(lake, sources["hospital_activity"], sources["social_care"], known, problems)
    _read_events(lake, sources["events"], known, problems)
    problems.raise_if_any()
    return lake


def _read_practices(lake: CleanLake, source: _Source, problems: _Problems) -> None:
    seen: dict[str, str] = {}
    for number, raw in source.rows(tuple(PRACTICE_TEXT_LENGTHS)):
        row = _Row(problems, source.problem, number, raw)
        practice = {
            column: row.text(column, max_length=limit) for column, limit in PRACTICE_TEXT_LENGTHS.items()
        }
        code = practice["ods_code"]
        if code in seen:
            row.problem("ods_code", f"{code} appears more than once (first at {seen[code]})")
        seen.setdefault(code, row.place)
        if row.ok:
            lake.practices.append(practice)


def _read_lsoas(lake: CleanLake, source: _Source, problems: _Problems) -> None:
    for number, raw in source.rows(("lsoa_code", "local_authority_code")):
        row = _Row(problems, source.problem, number, raw)
        code, authority = row.text("lsoa_code"), row.text("local_authority_code")
        if row.ok:
            lake.lsoa_authority[code] = authority


def _read_people(
    lake: CleanLake, rows: Iterable[tuple[int, dict]], problems: _Problems, *, where=None
) -> set[str]:
    """Clean (row number, row) pairs into `lake.people`; returns every NHS number named, valid or not."""
    where = where or _parquet_problem("people")
    practices = {p["ods_code"] for p in lake.practices}
    seen: dict[str, str] = {}
    named: set[str] = set()
    for number, raw in rows:
        row = _Row(problems, where, number, raw)
        named.add(nhs_number.normalise(_text(raw["nhs_number"])))
        try:
            number_checked = nhs_number.validate(_text(raw["nhs_number"]))
        except nhs_number.InvalidNHSNumber as error:
            row.problem("nhs_number", str(error))
            number_checked = ""
        if number_checked in seen:
            row.problem("nhs_number", f"NHS number appears more than once (first at {seen[number_checked]})")
        seen.setdefault(number_checked, row.place)
        practice = row.text("practice_ods_code")
        if practice and practice not in practices:
            if _may_show(practice):
                row.problem("practice_ods_code", f"practice {practice} is not in practices")
            else:
                row.problem("practice_ods_code", "is not in practices; the value given is not shown here")
        imd = row.number("imd_decile")
        if imd is not None and not (1 <= imd <= 10 and imd.is_integer()):
            row.problem("imd_decile", "must be a whole number between 1 and 10")
        died = row.date("date_of_death", required=False)
        person = {
            "nhs_number": number_checked,
            "given_name": row.text("given_name", max_length=NAME_LENGTH),
            "family_name": row.text("family_name", max_length=NAME_LENGTH),
            "date_of_birth": row.date("date_of_birth"),
            "sex": row.choice("sex", choices("people", "sex")),
            "ethnicity": row.text("ethnicity", required=False)[:1],
            "practice": practice,
            "lsoa_code": row.text("lsoa_code", required=False, max_length=LSOA_CODE_LENGTH),
            "imd_decile": int(imd) if imd is not None else None,
            "registration_date": row.date("registration_date", required=False),
            # A death after the as-of date was not yet known.
            "date_of_death": died if died and died <= lake.as_of else None,
        }
        if died and person["date_of_birth"] and died < person["date_of_birth"]:
            row.problem(None, "date_of_death is before date_of_birth")
        if row.ok:
            lake.people.append(person)
    return named


def _read_relationships(lake: CleanLake, source: _Source, known: set[str], problems: _Problems) -> None:
    seen: set[tuple[str, str, str]] = set()
    for number, raw in source.rows(contract.columns_of("relationships")):
        row = _Row(problems, source.problem, number, raw)
        person = row.person("nhs_number", known)
        related = row.person("related_nhs_number", known)
        kind = row.choice("relationship", choices("relationships", "relationship"))
        start = row.date("start_date", required=False)
        if row.ok and person == related:
            row.problem(None, "a person cannot be related to themselves")
        key = (person, related, kind)
        if row.ok and key not in seen and states.relationship_counts(start, _before(lake)):
            seen.add(key)
            lake.relationships.append(
                {"person": person, "related": related, "kind": kind, "start_date": start}
            )


def _before(lake: CleanLake) -> dt.date:
    """The record shows what was known on `as_of`: everything dated before the day after it."""
    return lake.as_of + dt.timedelta(days=1)


def _read_medications(lake: CleanLake, source: _Source, known: set[str], problems: _Problems) -> None:
    for number, raw in source.rows(contract.columns_of("medications")):
        row = _Row(problems, source.problem, number, raw)
        medication = {
            "person": row.person("nhs_number", known),
            "name": row.text("name"),
            "route": row.text("route", required=False) or "other",
            "is_repeat": bool(raw["is_repeat"]),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date", required=False),
        }
        if raw["is_repeat"] not in (True, False, 0, 1):
            row.problem("is_repeat", "must be true or false")
        if row.ok and medication["start_date"] <= lake.as_of:
            if medication["end_date"] and medication["end_date"] > lake.as_of:
                medication["end_date"] = None  # its end was not yet known on the as-of date
            lake.medications.append(medication)


def _read_activity(
    lake: CleanLake, hospital: _Source, social_care: _Source, known: set[str], problems: _Problems
) -> None:
    seen: dict[str, str] = {}

    def unique(row: _Row, column: str, source_id: str) -> None:
        if len(source_id) > SOURCE_ID_LENGTH:
            row.problem(column, f"is longer than {SOURCE_ID_LENGTH} characters")
        if source_id and source_id in seen:
            row.problem(column, f"appears more than once (first at {seen[source_id]})")
        seen.setdefault(source_id, row.place)

    for number, raw in hospital.rows(contract.columns_of("hospital_activity")):
        row = _Row(problems, hospital.problem, number, raw)
        person = row.person("nhs_number", known)
        source_id = row.text("spell_id")
        unique(row, "spell_id", source_id)
        setting = row.choice("setting", choices("hospital_activity", "setting"))
        kind = "ae_attendance"
        if setting == "inpatient":
            method = row.choice("admission_method", choices("hospital_activity", "admission_method"))
            kind = f"{method}_admission"
        activity = {
            "person": person,
            "source_id": source_id,
            "kind": kind,
            "detail": row.text("diagnosis_code", required=False),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date", required=False),
            "cost_gbp": row.number("cost_gbp", below=MONEY_LIMITS["cost_gbp"]),
            "weekly_cost_gbp": None,
            "funding": "",
        }
        _keep_if_known(lake, row, activity)

    for number, raw in social_care.rows(contract.columns_of("social_care")):
        row = _Row(problems, social_care.problem, number, raw)
        person = row.person("nhs_number", known)
        source_id = row.text("record_id")
        unique(row, "record_id", source_id)
        activity_type = row.choice("activity", choices("social_care", "activity"))
        activity = {
            "person": person,
            "source_id": source_id,
            "kind": f"social_care_{activity_type}",
            "detail": row.text("kind"),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date", required=False),
            "cost_gbp": None,
            "weekly_cost_gbp": row.number("weekly_cost_gbp", below=MONEY_LIMITS["weekly_cost_gbp"]),
            "funding": row.text("funding", required=False),
        }
        _keep_if_known(lake, row, activity)


def _keep_if_known(lake: CleanLake, row: _Row, activity: dict) -> None:
    """Keep activity that had started by the as-of date; an end after it was not yet known."""
    if activity["end_date"] and activity["start_date"] and activity["end_date"] < activity["start_date"]:
        row.problem(None, "end_date is before start_date")
    if row.ok and activity["start_date"] <= lake.as_of:
        if activity["end_date"] and activity["end_date"] > lake.as_of:
            activity["end_date"] = None
        lake.activities.append(activity)


def _condition_codes() -> dict[str, list[str]]:
    """SNOMED code -> the long-term conditions it records."""
    return load_codelist("long_term_conditions").group_of()


def _events_relation(con, source: _Source):
    """The events as a DuckDB relation with each row's file and its row number within the file."""
    if source.csv is None:
        return con.read_parquet([str(p) for p in source.files.paths], filename=True, file_row_number=True)
    table = source.csv.table
    names, rows = [], []
    for path, _first, count in source.csv.parts:
        names.append(np.full(count, str(path), dtype=object))
        rows.append(np.arange(count, dtype=np.int64))
    table = table.append_column("filename", pa.array(np.concatenate(names) if names else [], pa.string()))
    table = table.append_column("file_row_number", pa.array(np.concatenate(rows) if rows else [], pa.int64()))
    return con.from_arrow(table)


def _read_events(lake: CleanLake, source: _Source, known: set[str], problems: _Problems) -> None:
    """Check every event, then keep only the codes the register reads, aggregated per person, in DuckDB."""
    if source.csv is not None and source.csv.table is None:
        return  # its problems are reported already
    offsets, total = {}, 0
    for path in source.files.paths:
        offsets[str(path)] = total
        total += (
            pq.ParquetFile(path).metadata.num_rows
            if source.csv is None
            else next(n for p, _, n in source.csv.parts if p == path)
        )
    conditions = _condition_codes()
    wanted = sorted(set(conditions) | set(states.state_codes()))
    with duckdb.connect() as con:
        con.register("known", pa.table({"nhs_number": sorted(known)}))
        con.register("wanted", pa.table({"code": wanted}))
        _events_relation(con, source).create_view("raw")
        con.execute(
            """
            create temp view events as
            select filename, file_row_number, nhs_number, snomed_code, try_cast("date" as date) as d,
                   "date" is null or cast("date" as varchar) = '' as date_empty
            from raw
            """
        )
        bad = con.execute(
            """
            select filename, file_row_number,
                   case when known.nhs_number is null then 'nhs_number'
                        when date_empty or d is null then 'date'
                        else 'snomed_code' end as problem_column,
                   case when known.nhs_number is null then 'is not in people'
                        when date_empty then 'is empty'
                        when d is null then 'is not a date (expected YYYY-MM-DD)'
                        else 'is empty' end as problem,
                   count(*) over () as total
            from events left join known using (nhs_number)
            where known.nhs_number is null or d is null or coalesce(snomed_code, '') = ''
            order by filename, file_row_number
            limit $limit
            """,
            {"limit": MAX_LISTED_PROBLEMS},
        ).fetchall()
        for filename, row_number, column, message, _ in bad:
            number = offsets[filename] + row_number + 1
            problems.add(source.problem(number, column, message))
        if bad:
            problems.total += bad[0][4] - len(bad)
            return
        per_person_code = con.execute(
            """
            select nhs_number, snomed_code, min(d), max(d) from events
            where snomed_code in (select code from wanted) and d <= $as_of
            group by all
            """,
            {"as_of": lake.as_of},
        ).fetchall()
    _derive_conditions_and_states(lake, per_person_code, conditions)


def _derive_conditions_and_states(lake: CleanLake, per_person_code, conditions: dict[str, list[str]]) -> None:
    first_condition: dict[tuple[str, str], tuple[dt.date, str]] = {}
    latest_codes: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for person, code, first, last in per_person_code:
        for group in conditions.get(code, ()):
            key = (person, group)
            if key not in first_condition or (first, code) < first_condition[key]:
                first_condition[key] = (first, code)
        latest_codes[person].append((last, code))  # each code's latest date is all a state reads
    lake.conditions = [
        {"person": person, "name": name, "snomed_code": code, "first_recorded": first}
        for (person, name), (first, code) in sorted(first_condition.items())
    ]
    carer_of: dict[str, list[dt.date | None]] = defaultdict(list)
    for r in lake.relationships:
        if r["kind"] == "carer_of":
            carer_of[r["person"]].append(r["start_date"])
    social_care: dict[str, list[dt.date]] = defaultdict(list)
    for a in lake.activities:
        if a["kind"].startswith("social_care"):
            social_care[a["person"]].append(a["start_date"])
    before = _before(lake)
    for person in (p["nhs_number"] for p in lake.people):
        lake.flags[person] = states.person_states(
            events=latest_codes.get(person, ()),
            carer_of_starts=carer_of.get(person, ()),
            social_care_starts=social_care.get(person, ()),
            before=before,
        )
