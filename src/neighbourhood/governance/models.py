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
    action = models.CharField(max_length=50)  # e.g. view_record, search, load_register
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(blank=True)  # why: the legitimate relationship, or the break-glass reason
    detail = models.JSONField(default=dict, blank=True)

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
