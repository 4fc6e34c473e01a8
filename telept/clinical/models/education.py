"""Patient education: the article library and what a therapist assigned to whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from telept.clinical.education_library import REGIONS, TOPICS


class Article(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=200)
    body = models.TextField(help_text="Paragraphs separated by a blank line.")
    region = models.CharField(max_length=10, choices=list(REGIONS.items()))
    topic = models.CharField(max_length=12, choices=list(TOPICS.items()))
    reading_minutes = models.PositiveSmallIntegerField(default=1)
    builtin = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region", "title"]

    def __str__(self) -> str:
        return self.title

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class EducationAssignment(models.Model):
    """An article assigned to a patient, with when they opened and finished reading it."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="education_assignments")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField()
    message = models.CharField(max_length=300, blank=True,
                               help_text="A line from the therapist, shown above the article.")
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="From the last opening to 'I have read this', capped.")

    class Meta:
        ordering = ["-assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["patient", "article"],
                                               name="education_assigned_once")]

    def __str__(self) -> str:
        return f"“{self.article.title}” for {self.patient.full_name}"
