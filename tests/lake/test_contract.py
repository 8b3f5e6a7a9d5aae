"""The lake's contract: one definition of its tables, one rule for each person-level state, one way to report
a problem, and person keys of one kind per lake.

The state spec is a table per person: the codes recorded and what the record (`load`), the analytics
(`stratify`'s features, Ibis on DuckDB) and the plain-Python rule must all say about them.
"""

import ast
import datetime as dt
import io
import itertools
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command

from neighbourhood import nhs_number, person_key
from neighbourhood.lake import contract, keys, states
from neighbourhood.lake.problems import Problem
from neighbourhood.register import lake as register_lake
from neighbourhood.risk.features import features_at, to_frame
from neighbourhood.risk.lake import LakeError, connect, fetch, read_lake
from neighbourhood.synth.generate import generate_neighbourhood
from tests.risk.lakes import person, write_lake
from tests.synth.lakes import DOC_TYPES, documented_schemas

ROOT = Path(__file__).resolve().parents[2]
INDEX = dt.date(2025, 4, 1)
AS_OF = INDEX - dt.timedelta(
    days=1
)  # the record "as known on" the day before: the same data as "before INDEX"

HOUSEBOUND, REVIEW, NO_LONGER_HOUSEBOUND = "138079003", "759311000000103", "760661000000106"
CARER, NOT_A_CARER = "133932002", "199361000000101"
LIVES_ALONE = "105529008"
D1, D2 = dt.date(2024, 3, 1), dt.date(2024, 9, 1)

# who: (codes recorded as (date, SNOMED code), carer_of relationship start or "none", housebound, is_carer)
STATE_SPEC = {
    "housebound coded": ([(D1, HOUSEBOUND)], "none", True, False),
    "housebound, later no longer": ([(D1, HOUSEBOUND), (D2, NO_LONGER_HOUSEBOUND)], "none", False, False),
    "no longer, later housebound again": (
        [(D1, NO_LONGER_HOUSEBOUND), (D2, HOUSEBOUND)],
        "none",
        True,
        False,
    ),
    "housebound and no longer on one day": (
        [(D2, HOUSEBOUND), (D2, NO_LONGER_HOUSEBOUND)],
        "none",
        False,
        False,
    ),
    "review and no longer on one day": (
        [(D1, HOUSEBOUND), (D2, REVIEW), (D2, NO_LONGER_HOUSEBOUND)],
        "none",
        False,
        False,
    ),
    "carer and not a carer on one day": ([(D1, CARER), (D1, NOT_A_CARER)], "none", False, False),
    "not a carer, later a carer": ([(D1, NOT_A_CARER), (D2, CARER)], "none", False, True),
    "a carer, later not": ([(D1, CARER), (D2, NOT_A_CARER)], "none", False, False),
    "cares for someone, undated": ([], None, False, True),
    "cares for someone from D1, coded not a carer later": ([(D2, NOT_A_CARER)], D1, False, True),
    "cares for someone only from the index date": ([], INDEX, False, False),
    "housebound coded on the index date": ([(INDEX, HOUSEBOUND)], "none", False, False),
    "nothing coded": ([], "none", False, False),
}
NUMBERS = [str(n) for n in nhs_number.sample_test_numbers(np.random.default_rng(3), 40)]
PRACTICE = {
    "ods_code": "N81001",
    "name": "Riverside Surgery",
    "pcn_code": "U00001",
    "pcn_name": "Testshire PCN",
    "local_authority_code": "E06000099",
    "local_authority_name": "Testshire Council",
}


def spec_lake(tmp_path: Path, keys_: list[str] | None = None) -> tuple[Path, dict[str, str]]:
    keys_ = keys_ or NUMBERS
    who = dict(zip(STATE_SPEC, keys_, strict=False))
    cared_for = keys_[-1]
    tables = {
        "practices": [PRACTICE],
        # nobody's registration date is known for the last: in the people table with a practice, so registered
        "people": [person(key, dt.date(1940, 1, 1)) for key in [*who.values()][:-1]]
        + [
            person(key, dt.date(1940, 1, 1), registration_date=None)
            for key in [[*who.values()][-1], cared_for]
        ],
        "events": [
            {"nhs_number": who[name], "date": day, "snomed_code": code}
            for name, (events, *_) in STATE_SPEC.items()
            for day, code in events
        ],
        "relationships": [
            {
                "nhs_number": who[name],
                "related_nhs_number": cared_for,
                "relationship": "carer_of",
                "start_date": start,
            }
            for name, (_, start, *_) in STATE_SPEC.items()
            if start != "none"
        ],
        "medications": [],
        "hospital_activity": [],
        "social_care": [],
    }
    return write_lake(tmp_path / "lake", tables), who


