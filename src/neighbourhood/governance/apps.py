from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "neighbourhood.governance"
    verbose_name = "Governance: staff, roles, access and audit"
