"""Fuzzing the loader's checks of the `people` table with hypothesis.

Whatever a column holds (any text, nothing, odd or impossible dates, huge or non-finite numbers, bytes,
another person's NHS number), a row is either loaded as a clean person or reported with its table, row and
column, and the report never prints an NHS number (register/lake.py promises it never does). Most examples
call the row check directly; a few go through Parquet and `load_register`, which must then write nothing.
"""

import datetime as dt
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from neighbourhood import nhs_number
from neighbourhood.lake.contract import columns_of
from neighbourhood.register import lake as lake_module
from neighbourhood.register.actions import load_register
from neighbourhood.register.lake import CleanLake, LakeInvalid
from neighbourhood.register.models import PCN, Activity, LocalAuthority, Person, Practice
from tests.register.lake import INDEX_DATE, PRACTICES, lake_tables, nhs_numbers, write_lake
from tests.register.test_loading import table_counts

FUZZ = settings(deadline=None, derandomize=True, database=None)
PEOPLE_COLUMNS = columns_of("people")
LAKE = lake_tables(3)  # built once: choosing test-range NHS numbers takes a tenth of a second
LAKE_NUMBERS = [person["nhs_number"] for person in LAKE["people"]]
SOME_NUMBERS = LAKE_NUMBERS + [n for n in nhs_numbers(40) if n not in LAKE_NUMBERS]  # valid, test range

valid_nhs_numbers = st.sampled_from(SOME_NUMBERS).flatmap(
    lambda n: st.sampled_from([n, nhs_number.format_for_display(n), f" {n[:3]}-{n[3:6]}-{n[6:]} "])
)
notable_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "Cole\x00",
        "A" * 101,
        "female",
        "Female",
        "male ",
        "unknown",
        *PRACTICES,
        "Z99999",
        "E01000001",
        "E010000010",
        "2020-02-30",
        "2023-02-29",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "1940-05-17",
        "17/05/1940",
        "1940-05-17T10:00:00",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "3.5",
        "0",
        "10",
        "11",
    ]
)
any_value = st.one_of(
    st.none(),
    st.text(max_size=20),
    notable_text,
    valid_nhs_numbers,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-1, max_value=12),
    st.floats(),  # includes nan, infinities and the largest finite floats
    st.dates(),  # years 1 to 9999
    st.datetimes(),
    st.booleans(),
    st.binary(max_size=12),
)


def good_person() -> dict:
    return {**LAKE["people"][0]}


def fresh_lake() -> CleanLake:
    practices = LAKE["practices"]
    return CleanLake(
        as_of=INDEX_DATE, practices=[{k: v for k, v in p.items() if k != "list_size"} for p in practices]
    )


def check_people(rows: list[dict]) -> tuple[CleanLake, list[str]]:
    """The loader's own check of people rows, without Parquet."""
    lake, problems = fresh_lake(), lake_module._Problems()
    lake_module._read_people(lake, enumerate(rows, start=1), problems)
    return lake, [str(problem) for problem in problems.listed]


def nhs_numbers_in(values) -> set[str]:
    """Every valid NHS number a row holds, in any column and any spacing."""
    found = set()
    for value in values:
        if isinstance(value, str) and nhs_number.is_valid(value):
            found.add(nhs_number.validate(value))
    return found


def assert_never_printed(numbers: set[str], problems: list[str]) -> None:
    for problem in problems:
        digits = re.sub(r"[\s-]", "", problem)
        for number in numbers:
            assert number not in digits, f"a report printed an NHS number: {problem!r}"


def assert_clean(person: dict, as_of: dt.date) -> None:
    """What the register's columns need of a person the loader accepted."""
    assert nhs_number.is_valid(person["nhs_number"])
    for name in ("given_name", "family_name"):
        assert 0 < len(person[name]) <= lake_module.NAME_LENGTH and "\x00" not in person[name]
    assert isinstance(person["date_of_birth"], dt.date)
    assert person["sex"] in ("female", "male")
    assert len(person["ethnicity"]) <= 1 and "\x00" not in person["ethnicity"]
    assert person["practice"] in PRACTICES
    assert len(person["lsoa_code"]) <= lake_module.LSOA_CODE_LENGTH and "\x00" not in person["lsoa_code"]
    assert person["imd_decile"] is None or (
        isinstance(person["imd_decile"], int) and 1 <= person["imd_decile"] <= 10
    )
    assert person["registration_date"] is None or isinstance(person["registration_date"], dt.date)
    died = person["date_of_death"]
    assert died is None or (isinstance(died, dt.date) and person["date_of_birth"] <= died <= as_of)


