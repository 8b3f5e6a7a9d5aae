"""`neighbourhood demo`: from nothing to a working demo neighbourhood at http://127.0.0.1:8000."""

import json
import time
from datetime import date

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from neighbourhood.governance.demo import DemoRefusedInProduction, refuse_in_production

DEMO_SEED = 20261123
DEMO_INDEX_DATE = date(2026, 4, 1)


class Command(BaseCommand):
    help = (
        "Build a synthetic neighbourhood (unless one of the same size is already there), migrate, load the "
        "register, create one demo user per role, run case finding, and serve the site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20_000, help="people to generate (default 20,000)")
        parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set everything up, then stop")

    def handle(self, *args, people, port, no_serve, **options):
        try:
            refuse_in_production()  # before anything is written
        except DemoRefusedInProduction as error:
            raise CommandError(str(error)) from error
        data_dir = settings.DATA_DIR
        self._step(f"Synthetic neighbourhood of {people:,} people in {data_dir}")
        self._synthesise(data_dir, people)

        self._step("Database")
        call_command("migrate", interactive=False, verbosity=0)

        self._step("Loading the register")
        call_command("load", str(data_dir))

        self._step("Demo users")
        # demo_users takes NEIGHBOURHOOD_DEMO_PASSWORD and NEIGHBOURHOOD_DEMO_TOTP_SECRET when set, else
        # generates them and prints them once.
        call_command("demo_users")

        if "stratify" in get_commands():
            self._step("Case finding")
            call_command("stratify", data=str(data_dir), index_date=DEMO_INDEX_DATE.isoformat())
            self._step("Care teams, consent, assessments and plans")
            call_command("demo_care")

        if no_serve:
            return
        self._step(f"Serving at http://127.0.0.1:{port} (Ctrl+C to stop)")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)

    def _synthesise(self, data_dir, people):
        metadata_file = data_dir / "metadata.json"
        if metadata_file.exists():
            made = json.loads(metadata_file.read_text())
            if made.get("people") == people and made.get("seed") == DEMO_SEED:
                self.stdout.write("Already there: reusing it.")
                return
        call_command(
            "synth",
            people=people,
            seed=DEMO_SEED,
            out=str(data_dir),
            index_date=DEMO_INDEX_DATE.isoformat(),
        )

    def _step(self, text):
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n{time.strftime('%H:%M:%S')} {text}"))
