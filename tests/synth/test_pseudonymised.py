"""A lake keyed by pseudonyms (`--key pseudonym`, and the default beyond the NHS-number test range)."""

import json

import numpy as np
import pyarrow.compute as pc
import pytest
from django.core.management import CommandError, call_command

from neighbourhood import nhs_number
from neighbourhood.person_key import PSEUDONYM_PATTERN
from neighbourhood.synth import generate
from neighbourhood.synth.generate import NAME_COLUMNS, generate_neighbourhood
from neighbourhood.synth.schema import SCHEMAS

from .lakes import INDEX_DATE, documented_schemas, read_frame, read_table

# every column that names a person
KEY_COLUMNS = {
    "people": ("nhs_number",),
    "events": ("nhs_number",),
    "medications": ("nhs_number",),
    "hospital_activity": ("nhs_number",),
    "social_care": ("nhs_number",),
    "relationships": ("nhs_number", "related_nhs_number"),
    "truth": ("nhs_number",),
}


@pytest.fixture(scope="module")
def pseudonymised_lake(tmp_path_factory):
    """The small lake's people (3,000, seed 11), keyed by pseudonyms."""
    out = tmp_path_factory.mktemp("pseudonymised") / "lake"
    generate_neighbourhood(out, people=3_000, seed=11, index_date=INDEX_DATE, key="pseudonym")
    return out


def test_every_person_key_in_every_table_is_a_pseudonym_and_none_passes_as_an_nhs_number(pseudonymised_lake):
    for table, columns in KEY_COLUMNS.items():
        for column in columns:
            keys = set(read_frame(pseudonymised_lake, table)[column])
            assert keys, (table, column)
            assert all(PSEUDONYM_PATTERN.match(key) for key in keys), (table, column)
            assert not any(nhs_number.is_valid(key) for key in keys), (table, column)


def test_each_person_has_one_pseudonym_and_every_row_and_relationship_points_at_someone(pseudonymised_lake):
    people = read_frame(pseudonymised_lake, "people").nhs_number
    assert people.is_unique
    assert len(people) == 3_000
    for table, columns in KEY_COLUMNS.items():
        for column in columns:
            assert set(read_frame(pseudonymised_lake, table)[column]) <= set(people), (table, column)
    relationships = read_frame(pseudonymised_lake, "relationships")
    assert (relationships.relationship == "carer_of").sum() > 10
    assert (relationships.nhs_number != relationships.related_nhs_number).all()


def test_the_same_seed_gives_the_same_pseudonymised_lake(pseudonymised_lake, tmp_path):
    generate_neighbourhood(tmp_path / "again", people=3_000, seed=11, index_date=INDEX_DATE, key="pseudonym")
    for name in SCHEMAS:
        assert read_table(tmp_path / "again", name).equals(read_table(pseudonymised_lake, name)), name
    assert (tmp_path / "again" / "metadata.json").read_text() == (
        pseudonymised_lake / "metadata.json"
    ).read_text()


def test_pseudonyms_do_not_depend_on_the_chunking(tmp_path, monkeypatch):
    generate_neighbourhood(tmp_path / "whole", people=1_000, seed=8, key="pseudonym")
    monkeypatch.setattr(generate, "CHUNK_SIZE", 300)
    generate_neighbourhood(tmp_path / "chunked", people=1_000, seed=8, key="pseudonym")
    assert len(list((tmp_path / "chunked" / "people").iterdir())) == 4
    whole = read_table(tmp_path / "whole", "people").column("nhs_number")
    assert read_table(tmp_path / "chunked", "people").column("nhs_number").equals(whole)


def test_a_pseudonymised_extract_has_no_names_and_only_the_month_of_birth(pseudonymised_lake):
    people = read_table(pseudonymised_lake, "people")
    documented = [(name, kind) for name, kind in documented_schemas()["people"] if name not in NAME_COLUMNS]
    assert [(f.name, f.type) for f in people.schema] == documented
    assert set(pc.day(people.column("date_of_birth")).to_pylist()) == {1}
    for name in SCHEMAS:
        if name != "people":  # every other table as documented
            assert read_table(pseudonymised_lake, name).schema.equals(SCHEMAS[name]), name


