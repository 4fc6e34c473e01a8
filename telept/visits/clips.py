"""Short clips with consent (Issue 14 item 3): during a video visit the therapist asks to
keep a clip (up to 60 s) of a movement; the patient's page shows the request and the patient
accepts or declines; only on accept does their browser record the clip (MediaRecorder on
their own camera, so no media passes through the server during the call) and upload it
with a one-use token. The clip is stored and analysed exactly like a home recording
(`telept.exercises.recordings`): same size and type sniffing, same checks of the container,
the same worker task, and it is an exercises Recording of the patient linked to the visit.

Must hold:
- nothing is recorded or accepted without the patient's accept: an upload needs an accepted,
  unexpired, unused request and the token minted at accept, on the patient's own seat;
- an answer is final: a decided (or lapsed) request cannot be decided again, a declined one
  never gets a token, and a token opens one upload only;
- declining records the decision only (who, when, which wording), no clip and no consent;
- accepting files a patients Consent of kind "video clip of a movement" (the wording's
  version, the patient's name, the time), so the clip's consent is on the chart's list of
  consents beside the telehealth one, and in the FHIR Consent resources.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from telept.accounts.services import token_hash
from telept.audit.services import audit_record
from telept.exercises.models import Exercise, Recording
from telept.exercises.recordings import media
from telept.exercises.recordings import services as recordings
from telept.exercises.recordings import storage as files
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.lib.events import publish_on_commit
from telept.patients.models import Consent
from telept.visits import groups
from telept.visits.access import Entry
from telept.visits.models import ClipRequest, Participant
from telept.visits.services import (
    COUNTED_EXERCISES,
    MEASURED_MOTION,
    SeatActor,
    host_seat,
    measurement_label,
    seat_clinician,
)

D = ClipRequest.Decision
CONSENT_VERSION = "clip-2026-1"
# What the patient reads before answering (the version above names this wording).
CONSENT_TEXT = ("Your therapist asks to keep a short video clip of this movement in your "
                "record, to measure it and compare it later. Your browser records it from "
                "your camera and sends it once; you can say no and the visit goes on.")
MAX_SECONDS = 60
ANSWER_WITHIN = dt.timedelta(minutes=2)
# After accept: the clip's own length plus this to record and send it.
UPLOAD_GRACE = dt.timedelta(minutes=5)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def clip_json(clip: ClipRequest) -> dict[str, Any]:
    return {"id": clip.pk, "participant": clip.participant_id, "exercise": clip.exercise,
            "side": clip.side, "label": clip.label, "seconds": clip.seconds,
            "decision": clip.decision,
            "askedAt": _iso(clip.asked_at), "expiresAt": _iso(clip.expires_at),
            "decidedAt": _iso(clip.decided_at), "consentVersion": clip.consent_version,
            "consent": clip.consent_id, "recording": clip.recording_id}


def clip_label(exercise: str, side: str) -> str:
    """"Left knee flexion"; with no side chosen just "Knee flexion": the request's `label`,
    which the patient's page says through tr() (telept.accounts.js_messages lists them)."""
    if side in (Recording.Side.LEFT, Recording.Side.RIGHT):
        return measurement_label(exercise=exercise, side=side)
    name = MEASURED_MOTION[exercise]
    return f"{name[:1].upper()}{name[1:]}"[:80]


def _exercise_for(motion_key: str, practice_id: int) -> Exercise:
    exercise = (Exercise.objects.filter(motion_key=motion_key)
                .filter(Q(practice__isnull=True) | Q(practice_id=practice_id))
                .order_by(F("practice_id").desc(nulls_last=True), "id").first())
    if exercise is None:
        raise DomainError("unknown_exercise", "No exercise of the library measures this "
                          "movement.", field="exercise")
    return exercise


