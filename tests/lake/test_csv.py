"""Real extracts: a lake of CSV files loads into the record and stratifies exactly as its Parquet twin does, a
bad CSV is reported by file, line and column with nothing loaded, and `lake convert` writes it as Parquet."""

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from neighbourhood.lake import contract
from neighbourhood.lake.convert import ConversionRefused, convert_csv_lake
from neighbourhood.register import lake as register_lake
from neighbourhood.register.actions import load_register
from neighbourhood.register.models import Person
from neighbourhood.risk.lake import LakeError, connect, read_lake
from neighbourhood.risk.pipeline import run_stratification
from neighbourhood.synth.generate import generate_neighbourhood
from tests.synth.lakes import read_table

INDEX = dt.date(2025, 4, 1)
PEOPLE = 1_500


def to_csv(parquet_lake: Path, out: Path) -> Path:
    """The lake as CSV as an extract would send it: small tables as DIR/<table>.csv, large ones as a folder
    of parts DIR/<table>/part-NNNNN.csv, and metadata.json as it was."""
    out.mkdir(parents=True)
    for name in contract.TABLES:
        single = parquet_lake / f"{name}.parquet"
        if single.is_file():
            pcsv.write_csv(pq.read_table(single), out / f"{name}.csv")
        elif (parquet_lake / name).is_dir():
            (out / name).mkdir()
            for part in sorted((parquet_lake / name).glob("*.parquet")):
                pcsv.write_csv(pq.read_table(part), out / name / f"{part.stem}.csv")
    shutil.copyfile(parquet_lake / "metadata.json", out / "metadata.json")
    return out


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    root = tmp_path_factory.mktemp("twins")
    parquet = root / "parquet"
    generate_neighbourhood(parquet, people=PEOPLE, seed=21, index_date=INDEX)
    return parquet, to_csv(parquet, root / "csv")


