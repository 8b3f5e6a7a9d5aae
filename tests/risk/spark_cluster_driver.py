"""The Spark side of test_spark_cluster.py, in a process of its own: a process holds one Spark context, and
the test run's local one (conftest.spark_session) must stay as it is.

    python spark_cluster_driver.py MASTER LAKE_DIR INDEX_DATE MODEL_DIR OUT.pickle

runs one stratification through `run_stratification(engine="spark", spark_master=MASTER)`, as the stratify
command does, and pickles what the parity check compares and where the run ran.
"""

import datetime as dt
import pickle
import sys

from neighbourhood.risk.pipeline import run_stratification
from neighbourhood.risk.spark import spark_session


def main(master: str, lake_dir: str, index_date: str, model_dir: str, out: str) -> None:
    result = run_stratification(
        lake_dir,
        index_date=dt.date.fromisoformat(index_date),
        engine="spark",
        spark_master=master,
        # small data: Spark's 200 tasks per shuffle would be most of the time
        spark_conf={"spark.sql.shuffle.partitions": "4"},
        model=model_dir,
    )
    session = spark_session(master)  # the session the run started
    context = session.sparkContext
    ran_on = {
        "master": context.master,
        "application_id": context.applicationId,
        "executors": context._jsc.sc().getExecutorMemoryStatus().size() - 1,  # less the driver
    }
    session.stop()
    with open(out, "wb") as file:
        pickle.dump({"people": result.people, "counts": result.counts, **ran_on}, file)


if __name__ == "__main__":
    main(*sys.argv[1:])
