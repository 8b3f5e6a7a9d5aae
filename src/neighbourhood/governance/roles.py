"""Roles and what each may do: access control as data. `access.py` is the only place that reads this."""

from django.db import models


class Role(models.TextChoices):
    GP = "gp", "GP"
    PRACTICE_NURSE = "practice_nurse", "Practice nurse"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    SOCIAL_WORKER = "social_worker", "Social worker"
    LINK_WORKER = "link_worker", "Social prescribing link worker"
    COMMUNITY_NURSE = "community_nurse", "Community nurse"
    MDT_CHAIR = "mdt_chair", "MDT chair"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class Permission(models.TextChoices):
    VIEW_RECORD = "view_record", "View a person's record"
    CHANGE_RECORD = "change_record", "Change a person's record"
    VIEW_AGGREGATES = "view_aggregates", "View suppressed aggregate figures"
    MANAGE_USERS = "manage_users", "Manage staff accounts"


# Analysts see aggregates only: never an identifiable record. Administrators manage accounts, not care.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GP: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD, Permission.VIEW_AGGREGATES}),
    Role.PRACTICE_NURSE: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD}),
    Role.CARE_COORDINATOR: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD}),
    Role.SOCIAL_WORKER: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD}),
    Role.LINK_WORKER: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD}),
    Role.COMMUNITY_NURSE: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD}),
    Role.MDT_CHAIR: frozenset({Permission.VIEW_RECORD, Permission.CHANGE_RECORD, Permission.VIEW_AGGREGATES}),
    Role.ANALYST: frozenset({Permission.VIEW_AGGREGATES}),
    Role.ADMINISTRATOR: frozenset({Permission.MANAGE_USERS}),
}
