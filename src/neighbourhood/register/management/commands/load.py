import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neighbourhood.register.actions import load_register
from neighbourhood.register.lake import LakeInvalid, default_as_of


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = "Load the register and shared record from the lake in DIR, Parquet or CSV (docs/data-model.md)."

    def add_arguments(self, parser):
        parser.add_argument("data_dir", metavar="DIR", type=Path)
        parser.add_argument(
            "--as-of",
            type=_date,
            help="show what was known on this date (default: index date in DIR/metadata.json, else today)",
        )

    def handle(self, *args, data_dir: Path, as_of: dt.date | None, **options):
        as_of = as_of or default_as_of(data_dir)
        self.stdout.write(f"Loading {data_dir} as known on {as_of.isoformat()}")
        started = time.perf_counter()
        try:
            counts = load_register(data_dir=data_dir, as_of=as_of, show_progress=options["verbosity"] > 0)
        except LakeInvalid as error:
            raise CommandError(error.report()) from error
        seconds = time.perf_counter() - started
        for name, count in counts.as_dict().items():
            self.stdout.write(f"  {name.replace('_', ' '):<18} {count:>9,}")
        self.stdout.write(self.style.SUCCESS(f"Loaded in {seconds:.1f} s"))
