"""The lake's contract: every table, its columns and Arrow types, which may be empty, its keys, and what a
valid row is. Written once, here; docs/data-model.md describes it (a test checks they agree) and no other
module spells a table's column list (a test checks that too).

Person keys: a lake names people either by NHS number (direct care, the default) or by pseudonym
(`neighbourhood.person_key`), never both. The record (`neighbourhood load`) needs NHS numbers; the analytics
(`neighbourhood stratify`) accept either. The column is called `nhs_number` in both cases, as in the files.

Readers differ only in what they do with a row that breaks a rule: the record refuses the whole load (nothing
half-loaded), the analytics leave such people out and count them. The rules themselves are these.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from neighbourhood import person_key

STRING = pa.string()
DATE = pa.date32()
MONEY = pa.float64()

# who reads a table: the record (`load`) and the analytics (`stratify`)
RECORD = "record"
ANALYTICS = "analytics"


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool = False  # a row may leave it empty
    choices: tuple[str, ...] = ()  # when not empty, it must be one of these
    person_key: bool = False  # names a person: an NHS number or a pseudonym, whichever the lake uses
    identifiable: bool = False  # with the key, says who someone is: never printed, never read by analytics
    optional: bool = False  # a file may leave the column out; it is then read as empty
    record_only: bool = False  # only the record reads it: the analytics neither need nor keep it

    def __post_init__(self):
        if self.optional and not self.nullable:
            raise ValueError(f"{self.name}: an optional column must be nullable")


@dataclass(frozen=True)
class RowRule:
    """A rule across a row's columns. `broken(table)` is a boolean array: true where a row breaks it (nulls
    in the columns it reads never break it; emptiness is the columns' own rule)."""

    columns: tuple[str, ...]
    reason: str
    broken: Callable[[pa.Table], pa.ChunkedArray]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    read_by: frozenset[str]  # readers that need it: a lake without it is refused by them
    optional_for: frozenset[str] = frozenset()  # readers that read it when it is there
    unique: tuple[str, ...] = ()  # each of these columns is unique across the table
    references: tuple[tuple[str, str, str], ...] = ()  # (column, table, column it must name)
    rules: tuple[RowRule, ...] = ()
    chunked: bool = True  # large: written as DIR/<table>/part-NNNNN.parquet
    synthetic_only: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema files are written with. Every field is nullable in Arrow terms: whether a column
        may be empty is a rule of the contract (`Column.nullable`), checked and reported, not a file
        property."""
        return pa.schema([pa.field(c.name, c.type) for c in self.columns])

    @property
    def person_key_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.person_key)

    def reads(self, reader: str) -> bool:
        return reader in self.read_by or reader in self.optional_for


def _before(later: str, earlier: str) -> Callable[[pa.Table], pa.ChunkedArray]:
    return lambda table: pc.fill_null(pc.less(table[later], table[earlier]), False)


def _same(one: str, other: str) -> Callable[[pa.Table], pa.ChunkedArray]:
    return lambda table: pc.fill_null(pc.equal(table[one], table[other]), False)


def _inpatient_without_method(table: pa.Table) -> pa.ChunkedArray:
    return pc.and_(
        pc.fill_null(pc.equal(table["setting"], "inpatient"), False), pc.is_null(table["admission_method"])
    )


def _key(name: str) -> Column:
    return Column(name, STRING, person_key=True)


BOTH = frozenset({RECORD, ANALYTICS})

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "practices",
            (
                Column("ods_code", STRING),
                Column("name", STRING),
                Column("pcn_code", STRING),
                Column("pcn_name", STRING),
                Column("local_authority_code", STRING),
                Column("local_authority_name", STRING),
                Column("list_size", pa.int64(), nullable=True, optional=True),  # worked out by the record
            ),
            read_by=frozenset({RECORD}),
            unique=("ods_code",),
            chunked=False,
        ),
        Table(
            "lsoas",
            (
                Column("lsoa_code", STRING),
                Column("local_authority_code", STRING),
                Column("imd_decile", pa.int8(), nullable=True, optional=True),
            ),
            read_by=frozenset(),
            optional_for=frozenset({RECORD}),
            unique=("lsoa_code",),
            chunked=False,
        ),
        Table(
            "people",
            (
                _key("nhs_number"),
                Column("given_name", STRING, identifiable=True, record_only=True),
                Column("family_name", STRING, identifiable=True, record_only=True),
                Column("date_of_birth", DATE, identifiable=True),
                Column("sex", STRING, choices=("female", "male")),
                Column("ethnicity", STRING, nullable=True),
                Column("practice_ods_code", STRING),
                Column("lsoa_code", STRING, nullable=True, record_only=True),
                Column("imd_decile", pa.int8(), nullable=True),
                Column("registration_date", DATE, nullable=True),
                Column("date_of_death", DATE, nullable=True),
            ),
            read_by=BOTH,
            unique=("nhs_number",),
            references=(("practice_ods_code", "practices", "ods_code"),),
            rules=(
                RowRule(
                    ("date_of_death", "date_of_birth"),
                    "date_of_death is before date_of_birth",
                    _before("date_of_death", "date_of_birth"),
                ),
            ),
        ),
        Table(
            "events",
            (
                _key("nhs_number"),
                Column("date", DATE),
                Column("snomed_code", STRING),
                Column("value", pa.float64(), nullable=True),
            ),
            read_by=BOTH,
            references=(("nhs_number", "people", "nhs_number"),),
        ),
        Table(
            "medications",
            (
                _key("nhs_number"),
                Column("start_date", DATE),
                Column("end_date", DATE, nullable=True),
                Column("name", STRING),
                # free text: dm+d has dozens of routes; the analytics ask only whether it is "oral"
                Column("route", STRING, nullable=True),
                Column("is_repeat", pa.bool_()),
            ),
            read_by=BOTH,
            references=(("nhs_number", "people", "nhs_number"),),
            rules=(
                RowRule(
                    ("end_date", "start_date"),
                    "end_date is before start_date",
                    _before("end_date", "start_date"),
                ),
            ),
        ),
        Table(
            "hospital_activity",
            (
                _key("nhs_number"),
                Column("spell_id", STRING),
                Column("setting", STRING, choices=("ae", "inpatient")),
                Column("admission_method", STRING, nullable=True, choices=("emergency", "elective")),
                Column("start_date", DATE),
                Column("end_date", DATE, nullable=True),
                Column("diagnosis_code", STRING, nullable=True),
                Column("cost_gbp", MONEY, nullable=True),
            ),
            read_by=BOTH,
            unique=("spell_id",),
            references=(("nhs_number", "people", "nhs_number"),),
            rules=(
                RowRule(
                    ("end_date", "start_date"),
                    "end_date is before start_date",
                    _before("end_date", "start_date"),
                ),
                RowRule(
                    ("setting", "admission_method"),
                    "an inpatient spell needs an admission_method",
                    _inpatient_without_method,
                ),
            ),
        ),
        Table(
            "social_care",
            (
                _key("nhs_number"),
                Column("record_id", STRING),
                Column("activity", STRING, choices=("assessment", "service")),
                Column("kind", STRING),
                Column("start_date", DATE),
                Column("end_date", DATE, nullable=True),
                Column("weekly_cost_gbp", MONEY, nullable=True),
                Column("funding", STRING, nullable=True, record_only=True),
            ),
            read_by=BOTH,
            unique=("record_id",),
            references=(("nhs_number", "people", "nhs_number"),),
            rules=(
                RowRule(
                    ("end_date", "start_date"),
                    "end_date is before start_date",
                    _before("end_date", "start_date"),
                ),
            ),
        ),
        Table(
            "relationships",
            (
                _key("nhs_number"),
                _key("related_nhs_number"),
                Column("relationship", STRING, choices=("carer_of", "next_of_kin_of")),
                Column("start_date", DATE, nullable=True),
            ),
            read_by=frozenset({RECORD}),
            optional_for=frozenset({ANALYTICS}),
            references=(
                ("nhs_number", "people", "nhs_number"),
                ("related_nhs_number", "people", "nhs_number"),
            ),
            rules=(
                RowRule(
                    ("nhs_number", "related_nhs_number"),
                    "a person cannot be related to themselves",
                    _same("nhs_number", "related_nhs_number"),
                ),
            ),
        ),
        Table(
            "truth",
            (_key("nhs_number"), Column("p_emergency_admission_12m", pa.float64())),
            read_by=frozenset(),
            optional_for=frozenset({ANALYTICS}),
            synthetic_only=True,
        ),
    )
}

# Written once as DIR/<table>.parquet; the others per chunk as DIR/<table>/part-NNNNN.parquet.
SMALL_TABLES = tuple(name for name, table in TABLES.items() if not table.chunked)
CHUNKED_TABLES = tuple(name for name, table in TABLES.items() if table.chunked)
SCHEMAS: dict[str, pa.Schema] = {name: table.schema for name, table in TABLES.items()}
METADATA_FILE = "metadata.json"


def columns_of(table: str) -> tuple[str, ...]:
    return TABLES[table].column_names


def tables_for(reader: str) -> dict[str, Table]:
    """The tables a reader reads (needed or optional), in contract order."""
    return {name: table for name, table in TABLES.items() if table.reads(reader)}


def columns_for(table: str, reader: str) -> tuple[str, ...]:
    """The columns of `table` a reader reads: the analytics leave out what only the record needs (names,
    where someone lives, how their care is funded)."""
    columns = TABLES[table].columns
    return tuple(c.name for c in columns if reader == RECORD or not c.record_only)


# --- person keys --------------------------------------------------------------------------------------------

NHS_NUMBER = person_key.NHS_NUMBER
PSEUDONYM = person_key.PSEUDONYM
KEY_KIND_WORDS = {NHS_NUMBER: "NHS number", PSEUDONYM: "pseudonym"}
PSEUDONYMISED_FOR_RECORD = (
    "This lake is pseudonymised (person keys like P…): the record needs NHS numbers; "
    "pseudonymised lakes are for population analytics (stratify)"
)


def mixed_keys_reason(nhs_numbers: int, pseudonyms: int) -> str:
    return (
        f"the lake mixes person keys: {nhs_numbers:,} NHS numbers and {pseudonyms:,} pseudonyms in "
        "people.nhs_number; a lake names everyone one way (NHS numbers for direct care, pseudonyms for "
        "population analytics)"
    )


def key_kinds(keys: Iterable[object]) -> Counter:
    """How many keys of each kind (NHS_NUMBER, PSEUDONYM, None for neither)."""
    return Counter(person_key.kind_of(key) for key in keys)


def lake_key_kind(kinds: Counter) -> str:
    """The kind a lake uses, from the counts of its people's keys: the kind most of them are (NHS numbers when
    none is valid). Call `mixed_keys_reason` first when both kinds appear."""
    return PSEUDONYM if kinds.get(PSEUDONYM, 0) > kinds.get(NHS_NUMBER, 0) else NHS_NUMBER


# --- row rules, for a whole Arrow table (used to check a CSV extract before writing it as Parquet) ----------


@dataclass
class RowCheck:
    """What is wrong with a table's rows: (row index from 0, column, reason), in row order."""

    table: str
    found: list[tuple[int, str | None, str]] = field(default_factory=list)