def test_every_reader_derives_the_same_states_and_the_no_longer_code_wins_on_the_same_day(tmp_path):
    lake_dir, who = spec_lake(tmp_path)
    analytics = to_frame(features_at(read_lake(connect(), lake_dir), INDEX)).set_index("nhs_number")
    record = register_lake.read_lake(lake_dir, AS_OF).flags
    for name, (events, start, housebound, is_carer) in STATE_SPEC.items():
        plain = states.person_states(
            events=events,
            carer_of_starts=[] if start == "none" else [start],
            social_care_starts=[],
            before=INDEX,
        )
        key = who[name]
        assert (plain["housebound"], plain["is_carer"]) == (housebound, is_carer), name
        assert (record[key]["housebound"], record[key]["is_carer"]) == (housebound, is_carer), name
        assert (analytics.loc[key, "housebound"], analytics.loc[key, "is_carer"]) == (housebound, is_carer), (
            name
        )


def test_the_rule_in_python_and_in_ibis_agree_for_every_order_of_codes():
    days = [None, D1, D2]
    cases = list(itertools.product(days, days))
    table = ibis.memtable(
        pa.table(
            {
                "started": pa.array([a for a, _ in cases], pa.date32()),
                "ended": pa.array([b for _, b in cases], pa.date32()),
            }
        )
    )
    con = ibis.duckdb.connect()
    expr = table.mutate(yes=states.latest_says_yes_expr(table.started, table.ended).fill_null(False))
    frame = con.to_pyarrow(expr).to_pylist()
    for row in frame:
        assert row["yes"] == states.latest_says_yes(row["started"], row["ended"]), row
    assert states.latest_says_yes(D2, D2) is False  # same day: the "no longer" code wins


def test_lives_alone_and_known_to_social_care(tmp_path):
    plain = states.person_states(
        events=[(D1, LIVES_ALONE)], carer_of_starts=[], social_care_starts=[D2, None], before=INDEX
    )
    assert plain["lives_alone"] and plain["known_to_social_care"]
    later = states.person_states(
        events=[(INDEX, LIVES_ALONE)], carer_of_starts=[], social_care_starts=[INDEX], before=INDEX
    )
    assert not later["lives_alone"] and not later["known_to_social_care"]


# --- one definition of the tables ---------------------------------------------------------------------------

# Modules allowed a literal naming lake columns, and why: it names something else that happens to share names.
ALLOWED_COLUMN_LITERALS = {
    ("src/neighbourhood/register/loading.py", "PERSON_FIELDS"): "the register's Person model fields",
    ("src/neighbourhood/register/loading.py", "ACTIVITY_FIELDS"): "the register's Activity model fields",
}
TYPE_WORDS = {"string", "date", "number", "bool", *DOC_TYPES}


def _is_type(node: ast.AST) -> bool:
    """`pa.string()`, `pa.date32()`, `pa.string`, or a type word: what a schema pairs with a column name."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id in ("pa", "pyarrow")
    return isinstance(node, ast.Constant) and node.value in TYPE_WORDS


def _names_spelled(node: ast.AST) -> list[str] | None:
    """The column names a literal spells: the strings of a list, tuple or set (or the first items of
    (name, type) pairs), or the keys of a dict whose values are all types. None for other nodes."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        names = []
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                names.append(element.value)
            elif (
                isinstance(element, ast.Tuple)
                and len(element.elts) == 2
                and isinstance(element.elts[0], ast.Constant)
                and _is_type(element.elts[1])
            ):
                names.append(element.elts[0].value)
        return names
    if isinstance(node, ast.Dict) and node.values and all(_is_type(v) for v in node.values):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    return None


