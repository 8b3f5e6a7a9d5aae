import datetime as dt
import json
from dataclasses import asdict

import factory
from django.utils import timezone

from neighbourhood.casefinding.models import RiskRun, RiskScore
from neighbourhood.risk.model import (
    LIGHTGBM_PARAMS,
    MODEL_FEATURES,
    NON_DECREASING,
    NON_INCREASING,
    ModelMetadata,
)
from tests.factories import PersonFactory

PYRAMID = [
    {
        "segment": "Top 0.5%",
        "people": 12,
        "spend_gbp": 150000.0,
        "emergency_admissions": 30,
        "share_people": 0.006,
        "share_spend": 0.15,
        "share_emergency_admissions": 0.8,
        "mean_admission_risk": 0.6,
    },
    {
        "segment": "Rest",
        "people": 2000,
        "spend_gbp": 850000.0,
        "emergency_admissions": 7,
        "share_people": 0.994,
        "share_spend": 0.85,
        "share_emergency_admissions": 0.2,
        "mean_admission_risk": 0.05,
    },
]


def model_info(index_date: dt.date = dt.date(2026, 4, 1)) -> dict:
    """What a run stores as model_info: neighbourhood.risk.model's metadata (its `info`) through JSON, plus
    the artefact folder (casefinding.runs)."""
    index_date = dt.date.fromisoformat(str(index_date))  # a test may give the run's date as text
    start = index_date.replace(year=index_date.year - 1)
    metadata = ModelMetadata(
        version=f"admission-risk-{index_date:%Y%m%d}-0a1b2c3d",
        trained_at="2026-04-02T09:15:00+00:00",
        training_window={
            "features_before": start.isoformat(),
            "outcome_from": start.isoformat(),
            "outcome_to_exclusive": index_date.isoformat(),
        },
        features=list(MODEL_FEATURES),
        platt_slope=0.93,
        platt_intercept=-0.12,
        metrics={
            "held_out": {
                "auroc": 0.8123,
                "calibration_slope": 0.9712,
                "calibration_intercept": -0.0431,
                "brier": 0.0718,
                "people": 3000,
                "events": 412,
            }
        },
        training_people=20_000,
        training_events=2_751,
        lightgbm_params=LIGHTGBM_PARAMS
        | {
            "seed": 20161,
            "monotone_constraints": [
                1 if f in NON_DECREASING else -1 if f in NON_INCREASING else 0 for f in MODEL_FEATURES
            ],
            "num_boost_round": 143,
        },
    )
    return json.loads(json.dumps(asdict(metadata) | {"artefact": f"/tmp/models/{metadata.version}"}))


class RiskRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskRun

    index_date = dt.date(2026, 4, 1)
    data_dir = "/tmp/lake"
    status = RiskRun.Status.SUCCEEDED
    finished_at = factory.LazyFunction(timezone.now)
    started_by = "system:test"
    model_version = "admission-risk-20260401-0a1b2c3d"
    model_info = factory.LazyAttribute(lambda run: model_info(run.index_date))
    pyramid = PYRAMID
    counts = {"stored": 2, "entrants": 1, "leavers": 0}


class RiskScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskScore

    run = factory.SubFactory(RiskRunFactory)
    person = factory.SubFactory(PersonFactory)
    efi = 0.25
    efi_category = "moderate"
    efi_deficits = ["Falls", "Hypertension"]
    admission_risk = 0.2
    risk_percentile = 99.0
    risk_factors = ["2 emergency admissions in the last year", "Lives alone"]
    wokingham_flag = False
    segment = "Top 0.5%"
    on_register = False
    register_reasons = []
    cost_12m_gbp = 5000.0
