"""Patient records: demographics, contact, coverage, consents, diagnoses.

Read them only through `telept.patients.selectors` (scoped and audited); write them only
through `telept.patients.services` (validated and audited in the same transaction).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from telept.lib.states import STATE_CHOICES


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "O", "Other"
        UNKNOWN = "U", "Unknown"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="patients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="patient_records")
    mrn = models.CharField("MRN", max_length=20)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    preferred_language = models.CharField(max_length=35, default="en",
                                          help_text="BCP 47 tag, e.g. en, es, zh-Hant")
    time_zone = models.CharField(max_length=64, blank=True,
                                 help_text="Blank means the practice's time zone.")
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    emergency_contact_relation = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency for demographics (Issue 16 item 13): each save names the version
    # it started from and is refused if another save came first (services.patient_update).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["practice", "mrn"],
                                               name="patient_unique_mrn_per_practice")]
        indexes = [models.Index(fields=["practice", "last_name"], name="patient_practice_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Coverage(models.Model):
    class Relation(models.TextChoices):
        SELF = "self", "Self"
        SPOUSE = "spouse", "Spouse"
        CHILD = "child", "Child"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages")
    payer = models.ForeignKey("practices.Payer", on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField(max_length=40)
    group_number = models.CharField(max_length=40, blank=True)
    subscriber_relation = models.CharField(max_length=10, choices=Relation.choices,
                                           default=Relation.SELF)
    subscriber_name = models.CharField(max_length=150, blank=True)
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 = primary")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "id"]


class Consent(models.Model):
    class Kind(models.TextChoices):
        TELEHEALTH = "telehealth", "Telehealth"
        TREATMENT = "treatment", "Treatment"
        PRIVACY = "privacy", "Notice of privacy practices"
        # One clip of one movement, given in the video visit on the patient's own seat
        # (telept.visits.clips); the visit's ClipRequest links to this row. Never on paper.
        VIDEO_CLIP = "video_clip", "Video clip of a movement"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.CharField(max_length=20)
    signed_by = models.CharField(max_length=150, help_text="Name of the person who signed.")
    signer_relation = models.CharField(max_length=50, default="self")
    signed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]


class Diagnosis(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField("ICD-10-CM", max_length=8)
    description = models.CharField(max_length=200)
    is_primary = models.BooleanField(default=False)
    onset_date = models.DateField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name_plural = "diagnoses"
