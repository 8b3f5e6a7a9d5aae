"""Case finding on a pseudonymised lake: the same run, keyed by pseudonyms instead of NHS numbers.

The two lakes below hold the same people (`generate_neighbourhood` with the same seed and size): only the
keys, the names and the day of birth (a pseudonymised lake has the month only) differ.
"""

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest

from neighbourhood.person_key import PSEUDONYM_PATTERN, synthetic_pseudonyms
from neighbourhood.risk import reference
from neighbourhood.risk.features import EFI_AND_FLAG_INPUTS
from neighbourhood.risk.lake import connect, fetch, read_lake
from neighbourhood.risk.pipeline import EXPORT_COLUMNS, export, run_stratification
from neighbourhood.risk.register import Exclusion, Nomination
from neighbourhood.risk.report import evaluate
from neighbourhood.synth.generate import generate_neighbourhood

INDEX_DATE = dt.date(2026, 4, 1)
PEOPLE = 3_000
SEED = 11
# features that do not read the age, so the month of birth cannot change them
AGE_BLIND = [c for c in EFI_AND_FLAG_INPUTS if c != "age"]


@pytest.fixture(scope="module")
def lakes(tmp_path_factory):
    root = tmp_path_factory.mktemp("keyed")
    for key in ("nhs_number", "pseudonym"):
        generate_neighbourhood(root / key, people=PEOPLE, seed=SEED, index_date=INDEX_DATE, key=key)
    return root / "nhs_number", root / "pseudonym"


@pytest.fixture(scope="module")
def pseudonym_of(lakes):
    """NHS number -> pseudonym of the same person (the people tables list everyone in the same order)."""
    by_number, by_pseudonym = (
        pq.read_table(lake / "people").column("nhs_number").to_pylist() for lake in lakes
    )
    return dict(zip(by_number, by_pseudonym, strict=True))


@pytest.fixture(scope="module")
def results(lakes):
    return tuple(run_stratification(lake, index_date=INDEX_DATE) for lake in lakes)


def test_a_pseudonymised_lake_runs_end_to_end_keyed_by_pseudonyms(results, lakes):
    _, pseudonymised = results
    keys = pseudonymised.people["nhs_number"]
    assert keys.is_unique
    assert keys.str.match(PSEUDONYM_PATTERN).all()
    assert set(keys) <= set(pq.read_table(lakes[1] / "people").column("nhs_number").to_pylist())
    assert pseudonymised.counts["people_invalid_pseudonym"] == 0  # nobody left out for their key
    assert pseudonymised.counts["living_registered"] > 0.9 * PEOPLE
    assert pseudonymised.model_info["training_people"] > 0.8 * PEOPLE  # the living a year earlier
    assert pseudonymised.people["admission_risk"].between(0, 1).all()


def test_the_results_have_the_same_shape_as_on_the_nhs_number_lake(results):
    by_number, by_pseudonym = results
    assert list(by_pseudonym.people.columns) == list(by_number.people.columns)
    assert (by_pseudonym.people.dtypes == by_number.people.dtypes).all()
    assert len(by_pseudonym.people) == len(by_number.people)
    assert list(by_pseudonym.pyramid.columns) == list(by_number.pyramid.columns)
    assert list(by_pseudonym.pyramid["segment"]) == list(by_number.pyramid["segment"])
    assert list(by_pseudonym.pyramid["people"]) == list(by_number.pyramid["people"])
    assert set(by_pseudonym.counts) == set(by_number.counts)
    for name in ("living_registered", "register_target", "people_in_lake"):
        assert by_pseudonym.counts[name] == by_number.counts[name], name
    assert list(by_pseudonym.entrants.columns) == list(by_number.entrants.columns)
    assert by_pseudonym.people["on_register"].sum() == pytest.approx(
        by_number.people["on_register"].sum(), rel=0.1
    )


def test_each_persons_age_blind_features_are_the_same_under_either_key(results, pseudonym_of):
    by_number, by_pseudonym = results
    renamed = by_number.people.assign(nhs_number=by_number.people["nhs_number"].map(pseudonym_of))
    expected = renamed.set_index("nhs_number").sort_index()
    got = by_pseudonym.people.set_index("nhs_number").sort_index()
    assert list(got.index) == list(expected.index)
    pd.testing.assert_frame_equal(got[AGE_BLIND], expected[AGE_BLIND])
    # ages differ only for people born in the index month after its first day, by one year at most
    age_gap = got["age"] - expected["age"]
    assert set(age_gap) <= {0, 1}
    assert (age_gap == 0).mean() > 0.9  # about 29 days in 365 are after 1 April in April


def test_the_engine_agrees_with_the_pandas_reference_on_the_pseudonymised_lake(results, lakes):
    _, pseudonymised = results
    expected = reference.efi_and_flags(lakes[1], INDEX_DATE).set_index("nhs_number")
    got = pseudonymised.people.set_index("nhs_number").loc[expected.index]
    assert len(expected) == len(pseudonymised.people)
    pd.testing.assert_series_equal(got["efi"], expected["efi"], check_names=False)
    assert (got["wokingham_flag"] == expected["wokingham_flag"]).all()


def test_the_register_follows_previous_members_nominations_and_exclusions_by_pseudonym(results, lakes):
    _, pseudonymised = results
    people = pseudonymised.people.sort_values("admission_risk")
    low_risk_previous, excluded_previous, nominated = people["nhs_number"].iloc[:3]
    gone = synthetic_pseudonyms(seed=SEED, start=PEOPLE, count=1)[0]  # a pseudonym nobody in the lake has
    again = run_stratification(
        lakes[1],
        index_date=INDEX_DATE,
        model=pseudonymised.model,
        previous_register=[low_risk_previous, excluded_previous, gone],
        nominations=[Nomination(nominated, "Carer breakdown", "Dr Patel")],
        exclusions=[Exclusion(excluded_previous, "declined")],
    )
    on_register = again.people.set_index("nhs_number")["on_register"]
    assert on_register[low_risk_previous] and on_register[nominated] and not on_register[excluded_previous]
    leavers = dict(zip(again.leavers["nhs_number"], again.leavers["reason"], strict=True))
    assert set(leavers) == {excluded_previous, gone}
    assert nominated in set(again.entrants["nhs_number"])


def test_the_export_and_the_model_report_work_on_pseudonyms(results, tmp_path):
    _, pseudonymised = results
    frame = pd.read_csv(export(pseudonymised, tmp_path / "register.csv"))
    assert tuple(frame.columns) == EXPORT_COLUMNS
    assert frame["nhs_number"].str.match(PSEUDONYM_PATTERN).all()
    evaluation = evaluate(pseudonymised)
    assert evaluation.overall["people"] == len(pseudonymised.people)
    assert evaluation.overall["events"] > 0
    assert evaluation.scored["truth"].notna().all()  # every person's truth found by pseudonym


def test_a_sample_of_a_pseudonymised_lake_is_about_the_share_asked_for(lakes):
    """Training on a sample (over MAX_TRAINING_PEOPLE people) picks the share asked for, whatever the key."""
    lake = read_lake(connect(), lakes[1])
    for per_thousand in (100, 300, 700):
        people = lake.sample(per_thousand).people
        sampled = fetch(people.aggregate(n=people.count()))["n"].iloc[0]
        assert sampled == pytest.approx(PEOPLE * per_thousand / 1000, rel=0.15), per_thousand