@settings(FUZZ, max_examples=300)
@given(column=st.sampled_from(PEOPLE_COLUMNS), value=any_value)
def test_any_value_in_any_column_is_loaded_clean_or_reported_by_row_and_column(column, value):
    row = {**good_person(), column: value}
    lake, problems = check_people([row])

    if problems:
        assert lake.people == []
        for problem in problems:
            assert problem.startswith("people row 1"), problem
            assert column in problem, f"{column} not named in {problem!r}"
    else:
        [person] = lake.people
        assert_clean(person, INDEX_DATE)
    assert_never_printed(nhs_numbers_in(row.values()), problems)


@settings(FUZZ, max_examples=200)
@given(rows=st.lists(st.fixed_dictionaries({c: any_value for c in PEOPLE_COLUMNS}), min_size=1, max_size=4))
def test_rows_of_anything_never_raise_and_never_print_an_nhs_number(rows):
    lake, problems = check_people(rows)

    for problem in problems:
        assert re.match(r"people row [1-4](, column \w+)?: \S", problem), problem
    for person in lake.people:
        assert_clean(person, INDEX_DATE)
    assert_never_printed(nhs_numbers_in(v for row in rows for v in row.values()), problems)


@settings(FUZZ, max_examples=100)
@given(
    born=st.dates(),
    died=st.none() | st.dates(),
    other_columns=st.fixed_dictionaries({}, optional={"sex": st.sampled_from(["female", "male"])}),
)
def test_any_real_dates_of_birth_and_death_load_or_are_reported(born, died, other_columns):
    row = {**good_person(), "date_of_birth": born, "date_of_death": died, **other_columns}
    lake, problems = check_people([row])
    if died is not None and died < born:
        assert problems == ["people row 1: date_of_death is before date_of_birth"]
    else:
        assert problems == []
        [person] = lake.people
        assert person["date_of_birth"] == born
        # A death after the as-of date was not yet known on it.
        assert person["date_of_death"] == (died if died is not None and died <= INDEX_DATE else None)


def test_an_nhs_number_in_the_wrong_column_is_not_printed():
    number = SOME_NUMBERS[10]
    row = {**good_person(), "sex": number, "practice_ods_code": nhs_number.format_for_display(number)}
    _, problems = check_people([row])
    assert problems == [
        "people row 1, column practice_ods_code: is not in practices; the value given is not shown here",
        "people row 1, column sex: must be female or male; the value given is not shown here",
    ]


def test_the_loaders_column_sizes_are_the_registers():
    assert Person._meta.get_field("given_name").max_length == lake_module.NAME_LENGTH
    assert Person._meta.get_field("family_name").max_length == lake_module.NAME_LENGTH
    assert Person._meta.get_field("lsoa_code").max_length == lake_module.LSOA_CODE_LENGTH
    practice_columns = {
        "ods_code": Practice._meta.get_field("ods_code"),
        "name": Practice._meta.get_field("name"),
        "pcn_code": PCN._meta.get_field("code"),
        "pcn_name": PCN._meta.get_field("name"),
        "local_authority_code": LocalAuthority._meta.get_field("code"),
        "local_authority_name": LocalAuthority._meta.get_field("name"),
    }
    assert {c: f.max_length for c, f in practice_columns.items()} == lake_module.PRACTICE_TEXT_LENGTHS
    for column, limit in lake_module.MONEY_LIMITS.items():
        money = Activity._meta.get_field(column)
        assert limit == 10 ** (money.max_digits - money.decimal_places)


# End to end: a column of the people table written to Parquet with any type and values, then loaded.

DATE32_RANGE = (-(2**31), 2**31 - 1)  # far wider than Python's dates (years 1 to 9999)
columns_of_any_type = st.one_of(
    st.tuples(
        st.just(pa.string()),
        st.lists(st.none() | st.text(max_size=12) | notable_text | valid_nhs_numbers, min_size=3, max_size=3),
    ),
    st.tuples(
        st.just(pa.int64()), st.lists(st.none() | st.integers(-(2**63), 2**63 - 1), min_size=3, max_size=3)
    ),
    st.tuples(st.just(pa.float64()), st.lists(st.none() | st.floats(), min_size=3, max_size=3)),
    st.tuples(st.just(pa.bool_()), st.lists(st.none() | st.booleans(), min_size=3, max_size=3)),
    st.tuples(
        st.just("date32 days"), st.lists(st.none() | st.integers(*DATE32_RANGE), min_size=3, max_size=3)
    ),
    st.tuples(
        st.just(pa.timestamp("us", tz="UTC")),
        st.lists(st.none() | st.datetimes(timezones=st.just(dt.UTC)), min_size=3, max_size=3),
    ),
)


