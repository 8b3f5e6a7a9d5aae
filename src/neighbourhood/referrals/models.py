"""Referrals to a team. Here only what the access service needs: an open referral gives the receiving team a
legitimate relationship to the person for as long as it stays open (the single point of access, with its
screening, triage and clocks, builds on this model)."""

from django.conf import settings
from django.db import models

from neighbourhood.register.models import Organisation, Person


class Referral(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals")
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    # Once someone in the receiving team takes it, only they have the relationship through it.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["to_organisation", "status"])]

    def __str__(self):
        return f"Referral {self.pk}"
