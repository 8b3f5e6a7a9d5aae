"""On the synthetic generator's truth (interactions, a non-linear age curve and deteriorations seen only in
the months before the index date: synth/hospital.py): the model ranks nearly as well as the true
probabilities, better than every simpler score, never better than the truth itself, and is calibrated."""

import datetime as dt

import pytest

from neighbourhood.risk.pipeline import run_stratification
from neighbourhood.risk.report import evaluate

INDEX = dt.date(2025, 4, 1)


@pytest.mark.slow
def test_model_nearly_matches_the_truth_beats_every_baseline_and_is_calibrated(tmp_path):
    from neighbourhood.synth.generate import generate_neighbourhood

    generate_neighbourhood(tmp_path / "lake", people=50_000, seed=2016, index_date=INDEX)
    result = run_stratification(tmp_path / "lake", index_date=INDEX)
    evaluation = evaluate(result)
    overall = evaluation.overall
    assert overall["truth_auroc"] is not None
    # above the truth is a leak: nothing read from the record ranks better than what generated the outcomes
    assert overall["auroc"] < overall["truth_auroc"] and not overall["probable_leak"]
    assert overall["auroc"] >= 0.93 * overall["truth_auroc"]
    baselines = evaluation.baselines.set_index("baseline")["auroc"]
    assert len(baselines) == 4
    for name, auroc in baselines.items():
        assert overall["auroc"] > auroc, name
    assert overall["margin_over_best_baseline"] > 0
    assert 0.8 <= overall["calibration_slope"] <= 1.2
    assert abs(overall["calibration_in_the_large"]) <= 0.10  # mean predicted within 10% of the observed rate
