from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "neighbourhood.referrals"
    verbose_name = "Referrals"
