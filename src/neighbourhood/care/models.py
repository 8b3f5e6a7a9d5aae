"""Care coordination in the database: each person's care team, their consent and capacity decisions, holistic
assessments and their one personalised care and support plan (with every earlier version kept).

Identifiable through `person`. Who may see or change any of it is decided by `governance.access`; the care
team and consent held here are two of the relationships it reads.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation, Person


class CareTeam(models.Model):
    """The people looking after one person, and the person's preference for their named accountable GP."""

    class Origin(models.TextChoices):
        REGISTER = "register", "Joined the proactive care register"
        AGED_75 = "aged_75", "Aged 75 or over: needs a named accountable GP"
        STAFF = "staff", "Started by a member of staff"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="care_team")
    origin = models.CharField(max_length=20, choices=Origin.choices)
    created_at = models.DateTimeField()
    # The person's preferred GP is honoured when it can be; when the named GP differs, the reason is kept.
    preferred_gp = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preference_not_honoured_reason = models.TextField(blank=True)

    def __str__(self):
        return f"Care team {self.pk}"


class CareTeamMember(models.Model):
    class Responsibility(models.TextChoices):
        NAMED_GP = "named_gp", "Named accountable GP"
        CARE_COORDINATOR = "care_coordinator", "Care coordinator"
        MEMBER = "member", "Member"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"

    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_places"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    responsibility = models.CharField(
        max_length=20, choices=Responsibility.choices, default=Responsibility.MEMBER
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["responsibility", "start_date", "id"]
        constraints = [
            # One named GP and one care coordinator at a time (proposed or active).
            models.UniqueConstraint(
                fields=["team", "responsibility"],
                condition=Q(
                    responsibility__in=["named_gp", "care_coordinator"], status__in=["proposed", "active"]
                ),
                name="one_named_gp_and_one_coordinator",
            ),
            models.UniqueConstraint(
                fields=["team", "user", "responsibility"],
                condition=~Q(status="ended"),
                name="one_current_place_per_user_and_responsibility",
            ),
        ]

    def __str__(self):
        return f"Care team member {self.pk}"


class Consent(models.Model):
    """A person's decision (or their representative's) about one kind of sharing. The newest one not
    withdrawn is the one in force."""

    class Scope(models.TextChoices):
        SHARING = "sharing", "Share my record between health, social care and the voluntary sector"
        MDT = "mdt", "Be discussed at a multidisciplinary team (MDT) meeting"

    class Decision(models.TextChoices):
        GIVEN = "given", "Consent given"
        REFUSED = "refused", "Consent refused"

    class How(models.TextChoices):
        VERBAL = "verbal", "Verbally"
        WRITTEN = "written", "In writing"
        LASTING_POWER_OF_ATTORNEY = "lpa", "By their lasting power of attorney for health and welfare"
        REPRESENTATIVE = "representative", "By another legal representative (for example a deputy)"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    how = models.CharField(max_length=20, choices=How.choices)
    representative_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    review_date = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"Consent {self.pk}"


class Objection(models.Model):
    """The person objects to one organisation seeing their record: that organisation loses its access."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="objections")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_objection_per_organisation",
            )
        ]

    def __str__(self):
        return f"Objection {self.pk}"


class CapacityAssessment(models.Model):
    """The Mental Capacity Act 2005 two-stage test for one decision: is there an impairment of, or a
    disturbance in the functioning of, the mind or brain; and because of it, is the person unable to
    understand, retain, use or weigh the information, or communicate their decision (sections 2 and 3)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="capacity_assessments")
    decision = models.CharField(max_length=20, choices=Consent.Scope.choices)
    impairment = models.BooleanField()
    impairment_detail = models.TextField(blank=True)
    unable_to_understand = models.BooleanField(default=False)
    unable_to_retain = models.BooleanField(default=False)
    unable_to_weigh = models.BooleanField(default=False)
    unable_to_communicate = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self):
        return f"Capacity assessment {self.pk}"

    @property
    def lacks_capacity(self) -> bool:
        unable = (
            self.unable_to_understand
            or self.unable_to_retain
            or self.unable_to_weigh
            or self.unable_to_communicate
        )
        return self.impairment and unable


class BestInterestsDecision(models.Model):
    """Made for a person who lacks capacity for the decision (MCA section 4): who was consulted and why."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="best_interests_decisions")
    capacity_assessment = models.ForeignKey(CapacityAssessment, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Consent.Scope.choices)
    in_favour = models.BooleanField()  # True: sharing / MDT discussion is in the person's best interests
    consulted = models.TextField()
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"Best-interests decision {self.pk}"


class HolisticAssessment(models.Model):
    """A holistic assessment on the Comprehensive Geriatric Assessment domains (care.assessment_domains):
    `answers` holds what was written for each domain, `prefill` what the record said when it was started."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        COMPLETED = "completed", "Completed"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="holistic_assessments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    prefill = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: a save names the version it edited
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Holistic assessment {self.pk}"


class CarePlan(models.Model):
    """The one personalised care and support plan a person has, shared by health and social care. `content`
    is the current version (care.plan_content says its shape); every saved version is a CarePlanVersion."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="care_plan")
    version = models.PositiveIntegerField(default=0)
    content = models.JSONField(default=dict, blank=True)
    next_review_date = models.DateField(null=True, blank=True, db_index=True)
    agreed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self):
        return f"Care plan {self.pk}"


class CarePlanVersion(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    changed_headings = models.JSONField(default=list, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_row_per_plan_version")]

    def __str__(self):
        return f"Care plan {self.plan_id} version {self.number}"
