import datetime as dt

import factory
from django.utils import timezone

from neighbourhood.casefinding.models import RiskRun, RiskScore
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


class RiskRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskRun

    index_date = dt.date(2026, 4, 1)
    data_dir = "/tmp/lake"
    status = RiskRun.Status.SUCCEEDED
    finished_at = factory.LazyFunction(timezone.now)
    started_by = "system:test"
    model_version = "test-model-1"
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
