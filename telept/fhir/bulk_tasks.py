"""Worker tasks of Bulk Data export (Django's task framework; the django-tasks backport on
Django 5.2), run by `manage.py run_worker`. Both are safe to run twice: a run claims its
queued export once, and expiry only deletes what is past its retention."""

from __future__ import annotations

try:  # Django 6 ships the framework; on 5.2 the backport provides the same API.
    from django.tasks import task  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from django_tasks import task

from telept.fhir import bulk


@task()
def bulk_export_run(export_id: str) -> str:
    """Write one export's NDJSON files (queued by the kick-off, on commit)."""
    return bulk.export_run(export_id)


@task()
def bulk_export_expire(export_id: str | None = None) -> int:
    """Delete exports past FHIR_EXPORT_RETENTION_HOURS (queued to run when a finished
    export's retention ends; any run also sweeps every other export that is due)."""
    return bulk.exports_expire(export_id=export_id)
