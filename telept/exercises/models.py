"""Exercise care: the exercise library, home exercise programs (HEP), the patient's
exercise sessions and logs, and follow-up tasks for clinicians.

Read programs, sessions, logs and media only through `telept.exercises.selectors` (scoped
and audited); write them only through `telept.exercises.services`.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext

from telept.exercises import vocab


class PrivateMediaStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private, with no URL: only an authorised view serves them."""

    @cached_property
    def base_location(self) -> str:  # type: ignore[override]
        return os.path.join(settings.MEDIA_ROOT, "private")

    @cached_property
    def base_url(self) -> str:  # type: ignore[override]
        return ""

    def url(self, name: str | None) -> str:
        raise ValueError("Private media has no public URL; use exercises:media.")


_private_storage = PrivateMediaStorage()


def private_storage() -> PrivateMediaStorage:
    return _private_storage


def _choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return list(mapping.items())


class Exercise(models.Model):
    """One exercise. `practice` empty = the built-in library every practice shares."""

    practice = models.ForeignKey("practices.Practice", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="exercises")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    region = models.CharField(max_length=20, choices=_choices(vocab.REGIONS))
    goal = models.CharField(max_length=12, choices=_choices(vocab.GOALS))
    summary = models.CharField(max_length=240, blank=True)
    instructions = models.JSONField(default=list, help_text="Steps, in order.")
    cues = models.JSONField(default=list)
    mistakes = models.JSONField(default=list, help_text="Common mistakes to avoid.")
    difficulty = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(3)])
    equipment = models.JSONField(default=list, help_text="Keys of vocab.EQUIPMENT.")
    substitutes = models.JSONField(default=list, help_text='[{"item": ..., "how": ...}]')
    suits_telehealth = models.BooleanField(default=True)
    default_sets = models.PositiveSmallIntegerField(default=2)
    default_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    default_hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where the movement can be measured with the camera (telept.motion's registry).
    joint = models.CharField(max_length=30, blank=True)
    plane = models.CharField(max_length=12, blank=True, choices=_choices(vocab.PLANES))
    camera_view = models.CharField(max_length=8, blank=True,
                                   choices=_choices(vocab.CAMERA_VIEWS))
    motion_key = models.CharField(max_length=40, blank=True,
                                  help_text="A name in telept.motion.exercises.EXERCISES.")
    media = models.FileField(storage=private_storage, upload_to="exercises/%Y/%m/",
                             blank=True, max_length=200)
    media_kind = models.CharField(max_length=5, blank=True)  # image | video
    media_content_type = models.CharField(max_length=20, blank=True)
    # Derived on save, for portable filtering and search.
    equipment_index = models.CharField(max_length=300, blank=True, editable=False)
    household_only = models.BooleanField(default=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "slug"],
                                    name="exercise_unique_slug_per_practice"),
            models.UniqueConstraint(fields=["slug"], condition=Q(practice__isnull=True),
                                    name="exercise_unique_builtin_slug"),
        ]
        indexes = [models.Index(fields=["region", "goal"], name="exercise_region_goal")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.equipment_index = vocab.equipment_index(self.equipment)
        self.household_only = vocab.household_only(self.equipment)
        self.search_text = vocab.search_text(
            name=self.name, summary=self.summary, region=self.region, goal=self.goal,
            equipment=self.equipment, substitutes=self.substitutes)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields,  # type: ignore[misc]
                                       "equipment_index", "household_only", "search_text"}
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_builtin(self) -> bool:
        return self.practice_id is None

    @property
    def measurable(self) -> bool:
        return bool(self.motion_key)

    @property
    def equipment_labels(self) -> list[str]:
        return [vocab.EQUIPMENT.get(k, k) for k in self.equipment]


