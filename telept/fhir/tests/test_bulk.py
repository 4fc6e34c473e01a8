"""Bulk Data export end to end: kick-off, the worker (`manage.py run_worker`, as the other
worker tests run it), status polling, the manifest, NDJSON files that parse as their type,
_type/_since, ownership, cancel, and the retention task."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from telept.accounts.services import api_token_create
from telept.audit.models import AuditEvent
from telept.fhir import bulk
from telept.fhir.bulk_models import BulkExport
from telept.fhir.smart import backend_client_register
from telept.fhir.tests.smart_keys import assertion, jwks_of, rsa_key, token_form

pytestmark = pytest.mark.django_db
TOKEN_URL = "http://testserver/fhir/R4/auth/token"
ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path, monkeypatch) -> Path:
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # keep the test tx
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.FHIR_EXPORT_DIR = tmp_path / "exports"
    return tmp_path / "exports"


def _backend_token(cast, practice=None, scopes: str = "system/*.rs") -> str:
    key = rsa_key()
    client = backend_client_register(practice_id=(practice or cast.practice).pk,
                                     name="Warehouse", jwks=jwks_of((key, "k1")),
                                     allowed_scopes=scopes)
    signed = assertion(client_id=client.client_id, token_url=TOKEN_URL, key=key, kid="k1")
    response = Client().post("/fhir/R4/auth/token", token_form(signed, scopes))
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def _get(token: str, url: str, **headers):
    return Client().get(url, headers={"Authorization": f"Bearer {token}", **headers})


def _worker() -> None:
    call_command("run_worker", "--max-loops", "1", "--interval", "0", "--due-every", "3600",
                 stdout=StringIO())


def _kickoff(token: str, url: str, capture) -> str:
    with capture(execute=True):
        response = _get(token, url, **ASYNC)
    assert response.status_code == 202, response.content
    return str(response["Content-Location"])


def _lines(token: str, manifest: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for entry in manifest["output"]:
        response = _get(token, entry["url"])
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+ndjson"
        text = b"".join(response.streaming_content).decode()
        rows = [json.loads(line) for line in text.splitlines()]
        assert len(rows) == entry["count"]
        for row in rows:  # every line parses as its resource type (fhir.resources R4B)
            assert row["resourceType"] == entry["type"]
            get_fhir_model_class(entry["type"]).model_validate(row)
        out.setdefault(entry["type"], []).extend(rows)
    return out


def test_a_system_export_runs_in_the_worker_and_every_line_parses(
        cast, django_capture_on_commit_callbacks, export_dir):
    token = _backend_token(cast)
    status_url = _kickoff(token, "/fhir/R4/$export", django_capture_on_commit_callbacks)
    waiting = _get(token, status_url)
    assert waiting.status_code == 202 and waiting["X-Progress"]
    _worker()
    done = _get(token, status_url)
    assert done.status_code == 200, done.content
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    assert manifest["request"].endswith("/fhir/R4/$export")
    assert dt.datetime.fromisoformat(manifest["transactionTime"].replace("Z", "+00:00"))
    rows = _lines(token, manifest)
    assert {r["id"] for r in rows["Patient"]} == {str(cast.patient.pk),
                                                 str(cast.other_patient.pk)}
    assert all(r["beneficiary"]["reference"] != f"Patient/{cast.outsider_patient.pk}"
               for r in rows["Coverage"])
    assert rows["Organization"][0]["name"] == cast.practice.name
    # Private: under FHIR_EXPORT_DIR, one folder per job, not under static or media.
    job = BulkExport.objects.get()
    assert sorted(p.name for p in (export_dir / str(job.pk)).iterdir()) == \
        sorted(f"{e['type']}.1.ndjson" for e in manifest["output"])
    # Audited: one export event per patient in the files, naming the client.
    events = AuditEvent.objects.filter(action="export", object_type="BulkExport",
                                       object_id=str(job.pk))
    assert set(events.values_list("patient_id", flat=True)) == {cast.patient.pk,
                                                              cast.other_patient.pk}
    assert events.first().detail["client_id"] == job.client.client_id
    downloads = AuditEvent.objects.filter(object_type="BulkFile", object_id=str(job.pk))
    assert {e.detail["file"] for e in downloads} == {f"{e['type']}.1.ndjson"
                                                     for e in manifest["output"]}


def test_only_the_same_client_reads_the_status_and_the_files(
        cast, django_capture_on_commit_callbacks):
    token = _backend_token(cast)
    status_url = _kickoff(token, "/fhir/R4/$export?_type=Patient",
                          django_capture_on_commit_callbacks)
    _worker()
    file_url = _get(token, status_url).json()["output"][0]["url"]
    other_client = _backend_token(cast)
    _, personal = api_token_create(user=cast.users["admin"], name="admin script")
    for stranger in (other_client, personal, _backend_token(cast, cast.outsider_practice)):
        for url in (status_url, file_url):
            response = _get(stranger, url)
            assert response.status_code == 404, (url, response.content)
            assert response.json()["resourceType"] == "OperationOutcome"
    assert Client().get(file_url).status_code == 401


def test_type_since_group_and_patient_level(cast, django_capture_on_commit_callbacks):
    token = _backend_token(cast)
    future = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = _kickoff(token, f"/fhir/R4/$export?_type=Patient,Condition&_since={future}",
                   django_capture_on_commit_callbacks)
    _worker()
    manifest = _get(token, url).json()
    assert {e["type"] for e in manifest["output"]} <= {"Patient", "Condition"}
    assert sum(e["count"] for e in manifest["output"]) == 0  # nothing changed since

    group = bulk.group_id_of(cast.practice.pk)
    group_read = _get(token, f"/fhir/R4/Group/{group}")
    assert group_read.status_code == 200 and group_read.json()["quantity"] == 2
    url = _kickoff(token, f"/fhir/R4/Group/{group}/$export?_type=Patient",
                   django_capture_on_commit_callbacks)
    _worker()
    rows = _lines(token, _get(token, url).json())
    assert len(rows["Patient"]) == 2
    outsider_group = bulk.group_id_of(cast.outsider_practice.pk)
    assert _get(token, f"/fhir/R4/Group/{outsider_group}/$export", **ASYNC).status_code \
        == 404
    # A patient's personal token exports their own record only.
    _, mine = api_token_create(user=cast.users["patient"], name="my export")
    url = _kickoff(mine, "/fhir/R4/Patient/$export", django_capture_on_commit_callbacks)
    _worker()
    rows = _lines(mine, _get(mine, url).json())
    assert [r["id"] for r in rows["Patient"]] == [str(cast.patient.pk)]
    assert "Organization" not in rows  # patient level: the patient compartment only


def test_kick_off_refusals_are_operation_outcomes(cast):
    token = _backend_token(cast, scopes="system/Patient.rs")
    cases = [
        ("/fhir/R4/$export", {}, 400),                                   # no Prefer
        ("/fhir/R4/$export?_type=Observation", ASYNC, 403),               # scope
        ("/fhir/R4/$export?_type=Nope", ASYNC, 400),
        ("/fhir/R4/$export?_since=yesterday", ASYNC, 400),
        ("/fhir/R4/$export?_outputFormat=text/csv", ASYNC, 400),
        ("/fhir/R4/$export?_typeFilter=Patient%3Factive%3Dtrue", ASYNC, 400),
        ("/fhir/R4/Patient/$export?_type=Organization", ASYNC, 400),
    ]
    for url, headers, status in cases:
        response = _get(token, url, **headers)
        assert response.status_code == status, (url, response.content)
        assert response.json()["resourceType"] == "OperationOutcome"
    assert Client().get("/fhir/R4/$export", headers=ASYNC).status_code == 401
    assert not BulkExport.objects.exists()


def test_delete_cancels_and_one_export_runs_at_a_time(
        cast, django_capture_on_commit_callbacks, export_dir):
    token = _backend_token(cast)
    url = _kickoff(token, "/fhir/R4/$export", django_capture_on_commit_callbacks)
    second = _get(token, "/fhir/R4/$export", **ASYNC)
    assert second.status_code == 429
    deleted = Client().delete(url, headers={"Authorization": f"Bearer {token}"})
    assert deleted.status_code == 202
    assert _get(token, url).status_code == 404
    _worker()  # the queued run finds the job cancelled and writes nothing
    assert BulkExport.objects.get().status == BulkExport.Status.CANCELLED
    assert not list(export_dir.rglob("*.ndjson"))


def test_files_are_deleted_after_the_retention_period(
        cast, django_capture_on_commit_callbacks, export_dir, settings):
    from django_tasks_db.models import DBTaskResult

    token = _backend_token(cast)
    url = _kickoff(token, "/fhir/R4/$export?_type=Patient", django_capture_on_commit_callbacks)
    _worker()
    manifest = _get(token, url).json()
    job = BulkExport.objects.get()
    assert job.expires == pytest.approx(
        job.finished + dt.timedelta(hours=settings.FHIR_EXPORT_RETENTION_HOURS),
        abs=dt.timedelta(seconds=5))
    expiry = DBTaskResult.objects.get(task_path="telept.fhir.bulk_tasks.bulk_export_expire")
    assert expiry.run_after == pytest.approx(job.expires, abs=dt.timedelta(seconds=5))
    assert list(export_dir.rglob("*.ndjson"))
    # Retention ends: the scheduled task (made due now) deletes the files.
    BulkExport.objects.filter(pk=job.pk).update(expires=timezone.now())
    DBTaskResult.objects.filter(pk=expiry.pk).update(run_after=timezone.now())
    _worker()
    assert BulkExport.objects.get().status == BulkExport.Status.EXPIRED
    assert not list(export_dir.rglob("*.ndjson"))
    assert _get(token, manifest["output"][0]["url"]).status_code == 404
    assert _get(token, url).status_code == 404
