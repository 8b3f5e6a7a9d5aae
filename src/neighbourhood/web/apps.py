from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "neighbourhood.web"
    verbose_name = "Web pages"
