from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "neighbourhood.care"
    verbose_name = "Care coordination"
