"""The Spark session a run uses: local mode on this machine (the default), or a cluster by its master URL.

A cluster's executors read the lake themselves, so the lake's path must name the same files on every machine:
on one machine any local path does; on a real cluster, a shared file system or object storage mounted at the
same path everywhere (docs/architecture.md, "Running at ICS scale on a Spark cluster").

Settings, each optional: `NEIGHBOURHOOD_SPARK_EXECUTOR_MEMORY` (default 1g) and
`NEIGHBOURHOOD_SPARK_EXECUTOR_CORES` (default: Spark's own, all of a standalone worker's cores);
`NEIGHBOURHOOD_SPARK_EXECUTOR_WAIT_SECONDS` (default 120; 0 to not wait), how long a cluster may take to give
the run its first executor. Any other Spark setting is passed as `spark_conf` (`stratify --spark-conf K=V`).
"""

import os
import re
import socket
import sys
import time
from collections.abc import Mapping

APP_NAME = "neighbourhood-stratify"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_LOCAL = re.compile(r"local(\[(\*|[1-9][0-9]*)(,[1-9][0-9]*)?\])?")
_LOCAL_CLUSTER = re.compile(r"local-cluster\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*\]")
_HOST_PORT = re.compile(r"(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})")
MASTER_FORMS = "local[N], spark://HOST:PORT, yarn or k8s://https://HOST:PORT"


class SparkSetupError(ValueError):
    """Spark cannot be started as asked: says what to fix, without Java's stack trace."""


def master_kind(master: str) -> str:
    """The kind of master (local, standalone, yarn or k8s) a URL Spark accepts names; SparkSetupError if
    Spark would not accept it."""
    if _LOCAL.fullmatch(master) or _LOCAL_CLUSTER.fullmatch(master):
        return "local"
    if master == "yarn":
        return "yarn"
    if master.startswith("k8s://") and len(master) > len("k8s://"):
        return "k8s"
    if master.startswith("spark://"):
        if all(_valid_host_port(part) for part in master.removeprefix("spark://").split(",")):
            return "standalone"
        raise SparkSetupError(
            f"Spark master URL {master!r} is not spark://HOST:PORT (or HOST1:PORT1,HOST2:PORT2 for standby "
            "masters)"
        )
    raise SparkSetupError(f"Unknown Spark master URL {master!r}: use {MASTER_FORMS}")


def _valid_host_port(part: str) -> bool:
    match = _HOST_PORT.fullmatch(part)
    return bool(match) and 0 < int(match[2]) < 65536


def _standalone_masters(master: str) -> list[tuple[str, int]]:
    return [
        (host.strip("[]"), int(port))
        for host, port in (part.rsplit(":", 1) for part in master.removeprefix("spark://").split(","))
    ]


def on_this_machine(master: str | None) -> bool:
    """True for local mode and for a standalone master on the loopback address: the driver then listens on
    127.0.0.1 only, and executors run this same Python."""
    if master is None or master_kind(master) == "local":
        return True
    if master_kind(master) == "standalone":
        return all(host in LOOPBACK_HOSTS for host, _ in _standalone_masters(master))
    return False


