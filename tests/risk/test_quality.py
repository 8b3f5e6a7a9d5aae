"""On the synthetic generator's truth: the model ranks nearly as well as the true probabilities, and is
calibrated."""

import datetime as dt

import pytest

from neighbourhood.risk.pipeline import run_stratification
from neighbourhood.risk.report import evaluate

INDEX = dt.date(2025, 4, 1)


@pytest.mark.slow
def test_model_matches_the_truth_on_a_synthetic_neighbourhood(tmp_path):
    from neighbourhood.synth.generate import generate_neighbourhood

    generate_neighbourhood(tmp_path / "lake", people=50_000, seed=2016, index_date=INDEX)
    result = run_stratification(tmp_path / "lake", index_date=INDEX)
    overall = evaluate(result).overall
    assert overall["truth_auroc"] is not None
    assert overall["auroc"] >= 0.95 * overall["truth_auroc"]
    assert 0.8 <= overall["calibration_slope"] <= 1.2
