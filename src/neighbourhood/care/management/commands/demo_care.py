from django.core.management.base import BaseCommand, CommandError

from neighbourhood.care.demo import NoRegisterToShow, build_demo_care
from neighbourhood.governance.demo import DemoRefusedInProduction, RegisterNotLoaded


class Command(BaseCommand):
    help = (
        "Give the demo's register members care teams, consents, assessments, referrals and plans in every "
        "state. Needs the demo users and a case-finding run. Refused when NEIGHBOURHOOD_ENV=production."
    )

    def handle(self, *args, **options):
        try:
            made = build_demo_care()
        except (DemoRefusedInProduction, RegisterNotLoaded, NoRegisterToShow) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Care for {made.people} people: {made.plans} plans, {made.assessments} assessments, "
            f"{made.consents} consent decisions, {made.referrals} referrals"
        )
