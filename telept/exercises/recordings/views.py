"""Recording pages: the patient's "Record a set" and their recordings with feedback; the
clinicians' review queue and review page; the video stream and the overlay's landmarks.

Views only adapt. The upload view sets a size-limiting upload handler before the body is
read (so it is CSRF-exempt on the outside and CSRF-protected inside, as Django documents
for changing upload handlers), then answers JSON to the page's script and HTML otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.exercises import uploads
from telept.exercises.forms import RecordingFeedbackForm, RecordingUploadForm
from telept.exercises.recordings import selectors, services
from telept.exercises.selectors import CLINICIANS
from telept.lib.errors import DomainError, NotFound

CHUNK = 64 * 1024
NO_STORE = "private, no-store"


class RecordingSizeLimit(FileUploadHandler):
    """Stops reading an uploaded file past the size limit (the rest of the body is skipped,
    never written to disk) and notes it on the request for a clear field error."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.request.recording_too_large = True  # type: ignore[union-attr]
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _too_large_message() -> str:
    return (f"Recordings can be at most {services.max_bytes() / services.MB:.3g} MB; this one "
            "is larger. Record a shorter set.")


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@csrf_exempt
def recording_new(request: HttpRequest, item_id: int) -> HttpResponse:
    """"Record a set" of one exercise of the patient's program (GET), and its upload."""
    request.upload_handlers.insert(0, RecordingSizeLimit(request, services.max_bytes()))
    return _recording_new(request, item_id)


@actor_required(Role.PATIENT)
@csrf_protect
@require_http_methods(["GET", "POST"])
def _recording_new(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    item = selectors.recording_item(actor=actor, item_id=item_id)
    form = RecordingUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        valid = form.is_valid()
        if getattr(request, "recording_too_large", False):
            form.errors["file"] = form.error_class([_too_large_message()])
        elif valid:
            try:
                recording = services.recording_upload(
                    actor=actor, item_id=item.pk, side=form.cleaned_data["side"],
                    upload=form.cleaned_data["file"])
            except DomainError as exc:
                if isinstance(exc, NotFound):
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                done = reverse("exercises:portal_recording", args=[recording.pk])
                if _wants_json(request):
                    return JsonResponse({"ok": True, "redirect": done}, status=201)
                messages.success(request, gettext(
                    "Sent. Your therapist will watch it and reply here."))
                return redirect(done)
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": form.errors.get_json_data()},
                                status=400)
    return render(request, "exercises/recording_new.html", {
        "item": item, "exercise": item.exercise, "form": form,
        "max_seconds": int(services.max_seconds()), "max_mb": services.max_bytes() // services.MB,
        "max_size": "{} x {}".format(*services.max_size())},
        status=400 if form.errors else 200)


@actor_required(Role.PATIENT)
def portal_recordings(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "exercises/recording_portal_list.html", {
        "items": selectors.recordable_items(actor=actor),
        "recordings": selectors.recording_list_own(actor=actor)})


@actor_required(Role.PATIENT)
def portal_recording(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = selectors.recording_get(actor=request.actor,  # type: ignore[attr-defined]
                                        recording_id=recording_id, purpose="portal")
    return render(request, "exercises/recording_portal_detail.html", {"recording": recording})


# --- clinicians ---------------------------------------------------------------------------

@actor_required(CLINICIANS)
def recordings(request: HttpRequest) -> HttpResponse:
    queue = selectors.recording_queue(actor=request.actor)  # type: ignore[attr-defined]
    return render(request, "exercises/recording_queue.html", {"queue": queue})


@actor_required(CLINICIANS)
@require_http_methods(["GET", "POST"])
def recording_review(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The video with the skeleton, the figures, and the feedback form. The form carries a
    signed page-open time: the server measures how long the review took."""
    actor = request.actor  # type: ignore[attr-defined]
    recording = selectors.recording_get(actor=actor, recording_id=recording_id)
    form = RecordingFeedbackForm(request.POST or None, initial={
        "feedback": recording.feedback,
        "token": services.review_token(actor=actor, recording_id=recording.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            services.recording_feedback(actor=actor, recording_id=recording.pk,
                                        feedback=form.cleaned_data["feedback"],
                                        token=form.cleaned_data["token"])
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Feedback saved: the patient sees it in the portal.")
            return redirect("exercises:recordings")
    return render(request, "exercises/recording_review.html", {
        "recording": recording, "patient": recording.patient, "form": form},
        status=400 if form.errors else 200)


@actor_required(CLINICIANS)
@require_POST
def recording_reanalyse(request: HttpRequest, recording_id: int) -> HttpResponse:
    try:
        services.recording_reanalyse(actor=request.actor,  # type: ignore[attr-defined]
                                     recording_id=recording_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "The recording is queued for analysis again.")
    return redirect("exercises:recording_review", recording_id=recording_id)


@actor_required(CLINICIANS)
def recording_landmarks(request: HttpRequest, recording_id: int) -> HttpResponse:
    data = selectors.recording_landmarks_get(actor=request.actor,  # type: ignore[attr-defined]
                                             recording_id=recording_id)
    response = JsonResponse(data)
    response["Cache-Control"] = NO_STORE
    return response


def _slice(handle: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


@actor_required(CLINICIANS | {Role.PATIENT})
def recording_video(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The video, to the patient and their clinicians only: never a public URL, never
    cached, streamed in ranges so the player can seek (Safari needs ranges for MP4)."""
    asked = request.headers.get("Range", "")
    recording = selectors.recording_video_get(actor=request.actor,  # type: ignore[attr-defined]
                                              recording_id=recording_id, byte_range=asked)
    response: Any
    try:
        handle = recording.file.open("rb")
    except FileNotFoundError:
        raise NotFound("recording video") from None
    size = recording.file.size
    try:
        wanted = uploads.byte_range(asked, size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Cache-Control"] = NO_STORE
        return response  # type: ignore[no-any-return]
    if wanted is None:
        response = FileResponse(handle, content_type=recording.content_type)
    else:
        start, end = wanted
        response = StreamingHttpResponse(_slice(handle, start, end), status=206,
                                         content_type=recording.content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    extension = "webm" if recording.content_type == "video/webm" else "mp4"
    response["Content-Disposition"] = f'inline; filename="recording-{recording.pk}.{extension}"'
    response["Cache-Control"] = NO_STORE
    return response  # type: ignore[no-any-return]
