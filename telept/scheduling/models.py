"""Visit types, availability, appointments, waitlist, care plans and join links.

Double booking is refused by the database, not by Python (migration 0002): a PostgreSQL
exclusion constraint on overlapping live rows per provider and per patient, and SQLite
triggers that abort the same inserts/updates. A group class is one *host* appointment (no
patient) that holds the provider's time, plus one *seat* appointment per patient pointing at
it; a trigger on both databases refuses a seat beyond the host's capacity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from telept.lib.states import STATE_CHOICES


class VisitKind(models.TextChoices):
    INITIAL_EVAL = "initial_eval", "Initial evaluation"
    RE_EVAL = "re_eval", "Re-evaluation"
    FOLLOW_UP = "follow_up", "Follow-up"
    GROUP_CLASS = "group_class", "Group class"
    RTM_CHECKIN = "rtm_checkin", "RTM check-in"


class Modality(models.TextChoices):
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio only"
    IN_PERSON = "in_person", "In person"


class VisitType(models.Model):
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="visit_types")
    kind = models.CharField(max_length=20, choices=VisitKind.choices)
    name = models.CharField(max_length=80)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_minutes = models.PositiveSmallIntegerField(default=0)
    capacity = models.PositiveSmallIntegerField(default=1, help_text=">1 only for group classes")
    modalities = models.JSONField(default=list, help_text="Allowed: video, audio, in_person")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["practice", "kind"],
                                               name="visit_type_one_per_kind")]

    def __str__(self) -> str:
        return self.name


class Availability(models.Model):
    """A weekly window in the practice's wall-clock time (Monday = 0)."""

    provider = models.ForeignKey("practices.Provider", on_delete=models.CASCADE,
                                 related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=[(i, d) for i, d in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])])
    start_time = models.TimeField()
    end_time = models.TimeField()
    telehealth = models.BooleanField(default=True)
    location = models.ForeignKey("practices.Location", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name_plural = "availability"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    provider = models.ForeignKey("practices.Provider", on_delete=models.CASCADE,
                                 related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return f"{self.provider} off {self.start:%Y-%m-%d}"


class Holiday(models.Model):
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "date"],
                                               name="holiday_one_per_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CarePlan(models.Model):
    """A plan-of-care schedule that mixes modalities, booked in one transaction."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="care_plans")
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=120)
    start_date = models.DateField()
    weeks = models.PositiveSmallIntegerField()
    planned_visits = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Appointment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held for a waitlisted patient"
        BOOKED = "booked", "Booked"
        REQUESTED = "requested", "Requested (new patient)"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                 related_name="appointments")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="appointments")
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="+")
    modality = models.CharField(max_length=10, choices=Modality.choices)
    location = models.ForeignKey("practices.Location", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    # end + the visit type's buffer: the provider is busy until then (the constraint uses it).
    busy_end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    # Denormalised from status for the constraints: only live rows may not overlap.
    cancelled = models.BooleanField(default=False)
    group_host = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="seats")
    capacity = models.PositiveSmallIntegerField(default=1)
    patient_state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True,
                                     help_text="Where the patient will be (licensure).")
    care_plan = models.ForeignKey(CarePlan, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appointments")
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    late_cancellation = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["provider", "start"], name="appt_provider_start"),
                   models.Index(fields=["patient", "start"], name="appt_patient_start")]

    def __str__(self) -> str:
        return f"{self.visit_type} {self.start:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def is_group_host(self) -> bool:
        return self.patient_id is None and self.group_host_id is None

    @property
    def is_virtual(self) -> bool:
        return self.modality in (Modality.VIDEO, Modality.AUDIO)


class WaitlistEntry(models.Model):
    """A patient who wants an earlier visit; freed slots are offered here first."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="waitlist_entries")
    provider = models.ForeignKey("practices.Provider", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    visit_type = models.ForeignKey(VisitType, on_delete=models.CASCADE, related_name="+")
    modality = models.CharField(max_length=10, choices=Modality.choices)
    earliest = models.DateTimeField()
    latest = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    offered = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class JoinLink(models.Model):
    """A signed, expiring, revocable link for one participant of one virtual visit.

    The URL holds only a random token (no patient data); we store its hash.
    """

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        PROVIDER = "provider", "Provider"
        GUEST = "guest", "Guest"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE,
                                    related_name="join_links")
    role = models.CharField(max_length=10, choices=Role.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    display_name = models.CharField(max_length=120, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class BookingRequest(models.Model):
    """A new patient's request from the public booking page, for the front desk to call back.

    Not a patient record and not an appointment: nothing is booked until staff register the
    patient and book (`booking_request_convert` does both and links them here).
    `client_ip` exists only to refuse floods from one address.
    """

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey("practices.Provider", on_delete=models.CASCADE,
                                 related_name="booking_requests")
    requested_start = models.DateTimeField(null=True, blank=True,
                                           help_text="The free slot picked, if any.")
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +12125550100")
    state = models.CharField(max_length=2, choices=STATE_CHOICES,
                             help_text="Where the patient will be (licensure).")
    reason = models.CharField(max_length=120)
    note = models.CharField(max_length=500, blank=True,
                            help_text="Preferred times in the patient's words, if no slot fits.")
    client_ip = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Set when staff turned the request into a patient and a booking in one step.
    patient = models.ForeignKey("patients.Patient", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    appointment = models.ForeignKey(Appointment, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["practice", "handled_at"], name="bookreq_practice_open"),
                   models.Index(fields=["client_ip", "created_at"], name="bookreq_ip_created")]

    def __str__(self) -> str:
        return f"Request #{self.pk} for {self.provider_id}"
