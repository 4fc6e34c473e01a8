"""Writes of exercise recordings: the patient's upload, the worker's analysis, a clinician's
request to analyse again, and the clinician's feedback with the time spent reviewing.

Limits are settings read on use (defaults in brackets): RECORDINGS_ROOT
[VAR_DIR/recordings], RECORDING_MAX_BYTES [50 MB], RECORDING_MAX_SECONDS [120],
RECORDING_MAX_WIDTH x RECORDING_MAX_HEIGHT [1920 x 1080, either way up],
RECORDING_REVIEW_MAX_SECONDS [1800].

Memory stays bounded whatever the file claims (Issue 16 item 14): the size, codec and length
the container states are checked before a frame is decoded, on upload and again in the
worker; no decoder may allocate a frame past the size limit; the analysis shrinks each frame
to `telept.motion.extract.ANALYSIS_MAX_SIDE` before the pose model and holds a few at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.exercises.models import Recording
from telept.exercises.recordings import media
from telept.exercises.recordings import storage as files
from telept.exercises.recordings.selectors import recording_item, recording_scope
from telept.exercises.selectors import is_clinician
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.motion.analysis import analyze
from telept.motion.landmarks import MotionInputError

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MIN_SECONDS = 1.0
# A claim older than this is a worker that died: the next run may take the recording over.
STALE_CLAIM = dt.timedelta(minutes=15)
REVIEW_SALT = "telept.exercises.recording-review"
REVIEW_TOKEN_MAX_AGE = 12 * 3600
FEEDBACK_MAX = 2000


def max_bytes() -> int:
    return int(getattr(settings, "RECORDING_MAX_BYTES", 50 * MB))


def max_seconds() -> float:
    return float(getattr(settings, "RECORDING_MAX_SECONDS", 120))


def max_size() -> tuple[int, int]:
    return (int(getattr(settings, "RECORDING_MAX_WIDTH", 1920)),
            int(getattr(settings, "RECORDING_MAX_HEIGHT", 1080)))


def decode_bound() -> int:
    """The most pixels any decoder may allocate for one frame of a recording."""
    from telept.motion.extract import decode_bound as bound

    width, height = max_size()
    return bound(max(width, height), min(width, height))  # either way up: same pixels


def review_cap_seconds() -> int:
    return int(getattr(settings, "RECORDING_REVIEW_MAX_SECONDS", 1800))


# --- upload -------------------------------------------------------------------------------

def refusal_message(exc: media.RecordingRefused) -> str:
    """The refusal in the reader's language (the English when there is no translation)."""
    return gettext(exc.template) % exc.values if exc.values else gettext(exc.template)


def _refuse(exc: media.RecordingRefused) -> DomainError:
    return DomainError(exc.code, refusal_message(exc), field="file")


def _check_metadata(path: str) -> float | None:
    """Refuse a video by the size and codec its container states (nothing decoded yet);
    return the length it states, if any."""
    from telept.motion.extract import video_metadata  # lazy: PyAV

    try:
        meta = video_metadata(path=path, max_pixels=decode_bound())
    except MotionInputError as exc:
        raise media.RecordingRefused("recording_unreadable", media.UNREADABLE) from exc
    width, height = max_size()
    media.video_check(width=meta.width, height=meta.height, codec=meta.codec,
                      max_width=width, max_height=height)
    return meta.duration_s


def check_stored(path: str, content_type: str) -> float | None:
    """The stored file's duration if its container states it; refuse a video that is too
    large, in another codec, does not decode, or is too short or too long. The container is
    read first; only then is one frame decoded, with the decoder bounded to the size limit."""
    from telept.motion.extract import video_probe  # lazy: PyAV, for uploads only

    with open(path, "rb") as handle:
        duration = media.container_duration(handle=handle, content_type=content_type)
    stated = _check_metadata(path)
    _check_length(duration or stated)
    try:
        info = video_probe(path=path, max_pixels=decode_bound())
    except MotionInputError as exc:
        raise media.RecordingRefused("recording_unreadable", media.UNREADABLE) from exc
    duration = duration or stated or info.duration_s
    return _check_length(duration)