@transaction.atomic
def clip_request(*, entry: Entry, participant_id: int, exercise: str, side: str,
                 seconds: int) -> ClipRequest:
    """The host therapist asks the patient's seat for a clip; the patient's page is told."""
    host = host_seat(entry.participant.pk)
    actor = seat_clinician(host)
    seat = Participant.objects.filter(pk=participant_id, visit_id=host.visit_id).first()
    if seat is None:
        raise NotFound("participant")
    if seat.role != Participant.Role.PATIENT or seat.patient_id is None:
        raise DomainError("not_a_patient", f"{seat.display_name} is not the patient.",
                          field="participant")
    if seat.status != Participant.Status.ADMITTED:
        raise DomainError("not_in_call", "The patient is not in the call.", field="participant")
    if exercise not in MEASURED_MOTION:
        raise DomainError("unknown_exercise", "Choose a movement from the list.",
                          field="exercise")
    if side not in Recording.Side.values:
        raise DomainError("clip_side", "Choose left, right or either side.", field="side")
    if not 1 <= seconds <= MAX_SECONDS:
        raise DomainError("clip_seconds", f"A clip is 1 to {MAX_SECONDS} seconds long.",
                          field="seconds")
    _exercise_for(exercise, host.visit.practice_id)
    now = timezone.now()
    pending = ClipRequest.objects.filter(participant=seat, decision=D.PENDING,
                                         expires_at__gt=now)
    if pending.exists():
        raise Conflict("clip_pending", "The patient has not answered the last request yet.")
    clip = ClipRequest.objects.create(
        visit_id=host.visit_id, participant=seat, asked_by=host, exercise=exercise,
        side=side, label=clip_label(exercise, side), seconds=seconds, asked_at=now,
        expires_at=now + ANSWER_WITHIN)
    audit_record(actor=actor, action="create", object_type="ClipRequest", object_id=clip.pk,
                 patient_id=seat.patient_id,
                 detail={"visit": host.visit_id, "exercise": exercise, "seconds": seconds,
                         "side": side})
    publish_on_commit(groups.seat(host.visit_id, seat.pk), {
        "type": "visit.event",
        "event": {"type": "clip_request", "clip": clip_json(clip),
                  "text": CONSENT_TEXT, "version": CONSENT_VERSION}})
    return clip


def _own(entry: Entry, clip_id: int, *, lock: bool = True) -> ClipRequest:
    """The request, only if it asks this very seat (any other id is not found)."""
    rows = ClipRequest.objects.select_related("visit", "participant")
    if lock:
        rows = rows.select_for_update(of=("self",))
    clip = rows.filter(pk=clip_id, participant_id=entry.participant.pk,
                       visit_id=entry.participant.visit_id).first()
    if clip is None:
        raise NotFound("clip")
    return clip


@transaction.atomic
def clip_decide(*, entry: Entry, clip_id: int, accept: bool,
                version: str) -> tuple[ClipRequest, str | None]:
    """The patient answers on their own seat. Accept returns the one-use upload token
    (shown once; only its hash is kept); decline records the decision and nothing else."""
    clip = _own(entry, clip_id)
    seat = clip.participant
    now = timezone.now()
    if clip.decision != D.PENDING:
        raise Conflict("clip_decided", gettext("This request was answered already."))
    if clip.expires_at <= now:
        raise Conflict("clip_expired", gettext(
            "This request has lapsed; your therapist can ask again."))
    if accept and version != CONSENT_VERSION:
        raise DomainError("clip_consent_version", gettext(
            "The wording of this request changed: reload the page and read it again."),
            field="version")
    raw = None
    consent = None
    clip.decided_at = now
    clip.consent_version = CONSENT_VERSION
    if accept:
        raw = secrets.token_urlsafe(32)
        clip.decision = D.ACCEPTED
        clip.token_hash = token_hash(raw)
        clip.upload_by = now + dt.timedelta(seconds=clip.seconds) + UPLOAD_GRACE
        consent = clip.consent = _consent_file(seat, now)
    else:
        clip.decision = D.DECLINED
    clip.save(update_fields=["decision", "decided_at", "consent_version", "token_hash",
                             "upload_by", "consent"])
    detail = {"clip": clip.pk, "visit": clip.visit_id, "decision": clip.decision,
              "version": CONSENT_VERSION}
    if consent is not None:
        audit_record(actor=SeatActor(seat), action="create", object_type="Consent",
                     object_id=consent.pk, patient_id=seat.patient_id,
                     detail={"kind": consent.kind, **detail})
    else:
        audit_record(actor=SeatActor(seat), action="update", object_type="ClipRequest",
                     object_id=clip.pk, patient_id=seat.patient_id, detail=detail)
    publish_on_commit(groups.hosts(clip.visit_id), {
        "type": "visit.event", "hosts_only": True,
        "event": {"type": "clip_decision", "clip": clip_json(clip)}})
    return clip, raw