class Program(models.Model):
    """A patient's home exercise program. At most one is active per patient; a paused
    program (safety stop, or the therapist's choice) stays active but takes no sessions."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="exercise_programs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=120, default="Home exercise program")
    start_date = models.DateField()
    active = models.BooleanField(default=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    baseline_pain = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)],
        help_text="Set by the therapist; blank means the patient's first logged pain.")
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient"], condition=Q(active=True),
                                    name="program_one_active_per_patient"),
            models.CheckConstraint(condition=Q(baseline_pain__isnull=True)
                                   | Q(baseline_pain__lte=10),
                                   name="program_baseline_pain_0_10"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.patient})"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class ProgramItem(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(10)])
    reps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)])
    hold_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)])
    rest_seconds = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(600)])
    times_per_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(6)])
    days_per_week = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(7)])
    notes = models.CharField(max_length=300, blank=True)
    progression = models.CharField(max_length=300, blank=True,
                                   help_text="When and how to make it harder.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                                   name="program_item_reps_or_hold"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} {self.dose}"

    @property
    def dose(self) -> str:
        # In the page's language: patients may read Spanish (staff pages are always English).
        what = gettext("%(reps)s reps") % {"reps": self.reps} if self.reps else ""
        if self.hold_seconds:
            hold = gettext("hold %(seconds)s s") % {"seconds": self.hold_seconds}
            what = f"{what}, {hold}" if what else hold
        return f"{self.sets} × {what}"

    @property
    def frequency(self) -> str:
        per_day = (gettext("once a day") if self.times_per_day == 1
                   else gettext("%(n)s times a day") % {"n": self.times_per_day})
        per_week = (gettext("every day") if self.days_per_week == 7
                    else gettext("%(n)s days a week") % {"n": self.days_per_week})
        return f"{per_day}, {per_week}"


class ExerciseSession(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", "Patient portal"
        OFFLINE = "offline", "Patient portal, logged offline"
        API = "api", "API"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="exercise_sessions")
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField()
    local_date = models.DateField(help_text="The patient's calendar day of the session.")
    fall_reported = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    stopped = models.BooleanField(default=False, help_text="This session stopped the program.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PORTAL)
    # A session logged on the device (offline) carries a key the device made, so that a sync
    # sent twice stores it once: the second answer is the first session (services.
    # session_record). The hash of what was sent tells a replay from a reused key.
    client_key = models.UUIDField(null=True, blank=True, help_text="Idempotency key made on "
                                  "the patient's device; unique per patient.")
    client_hash = models.CharField(max_length=64, blank=True,
                                   help_text="SHA-256 of the session as the device sent it.")
    safety = models.JSONField(default=dict, blank=True, help_text="The safety decision: "
                              "reasons, baseline and worst pain (so a replay answers the same).")

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [models.Index(fields=["patient", "local_date"], name="exsession_patient_day")]
        constraints = [
            models.UniqueConstraint(fields=["patient", "client_key"],
                                    condition=Q(client_key__isnull=False),
                                    name="exsession_unique_client_key_per_patient"),
        ]


class ExerciseLog(models.Model):
    class Status(models.TextChoices):
        DONE = "done", "Done"
        PARTLY = "partly", "Partly"
        SKIPPED = "skipped", "Skipped"

    class Difficulty(models.TextChoices):
        EASY = "easy", "Easy"
        OK = "ok", "OK"
        HARD = "hard", "Hard"

    session = models.ForeignKey(ExerciseSession, on_delete=models.CASCADE, related_name="logs")
    item = models.ForeignKey(ProgramItem, null=True, on_delete=models.SET_NULL,
                             related_name="logs")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices)
    sets_done = models.PositiveSmallIntegerField(null=True, blank=True)
    reps_done = models.PositiveSmallIntegerField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField(null=True, blank=True,
                                            validators=[MaxValueValidator(10)])
    difficulty = models.CharField(max_length=5, choices=Difficulty.choices, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # What "Use my camera" measured on the patient's device during this exercise (the
    # LiveAnalyzer's summary). An estimate from one camera: about 5-7 degrees in a good
    # view. `camera_exercise` blank = the camera was not used; then every camera field is
    # empty (a constraint holds it).
    camera_exercise = models.CharField(max_length=40, blank=True, help_text="The "
                                       "telept.motion name the camera measured.")
    camera_side = models.CharField(max_length=5, blank=True,
                                   choices=[("left", "Left"), ("right", "Right")])
    camera_peak_deg = models.FloatField(null=True, blank=True,
                                        help_text="Largest angle reached, degrees.")
    camera_rom_deg = models.FloatField(null=True, blank=True,
                                       help_text="Arc moved, degrees.")
    camera_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    camera_view_ok = models.BooleanField(null=True, blank=True,
                                         help_text="The camera saw the plane of the movement.")

    class Meta:
        ordering = ["session_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(pain__isnull=True) | Q(pain__lte=10),
                                   name="exercise_log_pain_0_10"),
            models.CheckConstraint(
                condition=(Q(camera_peak_deg__isnull=True)
                           | Q(camera_peak_deg__gte=0, camera_peak_deg__lte=200))
                & (Q(camera_rom_deg__isnull=True)
                   | Q(camera_rom_deg__gte=0, camera_rom_deg__lte=200)),
                name="exercise_log_camera_degrees_0_200"),
            models.CheckConstraint(
                condition=~Q(camera_exercise="") | Q(
                    camera_side="", camera_peak_deg__isnull=True, camera_rom_deg__isnull=True,
                    camera_reps__isnull=True, camera_view_ok__isnull=True),
                name="exercise_log_camera_fields_need_exercise"),
        ]


class Task(models.Model):
    """Something a clinician must act on, such as a safety stop of a home program."""

    class Kind(models.TextChoices):
        SAFETY_STOP = "safety_stop", "Safety stop"
        FOLLOW_UP = "follow_up", "Follow-up"

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="exercise_tasks")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="exercise_tasks")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=500)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="exercise_tasks")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["done_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["practice", "done_at"], name="extask_practice_open")]


class RecordingStorage(FileSystemStorage):
    """Patients' exercise recordings: under RECORDINGS_ROOT (default VAR_DIR/recordings),
    outside MEDIA_ROOT, with no URL. Only `exercises:recording_video` serves them, to the
    patient and their clinicians. Read from settings on each use, so tests can move it."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        root = getattr(settings, "RECORDINGS_ROOT", None)
        return str(root) if root else os.path.join(settings.VAR_DIR, "recordings")

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> str:  # type: ignore[override]
        return ""

    def url(self, name: str | None) -> str:
        raise ValueError("Recordings have no public URL; use exercises:recording_video.")


