import datetime as dt
import shutil

import pytest

from tests.risk.lakes import random_lake

INDEX_DATE = dt.date(2025, 4, 1)


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark for the whole run. Fails (never skips) if Spark cannot start, unless java is absent."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed on this machine")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("neighbourhood-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def random_lake_dir(tmp_path_factory):
    """A seeded lake of 1,500 people with a truth table; read-only: copy it before changing anything."""
    return random_lake(tmp_path_factory.mktemp("lake"), people=1500, seed=7, index_date=INDEX_DATE)
