"""Open the Parquet lake on an Ibis backend, check its shape, and count what is wrong with it.

Missing tables or columns and wrongly typed columns are errors (`LakeError`, saying which table and column).
Problems that affect some rows are warnings with counts: people with no practice or an invalid NHS number
(left out, counted), records dated after the data cut. Codes that are in no codelist are normal (most GP codes
are not in any list) and are not reported.
"""

import contextlib
import datetime as dt
import json
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import ibis
import ibis.backends.duckdb  # the default engine: loaded with this module, not in the middle of a run
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from neighbourhood.nhs_number import WEIGHTS


@contextlib.contextmanager
def engine_quiet():
    """Ibis 12 calls DuckDB 2's deprecated `fetch_arrow_table` and reads a pandas option deprecated in
    pandas 3:
    those warnings are about the libraries, not the data, and would otherwise be errors in tests."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")
        yield


def fetch_arrow(expr) -> pa.Table:
    with engine_quiet():
        return expr.to_pyarrow()


def fetch(expr) -> pd.DataFrame:
    """Run an Ibis expression and return a pandas frame (through Arrow: Ibis's own pandas conversion
    warns)."""
    with engine_quiet():
        return expr.to_pyarrow().to_pandas(date_as_object=True)


class LakeError(ValueError):
    """The lake cannot be used as it stands: says which table or column is wrong."""


# column -> kind: "string", "date", "number", "bool"
REQUIRED_COLUMNS: dict[str, dict[str, str]] = {
    "people": {
        "nhs_number": "string",
        "date_of_birth": "date",
        "sex": "string",
        "ethnicity": "string",
        "practice_ods_code": "string",
        "imd_decile": "number",
        "registration_date": "date",
        "date_of_death": "date",
    },
    "events": {"nhs_number": "string", "date": "date", "snomed_code": "string", "value": "number"},
    "medications": {
        "nhs_number": "string",
        "start_date": "date",
        "end_date": "date",
        "name": "string",
        "route": "string",
        "is_repeat": "bool",
    },
    "hospital_activity": {
        "nhs_number": "string",
        "spell_id": "string",
        "setting": "string",
        "admission_method": "string",
        "start_date": "date",
        "end_date": "date",
        "diagnosis_code": "string",
        "cost_gbp": "number",
    },
    "social_care": {
        "nhs_number": "string",
        "record_id": "string",
        "activity": "string",
        "kind": "string",
        "start_date": "date",
        "end_date": "date",
        "weekly_cost_gbp": "number",
    },
}
OPTIONAL_COLUMNS: dict[str, dict[str, str]] = {
    "relationships": {
        "nhs_number": "string",
        "related_nhs_number": "string",
        "relationship": "string",
        "start_date": "date",
    },
    "truth": {"nhs_number": "string", "p_emergency_admission_12m": "number"},
}
# (table, date column) pairs checked against the data cut
DATED_COLUMNS = (
    ("events", "date"),
    ("medications", "start_date"),
    ("hospital_activity", "start_date"),
    ("social_care", "start_date"),
)


@dataclass(frozen=True)
class Lake:
    data_dir: Path
    engine: str
    people: ir.Table
    events: ir.Table
    medications: ir.Table
    hospital_activity: ir.Table
    social_care: ir.Table
    relationships: ir.Table | None
    truth: ir.Table | None
    metadata: dict
    warnings: tuple[str, ...] = field(default=())
    counts: dict = field(default_factory=dict)
    # events already joined to the case-finding codes (`features.coded_events`), kept by a run so that every
    # date it computes reads them instead of the whole events table
    case_finding_events: ir.Table | None = None
    case_finding_events_before: dt.date | None = None  # the date they were kept for: every one is before it

    def sample(self, per_thousand: int) -> "Lake":
        """The same lake for about `per_thousand` in 1,000 people: those whose NHS number's 7th to 9th digits
        are below it. Deterministic, the same on every engine, and blind to anything about the person."""
        if per_thousand >= 1000:
            return self

        def only_chosen(table: ir.Table | None) -> ir.Table | None:
            # by the digits themselves, not a join to the chosen people: every table says whose rows it holds.
            # As text: three digits compare as their numbers do, and a malformed NHS number cannot fail a cast
            if table is None:
                return None
            return table.filter(table.nhs_number.substr(6, 3) < f"{per_thousand:03d}")

        return replace(
            self,
            **{
                name: only_chosen(getattr(self, name))
                for name in (
                    "people",
                    "events",
                    "case_finding_events",
                    "medications",
                    "hospital_activity",
                    "social_care",
                    "relationships",
                )
            },
        )

    @property
    def valid_people(self) -> ir.Table:
        """People with a valid NHS number and a practice: the only people any result is about."""
        people = self.people
        return people.filter(people.nhs_number_valid & people.practice_ods_code.notnull())


def connect(engine: str = "duckdb", spark_session=None) -> ibis.BaseBackend:
    if engine == "duckdb":
        # every result is sorted where order matters (features.to_frame), so DuckDB may keep rows in any
        # order: quicker and leaner
        return ibis.duckdb.connect(preserve_insertion_order=False)
    if engine == "spark":
        if spark_session is None:
            from pyspark.sql import SparkSession

            spark_session = SparkSession.builder.getOrCreate()
        return ibis.pyspark.connect(spark_session)
    raise ValueError(f"Unknown engine {engine!r}: use 'duckdb' or 'spark'")


def table_paths(data_dir: Path, name: str) -> str | None:
    """`DIR/<name>.parquet`, or the parts under `DIR/<name>/`, in the form each backend reads; None if
    absent."""
    single = data_dir / f"{name}.parquet"
    if single.is_file():
        return str(single)
    folder = data_dir / name
    if folder.is_dir():
        if not any(folder.glob("*.parquet")):
            raise LakeError(f"{name}: folder {folder} holds no .parquet files")
        return str(folder)
    return None


def _read(con, engine: str, data_dir: Path, name: str) -> ir.Table | None:
    path = table_paths(data_dir, name)
    if path is None:
        return None
    if engine == "duckdb" and Path(path).is_dir():
        path = f"{path}/*.parquet"
    try:
        with engine_quiet():
            return con.read_parquet(path, table_name=f"lake_{name}")
    except Exception as error:  # the engines raise many kinds; the user needs the file name
        raise LakeError(f"{name}: cannot read {path} as Parquet ({type(error).__name__}: {error})") from error


def _kind_of(dtype) -> str:
    if dtype.is_string():
        return "string"
    if dtype.is_date():
        return "date"
    if dtype.is_boolean():
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype.is_null():
        return "null"
    return str(dtype)


def _check_columns(name: str, table: ir.Table, wanted: dict[str, str]) -> None:
    schema = table.schema()
    for column, kind in wanted.items():
        if column not in schema:
            raise LakeError(f"{name} is missing column {column}")
        found = _kind_of(schema[column])
        # an all-null column (e.g. no deaths yet) is stored as the null type by some writers
        if found not in (kind, "null"):
            raise LakeError(f"{name}.{column} must be {kind}, found {schema[column]}")


def valid_nhs_number(column: ir.StringValue) -> ir.BooleanValue:
    """Ten digits with a correct Modulus 11 check digit, as an expression every engine can run."""
    digits = [column.substr(i, 1).cast("int64") for i in range(10)]
    total = sum(d * w for d, w in zip(digits[:9], WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    well_formed = column.notnull() & (column.length() == 10) & column.re_search(r"^[0-9]{10}$")
    return well_formed.ifelse((check != 10) & (check == digits[9]), False)


def data_cut(metadata: dict) -> dt.date:
    """The date the extract was taken: from metadata.json when it says, else today. A synthetic lake says how
    far its follow-up runs (`follow_up_end`), which is the date its "extract" covers to."""
    for key in ("data_cut", "extract_date", "data_cut_date", "follow_up_end"):
        if metadata.get(key):
            return dt.date.fromisoformat(str(metadata[key])[:10])
    return dt.date.today()


def read_lake(con, data_dir: Path | str, *, engine: str | None = None) -> Lake:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise LakeError(f"No lake at {data_dir}: the folder does not exist")
    engine = engine or ("spark" if con.name == "pyspark" else "duckdb")
    tables: dict[str, ir.Table | None] = {}
    for name, wanted in REQUIRED_COLUMNS.items():
        table = _read(con, engine, data_dir, name)
        if table is None:
            raise LakeError(
                f"{name} table is missing: expected {data_dir / name}.parquet or {data_dir / name}/"
            )
        _check_columns(name, table, wanted)
        tables[name] = table
    for name, wanted in OPTIONAL_COLUMNS.items():
        table = _read(con, engine, data_dir, name)
        if table is not None:
            _check_columns(name, table, wanted)
        tables[name] = table
    metadata_path = data_dir / "metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text()) if metadata_path.exists() else {}
    except json.JSONDecodeError as error:
        raise LakeError(f"metadata.json is not valid JSON: {error}") from error
    # the Modulus 11 check once per run, not once per query that needs the valid people; analytics keep only
    # the columns they use (no names)
    people = tables["people"].select(*REQUIRED_COLUMNS["people"])
    with engine_quiet():
        tables["people"] = people.mutate(nhs_number_valid=valid_nhs_number(people.nhs_number)).cache()
    warnings, counts = _inspect(tables, data_cut(metadata), data_dir)
    return Lake(
        data_dir=data_dir,
        engine=engine,
        metadata=metadata,
        warnings=tuple(warnings),
        counts=counts,
        **tables,
    )


def _int(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _dates_proven_clean(path: str, column: str, cut: dt.date) -> bool:
    """True when the Parquet files' own statistics show every `column` value present and on or before `cut`,
    so the table need not be scanned; False when any row group lacks them or might hold a missing or later
    date."""
    folder = Path(path)
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else [folder]
    try:
        for file in files:
            metadata = pq.ParquetFile(file).metadata
            position = [metadata.schema.column(i).path for i in range(metadata.num_columns)].index(column)
            for group in range(metadata.num_row_groups):
                stats = metadata.row_group(group).column(position).statistics
                if (
                    stats is None
                    or not stats.has_min_max
                    or not stats.has_null_count
                    or stats.null_count > 0
                    or not isinstance(stats.max, dt.date)
                    or stats.max > cut
                ):
                    return False
    except (OSError, ValueError, pa.ArrowException):
        return False  # the scan will say what is wrong, if anything
    return True


def _inspect(tables: dict[str, ir.Table | None], cut: dt.date, data_dir: Path) -> tuple[list[str], dict]:
    people = tables["people"]
    checks = {
        "people_in_lake": people.count(),
        "people_no_practice": people.practice_ods_code.isnull().sum(),
        "people_invalid_nhs_number": (~people.nhs_number_valid).sum(),
        "people_duplicate_nhs_numbers": people.count() - people.nhs_number.nunique(),
    }
    summary = fetch(people.aggregate(**checks)).iloc[0]
    counts = {k: _int(summary[k]) for k in checks}
    if counts["people_duplicate_nhs_numbers"]:
        raise LakeError(
            f"people has {counts['people_duplicate_nhs_numbers']:,} repeated nhs_number values; "
            "each person must appear once"
        )
    warnings = []
    if counts["people_no_practice"]:
        warnings.append(
            f"{counts['people_no_practice']:,} people have no practice_ods_code "
            "and are left out of every result"
        )
    if counts["people_invalid_nhs_number"]:
        warnings.append(
            f"{counts['people_invalid_nhs_number']:,} people have an invalid NHS number "
            "(not 10 digits or wrong check digit) and are left out of every result"
        )
    to_scan = [
        (name, column)
        for name, column in DATED_COLUMNS
        if not _dates_proven_clean(table_paths(data_dir, name), column, cut)
    ]
    found = {name: (0, 0) for name, _ in DATED_COLUMNS}  # (future, undated)
    if to_scan:
        dated = ibis.union(
            *(
                tables[name].aggregate(
                    table=ibis.literal(name),
                    future=(tables[name][column] > ibis.date(cut)).sum().cast("int64"),
                    undated=tables[name][column].isnull().sum().cast("int64"),
                )
                for name, column in to_scan
            )
        )
        for row in fetch(dated).itertuples(index=False):  # one query for every table that needs it
            found[row.table] = (_int(row.future), _int(row.undated))
    for name, column in DATED_COLUMNS:
        future, undated = found[name]
        counts[f"{name}_after_data_cut"] = future
        counts[f"{name}_undated"] = undated
        if future:
            warnings.append(
                f"{future:,} {name} rows are dated after the data cut ({cut.isoformat()}); "
                "they are ignored because only data before the index date is used"
            )
        if undated:
            warnings.append(f"{undated:,} {name} rows have no {column} and are ignored")
    return warnings, counts
