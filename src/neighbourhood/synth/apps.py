from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "neighbourhood.synth"
    verbose_name = "Synthetic neighbourhood"
