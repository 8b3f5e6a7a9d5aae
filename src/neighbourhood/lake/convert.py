"""`neighbourhood lake convert SRC DST`: a CSV lake, checked against the contract, written as Parquet.

Every table found in SRC is read with the contract's types and checked row by row (`contract.check_rows`:
empty required values, values outside their choices, person keys, repeated keys, row rules, references to
people and practices). Any problem refuses the whole conversion with the file, line and column of each; DST is
written only when everything is clean, and then all at once (a half-written lake is never left behind).
"""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from neighbourhood.lake import contract
from neighbourhood.lake.files import CSV, CsvTable, TableFilesError, expected, find_table, read_csv_table
from neighbourhood.lake.problems import Problem, Problems, report


class ConversionRefused(Exception):
    def __init__(self, problems: Problems):
        self.problems = problems.listed
        self.total = problems.total
        super().__init__(self.report())

    def report(self) -> str:
        return report(
            self.problems,
            self.total,
            heading="The CSV lake cannot be converted",
            footer="Nothing was written.",
        )


@dataclass(frozen=True)
class Converted:
    tables: dict[str, int]  # table -> rows written
    key_kind: str


def _key_kind(people: pa.Table, problems: Problems) -> str | None:
    kinds = contract.key_kinds(pc.unique(people["nhs_number"]).to_pylist())
    if kinds.get(contract.NHS_NUMBER) and kinds.get(contract.PSEUDONYM):
        problems.add(
            Problem(
                "people",
                contract.mixed_keys_reason(kinds[contract.NHS_NUMBER], kinds[contract.PSEUDONYM]),
                column="nhs_number",
            )
        )
        return None
    return contract.lake_key_kind(kinds)


def convert_csv_lake(src: Path, dst: Path) -> Converted:
    src, dst = Path(src), Path(dst)
    problems = Problems()
    if not src.is_dir():
        problems.add(Problem("lake", f"{src} is not a folder"))
        raise ConversionRefused(problems)
    read: dict[str, CsvTable] = {}
    for name, spec in contract.TABLES.items():
        try:
            files = find_table(src, name)
        except TableFilesError as error:
            problems.add(error.problem)
            continue
        if files is None:
            if spec.read_by:
                problems.add(Problem(name, f"table is missing (expected {expected(name)})"))
            continue
        if files.format != CSV:
            problems.add(Problem(name, "is already Parquet: convert reads a lake of CSV files"))
            continue
        table = read_csv_table(files)
        problems.extend(table.problems.listed)
        problems.total += table.problems.total - len(table.problems.listed)
        read[name] = table
    if problems:
        raise ConversionRefused(problems)

    key_kind = _key_kind(read["people"].table, problems) if "people" in read else None
    known = {}
    for name, column in (("people", "nhs_number"), ("practices", "ods_code")):
        if name in read:
            known[name, column] = set(pc.unique(read[name].table[column].drop_null()).to_pylist())
    for name, table in read.items():
        check = contract.check_rows(name, table.table, key_kind=key_kind, known=known)
        for index, column, reason in check.found:
            problems.add(table.problem(index, column, reason))
    if problems:
        raise ConversionRefused(problems)

    dst.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dst.name}.partial-", dir=dst.parent))
    try:
        rows = {}
        for name, table in read.items():
            schema = contract.SCHEMAS[name]
            pq.write_table(table.table.select(list(schema.names)).cast(schema), staging / f"{name}.parquet")
            rows[name] = table.table.num_rows
        metadata = src / contract.METADATA_FILE
        if metadata.is_file():
            shutil.copyfile(metadata, staging / contract.METADATA_FILE)
        if dst.exists():
            if any(dst.iterdir()):
                raise FileExistsError(f"{dst} is not empty: convert writes a new lake")
            dst.rmdir()
        staging.rename(dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Converted(tables=rows, key_kind=key_kind)
