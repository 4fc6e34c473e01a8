"""One patient import: what the file said (parsed, never the file itself), the dry run, and
what applying it did.

The uploaded file is read in memory (`uploads.BoundedMemoryUploadHandler`) and never written
to disk; its parsed rows live in `records` until the import is applied or expires
(`IMPORT_KEEP`), then they are cleared. So a crash leaves no file behind, and no patient data
outlives its use beyond the plan shown on the result page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PatientImport(models.Model):
    class Kind(models.TextChoices):
        CSV = "csv", "CSV"
        FHIR = "fhir", "FHIR Bundle"

    class Status(models.TextChoices):
        PLANNED = "planned", "Dry run, not applied"
        APPLIED = "applied", "Applied"
        EXPIRED = "expired", "Expired before it was applied"

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    # The parsed rows (records.Record as dicts): what apply re-plans from. Cleared on apply
    # and on expiry.
    records = models.JSONField(default=list, blank=True)
    # The dry run as shown (plan.Plan as a dict); after apply, what was done.
    plan = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["practice", "created_at"], name="import_practice_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.file_name} ({self.status})"

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.plan.get("counts") or {})
