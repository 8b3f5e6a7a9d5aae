"""The register and shared record: who is registered, where, who cares for whom, and what is known about them.

Identifiable fields: Person.nhs_number, given_name, family_name, date_of_birth, lsoa_code; Relationship links.
Never log them.
"""

from django.db import models

from neighbourhood.register.fields import NHSNumberField


class LocalAuthority(models.Model):
    code = models.CharField(max_length=9, unique=True)  # ONS code, e.g. E06000099
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """Anyone whose staff use Neighbourhood: a practice, the council's adult social care, a provider..."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", "GP practice"
        PCN = "pcn", "Primary care network"
        ADULT_SOCIAL_CARE = "adult_social_care", "Council adult social care"
        COMMUNITY_PROVIDER = "community_provider", "Community health provider"
        VOLUNTARY = "voluntary", "Voluntary sector organisation"
        ICB = "icb", "Integrated care board"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    local_authority = models.ForeignKey(LocalAuthority, null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self):
        return self.name


class PCN(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name = "primary care network"

    def __str__(self):
        return self.name


class Practice(models.Model):
    ods_code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="practices")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="practices")
    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="practice")
    list_size = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name} ({self.ods_code})"


class Person(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    nhs_number = NHSNumberField(unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(max_length=1, blank=True)  # NHS data dictionary ethnic category code
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="patients")
    local_authority = models.ForeignKey(LocalAuthority, null=True, blank=True, on_delete=models.PROTECT)
    lsoa_code = models.CharField(max_length=9, blank=True)
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    registration_date = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    # Social context, derived from the coded record when loaded.
    lives_alone = models.BooleanField(default=False)
    housebound = models.BooleanField(default=False)
    socially_isolated = models.BooleanField(default=False)
    is_carer = models.BooleanField(default=False)
    known_to_social_care = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["family_name", "date_of_birth"])]
        verbose_name_plural = "people"

    def __str__(self):
        # Deliberately not identifiable: str() ends up in logs and admin messages.
        return f"Person {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Relationship(models.Model):
    """`person` is <kind> `related_person`: e.g. person carer_of related_person."""

    class Kind(models.TextChoices):
        CARER_OF = "carer_of", "Carer of"
        NEXT_OF_KIN_OF = "next_of_kin_of", "Next of kin of"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    related_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="related_by")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "related_person", "kind"], name="unique_relationship"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("related_person")), name="relationship_not_to_self"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} (relationship {self.pk})"


class Condition(models.Model):
    """A long-term condition on the record, with the first date it was coded."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="conditions")
    name = models.CharField(max_length=100)
    snomed_code = models.CharField(max_length=20)
    first_recorded = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="unique_condition_per_person")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class Medication(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=200)
    route = models.CharField(max_length=20)
    is_repeat = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    """Hospital and social-care activity shown on the record's timeline."""

    class Kind(models.TextChoices):
        AE_ATTENDANCE = "ae_attendance", "A&E attendance"
        EMERGENCY_ADMISSION = "emergency_admission", "Emergency admission"
        ELECTIVE_ADMISSION = "elective_admission", "Planned admission"
        SOCIAL_CARE_ASSESSMENT = "social_care_assessment", "Social care assessment"
        SOCIAL_CARE_SERVICE = "social_care_service", "Social care service"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activities")
    source_id = models.CharField(max_length=40, unique=True)  # spell_id or social care record_id
    kind = models.CharField(max_length=30, choices=Kind.choices)
    detail = models.CharField(max_length=100, blank=True)  # e.g. "home_care", "carers_assessment"
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    cost_gbp = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    weekly_cost_gbp = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    funding = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["person", "start_date"])]

    def __str__(self):
        return self.get_kind_display()
