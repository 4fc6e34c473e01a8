"""Outcome measures in the chart: what the therapist scheduled and what the patient answered.

Scores are computed by the pure instruments in `telept.clinical.measures`; a row stores the
answers exactly as given (blank items as null) next to the score, so a score can always be
recomputed and checked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone

from telept.clinical.measures import MEASURES, short_name

MEASURE_CHOICES = [(code, measure.name) for code, measure in MEASURES.items()]


class MeasureSchedule(models.Model):
    """Which instrument a patient completes, and how often (see `rules/schedule.py`)."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="measure_schedules")
    code = models.CharField(max_length=20, choices=MEASURE_CHOICES)
    at_evaluation = models.BooleanField(
        default=True, help_text="Due straight away, as the baseline at evaluation.")
    every_visits = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Due again after this many completed visits.")
    every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Due again after this many days.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "code"], condition=Q(stopped_at=None),
                                    name="measure_schedule_one_active_per_code"),
            models.CheckConstraint(condition=Q(every_visits=None) | Q(every_visits__gte=1),
                                   name="measure_schedule_visits_positive"),
            models.CheckConstraint(condition=Q(every_days=None) | Q(every_days__gte=1),
                                   name="measure_schedule_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{short_name(self.code)} for {self.patient.full_name}"


class MeasureResponse(models.Model):
    """One completed questionnaire: answers as given, the score, and its LOINC code."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Patient portal"
        CLINIC = "clinic", "Entered by staff"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="measure_responses")
    schedule = models.ForeignKey(MeasureSchedule, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="responses")
    code = models.CharField(max_length=20, choices=MEASURE_CHOICES)
    answers = models.JSONField(help_text="One entry per item; null = left blank.")
    item_labels = models.JSONField(default=list, blank=True,
                                   help_text="PSFS: the activities the patient named.")
    score = models.FloatField(null=True, blank=True)
    scorable = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True)
    loinc = models.CharField("LOINC", max_length=10, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    completed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [models.Index(fields=["patient", "code", "completed_at"],
                                name="measure_response_series")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scorable=True, score__isnull=False)
                | Q(scorable=False, score__isnull=True),
                name="measure_response_score_iff_scorable"),
        ]

    def __str__(self) -> str:
        score = f"{self.score:g}" if self.score is not None else "not scored"
        day = dateformat.format(timezone.localtime(self.completed_at), "j M Y")
        return f"{short_name(self.code)} of {day} for {self.patient.full_name}: {score}"
