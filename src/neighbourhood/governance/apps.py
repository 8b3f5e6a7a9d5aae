from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "neighbourhood.governance"
    verbose_name = "Governance: staff, roles, access and audit"

    def ready(self):
        from neighbourhood.governance import signals  # noqa: F401 - connects the sign-in audit receivers
