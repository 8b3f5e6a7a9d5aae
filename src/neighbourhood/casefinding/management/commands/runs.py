from django.core.management.base import BaseCommand

from neighbourhood.casefinding.models import RiskRun


class Command(BaseCommand):
    help = "List case-finding runs, newest first."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, limit, **options):
        runs = RiskRun.objects.all()[:limit]
        if not runs:
            self.stdout.write("No case-finding runs yet: run `neighbourhood stratify`.")
            return
        header = "".join(
            [
                f"{'run':>4}  {'index date':10}  {'status':9}  ",
                f"{'people':>8}  {'entered':>7}  {'left':>5}  model / code",
            ]
        )
        self.stdout.write(header)
        for run in runs:
            c = run.counts
            self.stdout.write(
                f"{run.pk:>4}  {run.index_date.isoformat():10}  {run.status:9}  {c.get('stored', 0):>8,}  "
                f"{c.get('entrants', 0):>7,}  {c.get('leavers', 0):>5,}  "
                f"{run.model_version or '-'} / {run.code_version}"
            )
            if run.error:
                self.stdout.write(f"      error: {run.error}")
