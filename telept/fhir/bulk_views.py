"""Bulk Data and SMART routes under /fhir/R4/ (namespace "fhir", included by urls.py before
the generic type routes). Views adapt only: bearer -> caller -> one bulk.py call.

    GET  $export | Patient/$export | Group/<id>/$export   kick-off (Prefer: respond-async)
    GET  bulk/<job>            status: 202 + X-Progress, then 200 + the manifest
    DELETE bulk/<job>          cancel (202), files deleted
    GET  bulk/<job>/<file>     one NDJSON file, for the same client's token only
    GET  Group/<id>            the Group of all of the practice's patients
    GET  .well-known/smart-configuration, auth/authorize, POST auth/token  (smart_views)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt

from telept.audit.services import audit_record
from telept.fhir import bulk, smart_views
from telept.fhir.access import caller_for
from telept.fhir.bulk_models import BulkExport
from telept.fhir.errors import (
    BadRequest,
    FhirError,
    NotFound,
    error_response,
    fhir_response,
)
from telept.lib.errors import DomainError

NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
ACCEPTS = {"application/fhir+json", "application/json", "*/*", ""}


class MethodNotAllowed(FhirError):
    status = 405
    issue_code = "not-supported"


class ServerError(FhirError):
    status = 500
    issue_code = "exception"


def _guard(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise MethodNotAllowed(f"Use {' or '.join(methods)}.")
                return handler(request, *args, **kwargs)
            except FhirError as exc:
                return error_response(exc)
            except DomainError as exc:
                mapped = FhirError(exc.message)
                mapped.status = exc.status
                return error_response(mapped)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        return view

    return decorator


def _kickoff(request: HttpRequest, level: str, group_id: str = "") -> HttpResponse:
    caller = caller_for(request)
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise BadRequest("A bulk export needs the header Prefer: respond-async.")
    accept = request.headers.get("Accept", "").split(";")[0].strip()
    if accept not in ACCEPTS:
        raise BadRequest("Accept must be application/fhir+json.")
    output = request.GET.get("_outputFormat")
    if output is not None and output not in NDJSON_FORMATS:
        raise BadRequest("_outputFormat must be application/fhir+ndjson.")
    unsupported = set(request.GET) - {"_type", "_since", "_outputFormat"}
    if unsupported:
        raise BadRequest(f"Unsupported export parameter(s): {', '.join(sorted(unsupported))}"
                         " (this server supports _type, _since and _outputFormat).")
    types = [t.strip() for raw in request.GET.getlist("_type") for t in raw.split(",")
             if t.strip()]
    job = bulk.export_kickoff(caller=caller, level=level, group_id=group_id, types=types,
                              since=bulk.parse_since(request.GET.get("_since")),
                              request_url=request.build_absolute_uri())
    response = HttpResponse(status=202)
    response["Content-Location"] = request.build_absolute_uri(
        reverse("fhir:bulk_status", args=[job.pk]))
    return response


@_guard("GET")
def export_system(request: HttpRequest) -> HttpResponse:
    return _kickoff(request, str(BulkExport.Level.SYSTEM))


@_guard("GET")
def export_patient(request: HttpRequest) -> HttpResponse:
    return _kickoff(request, str(BulkExport.Level.PATIENT))


@_guard("GET")
def export_group(request: HttpRequest, group_id: str) -> HttpResponse:
    return _kickoff(request, str(BulkExport.Level.GROUP), group_id)


@_guard("GET", "DELETE")
def export_status(request: HttpRequest, export_id: Any) -> HttpResponse:
    caller = caller_for(request)
    if request.method == "DELETE":
        bulk.export_cancel(caller=caller, export_id=export_id)
        return HttpResponse(status=202)
    job = bulk.export_of(caller=caller, export_id=export_id)
    if job.status in (BulkExport.Status.QUEUED, BulkExport.Status.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or job.status
        response["Retry-After"] = "2"
        return response
    if job.status == BulkExport.Status.FAILED:
        raise ServerError(job.error or "The export failed.")
    body = bulk.manifest(job, file_url=lambda name: request.build_absolute_uri(
        reverse("fhir:bulk_file", args=[job.pk, name])))
    response = fhir_response(body)
    response["Content-Type"] = "application/json"
    response["Expires"] = job.expires.strftime("%a, %d %b %Y %H:%M:%S GMT") \
        if job.expires else ""
    return response


@_guard("GET")
def export_file(request: HttpRequest, export_id: Any, name: str) -> HttpResponse:
    caller = caller_for(request)
    job = bulk.export_of(caller=caller, export_id=export_id)
    entry = job.files.filter(name=name).first() if job.status == BulkExport.Status.DONE \
        else None
    path_ = bulk.export_dir(job.pk) / name if entry is not None else None
    if entry is None or path_ is None or not path_.is_file():
        raise NotFound("file", name)
    audit_record(actor=caller.actor, action="export", object_type="BulkFile",
                 object_id=str(job.pk),  # object ids hold 64 characters: the name is in detail
                 detail={"via": "fhir-bulk", "client_id": caller.client_id, "file": name,
                         "type": entry.resource_type, "count": entry.count})
    response = FileResponse(path_.open("rb"), content_type="application/fhir+ndjson")
    response["Cache-Control"] = "no-store"
    return response


@_guard("GET")
def group_read(request: HttpRequest, group_id: str) -> HttpResponse:
    """The one Group we define: all of the caller's practice's patients (no member list;
    export it to get them)."""
    caller = caller_for(request)
    from telept.fhir.access import require_scope

    require_scope(caller, "Group", "read")
    if caller.actor.is_patient or group_id != bulk.group_id_of(caller.actor.practice_id):
        raise NotFound("Group", group_id)
    from telept.patients.selectors import patient_scope

    count = patient_scope(actor=caller.actor).count()
    audit_record(actor=caller.actor, action="read", object_type="Group", object_id=group_id,
                 detail={"via": "fhir", "client_id": caller.client_id})
    return fhir_response({
        "resourceType": "Group", "id": group_id, "type": "person", "actual": True,
        "name": f"All patients of {caller.actor.membership.practice.name}",
        "quantity": count,
    })


urlpatterns: list[URLPattern] = [
    path(".well-known/smart-configuration", smart_views.smart_configuration_view,
         name="smart_configuration"),
    path("auth/authorize", smart_views.authorize, name="smart_authorize"),
    path("auth/token", smart_views.token, name="smart_token"),
    re_path(r"^\$export$", export_system, name="bulk_export_system"),
    re_path(r"^Patient/\$export$", export_patient, name="bulk_export_patient"),
    re_path(r"^Group/(?P<group_id>[A-Za-z0-9\-\.]{1,64})/\$export$", export_group,
            name="bulk_export_group"),
    re_path(r"^Group/(?P<group_id>[A-Za-z0-9\-\.]{1,64})$", group_read, name="group_read"),
    path("bulk/<uuid:export_id>", export_status, name="bulk_status"),
    path("bulk/<uuid:export_id>/<str:name>", export_file, name="bulk_file"),
]
