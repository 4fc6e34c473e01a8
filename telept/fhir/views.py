"""The thin FHIR router: auth -> scope -> registry query -> mapper -> Bundle / resource.

Routes (urls.py, mounted at /fhir/R4/, namespace "fhir"):
    GET metadata                      CapabilityStatement (no token needed)
    GET <Type>?<params>               search-type -> Bundle (searchset, paging links)
    GET <Type>/<id>                   read
    GET Patient/<id>/$everything      the patient's compartment as one Bundle

Every answer is application/fhir+json; every error an OperationOutcome (errors.py). Every
read and search is audited like a page read: one audit event per patient whose data was
returned (object_type = the resource type, detail.via = "fhir").
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from telept.audit.services import audit_record
from telept.fhir import registry
from telept.fhir import search as s
from telept.fhir.access import FhirCaller, caller_for, require_scope
from telept.fhir.capability import capability_statement
from telept.fhir.errors import (
    BadRequest,
    FhirError,
    Gone,
    NotFound,
    NotSupported,
    error_response,
    fhir_response,
)
from telept.lib.errors import DomainError

DEFAULT_COUNT = 50
MAX_COUNT = 1000
RESULT_PARAMS = {"_count", "_offset", "_include", "_format", "_total", "_summary", "_pretty"}
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


class MethodNotAllowed(FhirError):
    status = 405
    issue_code = "not-supported"


class NotAcceptable(FhirError):
    status = 406
    issue_code = "not-supported"


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/R4/")


def _guard(handler: Any) -> Any:
    """GET/HEAD only, and every FhirError / DomainError answered as an OperationOutcome."""
    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise MethodNotAllowed("This server only reads: use GET.")
            _check_query(request)
            return handler(request, *args, **kwargs)  # type: ignore[no-any-return]
        except FhirError as exc:
            return error_response(exc)
        except DomainError as exc:
            mapped = FhirError(exc.message)
            mapped.status = exc.status if exc.status != 422 else 400
            mapped.issue_code = {401: "login", 403: "forbidden", 404: "not-found"}.get(
                mapped.status, "invalid")
            return error_response(mapped)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _check_query(request: HttpRequest) -> None:
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            raise BadRequest("NUL characters are not allowed in a query.")
        if len(key) > 100 or any(len(v) > 2000 for v in values):
            raise BadRequest("Search parameter too long.")
    fmt = request.GET.get("_format")
    if fmt is not None and fmt.split(";")[0].strip() not in JSON_FORMATS:
        raise NotAcceptable("Only JSON is served (_format=json).")


# --- metadata --------------------------------------------------------------------------------

@_guard
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(base_url(request)))


# --- read ------------------------------------------------------------------------------------

def _sources_or_404(resource_type: str) -> list[registry.FhirType]:
    sources = registry.sources(resource_type)
    if not sources:
        raise NotSupported(f"Resource type {resource_type!r} is not served here.")
    return sources


def _find(caller: FhirCaller, resource_type: str, rid: str) -> tuple[registry.FhirType, Any]:
    found = registry.find_source(resource_type, rid)
    if found is None:
        raise NotFound(resource_type, rid)
    source, pk = found
    obj = source.queryset(caller.actor).filter(pk=pk).first()
    if obj is None:
        if _was_deleted(caller, source, pk):
            raise Gone(resource_type, rid)
        raise NotFound(resource_type, rid)
    return source, obj


def _was_deleted(caller: FhirCaller, source: registry.FhirType, pk: int) -> bool:
    if not source.deleted_object_type:
        return False
    from telept.audit.models import AuditEvent

    events = AuditEvent.objects.filter(practice_id=caller.actor.practice_id, action="delete",
                                       object_type=source.deleted_object_type,
                                       object_id=str(pk))
    if caller.actor.is_patient:
        events = events.filter(patient_id=caller.actor.patient_id)
    return events.exists()


@_guard
def read(request: HttpRequest, resource_type: str, rid: str) -> HttpResponse:
    static = registry.STATIC.get(resource_type)
    if static is not None:
        caller = caller_for(request)
        require_scope(caller, resource_type, "read")
        for item in static.items():
            if item["id"] == rid:
                return fhir_response(item)
        raise NotFound(resource_type, rid)
    _sources_or_404(resource_type)
    caller = caller_for(request)
    require_scope(caller, resource_type, "read")
    source, obj = _find(caller, resource_type, rid)
    resource = source.to_fhir(obj)
    _audit(caller, "read", resource_type, [(source, obj)], {"id": rid})
    if resource_type == "Binary" and _wants_raw(request):
        raw = HttpResponse(base64.b64decode(resource["data"]),
                           content_type=resource["contentType"])
        raw["Content-Disposition"] = f'inline; filename="{rid}.pdf"'
        return raw
    return fhir_response(resource)


def _wants_raw(request: HttpRequest) -> bool:
    """Binary: the document itself unless the client asks for FHIR JSON (spec 'Binary')."""
    accept = request.headers.get("Accept", "")
    return "fhir+json" not in accept and "application/json" not in accept \
        and "_format" not in request.GET


# --- search ----------------------------------------------------------------------------------

def _int_param(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"{name} must be a whole number 0 or more.")
    return min(int(raw), maximum)


def _parsed_params(request: HttpRequest) -> dict[tuple[str, str | None], list[str]]:
    out: dict[tuple[str, str | None], list[str]] = {}
    for key, values in request.GET.lists():
        if key in RESULT_PARAMS:
            continue
        name, _, modifier = key.partition(":")
        out[(name, modifier or None)] = values
    return out


def _filter_source(source: registry.FhirType, actor: Any,
                   params: dict[tuple[str, str | None], list[str]]) -> QuerySet[Any] | None:
    """The source's rows matching every parameter, or None if a parameter does not apply to
    this source (so it contributes nothing)."""
    qs = source.queryset(actor)
    for (name, modifier), values in params.items():
        if name == "_id":
            if modifier is not None:
                raise BadRequest("_id takes no modifier.")
            ids: Q = Q()
            for occurrence in values:
                pks = [source.pk_of(v.strip()) for v in occurrence.split(",")]
                ids &= Q(pk__in=[pk for pk in pks if pk is not None])
            qs = qs.filter(ids)
            continue
        param = source.search.get(name)
        if param is None:
            return None
        qs = qs.filter(s.combine(param, values, modifier))
    return qs.order_by(*source.order_by)


def _check_known(resource_type: str, params: dict[tuple[str, str | None], list[str]]) -> None:
    known = {"_id"}
    for src in registry.sources(resource_type):
        known |= set(src.search)
    for name, _ in params:
        if name not in known:
            raise BadRequest(f"Unknown or unsupported search parameter {name!r} for "
                             f"{resource_type}; supported: {', '.join(sorted(known))}.")


def _includes(request: HttpRequest, resource_type: str) -> bool:
    wanted = request.GET.getlist("_include")
    ok = {f"{resource_type}:patient", f"{resource_type}:subject",
          f"{resource_type}:beneficiary"}
    for value in wanted:
        if value not in ok or resource_type == "Patient":
            raise BadRequest(f"_include={value} is not supported (only {resource_type}:patient).")
    return bool(wanted)


def _page(filtered: list[tuple[registry.FhirType, QuerySet[Any]]], offset: int,
          count: int) -> tuple[int, list[tuple[registry.FhirType, Any]]]:
    total = 0
    rows: list[tuple[registry.FhirType, Any]] = []
    skip, want = offset, count
    for source, qs in filtered:
        n = qs.count()
        total += n
        if want <= 0 or skip >= n:
            skip = max(0, skip - n)
            continue
        chunk = list(qs[skip: skip + want])
        rows.extend((source, obj) for obj in chunk)
        want -= len(chunk)
        skip = 0
    return total, rows


def _entry(base: str, resource: dict[str, Any], mode: str) -> dict[str, Any]:
    return {"fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
            "resource": resource, "search": {"mode": mode}}


def _link(request: HttpRequest, resource_type: str, offset: int, count: int) -> str:
    query = [(k, v) for k, vs in request.GET.lists() for v in vs
             if k not in ("_offset", "_count")]
    query += [("_count", str(count)), ("_offset", str(offset))]
    return f"{base_url(request)}{resource_type}?{urlencode(query)}"


@_guard
def search_type(request: HttpRequest, resource_type: str) -> HttpResponse:
    if resource_type in registry.STATIC:
        return _search_static(request, registry.STATIC[resource_type])
    sources = _sources_or_404(resource_type)
    if not any(src.export for src in sources):
        raise MethodNotAllowed(f"{resource_type} is read by id only (see DocumentReference).")
    caller = caller_for(request)
    require_scope(caller, resource_type, "search")
    params = _parsed_params(request)
    _check_known(resource_type, params)
    include_patient = _includes(request, resource_type)
    count = _int_param(request, "_count", DEFAULT_COUNT, MAX_COUNT)
    offset = _int_param(request, "_offset", 0, 10**9)
    summary = request.GET.get("_summary")
    if summary not in (None, "count", "false"):
        raise BadRequest("_summary supports only count.")
    filtered = [(src, qs) for src in sources
                if (qs := _filter_source(src, caller.actor, params)) is not None]
    if summary == "count":
        count = 0
    total, rows = _page(filtered, offset, count)
    base = base_url(request)
    entries = [_entry(base, src.to_fhir(obj), "match") for src, obj in rows]
    if include_patient:
        entries += _patient_includes(caller, base, rows)
    links = [{"relation": "self", "url": _link(request, resource_type, offset, count)}]
    if count:
        links.append({"relation": "first", "url": _link(request, resource_type, 0, count)})
        if offset + count < total:
            links.append({"relation": "next",
                          "url": _link(request, resource_type, offset + count, count)})
        if offset > 0:
            links.append({"relation": "previous",
                          "url": _link(request, resource_type, max(0, offset - count), count)})
        last = max(0, (total - 1) // count * count)
        links.append({"relation": "last", "url": _link(request, resource_type, last, count)})
    _audit(caller, "list", resource_type, rows,
           {"query": {k: v for k, v in request.GET.lists()}, "total": total})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": total,
                              "link": links}
    if entries:
        bundle["entry"] = entries
    bundle["meta"] = {"lastUpdated": _now()}
    return fhir_response(bundle)


def _search_static(request: HttpRequest, static: registry.StaticType) -> HttpResponse:
    caller = caller_for(request)
    require_scope(caller, static.name, "search")
    params = _parsed_params(request)
    known = {"_id", *static.search}
    items = static.items()
    for (name, modifier), values in params.items():
        if name not in known:
            raise BadRequest(f"Unknown or unsupported search parameter {name!r} for "
                             f"{static.name}; supported: {', '.join(sorted(known))}.")
        if modifier is not None:
            raise BadRequest(f"Modifier :{modifier} is not supported here.")
        for occurrence in values:
            options = [v.strip() for v in occurrence.split(",")]
            if name == "_id":
                items = [i for i in items if i["id"] in options]
            else:
                test = static.search[name]
                items = [i for i in items if any(test(i, v) for v in options)]
    if request.GET.get("_include"):
        raise BadRequest(f"_include is not supported for {static.name}.")
    count = _int_param(request, "_count", DEFAULT_COUNT, MAX_COUNT)
    offset = _int_param(request, "_offset", 0, 10**9)
    page = items[offset: offset + count]
    base = base_url(request)
    links = [{"relation": "self", "url": _link(request, static.name, offset, count)}]
    if count and offset + count < len(items):
        links.append({"relation": "next", "url": _link(request, static.name, offset + count,
                                                       count)})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset",
                              "total": len(items), "link": links}
    if page:
        bundle["entry"] = [_entry(base, r, "match") for r in page]
    return fhir_response(bundle)


def _patient_includes(caller: FhirCaller, base: str,
                      rows: list[tuple[registry.FhirType, Any]]) -> list[dict[str, Any]]:
    ids: set[int] = set()
    for src, obj in rows:
        pid = _patient_id(src, obj)
        if pid is not None:
            ids.add(pid)
    if not ids or not _permits(caller, "Patient", "read"):
        return []
    patient_type = registry.TYPES["Patient"]
    patients = list(patient_type.queryset(caller.actor).filter(pk__in=ids))
    _audit(caller, "read", "Patient", [(patient_type, p) for p in patients],
           {"include": True})
    return [_entry(base, patient_type.to_fhir(p), "include") for p in patients]


def _permits(caller: FhirCaller, resource_type: str, interaction: str) -> bool:
    from telept.fhir import scopes

    return scopes.permits(caller.scopes, resource_type, interaction=interaction)


# --- $everything -----------------------------------------------------------------------------

@_guard
def everything(request: HttpRequest, rid: str) -> HttpResponse:
    caller = caller_for(request)
    require_scope(caller, "Patient", "read")
    patient_type, patient = _find(caller, "Patient", rid)
    for key in request.GET:
        if key not in ("_type", "_since", "_count", "_format"):
            raise BadRequest(f"$everything does not support {key!r} (use _type, _since).")
    wanted = None
    if request.GET.get("_type"):
        wanted = {t.strip() for t in request.GET["_type"].split(",") if t.strip()}
        unknown = wanted - set(registry.names())
        if unknown:
            raise BadRequest(f"Unknown _type: {', '.join(sorted(unknown))}.")
    since = None
    if request.GET.get("_since"):
        since, _, _ = s.parse_date_range(request.GET["_since"])
    base = base_url(request)
    rows: list[tuple[registry.FhirType, Any]] = [(patient_type, patient)]
    for source in registry.TYPES.values():
        if source.name == "Patient" or source.patient_ids_field is None \
                or not source.export:
            continue
        if wanted is not None and source.name not in wanted:
            continue
        if not _permits(caller, source.name, "search"):
            continue
        qs = source.queryset(caller.actor).filter(**{source.patient_ids_field: patient.pk})
        if since is not None and source.updated_field:
            qs = qs.filter(**{f"{source.updated_field}__gte": since})
        rows.extend((source, obj) for obj in qs.order_by(*source.order_by))
    if wanted is None or "Organization" in wanted:
        org_type = registry.TYPES["Organization"]
        rows.extend((org_type, o) for o in org_type.queryset(caller.actor)
                    .filter(pk=patient.practice_id))
    entries = [_entry(base, src.to_fhir(obj), "match") for src, obj in rows]
    by_type: dict[str, list[tuple[registry.FhirType, Any]]] = defaultdict(list)
    for src, obj in rows:
        by_type[src.name].append((src, obj))
    for name, items in by_type.items():
        _audit(caller, "read", name, items, {"operation": "$everything", "patient": rid})
    return fhir_response({"resourceType": "Bundle", "type": "searchset",
                          "total": len(entries), "meta": {"lastUpdated": _now()},
                          "link": [{"relation": "self",
                                    "url": request.build_absolute_uri()}],
                          "entry": entries})


# --- audit -----------------------------------------------------------------------------------

def _patient_id(source: registry.FhirType, obj: Any) -> int | None:
    if source.patient_ids_field is None:
        return None
    value: Any = obj
    for part in source.patient_ids_field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return int(value)


def _audit(caller: FhirCaller, action: str, resource_type: str,
           rows: Iterable[tuple[registry.FhirType, Any]], detail: dict[str, Any]) -> None:
    """One audit event per patient whose data is in the answer (one event if none is)."""
    per_patient: dict[int | None, list[str]] = defaultdict(list)
    for source, obj in rows:
        per_patient[_patient_id(source, obj)].append(f"{source.id_prefix}{obj.pk}")
    if not per_patient:
        per_patient[None] = []
    for patient_id, ids in per_patient.items():
        audit_record(actor=caller.actor, action=action, object_type=resource_type,
                     object_id=ids[0] if len(ids) == 1 else "", patient_id=patient_id,
                     detail={"via": "fhir", "client_id": caller.client_id,
                             "scopes": sorted(caller.scopes), "ids": ids[:200],
                             "count": len(ids), **detail})


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@_guard
def not_supported(request: HttpRequest, rest: str) -> HttpResponse:
    raise NotSupported(f"Not supported here: {rest!r}.")
