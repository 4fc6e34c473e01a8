"""Measurable goals of the plan of care; their status is recorded in notes (`GoalUpdate`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from telept.clinical.models.measures import MEASURE_CHOICES


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    NOT_MET = "not_met", "Not met"
    DISCONTINUED = "discontinued", "Discontinued"


class Goal(models.Model):
    class Term(models.TextChoices):
        SHORT = "short", "Short-term"
        LONG = "long", "Long-term"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="goals")
    description = models.CharField(max_length=300,
                                   help_text="What the patient will be able to do.")
    term = models.CharField(max_length=5, choices=Term.choices, default=Term.LONG)
    measure_code = models.CharField("Outcome measure", max_length=20, blank=True,
                                    choices=MEASURE_CHOICES,
                                    help_text="Track progress with this measure's scores.")
    metric = models.CharField(max_length=80, blank=True,
                              help_text="Otherwise, what is measured, e.g. knee flexion.")
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. degrees, m, s")
    baseline = models.FloatField()
    target = models.FloatField()
    target_date = models.DateField()
    status = models.CharField(max_length=15, choices=GoalStatus.choices,
                              default=GoalStatus.ACTIVE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(baseline=F("target")),
                                   name="goal_target_differs_from_baseline"),
            models.CheckConstraint(condition=~Q(measure_code="") | ~Q(metric=""),
                                   name="goal_has_measure_or_metric"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def what(self) -> str:
        """What is measured, as people name it: "KOOS JR", or the metric's own words."""
        if self.measure_code:
            from telept.clinical.measures import short_name

            return short_name(self.measure_code)
        return self.metric
