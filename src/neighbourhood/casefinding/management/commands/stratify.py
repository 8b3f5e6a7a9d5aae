from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from neighbourhood.casefinding.runs import (
    PSEUDONYMISED_NEEDS_EXPORT,
    export_pseudonymised_run,
    run_case_finding,
)
from neighbourhood.lake.contract import PSEUDONYM
from neighbourhood.lake.files import person_key_kind
from neighbourhood.register.lake import index_date_of
from neighbourhood.risk.spark import MASTER_FORMS, SparkSetupError, master_kind


class Command(BaseCommand):
    help = (
        "Run case finding (eFI, admission risk, flags, pyramid, proactive care register); store the results."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", default=None, help="the lake folder, Parquet or CSV (default NEIGHBOURHOOD_DATA)"
        )
        parser.add_argument("--index-date", default=None, help="YYYY-MM-DD (default: the data's index date)")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--spark-master",
            default=None,
            metavar="URL",
            help=f"with --engine spark: the cluster to run on ({MASTER_FORMS}; default local mode)",
        )
        parser.add_argument(
            "--spark-conf",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="with --engine spark: a Spark setting, e.g. spark.executor.memory=4g (repeat for more)",
        )
        parser.add_argument(
            "--export", default=None, help="also write one row per person to FILE.csv or .parquet"
        )

    def handle(self, *args, data, index_date, engine, export, spark_master=None, spark_conf=(), **options):
        data_dir = Path(data) if data else settings.DATA_DIR
        if not data_dir.is_dir():
            raise CommandError(f"No data directory at {data_dir}: run `neighbourhood synth` or give --data")
        if export and not export.endswith((".csv", ".parquet")):
            raise CommandError("--export must name a .csv or .parquet file")
        try:
            when = date.fromisoformat(index_date) if index_date else index_date_of(data_dir)
        except ValueError as error:
            raise CommandError(f"--index-date must be YYYY-MM-DD: {error}") from error
        if when is None:
            raise CommandError("Give --index-date: the data directory does not say its index date")
        spark_settings = _spark_settings(engine, spark_master, spark_conf)
        if person_key_kind(data_dir) == PSEUDONYM:
            return self._pseudonymised(data_dir, when, engine, export, spark_master, spark_settings)
        try:
            run = run_case_finding(
                data_dir=data_dir,
                index_date=when,
                engine=engine,
                export_path=Path(export) if export else None,
                spark_master=spark_master,
                spark_conf=spark_settings,
            )
        except (ValueError, FileNotFoundError, KeyError) as error:
            raise CommandError(
                f"Case finding failed; the previous results are still in place. {error}"
            ) from error
        counts = run.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Run {run.pk}: {counts.get('stored', 0):,} people scored; "
                f"{counts.get('entrants', 0):,} entered and {counts.get('leavers', 0):,} left the register."
            )
        )
        for warning in run.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))

    def _pseudonymised(self, data_dir, when, engine, export, spark_master, spark_settings):
        """Population analytics on a pseudonymised lake: results go to a file, never into the record, which
        names people by NHS number (and whose worklists would otherwise lose everyone)."""
        if not export:
            raise CommandError(PSEUDONYMISED_NEEDS_EXPORT)
        try:
            rows = export_pseudonymised_run(
                data_dir=data_dir,
                index_date=when,
                engine=engine,
                export_path=Path(export),
                spark_master=spark_master,
                spark_conf=spark_settings,
            )
        except (ValueError, FileNotFoundError, KeyError) as error:
            raise CommandError(f"Case finding failed. {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Pseudonymised lake: {rows:,} people scored and written to {export}; nothing stored in the "
                "record."
            )
        )


def _spark_settings(engine: str, master: str | None, settings: list[str]) -> dict[str, str] | None:
    """Checks --spark-master and --spark-conf before a run is recorded: a typing mistake is no failed run."""
    if engine != "spark":
        if master or settings:
            raise CommandError("--spark-master and --spark-conf need --engine spark")
        return None
    if master is not None:
        try:
            master_kind(master)
        except SparkSetupError as error:
            raise CommandError(f"--spark-master: {error}") from error
    parsed = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        if not equals or not key.strip().startswith("spark."):
            raise CommandError(f"--spark-conf must be spark.SOME.KEY=VALUE, not {setting!r}")
        parsed[key.strip()] = value.strip()
    return parsed
