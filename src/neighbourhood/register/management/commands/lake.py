from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neighbourhood.lake.convert import ConversionRefused, convert_csv_lake


class Command(BaseCommand):
    help = (
        "Work on a lake's files (docs/data-model.md). `lake convert SRC DST`: check the CSV lake in SRC "
        "against the contract and write it as Parquet in DST (a new or empty folder); refused, with the "
        "file, line and column of every bad value, if any row is bad."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        convert = actions.add_parser("convert", help="write a checked CSV lake as Parquet")
        convert.add_argument("src", metavar="SRC", type=Path)
        convert.add_argument("dst", metavar="DST", type=Path)

    def handle(self, *args, action: str, **options):
        if action == "convert":
            self._convert(options["src"], options["dst"])

    def _convert(self, src: Path, dst: Path) -> None:
        try:
            converted = convert_csv_lake(src, dst)
        except ConversionRefused as error:
            raise CommandError(error.report()) from error
        except FileExistsError as error:
            raise CommandError(str(error)) from error
        for name, rows in converted.tables.items():
            self.stdout.write(f"  {name:<18} {rows:>12,} rows")
        kind = "pseudonyms" if converted.key_kind == "pseudonym" else "NHS numbers"
        self.stdout.write(self.style.SUCCESS(f"Wrote {dst} as Parquet (person keys: {kind})"))
