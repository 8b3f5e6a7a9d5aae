import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neighbourhood.casefinding import queries, reports


class Command(BaseCommand):
    help = (
        "Write the admission-risk model report of the latest case-finding run (AUROC against the synthetic "
        "truth, calibration, precision and capture at the top 2% and 5%, subgroups) as HTML with PNG charts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory to write index.html and its charts into")

    def handle(self, *args, out, **options):
        run = queries.latest_run()
        if run is None:
            raise CommandError("No case-finding run has succeeded yet: run `neighbourhood stratify` first")
        source = reports.report_dir(run)
        if not source.is_dir():
            raise CommandError(f"Run {run.pk} has no report at {source}")
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        for item in source.iterdir():
            # metrics.json holds the raw counts the overview page puts through disclosure control: it stays
            # on the server; the HTML and charts are already disclosure-controlled
            if item.is_file() and item.name != "metrics.json":
                shutil.copy2(item, target / item.name)
        self.stdout.write(
            self.style.SUCCESS(f"Model report of run {run.pk} written to {target / 'index.html'}")
        )