def test_it_holds_the_same_people_as_the_nhs_number_lake_of_the_same_seed(pseudonymised_lake, small_lake):
    """Only the keys, the names and the day of birth differ, so analytics on either can be compared."""
    by_number = read_frame(small_lake, "people")
    by_pseudonym = read_frame(pseudonymised_lake, "people")
    pseudonym_of = dict(zip(by_number.nhs_number, by_pseudonym.nhs_number, strict=True))
    same = [c for c in by_pseudonym.columns if c not in ("nhs_number", "date_of_birth")]
    assert len(same) == len(by_number.columns) - 2 - len(NAME_COLUMNS)
    assert by_number[same].equals(by_pseudonym[same])
    month_of_birth = by_number.date_of_birth.map(lambda day: day.replace(day=1))
    assert month_of_birth.equals(by_pseudonym.date_of_birth)
    for table, columns in KEY_COLUMNS.items():
        if table == "people":
            continue
        renamed = read_frame(small_lake, table)
        for column in columns:
            renamed[column] = renamed[column].map(pseudonym_of)
        assert renamed.equals(read_frame(pseudonymised_lake, table)), table


def test_metadata_says_which_key_the_lake_uses(pseudonymised_lake, small_lake):
    metadata = json.loads((pseudonymised_lake / "metadata.json").read_text())
    assert metadata["person_key"] == "pseudonym"
    assert metadata["date_of_birth_precision"] == "month"
    metadata = json.loads((small_lake / "metadata.json").read_text())
    assert metadata["person_key"] == "nhs_number"
    assert metadata["date_of_birth_precision"] == "day"


def test_beyond_the_test_range_the_default_key_is_a_pseudonym(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "TEST_RANGE_CAPACITY", 100)  # a million people would take minutes
    summary = generate_neighbourhood(tmp_path / "beyond", people=101, seed=4)
    assert summary.key == "pseudonym"
    assert read_frame(tmp_path / "beyond", "people").nhs_number.str.match(PSEUDONYM_PATTERN).all()
    assert generate_neighbourhood(tmp_path / "within", people=100, seed=4).key == "nhs_number"
    assert read_frame(tmp_path / "within", "people").nhs_number.map(nhs_number.is_valid).all()


def test_nhs_numbers_beyond_the_test_range_are_refused_saying_what_to_do(tmp_path):
    with pytest.raises(ValueError, match=r"holds only 909,091 valid ones; for more, key them by pseudonym"):
        generate_neighbourhood(tmp_path / "lake", people=1_000_000, seed=1, key="nhs_number")
    assert not (tmp_path / "lake").exists()
    with pytest.raises(ValueError, match="Unknown person key 'hash'"):
        generate_neighbourhood(tmp_path / "lake", people=10, seed=1, key="hash")


def test_the_command_writes_a_pseudonymised_lake_with_key_pseudonym(tmp_path, capsys):
    out = tmp_path / "lake"
    call_command("synth", people=200, seed=2, out=str(out), key="pseudonym")
    assert "keyed by pseudonym" in capsys.readouterr().out
    assert json.loads((out / "metadata.json").read_text())["person_key"] == "pseudonym"
    keys = read_frame(out, "people").nhs_number
    assert keys.str.match(PSEUDONYM_PATTERN).all() and len(keys) == 200


def test_the_command_refuses_nhs_numbers_beyond_the_test_range(tmp_path):
    with pytest.raises(
        CommandError, match=r"909,091 valid ones; for more, key them by pseudonym \(--key pseudonym\)"
    ):
        call_command(
            "synth", people=1_000_000, seed=2, out=str(tmp_path / "lake"), key="nhs_number", verbosity=0
        )
    assert not (tmp_path / "lake").exists()


def test_month_of_birth_is_never_after_the_day_of_birth():
    days = np.array([0, 30, 31, 59, 18_000, 20_544])  # 1970-01-01, 1970-01-31, 1970-02-01, ...
    first = generate._first_of_month(days)
    assert list(first) == [0, 0, 31, 59, 17_987, 20_544]