def as_arrow(kind, values) -> pa.Array:
    if kind == "date32 days":
        return pa.array(values, pa.int32()).cast(pa.date32())
    return pa.array(values, kind)


@pytest.fixture
def loaded_lake(tmp_path, db):
    tables = lake_tables(3)
    lake_dir = write_lake(tmp_path / "lake", tables)
    load_register(data_dir=lake_dir, as_of=INDEX_DATE)
    return lake_dir, pq.read_table(lake_dir / "people.parquet")


@settings(FUZZ, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(PEOPLE_COLUMNS), typed_values=columns_of_any_type)
def test_a_people_column_of_any_type_loads_or_is_reported_and_writes_nothing(
    loaded_lake, column, typed_values
):
    lake_dir, people = loaded_lake
    kind, values = typed_values
    index = people.schema.get_field_index(column)
    pq.write_table(people.set_column(index, column, as_arrow(kind, values)), lake_dir / "people.parquet")
    before = table_counts()
    names_before = sorted(Person.objects.values_list("nhs_number", "family_name"))

    try:
        load_register(data_dir=lake_dir, as_of=INDEX_DATE)
    except LakeInvalid as error:
        event("reported")
        assert table_counts() == before, "a failed load changed the register"
        assert sorted(Person.objects.values_list("nhs_number", "family_name")) == names_before
        problems = [str(problem) for problem in error.problems]
        for problem in problems:
            assert re.match(
                r"(people|relationships|medications|hospital_activity|social_care|events) row \d+"
                r"(, column \w+)?: ",
                problem,
            ), problem
        assert_never_printed(nhs_numbers_in(values) | set(LAKE_NUMBERS), problems)
    else:
        event("loaded")
        assert Person.objects.count() >= before["Person"]


def test_a_date_no_python_date_can_hold_is_reported_not_raised(loaded_lake):
    lake_dir, people = loaded_lake
    days = people.column("date_of_birth").cast(pa.int32()).to_pylist()
    days[1] = 2**31 - 1  # about 5.8 million years from now
    born = pa.array(days, pa.int32()).cast(pa.date32())
    pq.write_table(
        people.set_column(people.schema.get_field_index("date_of_birth"), "date_of_birth", born),
        lake_dir / "people.parquet",
    )
    with pytest.raises(LakeInvalid) as error:
        load_register(data_dir=lake_dir, as_of=INDEX_DATE)
    assert [str(p) for p in error.value.problems] == [
        "people row 2, column date_of_birth: is not a date (expected YYYY-MM-DD)"
    ]


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("people", "given_name", "A" * 101, "people row 1, column given_name: is longer than 100 characters"),
        ("people", "family_name", "Col\x00e", "people row 1, column family_name: contains a null character"),
        ("people", "lsoa_code", "E010000010", "people row 1, column lsoa_code: is longer than 9 characters"),
        ("practices", "pcn_code", "U" * 11, "practices row 1, column pcn_code: is longer than 10 characters"),
        (
            "hospital_activity",
            "cost_gbp",
            float("inf"),
            "hospital_activity row 1, column cost_gbp: is not a number",
        ),
        (
            "hospital_activity",
            "cost_gbp",
            float("nan"),
            "hospital_activity row 1, column cost_gbp: is not a number",
        ),
        (
            "hospital_activity",
            "cost_gbp",
            1e10,
            "hospital_activity row 1, column cost_gbp: must be less than 10,000,000,000",
        ),
        (
            "social_care",
            "weekly_cost_gbp",
            99_999_999.999,
            "social_care row 1, column weekly_cost_gbp: must be less than 100,000,000",
        ),
    ],
)
def test_values_the_database_would_refuse_are_reported_before_anything_is_written(
    tmp_path, db, table, column, value, message
):
    """SQLite stores these; PostgreSQL refuses them mid-load. Either way the report says which row."""
    tables = lake_tables(3)
    tables[table][0][column] = value
    with pytest.raises(LakeInvalid) as error:
        load_register(data_dir=write_lake(tmp_path / "lake", tables), as_of=INDEX_DATE)
    assert str(error.value.problems[0]) == message  # people at a rejected practice are reported after it
    assert Person.objects.count() == 0


def test_a_fractional_deprivation_decile_is_reported():
    row = {**good_person(), "imd_decile": 3.5}
    assert check_people([row])[1] == [
        "people row 1, column imd_decile: must be a whole number between 1 and 10"
    ]
