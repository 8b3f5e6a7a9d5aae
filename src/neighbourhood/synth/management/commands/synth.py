"""`neighbourhood synth`: write a synthetic neighbourhood's Parquet lake (a thin wrapper round generate)."""

from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from neighbourhood.nhs_number import TEST_RANGE_CAPACITY
from neighbourhood.person_key import NHS_NUMBER, PSEUDONYM
from neighbourhood.synth.generate import DEFAULT_INDEX_DATE, PERSON_KEYS, generate_neighbourhood
from neighbourhood.synth.tariff import TariffError, load_tariff


class Command(BaseCommand):
    help = (
        "Generate a synthetic neighbourhood (people, GP events, medicines, hospital and social care "
        "activity, and the true admission risk) as Parquet files in --out, replacing earlier output there. "
        f"NHS numbers come from the reserved 999 test range, which holds only {TEST_RANGE_CAPACITY:,} valid "
        "numbers; beyond that every person is keyed by a pseudonym instead (a pseudonymised lake: no names, "
        "month of birth only), and --key nhs_number beyond it fails at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            required=True,
            help=f"how many people (at least 1; at most {TEST_RANGE_CAPACITY:,} with NHS numbers)",
        )
        parser.add_argument(
            "--seed", type=int, required=True, help="random seed: the same seed gives the same files"
        )
        parser.add_argument("--out", type=Path, required=True, help="output directory (the lake)")
        parser.add_argument(
            "--key",
            choices=PERSON_KEYS,
            help=(
                f"what names each person: {NHS_NUMBER} (from the test range) or {PSEUDONYM} (a pseudonymised "
                f"lake, which `load` does not take); default {NHS_NUMBER} up to {TEST_RANGE_CAPACITY:,} "
                f"people, {PSEUDONYM} beyond"
            ),
        )
        parser.add_argument(
            "--index-date",
            type=_iso_date,
            default=DEFAULT_INDEX_DATE,
            help=(
                "YYYY-MM-DD: three years of history before it, twelve months of follow-up after "
                f"(default {DEFAULT_INDEX_DATE})"
            ),
        )
        parser.add_argument(
            "--tariff",
            type=Path,
            help="JSON or TOML file overriding unit costs (keys as in neighbourhood.synth.tariff.Tariff)",
        )

    def handle(self, *args, people, seed, out, index_date, tariff, key=None, **options):
        if isinstance(index_date, str):  # call_command passes optional arguments through unparsed
            try:
                index_date = _iso_date(index_date)
            except ArgumentTypeError as error:
                raise CommandError(f"--index-date: {error}") from error
        try:
            tariff_values = load_tariff(Path(tariff)) if tariff else None
        except TariffError as error:
            raise CommandError(str(error)) from error
        bar = Progress(
            TextColumn("Generating people"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=options["verbosity"] == 0,
        )
        task = bar.add_task("people", total=people)

        def show_progress(done: int) -> None:
            bar.start()  # on the first call, once the request has been checked; later calls do nothing
            bar.update(task, completed=done)

        try:
            summary = generate_neighbourhood(
                out,
                people,
                seed,
                index_date=index_date,
                tariff=tariff_values,
                progress=show_progress,
                key=key,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.stop()
        for table, rows in summary.rows.items():
            self.stdout.write(f"{table}: {rows:,} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {summary.people:,} people (seed {seed}, keyed by {summary.key}) to {summary.out_dir}"
            )
        )


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from error
