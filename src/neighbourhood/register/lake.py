"""Reading the Parquet lake (docs/data-model.md) and checking it, before anything is written.

`read_lake` returns clean rows ready to write, or raises `LakeInvalid` listing every problem it found
(table, row number counted from 1, and what is wrong). Messages name columns and rows, never NHS numbers,
names or dates of birth, because they are printed and may be logged.
"""

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from neighbourhood import nhs_number
from neighbourhood.terminology import load_codelist

# Every column the loader reads, per table; `lsoas` is the only optional table.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "practices": ("ods_code", "name", "pcn_code", "pcn_name", "local_authority_code", "local_authority_name"),
    "people": (
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "practice_ods_code",
        "lsoa_code",
        "imd_decile",
        "registration_date",
        "date_of_death",
    ),
    "events": ("nhs_number", "date", "snomed_code"),
    "medications": ("nhs_number", "start_date", "end_date", "name", "route", "is_repeat"),
    "hospital_activity": (
        "nhs_number",
        "spell_id",
        "setting",
        "admission_method",
        "start_date",
        "end_date",
        "diagnosis_code",
        "cost_gbp",
    ),
    "social_care": (
        "nhs_number",
        "record_id",
        "activity",
        "kind",
        "start_date",
        "end_date",
        "weekly_cost_gbp",
        "funding",
    ),
    "relationships": ("nhs_number", "related_nhs_number", "relationship", "start_date"),
}
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"lsoas": ("lsoa_code", "local_authority_code")}
MAX_LISTED_PROBLEMS = 20
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

LIVES_ALONE = "lives_alone"
SOCIALLY_ISOLATED = "social_isolation"


