from django.core.management.base import BaseCommand, CommandError

from neighbourhood.governance import audit_chain


class Command(BaseCommand):
    help = (
        "The audit log. `audit verify`: walk the chain of hashes and report any changed, inserted or deleted "
        "row; exits non-zero if there is one."
    )

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser("verify", help="check every audit event against the chain of hashes")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            self.verify()

    def verify(self):
        result = audit_chain.verify()
        if result.ok:
            self.stdout.write(f"OK: {result.count} audit events, the chain is intact")
            return
        for problem in result.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"The audit chain is broken: {len(result.problems)} problem(s) in {result.count} audit events; "
            f"the first: {result.problems[0]}"
        )
