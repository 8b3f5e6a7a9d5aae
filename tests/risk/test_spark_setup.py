"""Choosing where a Spark run runs: master URLs, the settings a session starts with, and the errors a wrong
master gives. None of these starts Spark; test_spark_cluster.py runs on a real cluster."""

import re
import socket
import sys
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from neighbourhood.casefinding.management.commands import stratify
from neighbourhood.risk.lake import connect
from neighbourhood.risk.spark import SparkSetupError, master_kind, settings_for, spark_session


@pytest.mark.parametrize(
    ("master", "kind"),
    [
        ("local", "local"),
        ("local[2]", "local"),
        ("local[*]", "local"),
        ("local[4,2]", "local"),
        ("spark://127.0.0.1:7077", "standalone"),
        ("spark://spark-a.ics.nhs.uk:7077,spark-b.ics.nhs.uk:7077", "standalone"),
        ("spark://[::1]:7077", "standalone"),
        ("yarn", "yarn"),
        ("k8s://https://10.0.0.1:6443", "k8s"),
    ],
)
def test_master_urls_spark_accepts(master, kind):
    assert master_kind(master) == kind


@pytest.mark.parametrize(
    ("master", "says"),
    [
        ("127.0.0.1:7077", "Unknown Spark master URL '127.0.0.1:7077': use local[N], spark://HOST:PORT"),
        ("spark:/127.0.0.1:7077", "Unknown Spark master URL"),
        ("spark://127.0.0.1", "Spark master URL 'spark://127.0.0.1' is not spark://HOST:PORT"),
        ("spark://127.0.0.1:70770", "Spark master URL 'spark://127.0.0.1:70770' is not spark://"),
        ("local[0]", "Unknown Spark master URL"),
        ("mesos://127.0.0.1:5050", "Unknown Spark master URL"),
    ],
)
def test_a_wrong_master_url_says_what_is_wrong(master, says):
    with pytest.raises(SparkSetupError, match="^" + re.escape(says)):
        master_kind(master)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_master_nobody_answers_at_is_one_sentence_not_a_java_stack_trace():
    master = f"spark://127.0.0.1:{unused_port()}"
    with pytest.raises(SparkSetupError) as raised:
        spark_session(master)
    assert str(raised.value).startswith(f"Cannot reach the Spark master at {master}: 127.0.0.1:")
    assert "Is the master running" in str(raised.value)
    assert "at org.apache" not in str(raised.value)


def test_a_session_on_this_machine_listens_on_loopback_and_runs_this_python():
    for master in ("local[2]", "spark://127.0.0.1:7077", "spark://localhost:7077"):
        settings = settings_for(master)
        assert settings["spark.ui.enabled"] == "false"
        assert settings["spark.driver.host"] == settings["spark.driver.bindAddress"] == "127.0.0.1"
        assert settings["spark.pyspark.python"] == sys.executable


def test_a_cluster_elsewhere_gets_executor_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEIGHBOURHOOD_SPARK_EXECUTOR_MEMORY", "8g")
    monkeypatch.setenv("NEIGHBOURHOOD_SPARK_EXECUTOR_CORES", "4")
    settings = settings_for("spark://spark.ics.nhs.uk:7077", {"spark.executor.cores": "2"})
    assert settings["spark.executor.memory"] == "8g"
    assert settings["spark.executor.cores"] == "2"  # what the command was given wins
    assert "spark.driver.host" not in settings and "spark.pyspark.python" not in settings


def test_local_mode_by_default_as_before():
    settings = settings_for(None)
    assert "spark.master" not in settings and "spark.executor.memory" not in settings
    assert "spark.driver.host" not in settings


def test_duckdb_takes_no_spark_master():
    with pytest.raises(ValueError, match="needs engine='spark'"):
        connect("duckdb", spark_master="spark://127.0.0.1:7077")


@pytest.fixture
def runs(monkeypatch):
    """What the stratify command asks run_case_finding for, without running it."""
    calls = []

    def run_case_finding(**options):
        calls.append(options)
        return SimpleNamespace(pk=1, counts={}, warnings=[])

    monkeypatch.setattr(stratify, "run_case_finding", run_case_finding)
    return calls


def test_stratify_passes_the_master_and_settings_to_the_run(runs, tmp_path):
    call_command(
        "stratify",
        data=str(tmp_path),
        index_date="2026-04-01",
        engine="spark",
        spark_master="spark://127.0.0.1:7077",
        spark_conf=["spark.executor.memory=4g", "spark.sql.shuffle.partitions = 64"],
    )
    assert runs[0]["engine"] == "spark"
    assert runs[0]["spark_master"] == "spark://127.0.0.1:7077"
    assert runs[0]["spark_conf"] == {"spark.executor.memory": "4g", "spark.sql.shuffle.partitions": "64"}


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"spark_master": "spark://127.0.0.1:7077"}, "--spark-master and --spark-conf need --engine spark"),
        ({"engine": "spark", "spark_master": "127.0.0.1:7077"}, "--spark-master: Unknown Spark master URL"),
        ({"engine": "spark", "spark_conf": ["executor.memory=4g"]}, "--spark-conf must be spark.SOME.KEY"),
    ],
)
def test_stratify_refuses_wrong_spark_options_before_recording_a_run(runs, tmp_path, options, says):
    with pytest.raises(CommandError, match="^" + re.escape(says)):
        call_command("stratify", data=str(tmp_path), index_date="2026-04-01", **options)
    assert runs == []
