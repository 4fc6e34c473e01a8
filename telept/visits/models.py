"""Video visits: the room, who is in it, what happened, and what was said and drawn.

Media never reaches these tables (or Python): browsers send audio and video to each other.
What is stored is what a chart and a claim need: who attended, when they were admitted,
left and came back, when the call ran audio-only, the chat, saved whiteboards and the
movement measurements the therapist captured (numbers only: landmarks go peer to peer).

Room membership and the waiting queue are rows here, not memory of an app process, so a
therapist on one process and a patient on another share one room (DESIGN rule 2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from telept.lib.states import STATE_CHOICES


class Visit(models.Model):
    """One video room: a scheduled appointment's, or a provider's drop-in room for a day."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled visit"
        ROOM = "room", "Provider room (drop-in)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ENDED = "ended", "Ended"

    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("practices.Provider", on_delete=models.PROTECT,
                                 related_name="visits")
    appointment = models.OneToOneField("scheduling.Appointment", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="visit")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True,
                                      help_text="First admission into the room.")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["provider", "kind", "status"], name="visit_provider_open")]

    def __str__(self) -> str:
        return f"Visit #{self.pk} ({self.get_kind_display()})"

    @property
    def group(self) -> str:
        """Prefix of every channel-layer group of this visit (names come only from ids)."""
        return f"visit-{self.pk}"


class Participant(models.Model):
    """One person's seat in one visit, kept across reloads and reconnections."""

    class Role(models.TextChoices):
        PROVIDER = "provider", "Therapist"
        STAFF = "staff", "Staff"
        PATIENT = "patient", "Patient"
        GUEST = "guest", "Guest"
        # The patient's phone as a second, video-only camera (second_camera.py): not a
        # person, no admission of its own; it lasts while the patient's seat is in the room.
        CAMERA = "camera", "Patient's second camera"

    class Status(models.TextChoices):
        NEW = "new", "Checking devices"
        WAITING = "waiting", "In the waiting room"
        ADMITTED = "admitted", "In the visit"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        DECLINED = "declined", "Declined"

    class Location(models.TextChoices):
        """Where the patient is for the visit: at home is POS 10, anywhere else POS 02."""

        HOME = "home", "At home"
        ELSEWHERE = "elsewhere", "Somewhere else (work, a relative's home, a car…)"

    class GuestRole(models.TextChoices):
        CAREGIVER = "caregiver", "Caregiver"
        INTERPRETER = "interpreter", "Interpreter"
        FAMILY = "family", "Family member"
        OTHER = "other", "Other"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=10, choices=Role.choices)
    is_host = models.BooleanField(default=False, help_text="Admits, removes and ends.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    join_link = models.ForeignKey("scheduling.JoinLink", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text="A guest's own link.")
    camera_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="cameras",
                                  help_text="A second camera's patient seat.")
    # Drop-in visitors of a provider room have no join link: their URL holds this token.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    display_name = models.CharField(max_length=120)
    guest_role = models.CharField(max_length=12, choices=GuestRole.choices, blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag")
    contact = models.CharField(max_length=254, blank=True,
                               help_text="Phone or e-mail a drop-in visitor gave.")
    located_state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True,
                                     help_text="Where the patient said they are now "
                                               "(licensure, place of service).")
    located_at = models.CharField(max_length=10, choices=Location.choices, blank=True,
                                  help_text="At home or elsewhere, as the patient said at "
                                            "pre-join (place of service); blank: not asked.")
    located_confirmed_at = models.DateTimeField(null=True, blank=True)
    # A drop-in visitor has no patient record to hold a Consent row: their agreement to the
    # telehealth terms is stamped here instead.
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    audio_only = models.BooleanField(default=False, help_text="Video paused (network or choice).")
    # The live WebSocket of this participant (empty: not connected). A newer connection
    # replaces an older one, which is told to close.
    channel_name = models.CharField(max_length=200, blank=True)
    session_id = models.CharField(max_length=40, blank=True,
                                  help_text="Page session: peers reset their connection "
                                            "when it changes.")
    # Presence outlives no process: the consumer touches this while its socket is open
    # (every VISIT_HEARTBEAT_SECONDS); a connection not seen for VISIT_PRESENCE_TIMEOUT_SECONDS
    # belongs to a process that died, and `presence.presence_sweep` ends it.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["visit", "status"], name="participant_visit_status")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def connected(self) -> bool:
        return bool(self.channel_name)

    @property
    def where(self) -> str:
        """Where the patient said they are, for people: "At home, New York", "Somewhere
        else, New Jersey", just the state when home/elsewhere was not asked, or ""."""
        place = WHERE_SHORT.get(self.located_at, "")
        state = self.get_located_state_display() if self.located_state else ""
        return ", ".join(part for part in (place, state) if part)


# The short labels of `Participant.Location` for reading beside a state.
WHERE_SHORT = {Participant.Location.HOME: "At home",
               Participant.Location.ELSEWHERE: "Somewhere else"}


