import json
from datetime import timedelta

import numpy as np
import pytest

from neighbourhood import nhs_number
from neighbourhood.synth import generate
from neighbourhood.synth.generate import generate_neighbourhood
from neighbourhood.synth.schema import CHUNKED_TABLES, SCHEMAS, SMALL_TABLES

from .lakes import INDEX_DATE, documented_schemas, read_frame, read_table


def test_same_seed_gives_the_same_tables_and_another_seed_does_not(small_lake, tmp_path):
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate_neighbourhood(again, people=3_000, seed=11, index_date=INDEX_DATE)
    generate_neighbourhood(other, people=3_000, seed=12, index_date=INDEX_DATE)
    for name in SCHEMAS:
        assert read_table(again, name).equals(read_table(small_lake, name)), name
    for name in ("people", "events", "hospital_activity", "truth"):
        assert not read_table(other, name).equals(read_table(small_lake, name)), name
    assert (again / "metadata.json").read_text() == (small_lake / "metadata.json").read_text()


def test_nhs_numbers_are_valid_unique_and_from_the_test_range(small_lake):
    numbers = read_frame(small_lake, "people").nhs_number
    assert numbers.is_unique
    assert numbers.str.startswith("999").all()
    assert all(nhs_number.is_valid(n) for n in numbers)


def test_every_table_has_exactly_the_documented_columns_and_types(small_lake):
    documented = documented_schemas()
    assert set(documented) == set(SCHEMAS)
    for name, columns in documented.items():
        written = read_table(small_lake, name).schema
        assert [(f.name, f.type) for f in written] == columns, name


def test_large_tables_are_written_in_parts_and_small_ones_as_single_files(small_lake):
    for name in CHUNKED_TABLES:
        assert sorted(p.name for p in (small_lake / name).iterdir()) == ["part-00000.parquet"]
    for name in SMALL_TABLES:
        assert (small_lake / f"{name}.parquet").is_file()


def test_metadata_says_how_the_files_were_made(small_lake):
    metadata = json.loads((small_lake / "metadata.json").read_text())
    assert metadata["seed"] == 11
    assert metadata["people"] == 3_000
    assert metadata["index_date"] == "2026-04-01"
    assert metadata["tariff"]["ae_attendance"] == 250.0
    assert metadata["code_version"]


def test_practices_exist_and_list_sizes_count_their_people(small_lake):
    people = read_frame(small_lake, "people")
    practices = read_frame(small_lake, "practices")
    assert len(practices) == 6
    assert practices.ods_code.str.fullmatch(r"[A-Z]\d{5}").all()
    assert practices.pcn_code.str.fullmatch(r"U\d{5}").all()
    assert practices.local_authority_code.str.fullmatch(r"E06000\d{3}").all()
    assert set(people.practice_ods_code) <= set(practices.ods_code)
    counts = people.practice_ods_code.value_counts()
    assert dict(zip(practices.ods_code, practices.list_size, strict=True)) == counts.to_dict()
    assert practices.list_size.max() > 2 * practices.list_size.min()


def test_people_live_in_known_lsoas_with_their_deprivation(small_lake):
    people = read_frame(small_lake, "people")
    lsoas = read_frame(small_lake, "lsoas")
    assert lsoas.lsoa_code.str.fullmatch(r"E01\d{6}").all()
    assert lsoas.imd_decile.between(1, 10).all()
    merged = people.merge(lsoas, on="lsoa_code", suffixes=("", "_lsoa"), how="left")
    assert (merged.imd_decile == merged.imd_decile_lsoa).all()


def test_ethnicity_uses_data_dictionary_codes_mostly_white_british(small_lake):
    ethnicity = read_frame(small_lake, "people").ethnicity
    assert set(ethnicity) <= set("ABCDEFGHJKLMNPRSZ")
    assert 0.6 < (ethnicity == "A").mean() < 0.85
    assert ethnicity.nunique() >= 12


