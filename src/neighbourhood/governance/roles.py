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
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"


class Permission(models.TextChoices):
    SEARCH_REGISTER = "search_register", "Search for a person"
    VIEW_RECORD = "view_record", "View a person's record"
    CHANGE_RECORD = "change_record", "Change a person's record"
    VIEW_ACCESS_LOG = "view_access_log", "See who has looked at a person's record"
    VIEW_AGGREGATES = "view_aggregates", "View suppressed aggregate figures"
    MANAGE_USERS = "manage_users", "Manage staff accounts"
    REVIEW_ACCESS = "review_access", "Review emergency access and who has looked at a record"
    RESOLVE_AUDIT_REFERENCE = "resolve_audit_reference", "Find whose record an audit reference is"


# Analysts see aggregates only: never an identifiable record. Administrators manage accounts, not care, and
# see the audit trail pseudonymised. Privacy officers review emergency access and may resolve an audit
# reference to a person (itself audited); they do not open records.
_CARE = frozenset(
    {Permission.SEARCH_REGISTER, Permission.VIEW_RECORD, Permission.CHANGE_RECORD, Permission.VIEW_ACCESS_LOG}
)
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GP: _CARE | {Permission.VIEW_AGGREGATES},
    Role.PRACTICE_NURSE: _CARE,
    Role.CARE_COORDINATOR: _CARE,
    Role.SOCIAL_WORKER: _CARE,
    Role.LINK_WORKER: _CARE,
    Role.COMMUNITY_NURSE: _CARE,
    Role.MDT_CHAIR: _CARE | {Permission.VIEW_AGGREGATES},
    Role.ANALYST: frozenset({Permission.VIEW_AGGREGATES}),
    Role.ADMINISTRATOR: frozenset({Permission.MANAGE_USERS}),
    Role.PRIVACY_OFFICER: frozenset(
        {Permission.REVIEW_ACCESS, Permission.RESOLVE_AUDIT_REFERENCE, Permission.VIEW_ACCESS_LOG}
    ),
}
