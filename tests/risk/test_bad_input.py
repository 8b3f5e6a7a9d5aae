"""Bad input gives a clear error, or a warning with counts: never a crash or a silent wrong number."""

import datetime as dt
import gc
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from neighbourhood.risk.features import features_at, to_frame
from neighbourhood.risk.lake import LakeError, connect, read_lake
from neighbourhood.risk.pipeline import run_stratification
from tests.risk.lakes import person, write_lake

INDEX = dt.date(2025, 4, 1)
GOOD, NO_PRACTICE, BAD_CHECK_DIGIT = "9990000018", "9990000026", "9990000019"


@pytest.fixture
def lake_dir(tmp_path):
    tables = {
        "people": [
            person(GOOD, dt.date(1940, 5, 1)),
            person(NO_PRACTICE, dt.date(1950, 5, 1), practice_ods_code=None),
            person(BAD_CHECK_DIGIT, dt.date(1960, 5, 1)),
        ],
        "events": [
            {"nhs_number": GOOD, "date": dt.date(2024, 1, 1), "snomed_code": "3723001"},
            {"nhs_number": GOOD, "date": dt.date(2024, 1, 1), "snomed_code": "123456789"},  # in no codelist
            {"nhs_number": GOOD, "date": dt.date(2099, 1, 1), "snomed_code": "1201005"},  # after the data cut
        ],
        "medications": [],
        "hospital_activity": [],
        "social_care": [],
    }
    return write_lake(tmp_path / "lake", tables)


def test_warnings_count_people_left_out_and_future_dates(lake_dir):
    lake = read_lake(connect(), lake_dir)
    assert lake.counts["people_no_practice"] == 1
    assert lake.counts["people_invalid_nhs_number"] == 1
    assert lake.counts["events_after_data_cut"] == 1
    assert "1 people have no practice_ods_code and are left out of every result" in lake.warnings
    assert any("invalid NHS number" in w for w in lake.warnings)
    assert any("1 events rows are dated after the data cut" in w for w in lake.warnings)
    frame = to_frame(features_at(lake, INDEX))
    assert list(frame["nhs_number"]) == [GOOD]  # the unknown code is simply not a deficit
    assert frame.loc[0, "efi_deficits"] == ["Arthritis"]


def test_missing_table_is_named(lake_dir):
    (lake_dir / "social_care.parquet").unlink()
    with pytest.raises(LakeError, match="social_care: table is missing"):
        read_lake(connect(), lake_dir)


def test_missing_column_is_named(lake_dir):
    meds = pq.read_table(lake_dir / "medications.parquet").drop(["route"])
    pq.write_table(meds, lake_dir / "medications.parquet")
    with pytest.raises(LakeError, match="medications, column route: required column is missing"):
        read_lake(connect(), lake_dir)


def test_wrongly_typed_column_is_named(lake_dir):
    events = pq.read_table(lake_dir / "events.parquet")
    events = events.set_column(1, "date", pa.array(["2024-01-01"] * events.num_rows))
    pq.write_table(events, lake_dir / "events.parquet")
    with pytest.raises(LakeError, match=r"events, column date: must be date, found string"):
        read_lake(connect(), lake_dir)


def test_unreadable_file_is_named(lake_dir):
    (lake_dir / "events.parquet").write_text("not parquet")
    with pytest.raises(LakeError, match="events: cannot read"):
        read_lake(connect(), lake_dir)


def test_table_in_parts_is_read(lake_dir):
    parts = lake_dir / "events"
    parts.mkdir()
    shutil.move(lake_dir / "events.parquet", parts / "part-0.parquet")
    lake = read_lake(connect(), lake_dir)
    assert to_frame(features_at(lake, INDEX)).loc[0, "efi_deficit_count"] == 1


def test_repeated_people_are_an_error(lake_dir):
    people = pd.read_parquet(lake_dir / "people.parquet")
    schema = pq.read_schema(lake_dir / "people.parquet")
    doubled = pa.Table.from_pandas(pd.concat([people, people.head(1)]), schema=schema, preserve_index=False)
    pq.write_table(doubled, lake_dir / "people.parquet")
    with pytest.raises(LakeError, match="people, column nhs_number: 1 repeated values"):
        read_lake(connect(), lake_dir)


def test_missing_lake_and_future_index_date_are_errors(tmp_path, lake_dir):
    with pytest.raises(LakeError, match="does not exist"):
        run_stratification(tmp_path / "nowhere", index_date=INDEX)
    with pytest.raises(LakeError, match="is in the future"):
        run_stratification(lake_dir, index_date=dt.date.today() + dt.timedelta(days=1))


def test_too_little_data_to_train_says_so(lake_dir):
    from neighbourhood.risk.model import ModelError

    with pytest.raises(ModelError, match="Too little data to train"):
        run_stratification(lake_dir, index_date=INDEX)


@pytest.mark.parametrize("statistics", [True, False], ids=["with statistics", "without statistics"])
def test_dates_are_checked_whether_or_not_the_files_carry_statistics(lake_dir, statistics):
    # with statistics a clean table is passed on its files' footers; without, every row is read
    events = pq.read_table(lake_dir / "events.parquet")
    pq.write_table(events, lake_dir / "events.parquet", write_statistics=statistics)
    assert read_lake(connect(), lake_dir).counts["events_after_data_cut"] == 1

    clean = events.filter(pa.compute.less(events["date"], pa.scalar(dt.date(2030, 1, 1))))
    pq.write_table(clean, lake_dir / "events.parquet", write_statistics=statistics)
    lake = read_lake(connect(), lake_dir)
    assert lake.counts["events_after_data_cut"] == 0
    assert not any("after the data cut" in w for w in lake.warnings)


def test_undated_rows_are_counted_even_when_other_dates_are_clean(lake_dir):
    events = pq.read_table(lake_dir / "events.parquet").to_pylist()
    events[2]["date"] = None  # instead of the future date
    pq.write_table(
        pa.Table.from_pylist(events, schema=pq.read_schema(lake_dir / "events.parquet")),
        lake_dir / "events.parquet",
    )
    lake = read_lake(connect(), lake_dir)
    assert lake.counts["events_undated"] == 1
    assert lake.counts["events_after_data_cut"] == 0
    assert "1 events rows have no date and are ignored" in lake.warnings


def test_a_failed_run_leaves_the_garbage_collector_on(lake_dir):
    (lake_dir / "social_care.parquet").unlink()
    assert gc.isenabled()
    with pytest.raises(LakeError):
        run_stratification(lake_dir, index_date=INDEX)
    assert gc.isenabled()
