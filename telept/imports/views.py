"""Import pages: upload with the column help and template, the dry run, apply, the result.
Practice admin and front desk only (`services.IMPORTERS`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telept.accounts.web import actor_required
from telept.imports import selectors, services
from telept.imports.forms import ImportUploadForm
from telept.imports.records import COLUMNS, MAX_IMPORT_BYTES, ImportFileError, template_csv
from telept.imports.uploads import BoundedMemoryUploadHandler
from telept.lib.errors import DomainError


def _zone(request: HttpRequest) -> str:
    return str(request.actor.membership.practice.time_zone)  # type: ignore[attr-defined]


@csrf_exempt  # the upload handler must be set before anything reads the body; CSRF below
def upload(request: HttpRequest) -> HttpResponse:
    handler = BoundedMemoryUploadHandler(MAX_IMPORT_BYTES, request)
    request.upload_handlers = [handler]
    request.import_handler = handler  # type: ignore[attr-defined]
    return _upload(request)


@csrf_protect
@actor_required(services.IMPORTERS)
@require_http_methods(["GET", "POST"])
def _upload(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.import_handler.over:  # type: ignore[attr-defined]
            form = ImportUploadForm(request.POST, {})
            form.is_valid()
            form.errors["file"] = form.error_class([
                f"The file is far larger than the {MAX_IMPORT_BYTES:,} bytes an import may "
                "have. Split it into smaller files."])
        elif form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                item = services.import_upload(
                    actor=actor, kind=form.cleaned_data["kind"],
                    file_name=upload_file.name or "", data=upload_file.read())
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("imports:detail", import_id=item.pk)
    return render(request, "imports/upload.html", {
        "form": form, "columns": COLUMNS, "zone": _zone(request),
        "recent": selectors.imports_recent(actor=actor)}, status=400 if form.errors else 200)


@actor_required(services.IMPORTERS)
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="telept-patient-import.csv"'
    return response


@actor_required(services.IMPORTERS)
@require_GET
def detail(request: HttpRequest, import_id: int) -> HttpResponse:
    item = selectors.import_get(actor=request.actor, import_id=import_id)  # type: ignore[attr-defined]
    entries = item.plan.get("entries", [])
    return render(request, "imports/detail.html", {
        "item": item, "zone": _zone(request), "counts": item.counts,
        "expired": services.import_expired(item),
        "notices": item.plan.get("notices", []),
        "refused": [e for e in entries if e["action"] == "refused"],
        "done": [e for e in entries if e["action"] != "refused"]})


@actor_required(services.IMPORTERS)
@require_POST
def apply(request: HttpRequest, import_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    item = selectors.import_get(actor=actor, import_id=import_id)
    if item.status == item.Status.APPLIED:
        messages.info(request, "This import was already applied; nothing was changed again.")
        return redirect("imports:detail", import_id=item.pk)
    try:
        item = services.import_apply(actor=actor, import_id=import_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, f"Nothing was imported. {exc.message}")
        return redirect("imports:detail", import_id=import_id)
    counts = item.counts
    messages.success(request, f"Imported: {counts['create']} created, {counts['update']} "
                     f"updated, {counts['unchanged']} unchanged, {counts['refused']} refused.")
    return redirect("imports:detail", import_id=item.pk)