def _check_length(duration: float | None) -> float | None:
    limit = max_seconds()
    if duration is not None and duration > limit:
        raise media.RecordingRefused("recording_too_long", gettext(
            "Recordings can be at most %(most)s seconds; this one is %(length)s seconds. "
            "Record one set only.") % {"most": f"{limit:.0f}", "length": f"{duration:.0f}"})
    if duration is not None and duration < MIN_SECONDS:
        raise media.RecordingRefused("recording_too_short", gettext(
            "This recording is shorter than a second: record the whole set."))
    return duration


def recording_upload(*, actor: Actor, item_id: int, side: str,
                     upload: UploadedFile) -> Recording:
    """Store the patient's recording of an exercise of their running program and queue its
    analysis.

    Must hold: a refused file leaves no row and no file, and a video in its place has a
    row. The type comes from the file's first bytes, the length from the container; the
    file is written under a temporary random name (the patient's file name is never used),
    checked where it lies, removed again if any check or the row's transaction fails, and
    moved to the row's name only when the row commits (`recordings.storage`; the worker's
    sweep removes what a crash leaves).
    """
    item = recording_item(actor=actor, item_id=item_id)
    if item.program.is_paused:
        raise DomainError("program_paused", gettext(
            "Your program is paused: please do not exercise until your therapist has been in "
            "touch."))
    if side not in Recording.Side.values:
        raise DomainError("recording_side", gettext("Choose left, right or either side."),
                          field="side")
    size = int(upload.size or 0)
    head = upload.read(media.SNIFF_BYTES)
    upload.seek(0)
    try:
        kind = media.recording_type(head=head, size=size, max_bytes=max_bytes())
    except media.RecordingRefused as exc:
        raise _refuse(exc) from exc
    token = secrets.token_hex(16)
    partial = files.partial_write(upload, token=token, extension=kind.extension)
    name = files.final_name(token=token, extension=kind.extension, now=timezone.now())
    try:
        duration = check_stored(str(partial), kind.content_type)
        with transaction.atomic():
            recording = Recording.objects.create(
                patient=item.program.patient, practice_id=item.program.patient.practice_id,
                item=item, exercise=item.exercise, motion_key=item.exercise.motion_key,
                side=side, file=name, content_type=kind.content_type, size=size,
                duration_seconds=duration)
            audit_record(actor=actor, action="create", object_type="Recording",
                         object_id=recording.pk, patient_id=recording.patient_id,
                         detail={"exercise": item.exercise_id, "size": size,
                                 "content_type": kind.content_type})
            # In this order: the video is in place before the worker can look for it.
            transaction.on_commit(lambda: files.partial_commit(partial, name))
            transaction.on_commit(lambda: recording_enqueue(recording_id=recording.pk))
    except media.RecordingRefused as exc:
        files.partial_discard(partial)
        raise _refuse(exc) from exc
    except BaseException:
        files.partial_discard(partial)
        raise
    return recording


def recording_enqueue(*, recording_id: int) -> None:
    """Queue the analysis (called on commit). A failure to queue is logged: the recording
    stays "waiting for analysis" and a clinician can ask for it again."""
    from telept.exercises.tasks import analyse_recording  # tasks import this module

    try:
        analyse_recording.enqueue(recording_id)
    except Exception:  # noqa: BLE001 - the row is safe; "analyse again" re-queues it
        logger.exception("could not queue the analysis of recording %s", recording_id)


# --- analysis (the worker) ----------------------------------------------------------------

