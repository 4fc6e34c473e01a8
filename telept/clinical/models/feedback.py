"""What a patient said about a video or audio visit, once per visit."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone

TECHNICAL_PROBLEMS = [
    ("connect", "Trouble joining or connecting"),
    ("video", "Video froze or was blurry"),
    ("audio", "Sound dropped or was hard to hear"),
    ("echo", "Echo or feedback"),
    ("dropped", "The call dropped"),
    ("devices", "Camera or microphone did not work"),
    ("other", "Something else"),
]


class FeedbackResponse(models.Model):
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="feedback")
    appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.PROTECT,
                                       related_name="feedback")
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                 related_name="feedback")
    modality = models.CharField(max_length=10)
    satisfaction = models.PositiveSmallIntegerField()
    recommend = models.PositiveSmallIntegerField()
    problems = models.JSONField(default=list, blank=True)
    comment = models.TextField(max_length=1000, blank=True)
    submitted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__gte=1) & Q(satisfaction__lte=5),
                                   name="feedback_satisfaction_1_to_5"),
            models.CheckConstraint(condition=Q(recommend__gte=0) & Q(recommend__lte=10),
                                   name="feedback_recommend_0_to_10"),
        ]

    def __str__(self) -> str:
        day = dateformat.format(timezone.localtime(self.submitted_at), "j M Y")
        return f"Visit feedback of {day} from {self.patient.full_name}"
