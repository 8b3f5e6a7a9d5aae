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
    MANAGE_CARE_TEAM = "manage_care_team", "Change a person's care team"
    REMOVE_FROM_REGISTER = "remove_from_register", "Take a person off the proactive care register"
    ADD_TO_MDT_AGENDA = "add_to_mdt_agenda", "Put a person on an MDT meeting's agenda"
    VIEW_ACCESS_LOG = "view_access_log", "See who has looked at a person's record"
    VIEW_AGGREGATES = "view_aggregates", "View suppressed aggregate figures"
    MANAGE_USERS = "manage_users", "Manage staff accounts"
    REVIEW_ACCESS = "review_access", "Review emergency access and who has looked at a record"
    RESOLVE_AUDIT_REFERENCE = "resolve_audit_reference", "Find whose record an audit reference is"


# Analysts see aggregates only: never an identifiable record. Administrators manage accounts, not care, and
# see the audit trail pseudonymised. Privacy officers review emergency access and may resolve an audit
# reference to a person (itself audited); they do not open records.
_CARE = frozenset(
    {
        Permission.SEARCH_REGISTER,
        Permission.VIEW_RECORD,
        Permission.CHANGE_RECORD,
        Permission.VIEW_ACCESS_LOG,
        Permission.MANAGE_CARE_TEAM,
        Permission.ADD_TO_MDT_AGENDA,
    }
)
# Only clinicians take someone off the register, and only in the person's own practice (access.py).
_PRACTICE_CLINICIAN = frozenset({Permission.REMOVE_FROM_REGISTER})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GP: _CARE | _PRACTICE_CLINICIAN | {Permission.VIEW_AGGREGATES},
    Role.PRACTICE_NURSE: _CARE | _PRACTICE_CLINICIAN,
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

# These roles see only their caseload (their place in a person's care team, or an open referral to their
# team), never everyone registered at a practice or known to a council where they also work.
CASELOAD_ONLY_ROLES = frozenset({Role.LINK_WORKER, Role.COMMUNITY_NURSE})
# Who may set up a care team that has no named GP or care coordinator yet: the person's practice's GPs and
# care coordinators. Once it has them, its named GP and care coordinator change it too.
PRACTICE_CARE_TEAM_ROLES = frozenset({Role.GP, Role.CARE_COORDINATOR})