def _finite(value: Any) -> Any:
    """JSON columns take no NaN or Infinity: map them to None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _claim(recording_id: int, now: dt.datetime) -> Recording | None:
    with transaction.atomic():
        recording = (Recording.objects.select_for_update().defer("landmarks", "analysis")
                     .filter(pk=recording_id).first())
        if recording is None or recording.status == Recording.Status.ANALYSED:
            return None
        started = recording.analysis_started_at
        if recording.status == Recording.Status.ANALYSING and started is not None \
                and started > now - STALE_CLAIM:
            return None  # another worker is on it
        recording.status = Recording.Status.ANALYSING
        recording.analysis_started_at = now
        recording.attempts += 1
        recording.failure_code = recording.failure_reason = ""
        recording.save(update_fields=["status", "analysis_started_at", "attempts",
                                      "failure_code", "failure_reason"])
        return recording


def _finish(recording: Recording, claimed: dt.datetime, *, detail: dict[str, Any],
            **fields: Any) -> bool:
    """Write the outcome only if this run still holds the claim (a run that overran its
    claim must not overwrite the one that took over)."""
    with transaction.atomic():
        done = Recording.objects.filter(pk=recording.pk, status=Recording.Status.ANALYSING,
                                        analysis_started_at=claimed).update(**fields)
        if done:
            audit_record(actor=None, action="update", object_type="Recording",
                         object_id=recording.pk, patient_id=recording.patient_id,
                         practice_id=recording.practice_id, detail=detail)
    return bool(done)


def recording_analyse(*, recording_id: int) -> str:
    """Find the landmarks in the video, analyse them, store both. Run by the worker.

    Safe to run again and concurrently: an analysed recording is left alone, one being
    analysed is left to its worker unless that claim is older than STALE_CLAIM, and a
    failure is stored with its code and a sentence for the clinician. Returns the outcome.
    """
    from telept.motion.extract import track_video  # lazy: mediapipe

    now = timezone.now()
    recording = _claim(recording_id, now)
    if recording is None:
        return "skipped"
    limit = max_seconds()
    try:
        path = recording.file.path
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        _check_metadata(path)  # before any decoding: the file may predate the upload checks
        track = track_video(path=path, max_seconds=limit + 1.0, max_pixels=decode_bound())
        if track.truncated:
            raise MotionInputError("too_long", f"The video runs past {limit:.0f} seconds.")
        if track.detected == 0:
            raise MotionInputError("no_person", "No person was found in the video: the "
                                   "whole body part must be in view.")
        result = analyze(frames=track.frames, fps=track.fps, width=track.width,
                         height=track.height, exercise=recording.motion_key,
                         side=recording.side)  # type: ignore[arg-type]
    except media.RecordingRefused as exc:
        return _fail(recording, now, exc.code, exc.message)
    except (MotionInputError, FileNotFoundError) as exc:
        code = getattr(exc, "code", "file_missing")
        reason = str(exc) if isinstance(exc, MotionInputError) else "The video file is missing."
        return _fail(recording, now, code, reason)
    except Exception:  # noqa: BLE001 - any bug must end as a failed recording, not a hang
        logger.exception("analysis of recording %s failed", recording_id)
        return _fail(recording, now, "internal_error", "The analysis stopped with an "
                     "internal error; ask for it again, or tell the practice administrator.")
    analysis = _finite(result.to_dict())
    analysis.update(fps=round(track.fps, 3), detected_frames=track.detected)
    done = _finish(recording, now, analysis=analysis, landmarks=track.to_json(),
                   status=Recording.Status.ANALYSED, analysed_at=timezone.now(),
                   detail={"status": "analysed", "reps": analysis["reps"]})
    return "analysed" if done else "superseded"


def _fail(recording: Recording, claimed: dt.datetime, code: str, reason: str) -> str:
    done = _finish(recording, claimed, status=Recording.Status.FAILED, failure_code=code[:40],
                   failure_reason=reason[:300], detail={"status": "failed", "code": code})
    return "failed" if done else "superseded"


@transaction.atomic
def recording_reanalyse(*, actor: Actor, recording_id: int) -> Recording:
    """A clinician asks for the analysis again (after a failure, a lost task or a worker
    that died). Refused while a live worker holds it."""
    if not is_clinician(actor):
        raise PermissionDenied("Only a clinician can ask for the analysis again.")
    recording = (recording_scope(actor=actor).select_for_update().defer("landmarks")
                 .filter(pk=recording_id).first())
    if recording is None:
        raise NotFound("recording")
    started = recording.analysis_started_at
    if recording.status == Recording.Status.ANALYSING and started is not None \
            and started > timezone.now() - STALE_CLAIM:
        raise Conflict("recording_busy", "The recording is being analysed right now.")
    recording.status = Recording.Status.UPLOADED
    recording.failure_code = recording.failure_reason = ""
    recording.save(update_fields=["status", "failure_code", "failure_reason"])
    audit_record(actor=actor, action="update", object_type="Recording", object_id=recording.pk,
                 patient_id=recording.patient_id, detail={"status": "uploaded",
                                                         "reason": "analyse again"})
    transaction.on_commit(lambda: recording_enqueue(recording_id=recording.pk))
    return recording


# --- review -------------------------------------------------------------------------------

def review_token(*, actor: Actor, recording_id: int, now: dt.datetime | None = None) -> str:
    """Signed "this clinician opened this recording's review at this time"; the feedback
    form carries it back so the server measures the review time itself."""
    opened = (now or timezone.now()).timestamp()
    return signing.dumps({"r": recording_id, "u": actor.user_id, "t": opened},
                         salt=REVIEW_SALT)


def _review_opened(token: str, *, actor: Actor, recording_id: int) -> dt.datetime:
    try:
        data = signing.loads(token, salt=REVIEW_SALT, max_age=REVIEW_TOKEN_MAX_AGE)
        if data["r"] != recording_id or data["u"] != actor.user_id:
            raise signing.BadSignature("another review")
        return dt.datetime.fromtimestamp(float(data["t"]), tz=dt.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise DomainError("review_expired", "This review page is out of date: reload it, "
                          "then send your feedback again.") from None


@transaction.atomic
def recording_feedback(*, actor: Actor, recording_id: int, feedback: str, token: str,
                       now: dt.datetime | None = None) -> Recording:
    """Save the clinician's feedback (the patient sees it) and add the review time.

    The time is from the signed page-open time to now, capped at RECORDING_REVIEW_MAX_SECONDS
    (a page left open over lunch is not an hour of review). A second submit from a page
    opened before the last saved review adds nothing, so a double click counts once.
    """
    if not is_clinician(actor):
        raise PermissionDenied("Only a clinician can give feedback on a recording.")
    recording = (recording_scope(actor=actor).select_for_update().defer("landmarks")
                 .filter(pk=recording_id).first())
    if recording is None:
        raise NotFound("recording")
    text = (feedback or "").strip()
    if not text:
        raise DomainError("feedback_empty", "Write your feedback for the patient.",
                          field="feedback")
    if len(text) > FEEDBACK_MAX:
        raise DomainError("feedback_too_long", f"Keep the feedback under {FEEDBACK_MAX} "
                          "characters.", field="feedback")
    opened = _review_opened(token, actor=actor, recording_id=recording.pk)
    now = now or timezone.now()
    seconds = 0
    if recording.reviewed_at is None or opened >= recording.reviewed_at:
        seconds = int(min(max((now - opened).total_seconds(), 0.0), review_cap_seconds()))
    recording.feedback = text
    recording.reviewed_by = actor.user
    recording.reviewed_at = now
    recording.review_seconds = (recording.review_seconds or 0) + seconds
    recording.save(update_fields=["feedback", "reviewed_by", "reviewed_at", "review_seconds"])
    audit_record(actor=actor, action="update", object_type="Recording", object_id=recording.pk,
                 patient_id=recording.patient_id,
                 detail={"feedback": True, "review_seconds_added": seconds})
    return recording