def rewrite(path: Path, line: int, column: str, value: str) -> None:
    """Put `value` in `column` on `line` (1 is the header) of a CSV file."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    rows[line - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def copy_of(lake: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(lake, tmp_path / "copy"))


def test_a_csv_lake_is_read_into_the_record_exactly_as_its_parquet_twin(twins):
    parquet, csv = twins
    as_of = INDEX - dt.timedelta(days=1)
    from_parquet = register_lake.read_lake(parquet, as_of)
    from_csv = register_lake.read_lake(csv, as_of)
    assert len(from_csv.people) == PEOPLE
    for part in (
        "practices",
        "lsoa_authority",
        "people",
        "relationships",
        "medications",
        "activities",
        "conditions",
        "flags",
    ):
        assert getattr(from_csv, part) == getattr(from_parquet, part), part


@pytest.mark.django_db
def test_load_accepts_a_csv_lake(twins):
    parquet, csv = twins
    counts = load_register(data_dir=csv, as_of=INDEX)
    assert counts.people == Person.objects.count() == PEOPLE
    assert counts == load_register(data_dir=parquet, as_of=INDEX)  # and loading the twin changes nothing


def test_a_csv_lake_stratifies_to_the_same_scores_as_its_parquet_twin(twins):
    parquet, csv = twins
    from_parquet = run_stratification(parquet, index_date=INDEX)
    from_csv = run_stratification(csv, index_date=INDEX)
    columns = ["nhs_number", "admission_risk", "efi", "wokingham_flag", "segment", "on_register"]
    expected = from_parquet.people[columns].reset_index(drop=True)
    assert len(expected) > 0.9 * PEOPLE
    assert from_csv.people[columns].reset_index(drop=True).equals(expected)
    assert from_csv.counts == from_parquet.counts


def test_lake_convert_round_trips_a_csv_lake_to_the_same_parquet(twins, tmp_path):
    parquet, csv = twins
    out = io.StringIO()
    call_command("lake", "convert", str(csv), str(tmp_path / "converted"), stdout=out)
    assert "Wrote" in out.getvalue()
    for name in contract.TABLES:
        assert read_table(tmp_path / "converted", name).equals(
            read_table(parquet, name).cast(contract.SCHEMAS[name])
        ), name
    assert (tmp_path / "converted" / "metadata.json").read_text() == (parquet / "metadata.json").read_text()


BAD_VALUES = [
    # (file, line, column, value, what the report says)
    ("people/part-00000.csv", 3, "date_of_birth", "17/05/1940", "is not a date (expected YYYY-MM-DD)"),
    ("events/part-00000.csv", 10, "date", "yesterday", "is not a date (expected YYYY-MM-DD)"),
    ("medications/part-00000.csv", 4, "is_repeat", "sometimes", "is not true or false"),
    ("hospital_activity/part-00000.csv", 2, "cost_gbp", "a lot", "is not a number"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("file", "line", "column", "value", "reason"), BAD_VALUES)
def test_a_value_not_of_its_type_is_reported_by_file_line_and_column_and_nothing_loads(
    twins, tmp_path, file, line, column, value, reason
):
    lake = copy_of(twins[1], tmp_path)
    rewrite(lake / file, line, column, value)
    table = file.split("/")[0]
    expected = f"{file} line {line} ({table} row {line - 1}), column {column}: {reason}"

    with pytest.raises(CommandError) as error:
        call_command("load", str(lake), stdout=io.StringIO())
    assert expected in str(error.value)
    assert "1 problem found" in str(error.value)
    assert value not in str(error.value)
    assert Person.objects.count() == 0

    with pytest.raises(LakeError) as error:
        read_lake(connect(), lake)
    assert expected in str(error.value)

    with pytest.raises(ConversionRefused) as error:
        convert_csv_lake(lake, tmp_path / "converted")
    assert expected in error.value.report()
    assert not (tmp_path / "converted").exists()


@pytest.mark.django_db
def test_a_bad_nhs_number_is_reported_by_file_line_and_column_and_never_printed(twins, tmp_path):
    lake = copy_of(twins[1], tmp_path)
    people = lake / "people" / "part-00000.csv"
    bad = "9990000019"  # wrong check digit
    rewrite(people, 5, "nhs_number", bad)
    with pytest.raises(CommandError) as error:
        call_command("load", str(lake), stdout=io.StringIO())
    report = str(error.value)
    assert "people/part-00000.csv line 5 (people row 4), column nhs_number: NHS number is not valid" in report
    assert bad not in report.replace(" ", "")
    assert Person.objects.count() == 0

    with pytest.raises(ConversionRefused) as refused:
        convert_csv_lake(lake, tmp_path / "converted")
    assert "people/part-00000.csv line 5 (people row 4), column nhs_number: is not a valid NHS number" in (
        refused.value.report()
    )


@pytest.mark.django_db
def test_a_missing_column_is_named_with_its_file(twins, tmp_path):
    lake = copy_of(twins[1], tmp_path)
    meds = lake / "medications" / "part-00000.csv"
    table = pcsv.read_csv(meds)
    pcsv.write_csv(table.drop_columns(["route"]), meds)
    expected = "medications/part-00000.csv, column route: required column is missing"
    with pytest.raises(CommandError) as error:
        call_command("load", str(lake), stdout=io.StringIO())
    assert expected in str(error.value)
    assert Person.objects.count() == 0
    with pytest.raises(LakeError, match=expected):
        read_lake(connect(), lake)
    with pytest.raises(CommandError, match=expected):
        call_command("lake", "convert", str(lake), str(tmp_path / "converted"), stdout=io.StringIO())


def test_a_row_with_too_many_fields_is_reported_by_line(twins, tmp_path):
    lake = copy_of(twins[1], tmp_path)
    practices = lake / "practices.csv"
    lines = practices.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    practices.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(register_lake.LakeInvalid) as error:
        register_lake.read_lake(lake, INDEX)
    assert [str(p) for p in error.value.problems] == [
        "practices.csv line 3: has 8 fields where the header has 7"
    ]


def test_a_table_in_both_formats_is_refused(twins, tmp_path):
    lake = copy_of(twins[1], tmp_path)
    shutil.copyfile(twins[0] / "people" / "part-00000.parquet", lake / "people.parquet")
    with pytest.raises(LakeError, match="people: has both Parquet and CSV files"):
        read_lake(connect(), lake)
    with pytest.raises(register_lake.LakeInvalid, match="people: has both Parquet and CSV files"):
        register_lake.read_lake(lake, INDEX)


def test_spark_is_told_to_convert_a_csv_lake_first(twins):
    from neighbourhood.lake.files import find_table
    from neighbourhood.risk.lake import _read_csv

    with pytest.raises(LakeError, match=r"Spark reads Parquet lakes.*neighbourhood lake convert"):
        _read_csv(None, "spark", find_table(twins[1], "people"))


def test_convert_refuses_a_pseudonymised_lake_mixed_with_nhs_numbers(twins, tmp_path):
    lake = copy_of(twins[1], tmp_path)
    rewrite(lake / "people" / "part-00000.csv", 2, "nhs_number", "P0123456789ABCDE")
    with pytest.raises(ConversionRefused, match="mixes person keys"):
        convert_csv_lake(lake, tmp_path / "converted")
