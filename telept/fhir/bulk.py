"""FHIR Bulk Data export (Bulk Data Access IG 2.0): kick-off, the worker's run, retention.

    export_kickoff(caller=, level=, group_id=, types=, since=, request_url=) -> BulkExport
    export_run(export_id)        the worker (bulk_tasks.bulk_export_run): NDJSON per type
    export_cancel(caller=, export_id=)   DELETE: stop and delete the files
    exports_expire()             delete files past FHIR_EXPORT_RETENTION_HOURS (a task too)

Rows come from the registry's scoped querysets for the actor of the caller that kicked the
export off (a backend client's service actor, or the token's person), cut down to the types
the token's scopes permit. Every patient whose data went into the files gets an audit event
(`export`, object `BulkExport`, naming the client id), written when the run completes.

Files are written under `FHIR_EXPORT_DIR/<random job id>/` (never a public URL) and read
back only through `bulk_views.export_file`, which checks the job's owner again.
The routes are in `bulk_views.urlpatterns` (exposed here as `urlpatterns` for urls.py).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from telept.accounts.actor import NoMembership, actor_for
from telept.audit.models import AuditEvent
from telept.fhir import registry
from telept.fhir import scopes as smart_scopes
from telept.fhir.access import FhirCaller
from telept.fhir.bulk_models import BulkExport, BulkFile
from telept.fhir.errors import BadRequest, Forbidden, NotFound
from telept.lib.context import client_ip_var, request_id_var

logger = logging.getLogger(__name__)
LINES_PER_FILE = 100_000
CHUNK = 2000
GROUP_PREFIX = "practice-"


class TooManyRequests(BadRequest):
    status = 429
    issue_code = "throttled"


def __getattr__(name: str) -> Any:
    if name == "urlpatterns":  # urls.py reads it; the views import this module
        from telept.fhir.bulk_views import urlpatterns

        return urlpatterns
    raise AttributeError(name)


def capability_operations(base_url: str) -> list[dict[str, Any]]:
    """System-level operations for the CapabilityStatement (capability.py's hook)."""
    return [{"name": "export",
             "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}]


def group_id_of(practice_id: int) -> str:
    """The Group of all of a practice's patients."""
    return f"{GROUP_PREFIX}{practice_id}"


def export_dir(export_id: object) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / str(export_id)


# ---------------------------------------------------------------- kick-off


def exportable_types(*, level: str) -> list[str]:
    """Types an export at this level can hold: all at system level; the patient compartment
    (types whose rows belong to a patient) at patient and group level."""
    names = registry.names()
    if level == BulkExport.Level.SYSTEM:
        return names
    return [n for n in names if any(src.patient_ids_field for src in registry.sources(n))]


def parse_since(raw: str | None) -> dt.datetime | None:
    if raw is None or raw == "":
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"_since must be a FHIR instant (2026-01-31T08:00:00Z), not "
                         f"{raw[:40]!r}.") from None
    if value.tzinfo is None:
        raise BadRequest("_since needs a time zone (Z or +hh:mm).")
    return value


def export_kickoff(*, caller: FhirCaller, level: str, group_id: str = "",
                   types: list[str] | None = None, since: dt.datetime | None = None,
                   request_url: str) -> BulkExport:
    """Check the request against the caller's scopes and queue the export."""
    if level == BulkExport.Level.GROUP and group_id != group_id_of(caller.actor.practice_id):
        raise NotFound("Group", group_id)
    allowed = exportable_types(level=level)
    if types:
        unknown = [t for t in types if t not in registry.names()]
        if unknown:
            raise BadRequest(f"_type names types this server does not have: "
                             f"{', '.join(unknown)}.")
        outside = [t for t in types if t not in allowed]
        if outside:
            raise BadRequest(f"A {level}-level export holds only the patient compartment; "
                             f"not {', '.join(outside)}.")
        refused = [t for t in types if not smart_scopes.permits(caller.scopes, t, "read")]
        if refused:
            raise Forbidden(f"The token's scopes do not allow reading {', '.join(refused)}.")
        chosen = types
    else:
        chosen = smart_scopes.readable_types(caller.scopes, allowed)
        if not chosen:
            raise Forbidden("The token's scopes allow reading none of the exportable types.")
    client = _client_of(caller)
    owner = _owner(caller)
    with transaction.atomic():
        busy = BulkExport.objects.select_for_update().filter(
            **owner, status__in=[BulkExport.Status.QUEUED, BulkExport.Status.RUNNING])
        if busy.exists():
            raise TooManyRequests("An export of this client is still running; poll it, or "
                                  "cancel it with DELETE, before starting another.")
        job = BulkExport.objects.create(
            practice_id=caller.actor.practice_id, user=caller.actor.user, client=client,
            scopes=smart_scopes.scope_text(caller.scopes), level=level, group_id=group_id,
            types=list(chosen), since=since, request_url=request_url[:2000])
        transaction.on_commit(lambda: _enqueue_run(job.pk))
    return job


def _enqueue_run(export_id: object) -> None:
    from telept.fhir.bulk_tasks import bulk_export_run

    bulk_export_run.enqueue(str(export_id))


def _client_of(caller: FhirCaller) -> Any:
    if caller.client_id is None:
        return None
    from telept.fhir.smart_models import SmartClient

    return SmartClient.objects.filter(application__client_id=caller.client_id).first()


def _owner(caller: FhirCaller) -> dict[str, Any]:
    """Whose the export is: the SMART client, else the personal token's user."""
    if caller.client_id is not None:
        return {"client__application__client_id": caller.client_id}
    return {"client__isnull": True, "user_id": caller.actor.user_id}


def export_of(*, caller: FhirCaller, export_id: object) -> BulkExport:
    """The caller's own export, or NotFound (another client's is not found, like a missing
    one); cancelled and expired exports are gone for good."""
    job = BulkExport.objects.filter(pk=export_id, **_owner(caller)).first()
    if job is None or job.status in (BulkExport.Status.CANCELLED, BulkExport.Status.EXPIRED):
        raise NotFound("export", str(export_id))
    if job.expires is not None and job.expires <= timezone.now():
        raise NotFound("export", str(export_id))
    return job


def export_cancel(*, caller: FhirCaller, export_id: object) -> None:
    with transaction.atomic():
        job = export_of(caller=caller, export_id=export_id)
        BulkExport.objects.filter(pk=job.pk).update(status=BulkExport.Status.CANCELLED,
                                                    finished=timezone.now())
        job.files.all().delete()
    shutil.rmtree(export_dir(job.pk), ignore_errors=True)


# ---------------------------------------------------------------- the run (worker)


class _Cancelled(Exception):
    pass


def caller_of(job: BulkExport) -> FhirCaller | None:
    """Rebuild the caller at run time: a client disabled (or a person who lost their
    membership) since the kick-off exports nothing."""
    scopes = frozenset(smart_scopes.split(job.scopes))
    if job.client_id is not None:
        from telept.fhir.smart import backend_actor
        from telept.fhir.smart_models import SmartClient

        client = SmartClient.objects.select_related("application", "service_user") \
            .filter(pk=job.client_id, is_active=True).first()
        if client is None:
            return None
        if client.kind == SmartClient.Kind.BACKEND:
            return FhirCaller(actor=backend_actor(client), scopes=scopes,
                              client_id=client.client_id)
        client_id: str | None = client.client_id
    else:
        client_id = None
    try:
        actor = actor_for(job.user, practice_id=job.practice_id)
    except NoMembership:
        return None
    if actor.practice_id != job.practice_id:
        return None
    return FhirCaller(actor=actor, scopes=scopes, client_id=client_id)


def export_run(export_id: str) -> str:
    """Write the export's NDJSON files. Claims a queued job once (a second run of the same
    task finds it taken and does nothing)."""
    claimed = BulkExport.objects.filter(pk=export_id, status=BulkExport.Status.QUEUED) \
        .update(status=BulkExport.Status.RUNNING, transaction_time=timezone.now(),
                progress="starting")
    if not claimed:
        return "not queued"
    job = BulkExport.objects.get(pk=export_id)
    caller = caller_of(job)
    if caller is None:
        _finish(job, str(BulkExport.Status.FAILED), error="The client or person that started "
                "this export can no longer read this practice's data.")
        return "failed"
    folder = export_dir(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        patients = _write_all(job, caller, folder)
    except _Cancelled:
        shutil.rmtree(folder, ignore_errors=True)
        return "cancelled"
    except Exception as exc:
        logger.exception("bulk export %s failed", job.pk)
        shutil.rmtree(folder, ignore_errors=True)
        BulkFile.objects.filter(export=job).delete()
        _finish(job, str(BulkExport.Status.FAILED),
                error=f"The export failed ({type(exc).__name__}).")
        return "failed"
    _audit_patients(job, caller, patients)
    expires = timezone.now() + dt.timedelta(hours=settings.FHIR_EXPORT_RETENTION_HOURS)
    if not _finish(job, str(BulkExport.Status.DONE), expires=expires):
        shutil.rmtree(folder, ignore_errors=True)
        return "cancelled"
    _enqueue_expiry(job.pk, expires)
    return "done"


def _enqueue_expiry(export_id: object, when: dt.datetime) -> None:
    from telept.fhir.bulk_tasks import bulk_export_expire

    bulk_export_expire.using(run_after=when).enqueue(str(export_id))


def _finish(job: BulkExport, status: str, *, error: str = "",
            expires: dt.datetime | None = None) -> bool:
    """Set the outcome unless the job was cancelled meanwhile; True if it was set."""
    return bool(BulkExport.objects.filter(pk=job.pk, status=BulkExport.Status.RUNNING).update(
        status=status, error=error, finished=timezone.now(), expires=expires,
        progress="complete" if status == BulkExport.Status.DONE else status))


def _rows(job: BulkExport, caller: FhirCaller, source: registry.FhirType) -> QuerySet[Any]:
    qs = source.queryset(caller.actor)
    if job.since is not None and source.updated_field:
        qs = qs.filter(**{f"{source.updated_field}__gte": job.since})
    return qs.order_by("pk")


def _write_all(job: BulkExport, caller: FhirCaller, folder: Path) -> set[int]:
    """One NDJSON file (or more, past LINES_PER_FILE) per type. Returns the patient ids
    whose data was written."""
    patients: set[int] = set()
    written = 0
    for rtype in job.types:
        if not smart_scopes.permits(caller.scopes, rtype, "read"):
            continue
        part, lines, out, count = 1, 0, None, 0
        try:
            for source in registry.sources(rtype):
                if not getattr(source, "export", True):
                    continue  # read by id only (Binary): not part of an export
                qs = _rows(job, caller, source)
                if source.patient_ids_field:
                    patients.update(pid for pid in qs.values_list(
                        source.patient_ids_field, flat=True).distinct() if pid is not None)
                for obj in qs.iterator(chunk_size=CHUNK):
                    if out is None or lines >= LINES_PER_FILE:
                        if out is not None:
                            out.close()
                            _file_row(job, rtype, part, lines, folder)
                            part += 1
                        out = (folder / _name(rtype, part)).open("w", encoding="utf-8")
                        lines = 0
                    out.write(json.dumps(source.to_fhir(obj), separators=(",", ":"),
                                         ensure_ascii=False))
                    out.write("\n")
                    lines += 1
                    count += 1
                    written += 1
                    if written % CHUNK == 0:
                        _progress(job, f"{rtype}: {count} written ({written} in all)")
        finally:
            if out is not None:
                out.close()
        if out is not None:
            _file_row(job, rtype, part, lines, folder)
        _progress(job, f"{rtype}: {count} written ({written} in all)")
    return patients


def _name(rtype: str, part: int) -> str:
    return f"{rtype}.{part}.ndjson"


def _file_row(job: BulkExport, rtype: str, part: int, lines: int, folder: Path) -> None:
    name = _name(rtype, part)
    BulkFile.objects.create(export=job, resource_type=rtype, part=part, name=name,
                            count=lines, size=(folder / name).stat().st_size)


def _progress(job: BulkExport, text: str) -> None:
    updated = BulkExport.objects.filter(pk=job.pk, status=BulkExport.Status.RUNNING) \
        .update(progress=text[:100])
    if not updated:
        raise _Cancelled()


def _audit_patients(job: BulkExport, caller: FhirCaller, patients: set[int]) -> None:
    """One `export` event per patient whose data left in the files (bulk-inserted: an
    export of 10,000 patients must not cost 10,000 round trips)."""
    actor = caller.actor
    base = {"actor_id": actor.user_id, "actor_email": actor.email, "actor_role": actor.role,
            "practice_id": job.practice_id, "action": "export", "object_type": "BulkExport",
            "object_id": str(job.pk), "ip": client_ip_var.get(),
            "request_id": request_id_var.get()}
    detail = {"via": "fhir-bulk", "client_id": caller.client_id, "types": job.types,
              "level": job.level, "scopes": job.scopes.split()}
    rows = [AuditEvent(**base, patient_id=pid, detail=detail) for pid in sorted(patients)]
    if not rows:
        rows = [AuditEvent(**base, patient_id=None, detail=detail)]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)


# ---------------------------------------------------------------- retention


def exports_expire(*, export_id: str | None = None) -> int:
    """Delete the files of exports past their retention (and of `export_id` if it is past
    its own); mark them expired. Returns how many were expired."""
    now = timezone.now()
    due = BulkExport.objects.filter(expires__lte=now).exclude(status=BulkExport.Status.EXPIRED)
    # Jobs that never finished (a worker died) are dropped after the retention too.
    stale = now - dt.timedelta(hours=settings.FHIR_EXPORT_RETENTION_HOURS)
    due = due | BulkExport.objects.filter(
        created__lte=stale, status__in=[BulkExport.Status.FAILED, BulkExport.Status.CANCELLED,
                                        BulkExport.Status.QUEUED, BulkExport.Status.RUNNING])
    count = 0
    for job_id in list(due.values_list("pk", flat=True)):
        shutil.rmtree(export_dir(job_id), ignore_errors=True)
        BulkFile.objects.filter(export_id=job_id).delete()
        count += BulkExport.objects.filter(pk=job_id).update(status=BulkExport.Status.EXPIRED)
    return count


def manifest(job: BulkExport, *, file_url: Any) -> dict[str, Any]:
    """The completed export's manifest; `file_url(name)` makes a file's absolute URL."""
    assert job.transaction_time is not None
    return {
        "transactionTime": job.transaction_time.isoformat().replace("+00:00", "Z"),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [{"type": f.resource_type, "url": file_url(f.name), "count": f.count}
                   for f in job.files.all()],
        "error": [],
    }
