"""A lake's files: each table is Parquet (`DIR/<table>.parquet` or parts `DIR/<table>/*.parquet`) or CSV
(`DIR/<table>.csv` or `DIR/<table>/*.csv`: UTF-8, a header row, ISO dates `YYYY-MM-DD`, empty for none,
`true`/`false` for yes and no). A table is one or the other, never both.

CSV is read with every value as text and then converted to the contract's types here, so a value that is not
of its column's type is reported with its file, line and column (`Problem`), never guessed at.
"""

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from neighbourhood.lake.contract import DATE, TABLES
from neighbourhood.lake.problems import Problem, Problems

PARQUET = "parquet"
CSV = "csv"
FORMATS = (PARQUET, CSV)


class TableFilesError(ValueError):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclass(frozen=True)
class TableFiles:
    table: str
    format: str
    paths: tuple[Path, ...]
    data_dir: Path

    def name_of(self, path: Path) -> str:
        """How a report names the file: relative to the lake."""
        try:
            return str(path.relative_to(self.data_dir))
        except ValueError:
            return str(path)

    @property
    def folder(self) -> Path | None:
        folder = self.data_dir / self.table
        return folder if folder.is_dir() else None


def expected(table: str) -> str:
    return f"{table}.parquet, {table}.csv or a {table}/ folder of either"


def find_table(data_dir: Path, table: str) -> TableFiles | None:
    """The table's files, or None when there are none; TableFilesError when it is both Parquet and CSV, or
    is a folder holding neither."""
    data_dir = Path(data_dir)
    found: dict[str, tuple[Path, ...]] = {}
    folder = data_dir / table
    for fmt in FORMATS:
        single = data_dir / f"{table}.{fmt}"
        parts = tuple(sorted(folder.glob(f"*.{fmt}"))) if folder.is_dir() else ()
        if single.is_file() and parts:
            raise TableFilesError(
                Problem(
                    table, f"both {single.name} and files in {table}/ are present; keep one", file=single.name
                )
            )
        if single.is_file():
            found[fmt] = (single,)
        elif parts:
            found[fmt] = parts
    if len(found) > 1:
        raise TableFilesError(
            Problem(table, "has both Parquet and CSV files; a table must be one or the other")
        )
    if not found:
        if folder.is_dir():
            raise TableFilesError(Problem(table, f"folder {table}/ holds no .parquet or .csv files"))
        return None
    [(fmt, paths)] = found.items()
    return TableFiles(table=table, format=fmt, paths=paths, data_dir=data_dir)


def parquet_columns(files: TableFiles) -> set[str]:
    names = set(pq.read_schema(files.paths[0]).names)
    for path in files.paths[1:]:
        names &= set(pq.read_schema(path).names)
    return names


# --- CSV ----------------------------------------------------------------------------------------------------


@dataclass
class CsvTable:
    """A CSV table converted to the contract's types. `parts` maps rows back to files: (path, first row index,
    rows). Where a value would not convert, `problems` says so and the table is None."""

    files: TableFiles
    table: pa.Table | None
    problems: Problems
    parts: list[tuple[Path, int, int]]

    def locate(self, index: int) -> tuple[str, int]:
        """Row index (from 0, across the parts) -> (file as the report names it, line in it)."""
        for path, first, rows in self.parts:
            if first <= index < first + rows:
                return self.files.name_of(path), index - first + 2  # line 1 is the header
        raise IndexError(index)

    def problem(self, index: int, column: str | None, reason: str) -> Problem:
        file, line = self.locate(index)
        return Problem(self.files.table, reason, row=index + 1, column=column, file=file, line=line)


def _header(path: Path) -> list[str]:
    with path.open("rb") as f:
        first = f.readline()
    text = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    return next(csv.reader([text]), [])


def _convert(values: pa.ChunkedArray, target: pa.DataType) -> tuple[pa.ChunkedArray | None, list[int]]:
    """Text -> `target`; (converted, []) or (None, indexes of the values that are not of the type)."""
    if target == pa.string():
        return values, []
    try:
        return _cast(values, target), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, OverflowError):
        pass
    bad = [
        i for i, value in enumerate(values.to_pylist()) if value is not None and not _parses(value, target)
    ]
    return None, bad or [0]


def _cast(values: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    if target == DATE:
        ok = pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}$")
        if not pc.all(pc.or_kleene(ok, pc.is_null(values))).as_py():
            raise ValueError("not ISO dates")
        return pc.cast(values, DATE)
    if pa.types.is_boolean(target):
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(values))
        truth = pc.is_in(lowered, value_set=pa.array(["true", "1"]))
        falsity = pc.is_in(lowered, value_set=pa.array(["false", "0"]))
        if not pc.all(pc.or_kleene(pc.or_(truth, falsity), pc.is_null(values))).as_py():
            raise ValueError("not true or false")
        return pc.if_else(pc.is_null(values), pa.scalar(None, pa.bool_()), truth)
    if pa.types.is_floating(target):
        converted = pc.cast(pc.utf8_trim_whitespace(values), target)
        if not pc.all(pc.or_kleene(pc.is_finite(converted), pc.is_null(converted))).as_py():
            raise ValueError("not finite")
        return converted
    return pc.cast(pc.utf8_trim_whitespace(values), target)


