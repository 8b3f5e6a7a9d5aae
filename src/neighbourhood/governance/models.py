from django.contrib.auth.models import AbstractUser
from django.db import models

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
    "view_record": "Viewed a record",
    "change_record": "Changed a record",
    "search_register": "Searched for a person",
    "view_worklist": "Viewed the case-finding worklist",
    "export_worklist": "Exported the case-finding worklist",
    "view_case_finding": "Viewed case-finding details",
    "review_case_finding": "Reviewed case finding",
    "nominate_for_register": "Nominated for the proactive care register",
    "exclude_from_register": "Excluded from the proactive care register",
}


class AuditEventQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's own refusal, so they are refused here too."""

    def update(self, **kwargs):
        raise RuntimeError("Audit events are append-only")

    def delete(self):
        raise RuntimeError("Audit events are append-only")


class AuditEvent(models.Model):
    """Append-only record of every read or change of a person's record, and every refusal."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"
        BREAK_GLASS = "break_glass", "Emergency access"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
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
