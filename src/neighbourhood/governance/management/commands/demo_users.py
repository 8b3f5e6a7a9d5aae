import os
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from neighbourhood.governance.demo import RegisterNotLoaded, create_demo_users

PASSWORD_ENV = "NEIGHBOURHOOD_DEMO_PASSWORD"  # noqa: S105 - the variable's name


class Command(BaseCommand):
    help = (
        "Create or reset one demo account per role on a loaded register. Password: --password, else "
        f"${PASSWORD_ENV}, else a new one printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help=f"password for every demo account (default: ${PASSWORD_ENV})")

    def handle(self, *args, password=None, **options):
        password = password or os.environ.get(PASSWORD_ENV)
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        try:
            demo_users = create_demo_users(password=password)
        except RegisterNotLoaded as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("The demo password is too weak: " + " ".join(error.messages)) from error

        rows = [("Username", "Role", "Organisation")] + [
            (u.username, u.role, u.organisation) for u in demo_users
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            self.stdout.write(
                "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
            )
        if generated:
            self.stdout.write(f"\nPassword for every demo account (shown only now): {password}")
        else:
            self.stdout.write("\nPassword for every demo account: the one you gave.")
