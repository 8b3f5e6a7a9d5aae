from django.apps import AppConfig


class CasefindingConfig(AppConfig):
    name = "neighbourhood.casefinding"
    verbose_name = "Case finding"
