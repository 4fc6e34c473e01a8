"""Secure messaging pages: the care team's inbox and the patient's, conversations with
replies and attachments, and the authorised attachment download."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile as UploadedFileBase
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from telept.accounts.roles import PATIENT_EDITORS, Role
from telept.accounts.web import actor_required
from telept.clinical.forms import MessageForm, ThreadForm
from telept.clinical.selectors import messaging as selectors
from telept.clinical.selectors.scope import scoped_patient
from telept.clinical.services import messaging as services
from telept.clinical.views.common import actor_of, zoned
from telept.lib.errors import DomainError, NotFound

CARE_TEAM = PATIENT_EDITORS
MAX_READ = 10 * 1024 * 1024 + 1  # read one byte past the limit so the service sees "too large"


def _uploads(files: list[UploadedFileBase]) -> list[services.UploadedFile]:
    return [services.UploadedFile(name=f.name, data=f.read(MAX_READ)) for f in files]


def _write(request: HttpRequest, form: MessageForm,
           write: Callable[[list[services.UploadedFile]], object], done: str) -> bool:
    """Run the send; on a refusal put the message on the form. True when sent."""
    try:
        write(_uploads(form.cleaned_data["files"]))
    except NotFound:
        raise
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    messages.success(request, done)
    return True


def _thread_page(request: HttpRequest, thread_id: int, template: str) -> HttpResponse:
    actor = actor_of(request)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and _write(
            request, form, lambda files: services.message_send(
                actor=actor, thread_id=thread_id, body=form.cleaned_data["body"],
                files=files), "Sent."):
        return redirect(request.path)
    thread, rows = selectors.thread_get(actor=actor, thread_id=thread_id)
    services.thread_mark_read(actor=actor, thread_id=thread.pk)
    return render(request, template, {"thread": thread, "messages_list": rows, "form": form},
                  status=400 if form.errors else 200)


@actor_required(CARE_TEAM)
@zoned
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    return render(request, "clinical/inbox.html", {
        "threads": selectors.threads_list(actor=actor_of(request), unread_only=unread_only),
        "unread_only": unread_only})


@actor_required(CARE_TEAM)
@zoned
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_page(request, thread_id, "clinical/thread.html")


@actor_required(CARE_TEAM)
@zoned
@require_http_methods(["GET", "POST"])
def thread_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = actor_of(request)
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    form = ThreadForm(request.POST or None, request.FILES or None)
    created: list[int] = []
    if request.method == "POST" and form.is_valid() and _write(
            request, form, lambda files: created.append(services.thread_start(
                actor=actor, patient_id=patient.pk, subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"], files=files).pk), "Sent."):
        return redirect("clinical:thread", thread_id=created[0])
    return render(request, "clinical/thread_new.html", {"form": form, "patient": patient},
                  status=400 if form.errors else 200)


@actor_required(Role.PATIENT)
@zoned
def portal_messages(request: HttpRequest) -> HttpResponse:
    return render(request, "clinical/portal_messages.html",
                  {"threads": selectors.threads_list(actor=actor_of(request))})


@actor_required(Role.PATIENT)
@zoned
@require_http_methods(["GET", "POST"])
def portal_thread_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ThreadForm(request.POST or None, request.FILES or None)
    created: list[int] = []
    if request.method == "POST" and form.is_valid() and _write(
            request, form, lambda files: created.append(services.thread_start(
                actor=actor, subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"], files=files).pk),
            "Sent. Your care team will reply here."):
        return redirect("clinical:portal_thread", thread_id=created[0])
    return render(request, "clinical/portal_thread_new.html", {"form": form},
                  status=400 if form.errors else 200)


@actor_required(Role.PATIENT)
@zoned
@require_http_methods(["GET", "POST"])
def portal_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_page(request, thread_id, "clinical/portal_thread.html")


@actor_required(CARE_TEAM | {Role.PATIENT})
@zoned
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Always a download (never rendered inline), never cached, type from our sniffing."""
    attachment = selectors.attachment_get(actor=actor_of(request), attachment_id=attachment_id)
    try:
        handle = open(services.attachment_path(attachment), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise NotFound("attachment") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
