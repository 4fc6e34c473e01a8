"""Reads of imports: scoped to the actor's practice (another practice's import is 404) and
audited, since a dry run lists patients."""

from __future__ import annotations

from django.db.models import QuerySet

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.imports.models import PatientImport
from telept.imports.services import _require_importer
from telept.lib.errors import NotFound


def imports_scope(*, actor: Actor) -> QuerySet[PatientImport]:
    _require_importer(actor)
    return PatientImport.objects.filter(practice_id=actor.practice_id)


def imports_recent(*, actor: Actor, limit: int = 20) -> list[PatientImport]:
    """The practice's latest imports: file, who, when, counts (no patient data)."""
    return list(imports_scope(actor=actor).select_related("created_by", "applied_by")
                .defer("records")[:limit])


def import_get(*, actor: Actor, import_id: int) -> PatientImport:
    item = (imports_scope(actor=actor).select_related("created_by", "applied_by")
            .filter(pk=import_id).first())
    if item is None:
        raise NotFound("import")
    audit_record(actor=actor, action="read", object_type="PatientImport", object_id=item.pk,
                 detail={"status": item.status})
    return item
