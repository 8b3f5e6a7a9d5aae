"""The run's fast paths say exactly what the plain way would: reasons, deficit names, self-medication concern,
and the training sample."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from neighbourhood.nhs_number import sample_test_numbers
from neighbourhood.risk import efi
from neighbourhood.risk.codes import efi_deficit_names
from neighbourhood.risk.dates import years_before
from neighbourhood.risk.explain import MIN_CONTRIBUTION, PHRASES, _has_phrase, top_factors
from neighbourhood.risk.features import case_finding_events_kept, features_at, to_frame
from neighbourhood.risk.lake import connect, fetch, read_lake
from tests.risk.lakes import person, write_lake

INDEX = dt.date(2025, 4, 1)


def plain_top_factors(people: pd.DataFrame, contributions: pd.DataFrame, limit: int = 4) -> list[list[str]]:
    """One person at a time: sort the speakable contributions, keep the largest that matter."""
    columns = list(contributions.columns)
    speakable = {c: _has_phrase(people, c) for c in columns}
    reasons = []
    for i in range(len(people)):
        ranked = sorted(
            (c for c in columns if speakable[c][i] and contributions[c].iloc[i] >= MIN_CONTRIBUTION),
            key=lambda c: (-contributions[c].iloc[i], columns.index(c)),
        )[:limit]
        one = {k: people[k].to_numpy(dtype=object)[i : i + 1] for k in people.columns}
        reasons.append([PHRASES[c](one)[0] for c in ranked])
    return reasons


def test_reasons_match_a_plain_person_by_person_ranking():
    rng = np.random.default_rng(3)
    n = 400
    people = pd.DataFrame(
        {
            "age": rng.integers(18, 100, n),
            "efi_deficit_count": rng.integers(0, 15, n),
            "emergency_admissions_12m": rng.integers(0, 4, n),
            "falls_12m": rng.integers(0, 3, n),
            "lives_alone": rng.integers(0, 2, n),
            "imd_decile": rng.integers(1, 11, n).astype(float),
        }
    )
    efi.add_scores(people)
    contributions = pd.DataFrame(
        rng.normal(0.1, 0.3, (n, 5)).round(
            2
        ),  # rounded: ties happen, and must go to the feature listed first
        columns=["age", "efi_deficit_count", "emergency_admissions_12m", "falls_12m", "lives_alone"],
    )
    got = top_factors(people, contributions, limit=3)
    assert got == plain_top_factors(people, contributions, limit=3)
    assert any(len(r) == 3 for r in got) and any(r == [] for r in got)


def test_deficit_masks_turn_back_into_sorted_names():
    names = efi_deficit_names()
    masks = np.array([0, 1 << names.index("Polypharmacy"), (1 << 0) | (1 << names.index("Polypharmacy"))])
    assert efi.deficit_names(masks) == [[], ["Polypharmacy"], sorted([names[0], "Polypharmacy"])]


def test_self_medication_concern_counts_when_recorded_in_the_last_year(tmp_path):
    recent, old, never = sample_test_numbers(np.random.default_rng(1), 3)
    unable = "285035003"  # Unable to manage medication
    lake_dir = write_lake(
        tmp_path / "lake",
        {
            "people": [person(n, dt.date(1940, 1, 1)) for n in (recent, old, never)],
            "events": [
                {"nhs_number": recent, "date": dt.date(2024, 10, 1), "snomed_code": unable},
                {"nhs_number": old, "date": dt.date(2023, 10, 1), "snomed_code": unable},
            ],
        },
    )
    frame = to_frame(features_at(read_lake(connect(), lake_dir), INDEX)).set_index("nhs_number")
    assert frame["self_medication_concern"].to_dict() == {recent: 1, old: 0, never: 0}


def test_training_sample_is_a_fixed_subset_chosen_by_nhs_number(random_lake_dir):
    lake = read_lake(connect(), random_lake_dir)
    everyone = set(fetch(lake.people.select("nhs_number"))["nhs_number"])
    sample = lake.sample(300)
    chosen = set(fetch(sample.people.select("nhs_number"))["nhs_number"])
    assert chosen < everyone
    assert 0.2 < len(chosen) / len(everyone) < 0.4
    assert chosen == set(fetch(lake.sample(300).people.select("nhs_number"))["nhs_number"])
    assert all(int(n[6:9]) < 300 for n in chosen)
    assert set(fetch(sample.events.select("nhs_number"))["nhs_number"]) <= chosen
    assert lake.sample(1000) is lake


def test_training_sample_copes_with_malformed_nhs_numbers(tmp_path):
    good = "9990000018"  # digits 7 to 9: "001", so in any sample
    lake_dir = write_lake(
        tmp_path / "lake",
        {
            "people": [person(good, dt.date(1940, 1, 1)), person("99900ABC12", dt.date(1950, 1, 1))],
            "events": [
                {"nhs_number": good, "date": dt.date(2024, 1, 1), "snomed_code": "3723001"},
                {"nhs_number": "99900ABC12", "date": dt.date(2024, 1, 1), "snomed_code": "3723001"},
            ],
        },
    )
    sample = read_lake(connect(), lake_dir).sample(500)
    people = to_frame(features_at(sample, INDEX))  # the malformed number is no crash, and in no result
    assert list(people["nhs_number"]) == [good]
    assert people.loc[0, "efi_deficits"] == ["Arthritis"]


def test_kept_events_give_the_features_the_events_table_gives(random_lake_dir):
    lake = read_lake(connect(), random_lake_dir)
    earlier = years_before(INDEX)
    with case_finding_events_kept(lake, INDEX) as kept:
        for date, plain, fast in (
            (INDEX, lake, kept),
            (earlier, lake, kept),
            (earlier, lake.sample(300), kept.sample(300)),
        ):
            expected = to_frame(features_at(plain, date))
            assert expected["efi_deficit_count"].sum() > 0 and expected["ltc_count"].sum() > 0
            pd.testing.assert_frame_equal(to_frame(features_at(fast, date)), expected)
        with pytest.raises(ValueError, match="kept only before"):
            features_at(kept, INDEX + dt.timedelta(days=1))
