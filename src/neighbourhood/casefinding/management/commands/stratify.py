from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from neighbourhood.casefinding.runs import run_case_finding
from neighbourhood.register.lake import index_date_of


class Command(BaseCommand):
    help = (
        "Run case finding (eFI, admission risk, flags, pyramid, proactive care register); store the results."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", default=None, help="the Parquet data directory (default NEIGHBOURHOOD_DATA)"
        )
        parser.add_argument("--index-date", default=None, help="YYYY-MM-DD (default: the data's index date)")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--export", default=None, help="also write one row per person to FILE.csv or .parquet"
        )

    def handle(self, *args, data, index_date, engine, export, **options):
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
        try:
            run = run_case_finding(
                data_dir=data_dir,
                index_date=when,
                engine=engine,
                export_path=Path(export) if export else None,
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
