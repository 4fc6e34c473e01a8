"""Evaluation, re-evaluation and daily SOAP notes; interventions; addenda; goal updates.

A note is a draft until its author signs it. Signing seals it with a content hash
(`rules/digest.py`); from then on the database itself refuses changes to the note, its
interventions and its goal updates (migration `0004`), and corrections are addenda. A
PTA's signed note still needs the supervising PT's co-signature before it is final.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone

from telept.clinical import note_templates
from telept.clinical.models.goals import GoalStatus
from telept.clinical.rules.interventions import CHOICES as INTERVENTION_CHOICES
from telept.clinical.rules.interventions import MAX_MINUTES


class NoteKind(models.TextChoices):
    INITIAL_EVAL = note_templates.INITIAL_EVAL, "Initial evaluation"
    RE_EVAL = note_templates.RE_EVAL, "Re-evaluation"
    DAILY = note_templates.DAILY, "Daily note (SOAP)"


class Complexity(models.TextChoices):
    LOW = "low", "Low (97161)"
    MODERATE = "moderate", "Moderate (97162)"
    HIGH = "high", "High (97163)"


class Presentation(models.TextChoices):
    STABLE = "stable", "Stable, uncomplicated"
    EVOLVING = "evolving", "Evolving, changing characteristics"
    UNSTABLE = "unstable", "Unstable, unpredictable"


class DecisionLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class NoteTemplate(models.Model):
    """A practice's own prompts for one kind of note (sections are fixed by the kind)."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField(max_length=15, choices=NoteKind.choices)
    prompts = models.JSONField(default=dict, help_text="Section key -> starting text.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "kind"],
                                               name="note_template_one_per_kind")]

    def __str__(self) -> str:
        return f"Template for {self.get_kind_display()}"


class Note(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed, awaiting co-signature"
        FINAL = "final", "Final"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="notes")
    kind = models.CharField(max_length=15, choices=NoteKind.choices)
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                 related_name="notes", help_text="The author, as a clinician.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="clinical_notes")
    date_of_service = models.DateField()
    content = models.JSONField(default=dict, help_text="Section key -> text.")
    # Evaluation complexity findings (initial evaluation only; see rules/complexity.py).
    personal_factors = models.PositiveSmallIntegerField(null=True, blank=True)
    body_elements = models.PositiveSmallIntegerField(null=True, blank=True)
    presentation = models.CharField(max_length=10, choices=Presentation.choices, blank=True)
    decision = models.CharField(max_length=10, choices=DecisionLevel.choices, blank=True)
    complexity = models.CharField(max_length=10, choices=Complexity.choices, blank=True)
    cpt_code = models.CharField("Evaluation code", max_length=5, blank=True)
    # Plan of care (evaluations).
    frequency_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    cosigner = models.ForeignKey("practices.Provider", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="notes_to_cosign",
                                 help_text="The supervising PT who must co-sign.")
    cosigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    cosigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency for drafts: every save names the version it started from and
    # is refused if another save (a second tab, autosave) came first. Outside the seal.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date_of_service", "-id"]
        indexes = [models.Index(fields=["patient", "status"], name="note_patient_status"),
                   models.Index(fields=["cosigner", "status"], name="note_cosign_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(signed_at__isnull=False)
                                               & Q(signed_by__isnull=False)
                                               & ~Q(content_hash="")),
                name="note_signed_has_signature"),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(cosigner__isnull=False),
                name="note_awaiting_cosign_names_cosigner"),
        ]

    def __str__(self) -> str:
        """ "Daily note (SOAP) of 3 Dec 2026 for Maria Garcia" (audit trail, admin)."""
        day = dateformat.format(self.date_of_service, "j M Y")
        return f"{self.get_kind_display()} of {day} for {self.patient.full_name}"

    @property
    def is_locked(self) -> bool:
        return self.signed_at is not None

    @property
    def is_evaluation(self) -> bool:
        return self.kind in (NoteKind.INITIAL_EVAL, NoteKind.RE_EVAL)

    def sections(self) -> list[tuple[str, str, str]]:
        """(key, label, text) in the kind's order."""
        return [(key, label, str(self.content.get(key, "")))
                for key, label in note_templates.SECTIONS[self.kind]]


class Intervention(models.Model):
    """Minutes of one CPT-coded intervention and who performed it: what billing reads."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="interventions")
    cpt_code = models.CharField(max_length=5, choices=INTERVENTION_CHOICES)
    minutes = models.PositiveSmallIntegerField()
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                 related_name="+", help_text="Who performed it.")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_MINUTES),
            name="intervention_minutes_in_range")]

    def __str__(self) -> str:
        return f"{self.get_cpt_code_display()}, {self.minutes} min"


class GoalUpdate(models.Model):
    """A goal's status (and latest value) as documented in one note; applied to the goal
    when the note becomes final."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="goal_updates")
    goal = models.ForeignKey("clinical.Goal", on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=15, choices=GoalStatus.choices)
    current_value = models.FloatField(null=True, blank=True)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["note", "goal"],
                                               name="goal_update_one_per_note")]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_status_display()}"


class Addendum(models.Model):
    """A correction or late entry to a signed note: its own signed row, never an edit."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum of {dateformat.format(timezone.localtime(self.created_at), 'j M Y')}"
