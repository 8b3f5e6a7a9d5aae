import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from neighbourhood.governance.demo import (
    BadTOTPSecret,
    DemoRefusedInProduction,
    RegisterNotLoaded,
    create_demo_users,
    largest_practice,
    new_totp_secret,
    refuse_in_production,
)
from neighbourhood.governance.demo_history import create_past_emergency_accesses

PASSWORD_ENV = "NEIGHBOURHOOD_DEMO_PASSWORD"  # noqa: S105 - the variable's name
TOTP_SECRET_ENV = "NEIGHBOURHOOD_DEMO_TOTP_SECRET"  # noqa: S105 - the variable's name


class Command(BaseCommand):
    help = (
        "Create or reset one demo account per role on a loaded register. Password: --password, else "
        f"${PASSWORD_ENV}, else a new one printed once. Every account has the same second factor: the base32 "
        f"secret in ${TOTP_SECRET_ENV}, else a new one printed once, for any authenticator app. Refused when "
        "NEIGHBOURHOOD_ENV=production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help=f"password for every demo account (default: ${PASSWORD_ENV})")

    def handle(self, *args, password=None, **options):
        try:
            refuse_in_production()
        except DemoRefusedInProduction as error:
            raise CommandError(str(error)) from error
        password = password or os.environ.get(PASSWORD_ENV)
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        totp_secret = os.environ.get(TOTP_SECRET_ENV)
        totp_secret_generated = not totp_secret
        if totp_secret_generated:
            totp_secret = new_totp_secret()
        try:
            demo_users = create_demo_users(password=password, totp_secret=totp_secret)
        except RegisterNotLoaded as error:
            raise CommandError(str(error)) from error
        except BadTOTPSecret as error:
            raise CommandError(f"{TOTP_SECRET_ENV}: {error}") from error
        except ValidationError as error:
            raise CommandError("The demo password is too weak: " + " ".join(error.messages)) from error

        past = create_past_emergency_accesses(largest_practice(), hours=settings.EMERGENCY_ACCESS_HOURS)

        rows = [("Username", "Role", "Organisation")] + [
            (u.username, u.role, u.organisation) for u in demo_users
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            self.stdout.write(
                "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
            )
        if past:
            self.stdout.write(f"\n{len(past)} emergency accesses in the demo's history for privacy-officer.")
        if totp_secret_generated:
            self.stdout.write(
                "\nSecond factor: add this secret to any authenticator app (it then shows the security code)."
                f"\nTwo-factor secret for every demo account (shown only now): {totp_secret}"
            )
        else:
            self.stdout.write(f"\nTwo-factor secret for every demo account: the one in ${TOTP_SECRET_ENV}.")
        if generated:
            self.stdout.write(f"\nPassword for every demo account (shown only now): {password}")
        else:
            self.stdout.write("\nPassword for every demo account: the one you gave.")