class VisitEvent(models.Model):
    """What happened in a visit, when: the record behind attendance and minutes."""

    class Kind(models.TextChoices):
        WAITING = "waiting", "Entered the waiting room"
        JOIN = "join", "Joined the visit"
        ADMIT = "admit", "Admitted"
        SEND_BACK = "send_back", "Sent back to the waiting room"
        REMOVE = "remove", "Removed"
        DECLINE = "decline", "Declined"
        LEAVE = "leave", "Left"
        RECONNECT = "reconnect", "Reconnected"
        ICE_RESTART = "ice_restart", "Restarted the connection"
        AUDIO_ONLY_START = "audio_only_start", "Switched to audio only"
        AUDIO_ONLY_END = "audio_only_end", "Video resumed"
        SKELETON_START = "skeleton_start", "Skeleton mode: landmarks instead of video"
        SKELETON_END = "skeleton_end", "Skeleton mode ended"
        REFUSED = "refused", "Refused (room full)"
        MEASURE = "measure", "Movement measured"
        END = "end", "Visit ended"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    participant = models.ForeignKey(Participant, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%H:%M:%S}"


class UsedTicket(models.Model):
    """A WebSocket ticket that opened its socket: each ticket opens one socket only. The
    unique id makes the first use win atomically; rows older than a ticket's lifetime are
    swept (`presence.presence_sweep`)."""

    jti = models.CharField(max_length=32, unique=True)
    used_at = models.DateTimeField(db_index=True)


class ChatMessage(models.Model):
    """In-call chat, kept with the visit (it is part of the record, like a phone note)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="chat_messages")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]


class WhiteboardSnapshot(models.Model):
    """A whiteboard saved to the chart as a PNG (kept in the database: small, and backed up
    with the rest of the record)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="whiteboards")
    saved_by = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    png = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["saved_at", "id"]



class MovementMeasurement(models.Model):
    """A joint angle the therapist captured during the visit ("tele-goniometry").

    The patient's browser finds the pose and sends landmarks to the therapist's browser over
    the call's data channel; the therapist's browser computes the angle and reps and, on
    Capture, posts only these numbers. They are estimates from one camera (about 5-7 degrees
    in a good side view), so `view_ok` keeps whether the camera placement looked right.
    """

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both sides"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="measurements")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+",
                                    help_text="The person measured (the patient's seat).")
    exercise = models.CharField(max_length=40, help_text="A name of telept.motion.EXERCISES.")
    side = models.CharField(max_length=5, choices=Side.choices)
    label = models.CharField(max_length=80, help_text='What the note says, e.g. "Left knee '
                             'flexion".')
    peak_deg = models.FloatField(help_text="Largest angle reached (the goniometric value).")
    rom_deg = models.FloatField(help_text="Arc moved: peak minus the starting angle.")
    reps = models.PositiveIntegerField(default=0)
    partial_reps = models.PositiveIntegerField(default=0)
    view_ok = models.BooleanField(null=True, blank=True,
                                  help_text="The camera showed the plane of the movement.")
    captured_at = models.DateTimeField()
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["captured_at", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(peak_deg__gte=0, peak_deg__lte=200, rom_deg__gte=0,
                               rom_deg__lte=200),
            name="measurement_degrees_in_range")]

    def __str__(self) -> str:
        return f"{self.label}: {self.peak_deg:.0f} degrees"


class ClipRequest(models.Model):
    """The therapist's request to keep a short clip of a movement, and the patient's answer.

    The answer is the patient's consent to this one clip: `decision` with `decided_at` and
    the `consent_version` of the words they were shown. Only an accepted request carries a
    one-use upload token (its hash here), bound to this request and the patient's seat and
    valid until `upload_by`; the clip itself is an exercises Recording linked back here.
    A declined request keeps only the decision (nothing is recorded)."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for the patient"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="clip_requests")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+",
                                    help_text="The patient's seat asked.")
    asked_by = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    exercise = models.CharField(max_length=40, help_text="A name of telept.motion.EXERCISES.")
    side = models.CharField(max_length=5, default="auto",
                            help_text="auto, left or right (exercises Recording.Side).")
    label = models.CharField(max_length=80)
    seconds = models.PositiveSmallIntegerField()
    asked_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="An unanswered request lapses then.")
    decision = models.CharField(max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    upload_by = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    recording = models.ForeignKey("exercises.Recording", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    consent = models.OneToOneField("patients.Consent", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="clip_request",
                                   help_text="The patient's consent to this clip (accepted "
                                   "requests only), on the chart's list of consents.")

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(seconds__gte=1,
                                                                 seconds__lte=60),
                                              name="clip_seconds_1_to_60")]

    def __str__(self) -> str:
        return f"Clip request {self.pk} ({self.get_decision_display()})"


class CameraPass(models.Model):
    """A pass the patient's own seat made to open the visit on their phone as a second,
    video-only camera (second_camera.py): a short code to type and a signed link (the QR),
    bound to this visit and this seat, for a few minutes, used once. Only a hash of the
    code is kept."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="camera_passes")
    seat = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+",
                             help_text="The patient's seat that made it.")
    link = models.ForeignKey("scheduling.JoinLink", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+",
                             help_text="The join link the patient's page came in by (its "
                                       "withdrawal stops the camera too).")
    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    camera = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", help_text="The camera seat it opened.")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Second-camera pass {self.pk}"