def spelled_column_lists(source: str) -> list[tuple[int, str, str]]:
    """(line, table, variable) for every literal holding 4 or more of one table's column names in the
    contract's order: a second copy of the schema."""
    found = []
    tree = ast.parse(source)
    assigned_to = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    assigned_to[id(node.value)] = target.id
    for node in ast.walk(tree):
        names = _names_spelled(node)
        if not names:
            continue
        for table, spec in contract.TABLES.items():
            order = {name: i for i, name in enumerate(spec.column_names)}
            positions = [order[name] for name in names if name in order]
            if len(positions) >= 4 and positions == sorted(positions):
                found.append((node.lineno, table, assigned_to.get(id(node), "")))
    return found


def test_the_detector_finds_a_copied_schema_and_ignores_rows():
    copied = 'COLUMNS = ("nhs_number", "date_of_birth", "sex", "practice_ods_code")\n'
    as_types = (
        'S = {"nhs_number": pa.string(), "spell_id": pa.string(), "setting": pa.string(),'
        ' "cost_gbp": "number"}'
    )
    pairs = (
        'S = pa.schema([("nhs_number", pa.string()), ("date", pa.date32()), ("snomed_code", pa.string()),'
        ' ("value", pa.float64())])'
    )
    row = 'ROW = {"nhs_number": n, "date_of_birth": born, "sex": "female", "practice_ods_code": "N81001"}\n'
    assert [t for _, t, _ in spelled_column_lists(copied)] == ["people"]
    assert [t for _, t, _ in spelled_column_lists(as_types)] == ["hospital_activity"]
    assert [t for _, t, _ in spelled_column_lists(pairs)] == ["events"]
    assert spelled_column_lists(row) == []


