from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "neighbourhood.register"
    verbose_name = "Register and shared record"
