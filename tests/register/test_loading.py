import datetime as dt
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from neighbourhood.governance.models import AuditEvent
from neighbourhood.register.actions import load_register
from neighbourhood.register.lake import LakeInvalid
from neighbourhood.register.models import (
    Activity,
    Condition,
    LocalAuthority,
    Medication,
    Organisation,
    Person,
    Practice,
    Relationship,
)
from tests.register.lake import INDEX_DATE, LA_CODE, lake_tables, write_lake

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            LocalAuthority,
            Organisation,
            Practice,
            Person,
            Relationship,
            Condition,
            Medication,
            Activity,
        )
    }


def replace_nhs_number(tables: dict[str, list[dict]], old: str, new: str) -> None:
    """Change a person's NHS number everywhere it appears, as a bad extract would."""
    for rows in tables.values():
        for row in rows:
            for column in ("nhs_number", "related_nhs_number"):
                if row.get(column) == old:
                    row[column] = new


def known_by(rows: list[dict], column: str, as_of: dt.date) -> int:
    return sum(1 for row in rows if row[column] <= as_of)


def test_load_creates_the_register_as_known_on_the_index_date(tmp_path):
    tables = lake_tables(3)
    lake = write_lake(tmp_path / "lake", tables)

    counts = load_register(data_dir=lake, as_of=INDEX_DATE)

    assert Person.objects.count() == counts.people == len(tables["people"])
    assert set(Practice.objects.values_list("ods_code", flat=True)) == {
        p["ods_code"] for p in tables["practices"]
    }
    social_care = Organisation.objects.get(kind=Organisation.Kind.ADULT_SOCIAL_CARE)
    assert (social_care.code, social_care.name) == (f"ASC-{LA_CODE}", "Testshire Council Adult Social Care")
    assert Medication.objects.count() == known_by(tables["medications"], "start_date", INDEX_DATE)
    known_activity = known_by(tables["hospital_activity"] + tables["social_care"], "start_date", INDEX_DATE)
    assert Activity.objects.count() == known_activity
    assert Relationship.objects.count() == len(tables["relationships"])

    first = Person.objects.get(nhs_number=tables["people"][0]["nhs_number"])
    assert {(c.name, c.first_recorded) for c in first.conditions.all()} == {
        ("Hypertension", dt.date(2012, 6, 1)),
        ("Diabetes", dt.date(2023, 9, 14)),
    }
    assert (first.lives_alone, first.housebound, first.socially_isolated) == (True, True, False)
    assert first.known_to_social_care
    carer = Person.objects.get(nhs_number=tables["people"][1]["nhs_number"])
    assert carer.is_carer and not carer.known_to_social_care
    assert Practice.objects.get(ods_code="N81001").list_size == 2

    audit = AuditEvent.objects.get(action="load_register")
    assert audit.username == "system:load"
    assert audit.detail["people"] == len(tables["people"])
    assert audit.detail["as_of"] == INDEX_DATE.isoformat()


def test_loading_twice_updates_and_never_duplicates(tmp_path):
    tables = lake_tables(3)
    load_register(data_dir=write_lake(tmp_path / "first", tables), as_of=INDEX_DATE)
    before = table_counts()
    ids_before = dict(Person.objects.values_list("nhs_number", "id"))

    tables["people"][0]["family_name"] = "Renamed"
    tables["social_care"][1]["weekly_cost_gbp"] = 300.0
    load_register(data_dir=write_lake(tmp_path / "second", tables), as_of=INDEX_DATE)

    assert table_counts() == before
    assert dict(Person.objects.values_list("nhs_number", "id")) == ids_before
    assert Person.objects.get(nhs_number=tables["people"][0]["nhs_number"]).family_name == "Renamed"
    assert Activity.objects.get(source_id="SC0002").weekly_cost_gbp == 300


def test_housebound_ends_with_a_later_no_longer_housebound_code(tmp_path):
    tables = lake_tables(1)
    first = tables["people"][0]["nhs_number"]
    tables["events"].append(
        {"nhs_number": first, "date": dt.date(2024, 8, 1), "snomed_code": "760661000000106"}
    )
    load_register(data_dir=write_lake(tmp_path / "lake", tables), as_of=INDEX_DATE)
    assert not Person.objects.get(nhs_number=first).housebound


def test_follow_up_after_the_as_of_date_is_not_history(tmp_path):
    tables = lake_tables(3)
    lake = write_lake(tmp_path / "lake", tables)
    carer_number = tables["people"][1]["nhs_number"]

    call_command("load", str(lake), stdout=io.StringIO())  # as-of from metadata.json

    carer = Person.objects.get(nhs_number=carer_number)
    assert not carer.activities.exists()
    assert not carer.conditions.exists()
    assert not carer.medications.exists()
    # A course that ends after the as-of date had no known end then.
    metformin = Medication.objects.get(name__startswith="Metformin")
    assert metformin.end_date is None

    load_register(data_dir=lake, as_of=dt.date(2025, 12, 31))
    assert carer.activities.get().kind == Activity.Kind.EMERGENCY_ADMISSION
    assert carer.conditions.get().name == "COPD"
    assert Medication.objects.get(name__startswith="Metformin").end_date == dt.date(2025, 9, 1)


def test_the_command_prints_a_summary_of_counts(tmp_path, capsys):
    tables = lake_tables(3)
    lake = write_lake(tmp_path / "lake", tables)
    call_command("load", str(lake), "--as-of", "2025-03-31", verbosity=0)
    out = capsys.readouterr().out
    assert "as known on 2025-03-31" in out
    assert any(line.split() == ["people", str(len(tables["people"]))] for line in out.splitlines())