def _rows_where(mask) -> list[int]:
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist() if len(mask) else []


def check_rows(
    name: str, table: pa.Table, *, key_kind: str | None, known: dict[tuple[str, str], set[str]] | None = None
) -> RowCheck:
    """Every rule of the contract for `table` (already of the contract's types): empty required columns,
    values outside a column's choices, person keys that are not of the lake's kind, repeated unique values,
    broken row rules and (given `known`: (table, column) -> the values there) references to nothing."""
    spec = TABLES[name]
    check = RowCheck(name)
    for column in spec.columns:
        values = table[column.name]
        if values.type != column.type:
            values = values.cast(column.type)  # e.g. a column of nothing but nulls
        if not column.nullable:
            check.found += [(i, column.name, "is empty") for i in _rows_where(pc.is_null(values))]
        if column.choices:
            outside = pc.invert(pc.is_in(values, value_set=pa.array(column.choices)))
            reason = f"must be {' or '.join(column.choices)}"
            check.found += [
                (i, column.name, reason) for i in _rows_where(pc.and_(pc.is_valid(values), outside))
            ]
        if column.type == STRING:
            empty_text = pc.equal(pc.utf8_trim_whitespace(values), "")
            check.found += [
                (i, column.name, "is empty") for i in _rows_where(empty_text) if not column.nullable
            ]
        if column.person_key and key_kind is not None:
            distinct = pc.unique(values.drop_null() if hasattr(values, "drop_null") else values).to_pylist()
            bad = pa.array([v for v in distinct if person_key.kind_of(v) != key_kind], STRING)
            if len(bad):
                reason = f"is not a valid {KEY_KIND_WORDS[key_kind]}"
                check.found += [
                    (i, column.name, reason) for i in _rows_where(pc.is_in(values, value_set=bad))
                ]
    for column in spec.unique:
        values = table[column]
        seen: set = set()
        for i, value in enumerate(values.to_pylist()):
            if value is None:
                continue
            if value in seen:
                check.found.append((i, column, "appears more than once"))
            seen.add(value)
    for rule in spec.rules:
        check.found += [(i, None, rule.reason) for i in _rows_where(rule.broken(table))]
    for column, other, other_column in spec.references:
        if known is None or (other, other_column) not in known:
            continue
        allowed = pa.array(sorted(known[other, other_column]), STRING)
        missing = pc.and_(pc.is_valid(table[column]), pc.invert(pc.is_in(table[column], value_set=allowed)))
        check.found += [(i, column, f"is not in {other}") for i in _rows_where(missing)]
    check.found.sort(key=lambda found: found[0])
    return check
