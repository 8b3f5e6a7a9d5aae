"""The same lake on DuckDB and on Spark gives the same eFI, flags, segments, register and scores."""

import pytest

from neighbourhood.risk.pipeline import run_stratification
from tests.risk.conftest import INDEX_DATE
from tests.risk.parity import assert_engines_agree


@pytest.mark.spark
def test_spark_and_duckdb_agree(random_lake_dir, spark_session):
    duck = run_stratification(random_lake_dir, index_date=INDEX_DATE)
    spark = run_stratification(
        random_lake_dir, index_date=INDEX_DATE, engine="spark", spark_session=spark_session, model=duck.model
    )
    assert_engines_agree(duck, spark)