def settings_for(master: str | None, spark_conf: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Spark settings a session for `master` starts with; `spark_conf` overrides any of them."""
    settings = {
        "spark.app.name": APP_NAME,
        "spark.ui.enabled": "false",  # nobody watches it, and it would open another port
        "spark.ui.showConsoleProgress": "false",  # progress bars would bury the command's own messages
        "spark.sql.session.timeZone": "UTC",  # dates mean the same on every machine
    }
    if master is not None and master_kind(master) != "local":
        settings["spark.executor.memory"] = os.environ.get("NEIGHBOURHOOD_SPARK_EXECUTOR_MEMORY", "1g")
        if cores := os.environ.get("NEIGHBOURHOOD_SPARK_EXECUTOR_CORES"):
            settings["spark.executor.cores"] = cores
    if master is not None and on_this_machine(master):
        settings |= {
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.pyspark.python": sys.executable,  # the executors run on this machine, in this environment
        }
    return settings | dict(spark_conf or {})


def spark_session(master: str | None = None, spark_conf: Mapping[str, str] | None = None):
    """The process's Spark session, started for `master` if there is none yet.

    With no master: the running session if there is one, else local mode, as `SparkSession.builder` makes it.
    A process holds one Spark context, so asking for another master than the running one is an error rather
    than a silent run in the wrong place."""
    from pyspark.sql import SparkSession

    kind = master_kind(master) if master is not None else None
    running = SparkSession.getActiveSession()
    if running is not None and (master is None or running.sparkContext.master == master):
        return running
    if kind == "standalone":
        _check_reachable(master)
    if running is not None:
        raise _already_running(running, master)
    builder = SparkSession.builder
    if master is not None:
        builder = builder.master(master)
    for key, value in settings_for(master, spark_conf).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # py4j and PySpark raise many kinds, each with a Java stack trace
        reason = java_message(error)
        if kind == "standalone" and "stopped SparkContext" in reason:
            raise _not_taken(master) from error  # Spark gave up registering and stopped the context
        raise SparkSetupError(
            f"Spark could not start{f' with master {master}' if master else ''}: {reason}"
        ) from error
    if master is not None and session.sparkContext.master != master:
        raise _already_running(session, master)  # a context started elsewhere in the process, not ours
    if kind in ("standalone", "yarn", "k8s"):
        _wait_for_an_executor(session, master)
    return session


def _already_running(session, master: str) -> SparkSetupError:
    return SparkSetupError(
        f"This process already runs Spark with master {session.sparkContext.master}; "
        f"it cannot also connect to {master}"
    )


def _check_reachable(master: str) -> None:
    """Spark would retry an unreachable master for a minute and then print Java stack traces; one quick
    connection says the same in a sentence. One of several standby masters answering is enough."""
    refusals = []
    for host, port in _standalone_masters(master):
        try:
            with socket.create_connection((host, port), timeout=5):
                return
        except OSError as error:
            refusals.append(f"{host}:{port} ({error.strerror or type(error).__name__})")
    raise SparkSetupError(
        f"Cannot reach the Spark master at {master}: {', '.join(refusals)}. Is the master running, and is "
        "this its address and port (the spark:// URL at the top of the master's web page)?"
    )


def _wait_for_an_executor(session, master: str) -> None:
    """A standalone master accepts an application it has no room for and lets its jobs wait for ever; a
    master that is not Spark's, or another version's, makes Spark give up and stop the context after a
    minute. Either is reported here, before the run starts."""
    wait = float(os.environ.get("NEIGHBOURHOOD_SPARK_EXECUTOR_WAIT_SECONDS", "120"))
    if wait <= 0:
        return
    context = session.sparkContext._jsc.sc()  # Spark's Scala context: Python has no executor list
    deadline = time.monotonic() + wait
    while True:
        if context.isStopped():
            raise _not_taken(master)
        if context.getExecutorMemoryStatus().size() > 1:  # the driver's own block manager is listed too
            return
        if time.monotonic() > deadline:
            memory = session.conf.get("spark.executor.memory", "1g")
            session.stop()
            raise SparkSetupError(
                f"The Spark master at {master} gave the run no executor within {wait:g} s: does it have a "
                f"worker with a free core and {memory} of memory free? "
                "(NEIGHBOURHOOD_SPARK_EXECUTOR_MEMORY, NEIGHBOURHOOD_SPARK_EXECUTOR_WAIT_SECONDS)"
            )
        time.sleep(0.5)


def _not_taken(master: str) -> SparkSetupError:
    import pyspark

    version = ".".join(pyspark.__version__.split(".")[:2])
    return SparkSetupError(
        f"The Spark master at {master} did not take the run: is it a Spark {version} master, and is this its "
        "spark:// port (7077 unless set otherwise), not its web page's? (the driver's log says more)"
    )


def java_message(error: BaseException) -> str:
    """The first line of what went wrong, from the Java exception behind a py4j error when there is one."""
    java = getattr(error, "java_exception", None)
    text = str(java.toString()) if java is not None else str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