class LakeInvalid(Exception):
    """The lake cannot be loaded. `problems` lists the first few; `total` counts them all."""

    def __init__(self, problems: list[str], total: int):
        self.problems = problems
        self.total = total
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"The data cannot be loaded: {self.total} problem{'s' if self.total != 1 else ''} found."]
        lines += [f"  {problem}" for problem in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        lines.append("Nothing was written.")
        return "\n".join(lines)


class _Problems:
    def __init__(self):
        self.listed: list[str] = []
        self.total = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(message)

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


def table_files(data_dir: Path, table: str) -> list[Path]:
    """`DIR/<table>.parquet`, or the parts in `DIR/<table>/`."""
    single = data_dir / f"{table}.parquet"
    if single.is_file():
        return [single]
    folder = data_dir / table
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


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


def _columns_of(files: list[Path]) -> set[str]:
    names = set(pq.read_schema(files[0]).names)
    for path in files[1:]:
        names &= set(pq.read_schema(path).names)
    return names


def _rows(files: list[Path], columns: tuple[str, ...]):
    """(row number from 1 across all parts, row as a dict)."""
    number = 0
    for path in files:
        for row in _as_python(pq.read_table(path, columns=list(columns))):
            number += 1
            yield number, row


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


class _Row:
    """Field readers for one row that record a problem instead of raising."""

    def __init__(self, problems: _Problems, table: str, number: int, row: dict):
        self.problems, self.where, self.row = problems, f"{table} row {number}", row
        self.ok = True

    def problem(self, message: str) -> None:
        self.ok = False
        self.problems.add(f"{self.where}: {message}")

    def text(self, column: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = _text(self.row[column])
        if required and not value:
            self.problem(f"{column} is empty")
        if "\x00" in value:
            self.problem(f"{column} contains a null character")
        if max_length is not None and len(value) > max_length:
            self.problem(f"{column} is longer than {max_length} characters")
        return value

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        try:
            value = _date(self.row[column])
        except ValueError:
            self.problem(f"{column} is not a date (expected YYYY-MM-DD)")
            return None
        if value is None and required:
            self.problem(f"{column} is empty")
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        value = _text(self.row[column])
        if value not in allowed:
            if not value:
                shown = ", not empty"
            else:
                shown = f", not {value!r}" if _may_show(value) else "; the value given is not shown here"
            self.problem(f"{column} must be {' or '.join(allowed)}{shown}")
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
            self.problem(f"{column} is not a number")
            return None
        if abs(round(number, 2)) >= below:  # as it will be stored: pounds and pence
            self.problem(f"{column} must be less than {below:,.0f}")
            return None
        return number

    def person(self, column: str, known: set[str]) -> str:
        value = nhs_number.normalise(_text(self.row[column]))
        if value in known:
            return value
        try:
            nhs_number.validate(value)
        except nhs_number.InvalidNHSNumber as error:
            self.problem(f"{column}: {error}")
        else:
            self.problem(f"{column} is not in people")
        return value


def read_lake(data_dir: Path, as_of: dt.date) -> CleanLake:
    """Check the whole lake and return what was known on `as_of`; raise LakeInvalid if anything is wrong."""
    data_dir = Path(data_dir)
    problems = _Problems()
    files: dict[str, list[Path]] = {}
    if not data_dir.is_dir():
        problems.add(f"{data_dir} is not a folder")
        problems.raise_if_any()
    for table, columns in {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}.items():
        found = table_files(data_dir, table)
        if not found:
            if table in REQUIRED_COLUMNS:
                problems.add(f"{table}: table is missing (expected {table}.parquet or a {table}/ folder)")
            continue
        missing = [c for c in columns if c not in _columns_of(found)]
        for column in missing:
            problems.add(f"{table}: required column {column} is missing")
        if not missing:
            files[table] = found
    problems.raise_if_any()

    lake = CleanLake(as_of=as_of)
    _read_practices(lake, files["practices"], problems)
    if "lsoas" in files:
        _read_lsoas(lake, files["lsoas"], problems)
    # Rows naming a person whose own row was rejected are not reported again: that problem is listed already.
    known = _read_people(lake, _rows(files["people"], REQUIRED_COLUMNS["people"]), problems)
    _read_relationships(lake, files["relationships"], known, problems)
    _read_medications(lake, files["medications"], known, problems)
    _read_activity(lake, files["hospital_activity"], files["social_care"], known, problems)
    _read_events(lake, files["events"], known, problems)
    problems.raise_if_any()
    return lake


def _read_practices(lake: CleanLake, files: list[Path], problems: _Problems) -> None:
    seen: dict[str, int] = {}
    for number, raw in _rows(files, REQUIRED_COLUMNS["practices"]):
        row = _Row(problems, "practices", number, raw)
        practice = {
            column: row.text(column, max_length=PRACTICE_TEXT_LENGTHS[column])
            for column in REQUIRED_COLUMNS["practices"]
        }
        code = practice["ods_code"]
        if code in seen:
            row.problem(f"ods_code {code} appears more than once (first at row {seen[code]})")
        seen.setdefault(code, number)
        if row.ok:
            lake.practices.append(practice)


def _read_lsoas(lake: CleanLake, files: list[Path], problems: _Problems) -> None:
    for number, raw in _rows(files, OPTIONAL_COLUMNS["lsoas"]):
        row = _Row(problems, "lsoas", number, raw)
        code, authority = row.text("lsoa_code"), row.text("local_authority_code")
        if row.ok:
            lake.lsoa_authority[code] = authority


def _read_people(lake: CleanLake, rows: Iterable[tuple[int, dict]], problems: _Problems) -> set[str]:
    """Clean (row number, row) pairs into `lake.people`; returns every NHS number named, valid or not."""
    practices = {p["ods_code"] for p in lake.practices}
    seen: dict[str, int] = {}
    named: set[str] = set()
    for number, raw in rows:
        row = _Row(problems, "people", number, raw)
        named.add(nhs_number.normalise(_text(raw["nhs_number"])))
        try:
            number_checked = nhs_number.validate(_text(raw["nhs_number"]))
        except nhs_number.InvalidNHSNumber as error:
            row.problem(str(error))
            number_checked = ""
        if number_checked in seen:
            row.problem(f"NHS number appears more than once (first at row {seen[number_checked]})")
        seen.setdefault(number_checked, number)
        practice = row.text("practice_ods_code")
        if practice and practice not in practices:
            if _may_show(practice):
                row.problem(f"practice {practice} is not in practices")
            else:
                row.problem("practice_ods_code is not in practices; the value given is not shown here")
        imd = row.number("imd_decile")
        if imd is not None and not (1 <= imd <= 10 and imd.is_integer()):
            row.problem("imd_decile must be a whole number between 1 and 10")
        died = row.date("date_of_death", required=False)
        person = {
            "nhs_number": number_checked,
            "given_name": row.text("given_name", max_length=NAME_LENGTH),
            "family_name": row.text("family_name", max_length=NAME_LENGTH),
            "date_of_birth": row.date("date_of_birth"),
            "sex": row.choice("sex", ("female", "male")),
            "ethnicity": row.text("ethnicity", required=False)[:1],
            "practice": practice,
            "lsoa_code": row.text("lsoa_code", required=False, max_length=LSOA_CODE_LENGTH),
            "imd_decile": int(imd) if imd is not None else None,
            "registration_date": row.date("registration_date", required=False),
            # A death after the as-of date was not yet known.
            "date_of_death": died if died and died <= lake.as_of else None,
        }
        if died and person["date_of_birth"] and died < person["date_of_birth"]:
            row.problem("date_of_death is before date_of_birth")
        if row.ok:
            lake.people.append(person)
    return named


def _read_relationships(lake: CleanLake, files: list[Path], known: set[str], problems: _Problems) -> None:
    seen: set[tuple[str, str, str]] = set()
    for number, raw in _rows(files, REQUIRED_COLUMNS["relationships"]):
        row = _Row(problems, "relationships", number, raw)
        person = row.person("nhs_number", known)
        related = row.person("related_nhs_number", known)
        kind = row.choice("relationship", ("carer_of", "next_of_kin_of"))
        start = row.date("start_date", required=False)
        if row.ok and person == related:
            row.problem("a person cannot be related to themselves")
        key = (person, related, kind)
        if row.ok and key not in seen and (start is None or start <= lake.as_of):
            seen.add(key)
            lake.relationships.append(
                {"person": person, "related": related, "kind": kind, "start_date": start}
            )


def _read_medications(lake: CleanLake, files: list[Path], known: set[str], problems: _Problems) -> None:
    for number, raw in _rows(files, REQUIRED_COLUMNS["medications"]):
        row = _Row(problems, "medications", number, raw)
        medication = {
            "person": row.person("nhs_number", known),
            "name": row.text("name"),
            "route": row.text("route", required=False) or "other",
            "is_repeat": bool(raw["is_repeat"]),
            "start_date": row.date("start_date"),
            "end_date": row.date("end_date", required=False),
        }
        if raw["is_repeat"] not in (True, False, 0, 1):
            row.problem("is_repeat must be true or false")
        if row.ok and medication["start_date"] <= lake.as_of:
            if medication["end_date"] and medication["end_date"] > lake.as_of:
                medication["end_date"] = None  # its end was not yet known on the as-of date
            lake.medications.append(medication)


def _read_activity(
    lake: CleanLake, hospital: list[Path], social_care: list[Path], known: set[str], problems: _Problems
) -> None:
    seen: dict[str, str] = {}

    def unique(row: _Row, column: str, source_id: str) -> None:
        if len(source_id) > SOURCE_ID_LENGTH:
            row.problem(f"{column} is longer than {SOURCE_ID_LENGTH} characters")
        if source_id and source_id in seen:
            row.problem(f"{column} appears more than once (first at {seen[source_id]})")
        seen.setdefault(source_id, row.where)

    for number, raw in _rows(hospital, REQUIRED_COLUMNS["hospital_activity"]):
        row = _Row(problems, "hospital_activity", number, raw)
        person = row.person("nhs_number", known)
        source_id = row.text("spell_id")
        unique(row, "spell_id", source_id)
        setting = row.choice("setting", ("ae", "inpatient"))
        kind = "ae_attendance"
        if setting == "inpatient":
            method = row.choice("admission_method", ("emergency", "elective"))
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

    for number, raw in _rows(social_care, REQUIRED_COLUMNS["social_care"]):
        row = _Row(problems, "social_care", number, raw)
        person = row.person("nhs_number", known)
        source_id = row.text("record_id")
        unique(row, "record_id", source_id)
        activity_type = row.choice("activity", ("assessment", "service"))
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
        row.problem("end_date is before start_date")
    if row.ok and activity["start_date"] <= lake.as_of:
        if activity["end_date"] and activity["end_date"] > lake.as_of:
            activity["end_date"] = None
        lake.activities.append(activity)


def proactive_care_codes(category: str) -> frozenset[str]:
    return load_codelist("proactive_care").codes_for(category)


def _event_code_groups() -> dict[str, list[tuple[str, str]]]:
    """SNOMED code -> [(what it marks, the group)], for only the codes the register reads."""
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, groups in load_codelist("long_term_conditions").group_of().items():
        wanted[code] += [("condition", group) for group in groups]
    observations = load_codelist("observations")
    for flag in (LIVES_ALONE, SOCIALLY_ISOLATED):
        for code in observations.codes_for(flag):
            wanted[code].append(("flag", flag))
    for category in ("housebound", "no_longer_housebound", "is_a_carer", "not_a_carer"):
        for code in proactive_care_codes(category):
            wanted[code].append(("flag", category))
    return wanted


def _read_events(lake: CleanLake, files: list[Path], known: set[str], problems: _Problems) -> None:
    """Check every event, then keep only the codes the register shows, aggregated per person, in DuckDB."""
    offsets, total = {}, 0
    for path in files:
        offsets[str(path)] = total
        total += pq.ParquetFile(path).metadata.num_rows
    wanted = _event_code_groups()
    with duckdb.connect() as con:
        con.register("known", pa.table({"nhs_number": sorted(known)}))
        con.register("wanted", pa.table({"code": sorted(wanted)}))
        con.read_parquet([str(p) for p in files], filename=True, file_row_number=True).create_view("raw")
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
                   case when known.nhs_number is null then 'nhs_number is not in people'
                        when date_empty then 'date is empty'
                        when d is null then 'date is not a date (expected YYYY-MM-DD)'
                        else 'snomed_code is empty' end as problem,
                   count(*) over () as total
            from events left join known using (nhs_number)
            where known.nhs_number is null or d is null or coalesce(snomed_code, '') = ''
            order by filename, file_row_number
            limit $limit
            """,
            {"limit": MAX_LISTED_PROBLEMS},
        ).fetchall()
        for filename, row_number, message, _ in bad:
            problems.add(f"events row {offsets[filename] + row_number + 1}: {message}")
        if bad:
            problems.total += bad[0][3] - len(bad)
            return
        per_person_code = con.execute(
            """
            select nhs_number, snomed_code, min(d), max(d) from events
            where snomed_code in (select code from wanted) and d <= $as_of
            group by all
            """,
            {"as_of": lake.as_of},
        ).fetchall()
    _derive_conditions_and_flags(lake, per_person_code, wanted)


def _derive_conditions_and_flags(lake: CleanLake, per_person_code, wanted) -> None:
    first_condition: dict[tuple[str, str], tuple[dt.date, str]] = {}
    last_flag: dict[tuple[str, str], dt.date] = {}
    for person, code, first, last in per_person_code:
        for what, group in wanted[code]:
            if what == "condition":
                key = (person, group)
                if key not in first_condition or (first, code) < first_condition[key]:
                    first_condition[key] = (first, code)
            elif (person, group) not in last_flag or last > last_flag[(person, group)]:
                last_flag[(person, group)] = last
    lake.conditions = [
        {"person": person, "name": name, "snomed_code": code, "first_recorded": first}
        for (person, name), (first, code) in sorted(first_condition.items())
    ]

    def latest_says(person: str, yes: str, no: str) -> bool:
        said_yes, said_no = last_flag.get((person, yes)), last_flag.get((person, no))
        return said_yes is not None and (said_no is None or said_no <= said_yes)

    carers = {r["person"] for r in lake.relationships if r["kind"] == "carer_of"}
    with_social_care = {a["person"] for a in lake.activities if a["kind"].startswith("social_care")}
    for person in (p["nhs_number"] for p in lake.people):
        lake.flags[person] = {
            "lives_alone": (person, LIVES_ALONE) in last_flag,
            "socially_isolated": (person, SOCIALLY_ISOLATED) in last_flag,
            "housebound": latest_says(person, "housebound", "no_longer_housebound"),
            "is_carer": person in carers or latest_says(person, "is_a_carer", "not_a_carer"),
            "known_to_social_care": person in with_social_care,
        }
