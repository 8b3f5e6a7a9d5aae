from django.contrib.auth.models import AbstractUser
from django.db import models, router, transaction

from neighbourhood.governance import audit_chain, audit_references
from neighbourhood.governance.roles import Role


class User(AbstractUser):
    """A member of staff. What they may do comes from their memberships, never from flags on the user."""


class Membership(models.Model):
    """A user works for an organisation in a role. One user may have several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "register.Organisation", on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} at {self.organisation}"


# Actions in words; any other reads as its code with spaces ("load_register": "Load register").
ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "sign_in_refused": "Sign-in refused",
    "two_factor": "Signed in with the second factor",
    "two_factor_failed": "Second factor failed",
    "two_factor_set_up_started": "Started setting up two-factor sign-in",
    "two_factor_enrolled": "Set up two-factor sign-in",
    "view_record": "Viewed a record",
    "change_record": "Changed a record",
    "search_register": "Searched for a person",
    "view_worklist": "Viewed the case-finding worklist",
    "export_worklist": "Exported the case-finding worklist",
    "view_case_finding": "Viewed case-finding details",
    "review_case_finding": "Reviewed case finding",
    "nominate_for_register": "Nominated for the proactive care register",
    "exclude_from_register": "Excluded from the proactive care register",
    "undo_register_decision": "Undid a proactive care register decision",
    "emergency_access": "Opened a record in an emergency",
    "request_emergency_access": "Asked for emergency access",
    "view_access_log": "Saw who has looked at a record",
    "list_emergency_access": "Listed emergency access to review",
    "view_emergency_access": "Looked at an emergency access",
    "review_emergency_access": "Reviewed an emergency access",
    "view_case_finding_overview": "Viewed the population overview",
    "view_model_report_chart": "Viewed a chart of the risk model",
    "case_finding_run": "Ran case finding",
    "resolve_audit_reference": "Found whose record an audit reference is",
    "add_membership": "Gave a member of staff a role",
    "change_membership": "Changed a member of staff's role",
    "remove_membership": "Removed a member of staff's role",
    "reset_two_factor": "Reset a member of staff's two-factor sign-in",
    "change_user_access": "Changed whether a member of staff may sign in or use the admin",
    "view_care_team": "Viewed a care team",
    "add_care_team_member": "Added someone to a care team",
    "change_care_team_member": "Changed someone's place in a care team",
    "set_named_gp": "Set the named accountable GP",
    "create_care_teams": "Proposed care teams for new register members and people aged 75+",
    "view_consent": "Viewed consent and capacity",
    "record_consent": "Recorded a consent decision",
    "withdraw_consent": "Withdrew a consent decision",
    "record_objection": "Recorded an objection to an organisation",
    "withdraw_objection": "Withdrew an objection",
    "assess_capacity": "Recorded a mental capacity assessment",
    "record_best_interests": "Recorded a best-interests decision",
    "view_assessments": "Viewed holistic assessments",
    "start_assessment": "Started a holistic assessment",
    "view_assessment": "Viewed a holistic assessment",
    "edit_assessment": "Changed a holistic assessment",
    "view_care_plan": "Viewed the care and support plan",
    "edit_care_plan": "Changed the care and support plan",
    "view_care_plan_versions": "Viewed the care plan's versions",
    "compare_care_plan_versions": "Compared versions of the care plan",
    "download_care_plan": "Downloaded the care plan as a PDF",
    "make_referral": "Made a referral",
    "close_referral": "Closed a referral",
}


class AuditEventQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's own refusal, so they are refused here too."""

    def update(self, **kwargs):
        raise RuntimeError("Audit events are append-only")

    def delete(self):
        raise RuntimeError("Audit events are append-only")

    def bulk_create(self, objs, *args, **kwargs):
        raise RuntimeError("Audit events are appended one at a time: each is chained to the one before")


class AuditEvent(models.Model):
    """Append-only record of every read or change of a person's record, and every refusal."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"
        BREAK_GLASS = "break_glass", "Emergency access"
        FAILED = "failed", "Failed"  # a system job (an analytics run) that did not finish

    # Set by save() before the row is hashed (not auto_now_add, which would replace it after).
    at = models.DateTimeField(db_index=True, editable=False)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="audit_events")
    username = models.CharField(max_length=150)  # kept even if the account is later deleted
    role = models.CharField(max_length=30, blank=True)
    organisation_code = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey(
        "register.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    # A keyed hash of the NHS number, shown instead of it to people without record access (administrators);
    # only a privacy officer may resolve one to a person (governance.audit_references).
    person_reference = models.CharField(max_length=16, blank=True, db_index=True)
    action = models.CharField(max_length=50)  # e.g. view_record, search, load_register
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(blank=True)  # why: the legitimate relationship, or the break-glass reason
    detail = models.JSONField(default=dict, blank=True)
    # Tamper evidence: SHA-256 over this row's canonical form and the previous row's hash
    # (governance.audit_chain). `neighbourhood audit verify` walks the chain.
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} {self.outcome} by {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only")
        if self.nhs_number and not self.person_reference:
            self.person_reference = audit_references.reference_for(self.nhs_number)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            audit_chain.seal(self, using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action) or self.action.replace("_", " ").capitalize()


class EmergencyAccess(models.Model):
    """Break-glass: a user with record access but no legitimate relationship opened a person's record in an
    emergency, with a reason and a justification (the Summary Care Record's emergency access). It lasts a
    limited time, and the privacy officer of the user's organisation reviews every one."""

    class Reason(models.TextChoices):
        EMERGENCY_CARE = "emergency_care", "Emergency or urgent care: the person cannot be asked"
        URGENT_REFERRAL = "urgent_referral", "Urgent referral or handover of care"
        SAFEGUARDING = "safeguarding", "Safeguarding concern"
        NEW_TO_CARE = "new_to_care", "Starting care before the relationship is recorded"

    class Review(models.TextChoices):
        APPROPRIATE = "appropriate", "Appropriate"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="emergency_accesses")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="emergency_accesses")
    person = models.ForeignKey("register.Person", on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    justification = models.TextField()
    started_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="emergency_access_reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=20, choices=Review.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Emergency access by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"