def _parses(value: str, target: pa.DataType) -> bool:
    value = value.strip()
    try:
        if target == DATE:
            return len(value) == 10 and dt.date.fromisoformat(value) is not None
        if pa.types.is_boolean(target):
            return value.lower() in ("true", "false", "1", "0")
        if pa.types.is_floating(target):
            return math.isfinite(float(value))
        if pa.types.is_integer(target):
            pa.array([int(value)]).cast(target)
            return True
    except (ValueError, OverflowError, pa.ArrowInvalid):
        return False
    return True


def _ragged_lines(table: str, path: Path, name: str) -> list[Problem]:
    """Lines whose number of fields is not the header's (the reader does not always know the line)."""
    found = []
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        for fields in reader:
            if fields and len(fields) != len(header):
                reason = f"has {len(fields)} fields where the header has {len(header)}"
                found.append(Problem(table, reason, file=name, line=reader.line_num))
    return found


TYPE_WORDS = {DATE: "a date (expected YYYY-MM-DD)", pa.bool_(): "true or false"}


def _type_words(target: pa.DataType) -> str:
    if target in TYPE_WORDS:
        return TYPE_WORDS[target]
    if pa.types.is_integer(target):
        return "a whole number"
    if pa.types.is_floating(target):
        return "a number"
    return str(target)


def read_csv_table(files: TableFiles, columns: tuple[str, ...] | None = None) -> CsvTable:
    """Read a CSV table's `columns` (default: all the contract's) with the contract's types. A column the
    contract marks optional may be left out of the files (read as empty); any other missing column, a row
    with the wrong number of fields, text that is not UTF-8 and a value not of its column's type are
    problems."""
    spec = TABLES[files.table]
    wanted = columns or spec.column_names
    problems = Problems()
    pieces: list[pa.Table] = []
    parts: list[tuple[Path, int, int]] = []
    first = 0
    for path in files.paths:
        name = files.name_of(path)
        header = _header(path)
        missing = [c for c in wanted if c not in header and not spec.column(c).optional]
        for column in missing:
            problems.add(Problem(files.table, "required column is missing", column=column, file=name))
        if missing:
            continue
        if len(set(header)) != len(header):
            problems.add(Problem(files.table, "the header names a column more than once", file=name))
            continue
        present = [c for c in wanted if c in header]
        invalid: list[Problem] = []

        def on_invalid_row(row, name=name, invalid=invalid):
            invalid.append(
                Problem(
                    files.table,
                    f"has {row.actual_columns} fields where the header has {row.expected_columns}",
                    file=name,
                    line=row.number,
                )
            )
            return "skip"

        try:
            read = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(encoding="utf8"),
                parse_options=pcsv.ParseOptions(invalid_row_handler=on_invalid_row),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()),
                    include_columns=present,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as error:
            reason = (
                "is not UTF-8 text"
                if "UTF8" in str(error) or "utf-8" in str(error).lower()
                else "cannot be read as CSV"
            )
            problems.add(Problem(files.table, f"{reason} ({type(error).__name__})", file=name))
            continue
        if invalid:
            # report only these: lines after a bad one would be miscounted
            problems.extend(
                invalid if all(p.line for p in invalid) else _ragged_lines(files.table, path, name)
            )
            continue
        converted = {}
        for column in wanted:
            target = spec.column(column).type
            if column not in present:
                converted[column] = pa.chunked_array([pa.nulls(read.num_rows, target)])
                continue
            values, bad = _convert(read[column], target)
            for index in bad:
                problems.add(
                    Problem(
                        files.table,
                        f"is not {_type_words(target)}",
                        row=first + index + 1,
                        column=column,
                        file=name,
                        line=index + 2,
                    )
                )
            converted[column] = values
        parts.append((path, first, read.num_rows))
        first += read.num_rows
        if all(values is not None for values in converted.values()):
            pieces.append(pa.table(converted))
    if problems:
        return CsvTable(files, None, problems, parts)
    schema = pa.schema([pa.field(c, spec.column(c).type) for c in wanted])
    table = pa.concat_tables([p.cast(schema) for p in pieces]) if pieces else schema.empty_table()
    return CsvTable(files, table, problems, parts)


def person_key_kind(data_dir: Path, sample: int = 1000) -> str | None:
    """The kind of person key (contract.NHS_NUMBER or PSEUDONYM) the lake's people table uses, from its
    first `sample` rows; None when there is no people table to look at (the readers then say so)."""
    from neighbourhood.lake.contract import key_kinds, lake_key_kind

    try:
        files = find_table(Path(data_dir), "people")
        if files is None:
            return None
        if files.format == PARQUET:
            first = pq.ParquetFile(files.paths[0])
            keys = next(first.iter_batches(batch_size=sample, columns=["nhs_number"]), None)
            values = keys.column(0).to_pylist() if keys is not None else []
        else:
            with files.paths[0].open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                values = [row.get("nhs_number") for _, row in zip(range(sample), reader, strict=False)]
    except (TableFilesError, pa.ArrowException, OSError, UnicodeDecodeError, csv.Error, KeyError):
        return None  # unreadable: the lake's readers report what is wrong, with file, line and column
    return lake_key_kind(key_kinds(values))
