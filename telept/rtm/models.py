"""Remote therapeutic monitoring data: enrolments, periods and management time.

Read these only through `telept.rtm.selectors` (scoped, audited); write them only through
`telept.rtm.services`. What the database holds true:
- one active enrolment per patient (an unenrolled one may be followed by a new one);
- one period per enrolment, clock and start; one charge per period (the roll-up proposes
  each period's codes once, even when the worker restarts);
- one management entry per source mark: an auto-captured recording review, visit or
  message counts once however often collection runs;
- an entry typed in by hand carries a note saying what was done.

Two clocks (RULES §3): a `data` period is the 30-day device-supply window that starts on the
first data day; a `month` period is the calendar month of treatment management.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

DATA_KINDS = [
    ("sessions", "Logged home-exercise sessions"),
    ("pain", "Pain and adherence entries"),
    ("camera", "Camera-measured sets"),
    ("recordings", "Uploaded recordings"),
]
DATA_KIND_KEYS = [k for k, _ in DATA_KINDS]


class Enrolment(models.Model):
    """One patient's RTM episode under a PT's plan of care."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="rtm_enrolments")
    enrolled_by = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                    related_name="rtm_enrolments",
                                    help_text="The PT who enrolled the patient and bills RTM.")
    plan_of_care = models.ForeignKey("clinical.Note", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text="The signed evaluation that set the plan.")
    diagnosis_code = models.CharField("ICD-10-CM", max_length=8)
    diagnosis = models.CharField(max_length=200, blank=True)
    goals = models.TextField(max_length=2000)
    data_kinds = models.JSONField(default=list, help_text="Which programme data count: "
                                  + ", ".join(DATA_KIND_KEYS))
    start = models.DateField()
    end_date = models.DateField()
    unenrolled_at = models.DateTimeField(null=True, blank=True)
    unenrol_reason = models.CharField(max_length=300, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_signer = models.CharField(max_length=150, blank=True)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=Q(unenrolled_at__isnull=True),
                                    name="rtm_one_active_enrolment_per_patient"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start")),
                                   name="rtm_enrolment_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(unenrolled_at__isnull=True)
                                   | ~Q(unenrol_reason=""),
                                   name="rtm_unenrolment_has_a_reason"),
            models.CheckConstraint(condition=Q(consent_at__isnull=True)
                                   | (~Q(consent_version="") & ~Q(consent_signer="")),
                                   name="rtm_consent_names_version_and_signer"),
        ]

    def __str__(self) -> str:
        return f"RTM enrolment {self.pk} from {self.start:%d %b %Y}"

    @property
    def active(self) -> bool:
        return self.unenrolled_at is None

    @property
    def consented(self) -> bool:
        return self.consent_at is not None


class RtmPeriod(models.Model):
    """One billing period of one clock, with what it earned as last counted."""

    class Clock(models.TextChoices):
        DATA = "data", "30-day data period (device supply)"
        MONTH = "month", "Calendar month (treatment management)"

    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        PROPOSED = "proposed", "Charges proposed"
        NOTHING = "nothing", "Nothing to bill"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="periods")
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="rtm_periods")
    clock = models.CharField(max_length=5, choices=Clock.choices)
    start = models.DateField()
    end = models.DateField()
    data_days = models.PositiveSmallIntegerField(default=0)
    management_seconds = models.PositiveIntegerField(default=0)
    pta_seconds = models.PositiveIntegerField(default=0)
    interactive = models.BooleanField(default=False)
    last_data_on = models.DateField(null=True, blank=True)
    proposed_codes = models.JSONField(default=list, blank=True,
                                      help_text='[{"code": "98985", "units": 1}, ...]')
    why = models.CharField(max_length=400, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    charge = models.OneToOneField("billing.Charge", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="rtm_period")
    summary_note = models.OneToOneField("clinical.Note", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="rtm_period")
    counted_at = models.DateTimeField(null=True, blank=True)
    rolled_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "clock", "-id"]
        indexes = [models.Index(fields=["practice", "status", "end"], name="rtm_period_due"),
                   models.Index(fields=["patient", "start"], name="rtm_period_patient")]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "clock", "start"],
                                    name="rtm_period_one_per_enrolment_clock_start"),
            models.CheckConstraint(condition=Q(clock__in=["data", "month"]),
                                   name="rtm_period_clock_known"),
            models.CheckConstraint(condition=Q(end__gte=F("start")),
                                   name="rtm_period_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(data_days__lte=31),
                                   name="rtm_period_data_days_fit"),
            models.CheckConstraint(condition=Q(pta_seconds__lte=F("management_seconds")),
                                   name="rtm_period_pta_within_minutes"),
            models.CheckConstraint(condition=~Q(status="proposed") | Q(charge__isnull=False),
                                   name="rtm_period_proposed_has_its_charge"),
        ]

    def __str__(self) -> str:
        return f"RTM {self.clock} period {self.start:%d %b %Y} to {self.end:%d %b %Y}"

    @property
    def management_minutes(self) -> int:
        return self.management_seconds // 60


class ManagementEntry(models.Model):
    """Time a PT or PTA spent managing the patient's RTM, captured or typed in."""

    class Kind(models.TextChoices):
        RECORDING_REVIEW = "recording_review", "Recording review"
        LOG_REVIEW = "log_review", "Log review"
        MESSAGE = "message", "Message"
        CALL = "call", "Call (real time)"
        VISIT = "visit", "Video or audio visit (real time)"
        MANUAL = "manual", "Other (with a note)"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT,
                                 related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="rtm_entries")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="entries")
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                 related_name="+")
    pta = models.BooleanField(default=False, help_text="Furnished by an assistant (CQ).")
    seconds = models.PositiveIntegerField(
        help_text="Time spent; minutes are whole minutes of a month's summed seconds.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    interactive = models.BooleanField(default=False,
                                      help_text="A real-time interaction (call, video visit).")
    note = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    source_type = models.CharField(max_length=20, blank=True,
                                   help_text="recording, appointment; blank: typed in.")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_mark = models.PositiveIntegerField(
        default=0, help_text="Recording: its review seconds after this review.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "management entries"
        indexes = [models.Index(fields=["enrolment", "occurred_at"], name="rtm_entry_time")]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id", "source_mark"],
                                    condition=~Q(source_type=""),
                                    name="rtm_entry_one_per_source"),
            models.CheckConstraint(condition=~Q(source_type="") | ~Q(note=""),
                                   name="rtm_entry_typed_in_has_a_note"),
            models.CheckConstraint(condition=Q(source_type="") | Q(source_id__isnull=False),
                                   name="rtm_entry_source_has_an_id"),
            models.CheckConstraint(condition=Q(seconds__lte=24 * 3600),
                                   name="rtm_entry_at_most_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.seconds // 60} min"
