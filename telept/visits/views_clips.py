"""The visit page's clip endpoints, behind its page key (Issue 14 item 3): the host asks,
the patient's seat answers, the patient's browser sends the accepted clip, the host reads
its status and figures. Views only adapt; `clips` decides.

The upload sets the recordings' size-limiting upload handler before the body is read, so
(as Django documents for changing upload handlers) it is CSRF-exempt on the outside and
CSRF-protected inside, like exercises' own recording upload.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from telept.exercises.recordings import services as recordings
from telept.exercises.recordings.views import RecordingSizeLimit, _too_large_message
from telept.lib.errors import DomainError
from telept.visits import access, clips
from telept.visits.access import Entry
from telept.visits.views import _caller, _json_body, _json_error


def _keyed(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponse]:
    """As views._keyed, with the clip id: unknown key or clip is a 404, other refusals JSON."""
    @wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, access.entry_for_page_key(token, caller=_caller(request)),
                        **kwargs)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404("No such visit or clip.") from None
            return _json_error(exc)

    return require_POST(wrapped)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@_keyed
def clip_ask(request: HttpRequest, entry: Entry) -> JsonResponse:
    body = _json_body(request)
    clip = clips.clip_request(entry=entry, participant_id=_int(body.get("participant")),
                              exercise=str(body.get("exercise", "")),
                              side=str(body.get("side", "auto")),
                              seconds=_int(body.get("seconds"), 15))
    return JsonResponse({"clip": clips.clip_json(clip)}, status=201)


@_keyed
def clip_decide(request: HttpRequest, entry: Entry, clip_id: int) -> JsonResponse:
    body = _json_body(request)
    clip, raw = clips.clip_decide(entry=entry, clip_id=clip_id, accept=body.get("accept") is True,
                                  version=str(body.get("version", "")))
    answer: dict[str, Any] = {"clip": clips.clip_json(clip)}
    if raw:
        key = request.resolver_match.kwargs["token"] if request.resolver_match else ""
        answer.update(uploadToken=raw,
                      uploadUrl=reverse("visits:clip_upload", args=[key, clip.pk]))
    return JsonResponse(answer)


@_keyed
def _upload(request: HttpRequest, entry: Entry, clip_id: int) -> JsonResponse:
    if getattr(request, "recording_too_large", False):
        return JsonResponse({"code": "recording_too_large", "field": "file",
                             "message": _too_large_message()}, status=400)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"code": "file_required", "field": "file",
                             "message": "Send the clip's video."}, status=400)
    recording = clips.clip_upload(entry=entry, clip_id=clip_id,
                                  token=str(request.POST.get("token", "")), upload=upload)
    return JsonResponse({"ok": True, "recording": recording.pk}, status=201)


_protected_upload = csrf_protect(_upload)


@csrf_exempt
def clip_upload(request: HttpRequest, token: str, clip_id: int) -> HttpResponse:
    request.upload_handlers.insert(0, RecordingSizeLimit(request, recordings.max_bytes()))
    return _protected_upload(request, token=token, clip_id=clip_id)


@_keyed
def clip_status(request: HttpRequest, entry: Entry, clip_id: int) -> JsonResponse:
    return JsonResponse({"clip": clips.clip_status(entry=entry, clip_id=clip_id)})
