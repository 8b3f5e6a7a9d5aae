"""Case finding on a real Spark cluster, not only local mode: a standalone master and one worker (1 core,
1g) on 127.0.0.1, started from the scripts in the pyspark package, and the DuckDB-vs-Spark parity check run
against it.

The cluster and the Spark driver run in processes of their own, with their logs in the test's folder, and the
cluster is always stopped. It takes one to two minutes here (four JVMs on two cores), so it runs once per
suite: CI runs the suite on SQLite and again on PostgreSQL, and this test does not touch the database, so it
is skipped on the PostgreSQL pass.
"""

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from neighbourhood.risk.pipeline import run_stratification
from neighbourhood.risk.spark import APP_NAME
from tests.risk.conftest import INDEX_DATE
from tests.risk.parity import assert_engines_agree

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="runs once per suite, on the SQLite pass: it does not touch the database",
    ),
]
STARTUP_SECONDS = 90  # each JVM takes a few seconds here; more on a loaded machine
DRIVER_SECONDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StandaloneCluster:
    """A Spark standalone master and one worker on 127.0.0.1, each a process (group) this test started."""

    def __init__(self, folder: Path, *, cores: int = 1, memory: str = "1g"):
        import pyspark

        self.folder = folder
        self.cores, self.memory = cores, memory
        self.spark_home = Path(pyspark.__file__).parent
        self.port, self.web_port = free_port(), free_port()
        self.url = f"spark://127.0.0.1:{self.port}"
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def _start(self, name: str, *arguments: str) -> None:
        log = self.folder / f"{name}.log"
        environment = os.environ | {
            "SPARK_HOME": str(self.spark_home),
            "SPARK_LOCAL_IP": "127.0.0.1",  # every port it opens, web pages included, on loopback only
            "SPARK_LOG_DIR": str(self.folder),
            "SPARK_WORKER_DIR": str(self.folder / "work"),
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(self.spark_home / "bin" / "spark-class"), *arguments],
                stdout=output,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,  # its own process group: stopping it stops the executors it started
            )
        self.processes.append((process, log))

    def status(self) -> dict:
        address = f"http://127.0.0.1:{self.web_port}/json/"
        with urllib.request.urlopen(address, timeout=5) as response:
            return json.load(response)

    def _wait_for(self, what: str, ready) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            for process, log in self.processes:
                if process.poll() is not None:
                    raise AssertionError(f"{log.stem} exited with {process.returncode}:\n{tail(log)}")
            try:
                if ready(self.status()):
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.5)
        logs = "\n".join(tail(log) for _, log in self.processes)
        raise AssertionError(f"no {what} after {STARTUP_SECONDS} s:\n{logs}")

    def __enter__(self) -> "StandaloneCluster":
        try:
            self._start(
                "master",
                "org.apache.spark.deploy.master.Master",
                *("--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.web_port)),
            )
            self._wait_for("master", lambda status: status.get("status") == "ALIVE")
            self._start(
                "worker",
                "org.apache.spark.deploy.worker.Worker",
                *("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"),
                *("--cores", str(self.cores), "--memory", self.memory),
                *("--work-dir", str(self.folder / "work"), self.url),
            )
            self._wait_for("registered worker", lambda status: status.get("aliveworkers", 0) >= 1)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        for process, _ in reversed(self.processes):  # the worker first, so the master sees it go
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@pytest.fixture
def java():
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is not installed: CI must run the Spark cluster test")
        pytest.skip("java is not installed on this machine")


def test_stratify_on_a_standalone_cluster_agrees_with_duckdb(java, random_lake_dir, tmp_path):
    duck = run_stratification(random_lake_dir, index_date=INDEX_DATE)
    model_dir = duck.model.save(tmp_path / "model")  # the same model on both engines: parity of the engines
    out, driver_log = tmp_path / "spark-result.pickle", tmp_path / "driver.log"
    with StandaloneCluster(tmp_path) as cluster, driver_log.open("wb") as log:
        driver = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("spark_cluster_driver.py")),
                *(cluster.url, str(random_lake_dir), INDEX_DATE.isoformat(), str(model_dir), str(out)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=DRIVER_SECONDS,
            check=False,
        )
        assert driver.returncode == 0, f"the Spark driver failed:\n{tail(driver_log)}"
        applications = {app["id"]: app for app in cluster.status()["completedapps"]}

    with out.open("rb") as file:
        spark = pickle.load(file)  # noqa: S301 (written by our own driver process above)
    assert spark["master"] == cluster.url
    assert spark["executors"] >= 1
    # the master ran it: the application the driver started is in its list, as ours, with the worker's core
    assert applications[spark["application_id"]]["name"] == APP_NAME
    assert applications[spark["application_id"]]["cores"] == 1
    assert_engines_agree(duck, SimpleNamespace(people=spark["people"], counts=spark["counts"]))