def _consent_file(seat: Participant, now: dt.datetime) -> Consent:
    """The patient's consent to this one clip, signed on their own seat in the call."""
    patient = seat.patient
    name = (patient.full_name if patient is not None else "") or seat.display_name
    return Consent.objects.create(
        patient_id=seat.patient_id, kind=Consent.Kind.VIDEO_CLIP, version=CONSENT_VERSION,
        signed_by=name[:150], signer_relation="self", signed_at=now,
        recorded_by_id=seat.user_id)


def _refused_upload(clip: ClipRequest, raw: str, now: dt.datetime) -> None:
    if clip.decision != D.ACCEPTED:
        raise PermissionDenied(gettext("This clip was not agreed to: nothing can be sent for it."))
    if not raw or not secrets.compare_digest(clip.token_hash, token_hash(raw)):
        raise PermissionDenied(gettext("This clip's upload key is not valid."))
    if clip.used_at is not None:
        raise Conflict("clip_used", gettext("This clip was sent already."))
    if clip.upload_by is None or clip.upload_by <= now:
        raise Conflict("clip_expired", gettext(
            "The time to send this clip has passed; your therapist can ask again."))


def clip_upload(*, entry: Entry, clip_id: int, token: str, upload: UploadedFile) -> Recording:
    """Store the accepted clip as the patient's Recording linked to the visit and queue the
    worker's analysis, with the very checks of a home recording (a refused file leaves no
    row and no file). The token is spent in the same transaction as the row."""
    now = timezone.now()
    with transaction.atomic():
        _refused_upload(_own(entry, clip_id), token, now)  # refuse before reading the file
    size = int(upload.size or 0)
    head = upload.read(media.SNIFF_BYTES)
    upload.seek(0)
    try:
        kind = media.recording_type(head=head, size=size, max_bytes=recordings.max_bytes())
    except media.RecordingRefused as exc:
        raise DomainError(exc.code, recordings.refusal_message(exc), field="file") from exc
    name_token = secrets.token_hex(16)
    partial = files.partial_write(upload, token=name_token, extension=kind.extension)
    name = files.final_name(token=name_token, extension=kind.extension, now=now)
    try:
        duration = recordings.check_stored(str(partial), kind.content_type)
        if duration is not None and duration > MAX_SECONDS + 1:
            raise media.RecordingRefused("recording_too_long", gettext(
                "A clip is at most %(seconds)s seconds.") % {"seconds": MAX_SECONDS})
        with transaction.atomic():
            clip = _own(entry, clip_id)
            _refused_upload(clip, token, timezone.now())  # again, under the lock: one use
            seat = clip.participant
            patient_id = seat.patient_id
            exercise = _exercise_for(clip.exercise, clip.visit.practice_id)
            recording = Recording.objects.create(
                patient_id=patient_id, practice_id=clip.visit.practice_id, visit=clip.visit,
                exercise=exercise, motion_key=clip.exercise, side=clip.side, file=name,
                content_type=kind.content_type, size=size, duration_seconds=duration)
            clip.used_at = timezone.now()
            clip.recording = recording
            clip.save(update_fields=["used_at", "recording"])
            audit_record(actor=SeatActor(seat), action="create", object_type="Recording",
                         object_id=recording.pk, patient_id=patient_id,
                         detail={"clip": clip.pk, "visit": clip.visit_id, "size": size,
                                 "content_type": kind.content_type})
            transaction.on_commit(lambda: files.partial_commit(partial, name))
            transaction.on_commit(
                lambda: recordings.recording_enqueue(recording_id=recording.pk))
            publish_on_commit(groups.hosts(clip.visit_id), {
                "type": "visit.event", "hosts_only": True,
                "event": {"type": "clip_received", "clip": clip_json(clip)}})
    except media.RecordingRefused as exc:
        files.partial_discard(partial)
        raise DomainError(exc.code, recordings.refusal_message(exc), field="file") from exc
    except BaseException:
        files.partial_discard(partial)
        raise
    return recording


