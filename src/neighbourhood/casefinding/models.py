"""Case finding in the database: versioned runs and their results, and clinicians' decisions about the
proactive care register (nominations, exclusions, removals, reviews).

The analytics themselves live in `neighbourhood.risk` (Ibis); a run's results are written here in one
transaction, so pages read a finished run and a failed run leaves the previous results in place.
"""

from django.conf import settings
from django.db import models

from neighbourhood.register.models import Person


class RiskRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    index_date = models.DateField()
    data_dir = models.CharField(max_length=500)
    data_cut = models.CharField(max_length=200, blank=True)  # what the lake says of itself (metadata.json)
    engine = models.CharField(max_length=20, default="duckdb")
    model_version = models.CharField(max_length=100, blank=True)
    code_version = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(max_length=150)
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    model_info = models.JSONField(default=dict, blank=True)
    pyramid = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Run {self.pk} ({self.index_date}, {self.status})"


class RiskScore(models.Model):
    """One person's results in one run. Identifiable through `person`."""

    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="scores")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="risk_scores")
    efi = models.FloatField(null=True, blank=True)
    efi_category = models.CharField(max_length=20, blank=True)
    efi_deficits = models.JSONField(default=list, blank=True)
    admission_risk = models.FloatField()
    risk_percentile = models.FloatField()
    risk_factors = models.JSONField(default=list, blank=True)
    wokingham_flag = models.BooleanField(default=False)
    wokingham_reasons = models.JSONField(default=list, blank=True)
    segment = models.CharField(max_length=30)
    on_register = models.BooleanField(default=False)
    register_reasons = models.JSONField(default=list, blank=True)
    cost_12m_gbp = models.FloatField(default=0)
    emergency_admissions_12m = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="one_score_per_person_per_run")]
        indexes = [
            models.Index(fields=["run", "-admission_risk"]),
            models.Index(fields=["run", "segment"]),
        ]

    def __str__(self):
        return f"Score {self.pk} in run {self.run_id}"


class RegisterChange(models.Model):
    """Who entered or left the proactive care register in a run, and why."""

    class Change(models.TextChoices):
        ENTERED = "entered", "Entered"
        LEFT = "left", "Left"

    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="register_changes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="register_changes")
    change = models.CharField(max_length=10, choices=Change.choices)
    reason = models.CharField(max_length=300)

    def __str__(self):
        return f"{self.change} in run {self.run_id}"


class Nomination(models.Model):
    """A clinician asks for a person to be on the proactive care register."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nominations")
    reason = models.TextField()
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_by_role = models.CharField(max_length=30)
    nominated_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    # The removal that ended it, so that undoing the removal brings the nomination (and its reason) back.
    ended_by = models.ForeignKey(
        "Exclusion", null=True, blank=True, on_delete=models.SET_NULL, related_name="ended_nominations"
    )

    class Meta:
        ordering = ["-nominated_at"]

    def __str__(self):
        return f"Nomination {self.pk}"


class Exclusion(models.Model):
    """A clinician takes a person off (or keeps them off) the proactive care register, with a reason."""

    class Reason(models.TextChoices):
        DECLINED = "declined", "Declined proactive care"
        MOVED = "moved", "Moved away or left the practice"
        END_OF_LIFE_ELSEWHERE = "end_of_life_elsewhere", "End of life care provided elsewhere"
        NEEDS_MET = "needs_met", "Needs met by another service"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="exclusions")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    detail = models.TextField(blank=True)
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    excluded_by_role = models.CharField(max_length=30)
    excluded_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-excluded_at"]

    def __str__(self):
        return f"Exclusion {self.pk}"


class Review(models.Model):
    """A clinician has looked at a person's case-finding result (for the 'not yet reviewed' filter)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="case_finding_reviews")
    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self):
        return f"Review {self.pk}"
