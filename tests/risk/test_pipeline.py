import datetime as dt
import json
import shutil
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from neighbourhood.risk import reference
from neighbourhood.risk.features import EFI_AND_FLAG_INPUTS, efi_and_flag_inputs, to_frame
from neighbourhood.risk.lake import connect, read_lake
from neighbourhood.risk.model import AdmissionRiskModel
from neighbourhood.risk.pipeline import EXPORT_COLUMNS, export, run_stratification
from neighbourhood.risk.register import Exclusion, Nomination
from tests.risk.conftest import INDEX_DATE


@pytest.fixture(scope="module")
def result(random_lake_dir):
    return run_stratification(random_lake_dir, index_date=INDEX_DATE)


def test_one_row_per_living_registered_person(result, random_lake_dir):
    people = pd.read_parquet(random_lake_dir / "people.parquet")
    assert result.people["nhs_number"].is_unique
    assert set(result.people["nhs_number"]) == set(people["nhs_number"])
    assert result.counts["living_registered"] == len(people)


def test_efi_and_flags_agree_with_the_pandas_reference(result, random_lake_dir):
    expected = reference.efi_and_flags(random_lake_dir, INDEX_DATE).set_index("nhs_number")
    got = result.people.set_index("nhs_number").loc[expected.index]
    pd.testing.assert_series_equal(got["efi"], expected["efi"], check_names=False)
    assert (got["efi_category"].fillna("-") == expected["efi_category"].fillna("-")).all()
    assert (got["wokingham_flag"] == expected["wokingham_flag"]).all()
    assert got["wokingham_flag"].sum() > 0


def test_the_engines_efi_and_flag_inputs_are_the_pandas_reference_column_for_column(random_lake_dir):
    expected = reference.efi_and_flag_inputs(random_lake_dir, INDEX_DATE)
    got = to_frame(efi_and_flag_inputs(read_lake(connect(), random_lake_dir), INDEX_DATE))
    assert list(got.columns) == ["nhs_number", *EFI_AND_FLAG_INPUTS]
    assert (got[list(EFI_AND_FLAG_INPUTS[1:])].sum() > 0).all()  # every input is exercised by the lake
    pd.testing.assert_frame_equal(got, expected[got.columns], check_dtype=False)


def test_efi_is_reported_only_for_people_aged_65_and_over(result):
    people = result.people
    assert people.loc[people["age"] < 65, "efi"].isna().all()
    assert people.loc[people["age"] >= 65, "efi"].notna().all()


def test_scores_are_probabilities_with_plain_reasons(result):
    risk = result.people["admission_risk"]
    assert risk.between(0, 1).all()
    top = result.people.sort_values("admission_risk", ascending=False).head(20)
    assert all(1 <= len(factors) <= 4 for factors in top["risk_factors"])
    phrases = [f for factors in top["risk_factors"] for f in factors]
    assert all(isinstance(f, str) and f and "_" not in f for f in phrases)  # words, not column names
    assert any(f.startswith("Aged ") for f in phrases)


def test_register_holds_at_least_two_percent_of_adults(result):
    adults = (result.people["age"] >= 18).sum()
    assert result.people["on_register"].sum() >= 0.02 * adults
    assert result.counts["register_size"] == result.people["on_register"].sum()


def test_pyramid_segments_share_everyone(result):
    pyramid = result.pyramid
    assert pyramid["people"].sum() == len(result.people)
    assert pyramid["share_people"].sum() == pytest.approx(1.0)
    assert pyramid.loc[0, "people"] == pytest.approx(0.005 * len(result.people), abs=1)
    # the top segments hold more than their share of admissions
    assert pyramid.loc[0, "share_emergency_admissions"] > pyramid.loc[0, "share_people"]


def test_model_is_versioned_with_its_training_window(result, tmp_path):
    info = result.model_info
    assert info["version"].startswith("admission-risk-20250401-")
    assert info["training_window"]["outcome_to_exclusive"] == "2025-04-01"
    assert {"auroc", "calibration_slope", "brier"} <= set(info["metrics"]["held_out"])
    saved = result.model.save(tmp_path / "model")
    loaded = AdmissionRiskModel.load(saved)
    assert loaded.metadata.version == info["version"]
    assert (loaded.predict(result.people) == result.people["admission_risk"].to_numpy()).all()
    again = run_stratification(result.data_dir, index_date=INDEX_DATE, model=saved)
    assert again.model_info["version"] == info["version"]
    assert (again.people["admission_risk"] == result.people["admission_risk"]).all()


