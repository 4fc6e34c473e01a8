"""Bringing a practice's patients in: upload (parse + dry run), apply (one transaction).

Who: the practice admin and the front desk (`IMPORTERS`). Both are patient editors
(`accounts.roles.PATIENT_EDITORS`: they register patients and their coverage every day);
an import is an administrative job, so the clinicians who are editors too (PT, PTA) use
the chart instead, and billing, who may change coverage but not demographics, cannot run an
import that creates patients. Diagnoses follow `patients.services.diagnosis_add`: the front
desk's import refuses rows that would add one (the admin's adds them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.imports.fhir_bundle import bundle_records
from telept.imports.models import PatientImport
from telept.imports.plan import plan_build, plan_execute
from telept.imports.records import Parsed, Record, csv_records
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied

IMPORTERS = frozenset({Role.ADMIN, Role.FRONT_DESK})
# An import not applied within this time expires: its parsed rows are cleared.
IMPORT_KEEP = dt.timedelta(hours=24)


def _require_importer(actor: Actor) -> None:
    if actor.role not in IMPORTERS:
        raise PermissionDenied("Only the practice admin and the front desk import patients.")


def import_expired(item: PatientImport, *, now: dt.datetime | None = None) -> bool:
    return item.status == PatientImport.Status.EXPIRED or (
        item.status == PatientImport.Status.PLANNED
        and item.created_at < (now or timezone.now()) - IMPORT_KEEP)


def imports_expire(*, now: dt.datetime | None = None) -> int:
    """Clear the parsed rows and dry runs of imports left unapplied past `IMPORT_KEEP`."""
    cutoff = (now or timezone.now()) - IMPORT_KEEP
    return PatientImport.objects.filter(status=PatientImport.Status.PLANNED,
                                        created_at__lt=cutoff).update(
        status=PatientImport.Status.EXPIRED, records=[], plan={})


def _parse(kind: str, data: bytes) -> Parsed:
    return csv_records(data) if kind == PatientImport.Kind.CSV else bundle_records(data)


@transaction.atomic
def import_upload(*, actor: Actor, kind: str, file_name: str, data: bytes) -> PatientImport:
    """Parse the file and store its rows and dry run; nothing about patients changes.
    Raises ImportFileError (a ValueError) when the file cannot be read at all."""
    _require_importer(actor)
    imports_expire()
    parsed = _parse(kind, data)
    plan = plan_build(actor=actor, records=parsed.records)
    plan["notices"] = parsed.notices
    item = PatientImport.objects.create(
        practice_id=actor.practice_id, created_by=actor.user, kind=kind,
        file_name=file_name[:200], file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data), records=[r.as_json() for r in parsed.records], plan=plan)
    audit_record(actor=actor, action="read", object_type="PatientImport", object_id=item.pk,
                 detail={"purpose": "dry run", "rows": len(parsed.records),
                         "matched_patients": plan["matched"], **plan["counts"]})
    return item


class PlanChanged(Conflict):
    def __init__(self) -> None:
        super().__init__("import_plan_changed", "The practice's records changed since this "
                         "dry run (someone edited or added a patient), so nothing was "
                         "imported. The dry run below is up to date: check it and apply again.")


def import_apply(*, actor: Actor, import_id: int) -> PatientImport:
    """Apply the dry run in one transaction: it is built again under a lock on the import,
    and applied only if it equals the one shown; any failure rolls everything back. Applying
    an import already applied does nothing (a second click, a reloaded form)."""
    _require_importer(actor)
    try:
        with transaction.atomic():
            return _apply(actor=actor, import_id=import_id)
    except PlanChanged:
        _replan(actor=actor, import_id=import_id)
        raise
    except IntegrityError as exc:  # a patient with one of these MRNs was added meanwhile
        _replan(actor=actor, import_id=import_id)
        raise PlanChanged() from exc


def _locked(actor: Actor, import_id: int) -> PatientImport:
    item = (PatientImport.objects.select_for_update()
            .filter(pk=import_id, practice_id=actor.practice_id).first())
    if item is None:
        raise NotFound("import")
    return item


def _apply(*, actor: Actor, import_id: int) -> PatientImport:
    item = _locked(actor, import_id)
    if item.status == PatientImport.Status.APPLIED:
        return item
    if import_expired(item):
        raise DomainError("import_expired", "This dry run expired (imports are kept for "
                          f"{IMPORT_KEEP.total_seconds() / 3600:.0f} hours); upload the file "
                          "again.")
    records = [Record.from_json(r) for r in item.records]
    shown = {k: v for k, v in item.plan.items() if k != "notices"}
    plan = plan_build(actor=actor, records=records)
    if plan != shown:
        raise PlanChanged()
    plan_execute(actor=actor, plan=plan)
    plan["notices"] = item.plan.get("notices", [])
    item.plan, item.records = plan, []
    item.status, item.applied_at, item.applied_by = (PatientImport.Status.APPLIED,
                                                     timezone.now(), actor.user)
    item.save(update_fields=["plan", "records", "status", "applied_at", "applied_by"])
    counts: dict[str, Any] = plan["counts"]
    audit_record(actor=actor, action="create", object_type="PatientImport", object_id=item.pk,
                 detail={"kind": item.kind, "file_sha256": item.file_sha256,
                         "created": counts["create"], "updated": counts["update"],
                         "unchanged": counts["unchanged"], "refused": counts["refused"]})
    return item


@transaction.atomic
def _replan(*, actor: Actor, import_id: int) -> None:
    item = _locked(actor, import_id)
    if item.status != PatientImport.Status.PLANNED:
        return
    plan = plan_build(actor=actor, records=[Record.from_json(r) for r in item.records])
    plan["notices"] = item.plan.get("notices", [])
    item.plan = plan
    item.save(update_fields=["plan"])
    audit_record(actor=actor, action="read", object_type="PatientImport", object_id=item.pk,
                 detail={"purpose": "dry run again", "matched_patients": plan["matched"],
                         **plan["counts"]})