def test_deaths_happen_in_history_and_follow_up(small_lake):
    people = read_frame(small_lake, "people")
    died = people.dropna(subset=["date_of_death"])
    assert (died.date_of_death < INDEX_DATE).any()
    assert (died.date_of_death >= INDEX_DATE).any()
    assert (died.date_of_death >= died.date_of_birth).all()


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("events", "date"),
        ("medications", "start_date"),
        ("hospital_activity", "start_date"),
        ("social_care", "start_date"),
    ],
)
def test_nothing_happens_before_birth_or_after_death(small_lake, table, column):
    people = read_frame(small_lake, "people")[["nhs_number", "date_of_birth", "date_of_death"]]
    rows = read_frame(small_lake, table).merge(people, on="nhs_number")
    assert (rows[column] >= rows.date_of_birth).all()
    died = rows.dropna(subset=["date_of_death"])
    assert (died[column] <= died.date_of_death).all()


def test_rerunning_into_the_same_directory_replaces_every_part(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "CHUNK_SIZE", 500)
    out = tmp_path / "lake"
    generate_neighbourhood(out, people=1_400, seed=3)
    assert len(list((out / "people").iterdir())) == 3
    generate_neighbourhood(out, people=700, seed=4)
    assert sorted(p.name for p in (out / "people").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert read_table(out, "people").num_rows == 700
    assert json.loads((out / "metadata.json").read_text())["seed"] == 4


def test_a_failed_run_leaves_the_previous_output_whole(tmp_path, monkeypatch):
    out = tmp_path / "lake"
    generate_neighbourhood(out, people=300, seed=3)
    before = read_table(out, "people")
    monkeypatch.setattr(generate, "CHUNK_SIZE", 100)
    real = generate._chunk_tables

    def fail_on_third_chunk(rng, chunk, *args):
        if chunk == 2:
            raise RuntimeError("disk full")
        return real(rng, chunk, *args)

    monkeypatch.setattr(generate, "_chunk_tables", fail_on_third_chunk)
    with pytest.raises(RuntimeError, match="disk full"):
        generate_neighbourhood(out, people=500, seed=9)
    assert read_table(out, "people").equals(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


def test_chunks_make_the_same_people_whatever_else_is_asked(tmp_path, monkeypatch):
    """Chunk i's people depend only on the seed and N, so a progress callback or re-run changes nothing."""
    monkeypatch.setattr(generate, "CHUNK_SIZE", 400)
    done = []
    generate_neighbourhood(tmp_path / "a", people=1_000, seed=8, progress=done.append)
    generate_neighbourhood(tmp_path / "b", people=1_000, seed=8)
    assert done == [0, 400, 800, 1_000]
    assert read_table(tmp_path / "a", "events").equals(read_table(tmp_path / "b", "events"))


def test_more_people_with_nhs_numbers_than_the_test_range_holds_fails_at_once(tmp_path):
    with pytest.raises(ValueError, match=r"holds only 909,091 valid"):
        generate_neighbourhood(tmp_path / "lake", people=1_000_000, seed=1, key="nhs_number")
    assert not (tmp_path / "lake").exists()


def test_events_fall_before_and_after_the_index_date_over_three_years(small_lake):
    events = read_frame(small_lake, "events")
    assert (events.date < INDEX_DATE).sum() > 0
    assert (events.date >= INDEX_DATE).sum() > 0
    hospital = read_frame(small_lake, "hospital_activity")
    assert hospital.start_date.min() <= INDEX_DATE - timedelta(days=3 * 365)
    assert hospital.start_date.max() >= INDEX_DATE + timedelta(days=300)
    assert hospital.start_date.max() < INDEX_DATE + timedelta(days=365)


def test_truth_is_a_probability_for_every_person_and_zero_for_the_dead(small_lake):
    truth = read_frame(small_lake, "truth").merge(read_frame(small_lake, "people"), on="nhs_number")
    assert len(truth) == 3_000
    assert truth.p_emergency_admission_12m.between(0, 1).all()
    dead = truth.date_of_death < INDEX_DATE
    assert (truth.p_emergency_admission_12m[dead] == 0).all()
    assert np.isfinite(truth.p_emergency_admission_12m).all()