def test_register_keeps_previous_members_and_lists_entrants_and_leavers(result, random_lake_dir):
    people = result.people.sort_values("admission_risk")
    low_risk_previous, excluded_previous, nominated = people["nhs_number"].iloc[:3]
    gone = "9990000018"  # not in the lake at all
    again = run_stratification(
        random_lake_dir,
        index_date=INDEX_DATE,
        model=result.model,
        previous_register=[low_risk_previous, excluded_previous, gone],
        nominations=[Nomination(nominated, "Carer breakdown", "Dr Patel")],
        exclusions=[Exclusion(excluded_previous, "declined")],
    ).people.set_index("nhs_number")
    assert again.loc[low_risk_previous, "on_register"]
    assert again.loc[nominated, "on_register"]
    assert "Nominated by Dr Patel: Carer breakdown" in again.loc[nominated, "register_reasons"]
    assert not again.loc[excluded_previous, "on_register"]
    rerun = run_stratification(
        random_lake_dir,
        index_date=INDEX_DATE,
        model=result.model,
        previous_register=[low_risk_previous, excluded_previous, gone],
        exclusions=[(excluded_previous, "declined")],
    )
    leavers = dict(zip(rerun.leavers["nhs_number"], rerun.leavers["reason"], strict=True))
    assert leavers == {
        excluded_previous: "Removed by a clinician: declined",
        gone: "No longer in the data (left the practice or the record was removed)",
    }
    assert low_risk_previous not in set(rerun.entrants["nhs_number"])


def test_export_has_exactly_the_agreed_columns(result, tmp_path):
    for name in ("register.csv", "register.parquet"):
        path = export(result, tmp_path / name)
        frame = pd.read_csv(path) if name.endswith(".csv") else pd.read_parquet(path)
        assert tuple(frame.columns) == EXPORT_COLUMNS
        assert len(frame) == len(result.people)
    with pytest.raises(ValueError, match="xlsx"):
        export(result, tmp_path / "register.xlsx")


def _shift_follow_up(lake_dir, out_dir):
    """A copy of the lake with everything on or after the index date changed, added or removed."""
    shutil.copytree(lake_dir, out_dir)
    index = pd.Timestamp(INDEX_DATE)
    hospital = pd.read_parquet(out_dir / "hospital_activity.parquet")
    after = pd.to_datetime(hospital["start_date"]) >= index
    extra = (
        hospital[~after]
        .head(50)
        .assign(
            spell_id=lambda f: "X" + f["spell_id"],
            start_date=dt.date(2025, 6, 1),
            end_date=dt.date(2025, 6, 20),
        )
    )
    changed = pd.concat([hospital[~after], extra, hospital[after].iloc[::2]], ignore_index=True)
    schema = pq.read_schema(lake_dir / "hospital_activity.parquet")
    pq.write_table(
        pa.Table.from_pandas(changed, schema=schema, preserve_index=False),
        out_dir / "hospital_activity.parquet",
    )
    events = pd.read_parquet(out_dir / "events.parquet")
    falls = events.head(200).assign(date=INDEX_DATE, snomed_code="1912002")
    schema = pq.read_schema(lake_dir / "events.parquet")
    pq.write_table(
        pa.Table.from_pandas(pd.concat([events, falls]), schema=schema, preserve_index=False),
        out_dir / "events.parquet",
    )
    care = pd.read_parquet(out_dir / "social_care.parquet")
    new_care = care.head(20).assign(record_id=lambda f: "N" + f["record_id"], start_date=dt.date(2025, 4, 2))
    schema = pq.read_schema(lake_dir / "social_care.parquet")
    pq.write_table(
        pa.Table.from_pandas(pd.concat([care, new_care]), schema=schema, preserve_index=False),
        out_dir / "social_care.parquet",
    )
    return out_dir


def test_follow_up_data_changes_nothing(result, random_lake_dir, tmp_path):
    changed_lake = _shift_follow_up(random_lake_dir, tmp_path / "changed")
    changed = run_stratification(changed_lake, index_date=INDEX_DATE)
    assert changed.model_info["platt_slope"] == result.model_info["platt_slope"]
    columns = [
        "nhs_number",
        "efi",
        "efi_category",
        "admission_risk",
        "wokingham_flag",
        "segment",
        "on_register",
        "risk_factors",
        "register_reasons",
        "wokingham_reasons",
    ]
    pd.testing.assert_frame_equal(changed.people[columns], result.people[columns])