def test_no_module_but_the_contract_spells_a_tables_columns():
    contract_file = Path(contract.__file__).resolve()
    offences = []
    for path in sorted(
        [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    ):
        if path.resolve() == contract_file or "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        for line, table, variable in spelled_column_lists(path.read_text(encoding="utf-8")):
            if (relative, variable) not in ALLOWED_COLUMN_LITERALS:
                offences.append(f"{relative}:{line} spells the {table} columns ({variable or 'a literal'})")
    assert offences == [], "use neighbourhood.lake.contract instead:\n" + "\n".join(offences)


def test_the_data_model_document_describes_exactly_the_contracts_tables():
    documented = documented_schemas()
    assert list(documented) == list(contract.TABLES)
    for name, spec in contract.TABLES.items():
        assert documented[name] == [(c.name, c.type) for c in spec.columns], name


def test_the_generator_writes_the_contracts_schemas():
    from neighbourhood.synth import schema

    assert schema.SCHEMAS is contract.SCHEMAS
    assert set(contract.SMALL_TABLES) == {"practices", "lsoas"}


# --- problems -----------------------------------------------------------------------------------------------


def test_a_problem_says_table_row_column_and_reason_and_for_csv_file_and_line():
    assert str(Problem("people", "is empty", row=2, column="sex")) == "people row 2, column sex: is empty"
    assert str(Problem("events", "table is missing")) == "events: table is missing"
    csv = Problem(
        "people",
        "is not a date (expected YYYY-MM-DD)",
        row=4,
        column="date_of_birth",
        file="people.csv",
        line=5,
    )
    assert (
        str(csv)
        == "people.csv line 5 (people row 4), column date_of_birth: is not a date (expected YYYY-MM-DD)"
    )


def test_row_checks_report_rows_and_columns_never_values(tmp_path):
    table = pa.table(
        {
            "nhs_number": [NUMBERS[0], "9990000019", NUMBERS[0]],
            "given_name": ["Ada", "Bo", None],
            "family_name": ["Cole", "Dale", "Evans"],
            "date_of_birth": pa.array([D1, D1, D1], pa.date32()),
            "sex": ["female", "x", "male"],
            "ethnicity": [None, None, None],
            "practice_ods_code": ["N81001", "N81001", "N81001"],
            "lsoa_code": [None, None, None],
            "imd_decile": pa.array([None, None, None], pa.int8()),
            "registration_date": pa.array([None, None, None], pa.date32()),
            "date_of_death": pa.array([None, dt.date(1900, 1, 1), None], pa.date32()),
        }
    )
    check = contract.check_rows("people", table, key_kind=contract.NHS_NUMBER)
    assert check.found == [
        (1, "nhs_number", "is not a valid NHS number"),
        (1, "sex", "must be female or male"),
        (1, None, "date_of_death is before date_of_birth"),
        (2, "given_name", "is empty"),
        (2, "nhs_number", "appears more than once"),
    ]


# --- person keys --------------------------------------------------------------------------------------------

PSEUDONYMS = list(person_key.synthetic_pseudonyms(seed=5, start=0, count=2_000))
KEYS = [
    *NUMBERS[:5],
    "9990000019",  # wrong check digit
    "999000001",
    "999 000 0018",
    *PSEUDONYMS[:5],
    "P" + "I" * 15,  # I is not in Crockford's alphabet
    PSEUDONYMS[0].lower(),
    PSEUDONYMS[0][:-1],
    "Q" + PSEUDONYMS[0][1:],
    "",
    None,
]


def test_the_engines_key_kind_is_person_key_kind_of():
    table = ibis.memtable(pa.table({"key": pa.array(KEYS, pa.string())}))
    kinds = fetch(table.mutate(kind=keys.person_key_kind(table.key)))
    for key, kind in zip(kinds["key"], kinds["kind"], strict=True):
        expected = person_key.kind_of(key)
        assert (None if kind is None or kind != kind else kind) == expected, key


def test_analytics_read_a_pseudonymised_lake_and_sample_it_by_its_characters(tmp_path):
    lake_dir, who = spec_lake(tmp_path, PSEUDONYMS)
    lake = read_lake(connect(), lake_dir)
    assert lake.person_key_kind == contract.PSEUDONYM
    assert lake.counts["people_invalid_pseudonym"] == 0
    frame = to_frame(features_at(lake, INDEX)).set_index("nhs_number")
    assert len(frame) == len(STATE_SPEC) + 1
    assert bool(frame.loc[who["housebound coded"], "housebound"])
    assert not frame.loc[who["housebound and no longer on one day"], "housebound"]

    many = tmp_path / "many"
    write_lake(
        many,
        {
            "people": [person(p, dt.date(1950, 1, 1)) for p in PSEUDONYMS],
            "events": [],
            "medications": [],
            "hospital_activity": [],
            "social_care": [],
        },
    )
    full = read_lake(connect(), many)
    chosen = set(fetch(full.sample(250).people.select("nhs_number"))["nhs_number"])
    assert 0.21 * len(PSEUDONYMS) < len(chosen) < 0.29 * len(PSEUDONYMS)
    threshold = keys.pseudonym_sample_threshold(250)
    assert chosen == {p for p in PSEUDONYMS if p[1:4] < threshold}


def test_the_record_refuses_a_pseudonymised_lake_and_says_why(tmp_path):
    lake_dir, _ = spec_lake(tmp_path, PSEUDONYMS)
    with pytest.raises(register_lake.LakeInvalid) as error:
        register_lake.read_lake(lake_dir, AS_OF)
    assert [str(p) for p in error.value.problems] == [
        "people, column nhs_number: This lake is pseudonymised (person keys like P…): the record needs NHS "
        "numbers; pseudonymised lakes are for population analytics (stratify)"
    ]
    assert not any(p in error.value.report() for p in PSEUDONYMS)


def test_a_lake_mixing_nhs_numbers_and_pseudonyms_is_refused_by_both_readers(tmp_path):
    mixed = [*NUMBERS[:7], *PSEUDONYMS[:7]]
    lake_dir, _ = spec_lake(tmp_path, mixed)
    with pytest.raises(LakeError, match="mixes person keys: 7 NHS numbers and 7 pseudonyms"):
        read_lake(connect(), lake_dir)
    with pytest.raises(register_lake.LakeInvalid, match="mixes person keys"):
        register_lake.read_lake(lake_dir, AS_OF)


def test_load_refuses_the_generators_pseudonymised_lake_in_words(tmp_path):
    lake_dir = tmp_path / "pseudonymised"
    generate_neighbourhood(lake_dir, people=200, seed=4, index_date=INDEX, key="pseudonym")
    with pytest.raises(CommandError) as error:
        call_command("load", str(lake_dir), stdout=io.StringIO())
    assert "1 problem found" in str(error.value)
    assert contract.PSEUDONYMISED_FOR_RECORD in str(error.value)
    assert read_lake(connect(), lake_dir).person_key_kind == contract.PSEUDONYM