def clip_status(*, entry: Entry, clip_id: int) -> dict[str, Any]:
    """The host's view of a request: the answer, and once analysed the figures."""
    host = host_seat(entry.participant.pk)
    seat_clinician(host)
    clip = (ClipRequest.objects.select_related("recording")
            .filter(pk=clip_id, visit_id=host.visit_id).first())
    if clip is None:
        raise NotFound("clip")
    data = clip_json(clip)
    recording = clip.recording
    if recording is not None:
        analysis = recording.analysis or {}
        data["status"] = recording.status
        data["statusLabel"] = recording.get_status_display()
        data["figures"] = {key: analysis.get(key) for key in
                           ("reps", "partial_reps", "peak_deg", "rom_deg", "view_ok")}
        data["failure"] = recording.failure_reason
    return data


# --- the clip in the visit's note ----------------------------------------------------------

def _clock(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """"2:05 PM" in the practice's zone (the note's reader is the practice)."""
    return moment.astimezone(zone).strftime("%I:%M %p").lstrip("0")


def _figures(clip: ClipRequest, analysis: dict[str, Any]) -> str:
    """"5 reps (1 partial), peak 148°, arc 136°" from the worker's analysis."""
    def number(key: str) -> float | None:
        value = analysis.get(key)
        return float(value) if isinstance(value, int | float) and \
            not isinstance(value, bool) else None

    reps, partial = number("reps"), number("partial_reps")
    unit = "stands" if clip.exercise in COUNTED_EXERCISES else "reps"
    parts = [f"{reps:.0f} {unit}" + (f" ({partial:.0f} partial)" if partial else "")
             if reps else f"no full {unit[:-1]} counted"]
    peak, arc = number("peak_deg"), number("rom_deg")
    if clip.exercise not in COUNTED_EXERCISES:
        if peak is not None:
            parts.append(f"peak {peak:.0f}°")
        if arc is not None:
            parts.append(f"arc {arc:.0f}°")
    if analysis.get("view_ok") is False:
        parts.append("camera view unclear, angles approximate")
    return ", ".join(parts)


def clips_for_note(*, appointment: Any) -> list[dict[str, Any]]:
    """The clips kept, with consent, in this appointment's video visit, for its note.

    Read by `telept.clinical.visit_measurements` like `selectors.movement_measurements`: it
    takes no actor, so the caller passes an appointment it has already scoped (the note's
    own patient and practice) and audits the note it shows. Only clips that were accepted
    and sent, filmed of the appointment's own patient in its own practice, in the order
    asked. `line` is the sentence for the note's Objective once the worker has analysed the
    clip ("" before then, or when the analysis failed): the movement in words, clock times
    in the practice's zone, the patient's consent time and the recording's number.
    """
    if appointment is None or getattr(appointment, "pk", None) is None:
        return []
    rows = (ClipRequest.objects.select_related("recording", "visit__practice")
            .filter(visit__appointment_id=appointment.pk, decision=D.ACCEPTED,
                    recording__patient_id=appointment.patient_id,
                    recording__practice_id=appointment.practice_id)
            .order_by("asked_at", "id"))
    found = []
    for clip in rows:
        recording = clip.recording
        if recording is None:  # not reached: filtered on the recording's patient above
            continue
        zone = clip.visit.practice.zone
        seconds = recording.duration_seconds or float(clip.seconds)
        filmed = recording.uploaded_at - dt.timedelta(seconds=seconds)
        line = ""
        if recording.status == Recording.Status.ANALYSED:
            movement = clip.label[:1].lower() + clip.label[1:]
            consented = _clock(clip.decided_at or clip.asked_at, zone)
            line = (f"Video clip {_clock(filmed, zone)}, {seconds:.0f} s, {movement}: "
                    f"{_figures(clip, recording.analysis or {})} (patient consented "
                    f"{consented}; recording #{recording.pk})")
        found.append({"recording_id": recording.pk, "label": clip.label, "line": line,
                      "status": recording.status,
                      "status_label": recording.get_status_display(),
                      "failure": recording.failure_reason, "filmed_at": filmed,
                      "url": reverse("exercises:recording_review", args=[recording.pk])})
    return found
