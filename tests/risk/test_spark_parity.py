"""The same lake on DuckDB and on Spark gives the same eFI, flags, segments, register and scores."""

import pandas as pd
import pytest

from neighbourhood.risk.pipeline import run_stratification
from tests.risk.conftest import INDEX_DATE


@pytest.mark.spark
def test_spark_and_duckdb_agree(random_lake_dir, spark_session):
    duck = run_stratification(random_lake_dir, index_date=INDEX_DATE)
    spark = run_stratification(
        random_lake_dir, index_date=INDEX_DATE, engine="spark", spark_session=spark_session, model=duck.model
    )
    d, s = duck.people.set_index("nhs_number"), spark.people.set_index("nhs_number")
    assert list(d.index) == list(s.index)
    for column in (
        "efi_category",
        "efi_deficits",
        "wokingham_flag",
        "wokingham_reasons",
        "segment",
        "on_register",
        "register_reasons",
        "risk_factors",
        "age",
        "emergency_admissions_12m",
    ):
        pd.testing.assert_series_equal(d[column], s[column], check_dtype=False)
    for column in ("efi", "admission_risk", "cost_12m_gbp", "risk_percentile"):
        pd.testing.assert_series_equal(d[column], s[column], check_exact=False, rtol=0, atol=1e-9)
    assert duck.counts == spark.counts