_recording_storage = RecordingStorage()


def recording_storage() -> RecordingStorage:
    return _recording_storage


class Recording(models.Model):
    """A set the patient filmed at home for asynchronous review: the video, the landmarks
    MediaPipe finds in it server side, the `telept.motion` analysis, and the therapist's
    feedback. Read it only through `telept.exercises.recordings.selectors`."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for analysis"
        ANALYSING = "analysing", "Being analysed"
        ANALYSED = "analysed", "Analysed"
        FAILED = "failed", "Analysis failed"

    class Side(models.TextChoices):
        AUTO = "auto", "Whichever side the camera sees best"
        LEFT = "left", "Left"
        RIGHT = "right", "Right"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="exercise_recordings")
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE,
                                 related_name="exercise_recordings")
    item = models.ForeignKey(ProgramItem, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="recordings")
    visit = models.ForeignKey("visits.Visit", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="recordings",
                              help_text="A clip kept during this video visit, with consent.")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    motion_key = models.CharField(max_length=40, help_text="The exercise's telept.motion "
                                  "name when the set was recorded.")
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.AUTO)
    file = models.FileField(storage=recording_storage, upload_to="%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveBigIntegerField()
    duration_seconds = models.FloatField(null=True, blank=True,
                                         help_text="From the container; None if unstated.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    analysis = models.JSONField(default=dict, blank=True, help_text="telept.motion's "
                                "analysis: reps, partial_reps, reps_detail, peak_deg, "
                                "rom_deg, view_ok, warnings ...")
    landmarks = models.JSONField(default=dict, blank=True, help_text="fps, width, height, "
                                 "frames (n x 33 x 4) and times, for the review overlay.")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    feedback = models.TextField(blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time spent reviewing, page open to feedback saved, "
        "measured on the server; summed over reviews and capped per review.")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["practice", "reviewed_at"], name="recording_practice_review"),
            models.Index(fields=["patient", "uploaded_at"], name="recording_patient_time"),
        ]

    def __str__(self) -> str:
        return f"Recording {self.pk} of {self.exercise_id}"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None
