"""Open the lake (`neighbourhood.lake.contract`; Parquet, or CSV on DuckDB) on an Ibis backend, check its
shape, and count what is wrong with it.

Missing tables or columns and wrongly typed columns are errors (`LakeError`, with the contract's `Problem`:
table, column and, for CSV, file and line). Problems that affect some rows are warnings with counts: people
with no practice or an invalid person key (left out, counted), records dated after the data cut. Codes that
are in no codelist are normal (most GP codes are not in any list) and are not reported.

Person keys are NHS numbers or pseudonyms (`neighbourhood.person_key`), one kind per lake: a lake that mixes
them is an error. CSV tables are read and type-checked with pyarrow and handed to DuckDB; Spark reads
Parquet only (`neighbourhood lake convert` turns a CSV lake into Parquet).
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

from neighbourhood.lake import contract, keys
from neighbourhood.lake.files import CSV, TableFiles, TableFilesError, expected, find_table, read_csv_table
from neighbourhood.lake.problems import Problem, report


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
    """The lake cannot be used as it stands: `problems` says which table, column (and CSV file and line)."""

    def __init__(self, message: "str | Problem", problems: "list[Problem] | None" = None, total: int = 0):
        if isinstance(message, Problem):
            problems, message = [message], str(message)
        self.problems = list(problems or [])
        self.total = total or len(self.problems)
        super().__init__(message)


# What the analytics read of each table the contract says they read (names, where someone lives and how
# their care is funded are left out: the record needs them, case finding does not)
REQUIRED_TABLES = tuple(n for n, t in contract.TABLES.items() if contract.ANALYTICS in t.read_by)
OPTIONAL_TABLES = tuple(n for n, t in contract.TABLES.items() if contract.ANALYTICS in t.optional_for)
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
    person_key_kind: str = contract.NHS_NUMBER  # every person key in the lake is one (contract.key_kinds)
    # events already joined to the case-finding codes (`features.coded_events`), kept by a run so that every
    # date it computes reads them instead of the whole events table
    case_finding_events: ir.Table | None = None
    case_finding_events_before: dt.date | None = None  # the date they were kept for: every one is before it

    def sample(self, per_thousand: int) -> "Lake":
        """The same lake for about `per_thousand` in 1,000 people: those whose NHS number's 7th to 9th digits
        are below it (a pseudonym's 2nd to 4th characters, `keys.in_sample`). Deterministic, the same on every
        engine, and blind to anything about the person."""
        if per_thousand >= 1000:
            return self

        def only_chosen(table: ir.Table | None) -> ir.Table | None:
            # by the key itself, not a join to the chosen people: every table says whose rows it holds
            if table is None:
                return None
            return table.filter(keys.in_sample(table.nhs_number, self.person_key_kind, per_thousand))

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
        """People with a valid person key (of the lake's kind) and a practice: the only people any result is
        about."""
        people = self.people
        return people.filter(
            (people.person_key_kind == self.person_key_kind) & people.practice_ods_code.notnull()
        )


def connect(
    engine: str = "duckdb", spark_session=None, *, spark_master: str | None = None, spark_conf=None
) -> ibis.BaseBackend:
    """An Ibis backend. Spark: the given session, else the process's own, started for `spark_master`
    (e.g. spark://HOST:7077; default local mode) with `spark_conf` settings (`neighbourhood.risk.spark`)."""
    if engine == "duckdb":
        if spark_master is not None:
            raise ValueError("A Spark master URL needs engine='spark'")
        # every result is sorted where order matters (features.to_frame), so DuckDB may keep rows in any
        # order: quicker and leaner
        return ibis.duckdb.connect(preserve_insertion_order=False)
    if engine == "spark":
        if spark_session is None:
            from neighbourhood.risk.spark import spark_session as started_spark_session

            spark_session = started_spark_session(spark_master, spark_conf)
        return ibis.pyspark.connect(spark_session)
    raise ValueError(f"Unknown engine {engine!r}: use 'duckdb' or 'spark'")


def table_files(data_dir: Path, name: str) -> TableFiles | None:
    """The table's files (Parquet or CSV, one file or a folder of parts); None if absent."""
    try:
        return find_table(data_dir, name)
    except TableFilesError as error:
        raise LakeError(error.problem) from error


def _read(con, engine: str, data_dir: Path, name: str) -> ir.Table | None:
    files = table_files(data_dir, name)
    if files is None:
        return None
    if files.format == CSV:
        return _read_csv(con, engine, files)
    path = str(files.folder) if files.folder is not None else str(files.paths[0])
    if engine == "duckdb" and files.folder is not None:
        path = f"{path}/*.parquet"
    try:
        with engine_quiet():
            return con.read_parquet(path, table_name=f"lake_{name}")
    except Exception as error:  # the engines raise many kinds; the user needs the file name
        raise LakeError(
            Problem(name, f"cannot read {path} as Parquet ({type(error).__name__}: {error})")
        ) from error


def _read_csv(con, engine: str, files: TableFiles) -> ir.Table:
    """A CSV table, type-checked against the contract with pyarrow, as a table in the engine."""
    name = files.table
    if engine != "duckdb":
        raise LakeError(
            Problem(
                name,
                f"is CSV ({files.name_of(files.paths[0])}): Spark reads Parquet lakes; write this one as "
                "Parquet first with `neighbourhood lake convert SRC DST`",
            )
        )
    read = read_csv_table(files, contract.columns_for(name, contract.ANALYTICS))
    if read.problems:
        listed, total = read.problems.listed, read.problems.total
        raise LakeError(report(listed, total, heading=f"The {name} table cannot be read"), listed, total)
    with engine_quiet():
        return con.create_table(f"lake_{name}", read.table, temp=True, overwrite=True)


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


def _contract_kind(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    return "number"


def _check_columns(name: str, table: ir.Table) -> None:
    """Every column the analytics read is there, of the contract's kind (any width of number will do)."""
    schema = table.schema()
    spec = contract.TABLES[name]
    for column in contract.columns_for(name, contract.ANALYTICS):
        if column not in schema:
            raise LakeError(Problem(name, "required column is missing", column=column))
        kind = _contract_kind(spec.column(column).type)
        found = _kind_of(schema[column])
        # an all-null column (e.g. no deaths yet) is stored as the null type by some writers
        if found not in (kind, "null"):
            raise LakeError(Problem(name, f"must be {kind}, found {schema[column]}", column=column))


valid_nhs_number = keys.valid_nhs_number  # where it has always been found


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
    for name in REQUIRED_TABLES:
        table = _read(con, engine, data_dir, name)
        if table is None:
            raise LakeError(Problem(name, f"table is missing (expected {expected(name)} in {data_dir})"))
        _check_columns(name, table)
        tables[name] = table
    for name in OPTIONAL_TABLES:
        table = _read(con, engine, data_dir, name)
        if table is not None:
            _check_columns(name, table)
        tables[name] = table
    metadata_path = data_dir / "metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text()) if metadata_path.exists() else {}
    except json.JSONDecodeError as error:
        raise LakeError(f"metadata.json is not valid JSON: {error}") from error
    # the person-key check (Modulus 11, or a pseudonym's form) once per run, not once per query that needs
    # the valid people; analytics keep only the columns they use (no names)
    people = tables["people"].select(*contract.columns_for("people", contract.ANALYTICS))
    with engine_quiet():
        tables["people"] = people.mutate(person_key_kind=keys.person_key_kind(people.nhs_number)).cache()
    warnings, counts, kind = _inspect(tables, data_cut(metadata), data_dir)
    return Lake(
        data_dir=data_dir,
        engine=engine,
        metadata=metadata,
        warnings=tuple(warnings),
        counts=counts,
        person_key_kind=kind,
        **tables,
    )


def _int(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _dates_proven_clean(files: TableFiles, column: str, cut: dt.date) -> bool:
    """True when the Parquet files' own statistics show every `column` value present and on or before `cut`,
    so the table need not be scanned; False when any row group lacks them or might hold a missing or later
    date (and for CSV, which has no statistics)."""
    if files.format == CSV:
        return False
    try:
        for file in files.paths:
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
        "people_nhs_numbers": (people.person_key_kind == contract.NHS_NUMBER).sum(),
        "people_pseudonyms": (people.person_key_kind == contract.PSEUDONYM).sum(),
        "people_invalid_key": people.person_key_kind.isnull().sum(),
        "people_duplicate_nhs_numbers": people.count() - people.nhs_number.nunique(),
    }
    summary = fetch(people.aggregate(**checks)).iloc[0]
    found = {k: _int(summary[k]) for k in checks}
    numbers, pseudonyms = found.pop("people_nhs_numbers"), found.pop("people_pseudonyms")
    if numbers and pseudonyms:
        raise LakeError(
            Problem("people", contract.mixed_keys_reason(numbers, pseudonyms), column="nhs_number")
        )
    kind = contract.PSEUDONYM if pseudonyms else contract.NHS_NUMBER
    invalid = found.pop("people_invalid_key")
    counts = {
        **found,
        "people_invalid_nhs_number": invalid if kind == contract.NHS_NUMBER else 0,
        "people_invalid_pseudonym": invalid if kind == contract.PSEUDONYM else 0,
    }
    if counts["people_duplicate_nhs_numbers"]:
        raise LakeError(
            Problem(
                "people",
                f"{counts['people_duplicate_nhs_numbers']:,} repeated values; each person must appear once",
                column="nhs_number",
            )
        )
    warnings = []
    if counts["people_no_practice"]:
        warnings.append(
            f"{counts['people_no_practice']:,} people have no practice_ods_code "
            "and are left out of every result"
        )
    if invalid and kind == contract.NHS_NUMBER:
        warnings.append(
            f"{invalid:,} people have an invalid NHS number "
            "(not 10 digits or wrong check digit) and are left out of every result"
        )
    elif invalid:
        warnings.append(
            f"{invalid:,} people have an invalid pseudonym (not P and 15 characters of Crockford's base32) "
            "and are left out of every result"
        )
    to_scan = [
        (name, column)
        for name, column in DATED_COLUMNS
        if not _dates_proven_clean(table_files(data_dir, name), column, cut)
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
    return warnings, counts, kind