def test_analytics_import_nothing_from_django():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'django' or name.startswith(('django.', 'neighbourhood.web')):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import neighbourhood.risk.pipeline, neighbourhood.risk.report\n"
        "print('ok')\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


def test_model_report_shows_auroc_against_truth_and_suppresses_small_groups(result, tmp_path):
    from neighbourhood.risk.report import evaluate, write_model_report

    page = write_model_report(result, tmp_path / "report").read_text()
    assert (tmp_path / "report" / "calibration.png").stat().st_size > 1000
    assert (tmp_path / "report" / "roc.png").exists()
    for heading in ("Overall", "Precision and capture", "Subgroups", "Age band", "IMD quintile", "Ethnicity"):
        assert heading in page
    evaluation = evaluate(result)
    assert evaluation.overall["truth_auroc"] > 0.5
    assert evaluation.overall["auroc"] > 0.5
    assert evaluation.follow_up_complete
    from neighbourhood.disclosure import safe_group

    subgroups = evaluation.subgroups
    shown = [safe_group(row.people, row.events).shown for row in subgroups.itertuples(index=False)]
    assert not all(shown) and subgroups.loc[[not s for s in shown], "auroc"].isna().all()
    assert set(evaluation.top["top"]) == {"2%", "5%"}
    # the page works shares out from counts, through neighbourhood.disclosure
    stored = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert {"people", "admitted", "all_admitted"} <= set(stored["top"][0])
    assert "precision" not in stored["top"][0]
    for row in subgroups.itertuples(index=False):
        group = safe_group(row.people, row.events)
        if not group.shown:
            assert f"<td>{group.suppressed_because}</td>" in page


def test_model_report_compares_the_model_with_baselines_on_the_same_people(result, tmp_path):
    from neighbourhood.risk.report import BASELINES, evaluate, write_model_report

    page = write_model_report(result, tmp_path / "report").read_text()
    evaluation = evaluate(result)
    assert list(evaluation.baselines["baseline"]) == [baseline.name for baseline in BASELINES]
    assert evaluation.baselines["auroc"].between(0, 1).all()
    for baseline in BASELINES:
        assert baseline.name.replace("'", "&#x27;") in page
    overall = evaluation.overall
    best = evaluation.baselines["auroc"].max()
    assert overall["margin_over_best_baseline"] == pytest.approx(overall["auroc"] - best)
    assert "above the best baseline" in page or "does not beat the best baseline" in page
    assert "Largest AUROC gap between subgroups" in page
    gap = evaluation.subgroup_gaps.iloc[0]
    assert overall["largest_subgroup_auroc_gap"] == pytest.approx(gap["auroc_gap"])
    stored = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert len(stored["baselines"]) == len(BASELINES) and stored["subgroup_gaps"]


def test_a_model_that_ranks_better_than_the_truth_is_flagged_as_a_probable_leak(result, tmp_path):
    from neighbourhood.risk.report import evaluate, realised_outcomes, write_model_report

    outcomes, _, _ = realised_outcomes(result.data_dir, result.index_date)
    admitted = result.people["nhs_number"].isin(outcomes["nhs_number"]).to_numpy()
    people = result.people.copy()
    people["admission_risk"] = 0.02 + 0.9 * admitted  # as if a feature read the year being predicted
    leaky = replace(result, people=people)
    assert evaluate(leaky).overall["probable_leak"]
    assert "Probable leak" in write_model_report(leaky, tmp_path / "report").read_text()
    assert not evaluate(result).overall["probable_leak"]


def test_previous_member_who_died_is_a_leaver_saying_so(result, random_lake_dir, tmp_path):
    changed = shutil.copytree(random_lake_dir, tmp_path / "died")
    people = pd.read_parquet(changed / "people.parquet")
    person = people["nhs_number"].iloc[0]
    people.loc[0, "date_of_death"] = dt.date(2025, 1, 15)
    schema = pq.read_schema(random_lake_dir / "people.parquet")
    pq.write_table(
        pa.Table.from_pandas(people, schema=schema, preserve_index=False), changed / "people.parquet"
    )
    rerun = run_stratification(changed, index_date=INDEX_DATE, model=result.model, previous_register=[person])
    assert rerun.leavers.to_dict(orient="records") == [{"nhs_number": person, "reason": "Died"}]
    assert person not in set(rerun.people["nhs_number"])