@pytest.mark.parametrize(
    ("table", "row", "column", "bad_value", "message"),
    [
        (
            "people",
            1,
            "nhs_number",
            "9434765918",
            "people row 2, column nhs_number: "
            "NHS number is not valid: the check digit (last digit) is 8 but should be 9",
        ),
        (
            "people",
            2,
            "nhs_number",
            "94347659",
            "people row 3, column nhs_number: NHS number must be 10 digits long; this one has 8",
        ),
        (
            "people",
            0,
            "practice_ods_code",
            "Z99999",
            "people row 1, column practice_ods_code: practice Z99999 is not in practices",
        ),
        ("people", 0, "practice_ods_code", None, "people row 1, column practice_ods_code: is empty"),
        ("people", 1, "sex", "x", "people row 2, column sex: must be female or male, not 'x'"),
        ("people", 1, "date_of_birth", None, "people row 2, column date_of_birth: is empty"),
        (
            "relationships",
            0,
            "related_nhs_number",
            "9990000018",
            "relationships row 1, column related_nhs_number: is not",
        ),
        (
            "hospital_activity",
            1,
            "setting",
            "clinic",
            "hospital_activity row 2, column setting: must be ae or inpatient",
        ),
        (
            "hospital_activity",
            0,
            "spell_id",
            "S" * 41,
            "hospital_activity row 1, column spell_id: is longer than 40",
        ),
        (
            "social_care",
            0,
            "record_id",
            "SC0002",
            "social_care row 2, column record_id: appears more than once (first at social_care row 1)",
        ),
        ("events", 4, "nhs_number", "9990000018", "events row 5, column nhs_number: is not in people"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(tmp_path, table, row, column, bad_value, message):
    tables = lake_tables(3)
    if (table, column) == ("people", "nhs_number"):
        replace_nhs_number(tables, tables["people"][row]["nhs_number"], bad_value)
    else:
        tables[table][row][column] = bad_value
    lake = write_lake(tmp_path / "lake", tables)

    with pytest.raises(CommandError) as error:
        call_command("load", str(lake))

    assert message in str(error.value)
    assert "1 problem found" in str(error.value)
    assert "Nothing was written" in str(error.value)
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_a_bad_lake_leaves_an_earlier_load_untouched(tmp_path):
    tables = lake_tables(3)
    load_register(data_dir=write_lake(tmp_path / "good", tables), as_of=INDEX_DATE)
    before = table_counts()
    tables["people"][0]["family_name"] = "Changed"
    tables["people"][2]["nhs_number"] = "9434765918"

    with pytest.raises(LakeInvalid):
        load_register(data_dir=write_lake(tmp_path / "bad", tables), as_of=INDEX_DATE)

    assert table_counts() == before
    assert not Person.objects.filter(family_name="Changed").exists()


def test_many_problems_are_counted_and_the_first_twenty_listed(tmp_path):
    tables = lake_tables(30)
    for person in tables["people"]:
        person["sex"] = "unknown"
    with pytest.raises(LakeInvalid) as error:
        load_register(data_dir=write_lake(tmp_path / "lake", tables), as_of=INDEX_DATE)
    assert error.value.total == 30
    assert len(error.value.problems) == 20
    assert "... and 10 more" in error.value.report()


def test_a_missing_column_is_named_with_its_table(tmp_path):
    tables = lake_tables(2)
    for row in tables["medications"]:
        del row["is_repeat"]
    with pytest.raises(LakeInvalid) as error:
        load_register(data_dir=write_lake(tmp_path / "lake", tables), as_of=INDEX_DATE)
    assert [str(p) for p in error.value.problems] == [
        "medications, column is_repeat: required column is missing"
    ]


def test_a_missing_table_is_named(tmp_path):
    lake = write_lake(tmp_path / "lake", lake_tables(2))
    (lake / "social_care.parquet").unlink()
    with pytest.raises(LakeInvalid) as error:
        load_register(data_dir=lake, as_of=INDEX_DATE)
    assert "social_care: table is missing" in str(error.value.problems[0])


def test_dates_written_as_text_are_read_and_bad_ones_reported(tmp_path):
    tables = lake_tables(2)
    lake = write_lake(tmp_path / "lake", tables)
    people = pq.read_table(lake / "people.parquet")
    as_text = people.column("date_of_birth").cast(pa.string()).to_pylist()
    as_text[1] = "17/05/1940"
    people = people.set_column(
        people.schema.get_field_index("date_of_birth"), "date_of_birth", pa.array(as_text)
    )
    pq.write_table(people, lake / "people.parquet")

    with pytest.raises(LakeInvalid) as error:
        load_register(data_dir=lake, as_of=INDEX_DATE)
    assert [str(p) for p in error.value.problems] == [
        "people row 2, column date_of_birth: is not a date (expected YYYY-MM-DD)"
    ]


def test_the_as_of_date_defaults_to_the_index_date_in_metadata(tmp_path, capsys):
    lake = write_lake(tmp_path / "lake", lake_tables(1), index_date=dt.date(2024, 6, 30))
    assert json.loads((lake / "metadata.json").read_text())["index_date"] == "2024-06-30"
    call_command("load", str(lake), verbosity=0)
    assert "as known on 2024-06-30" in capsys.readouterr().out
