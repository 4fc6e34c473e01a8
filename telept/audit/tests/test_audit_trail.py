"""The audit trail: the expected event for each read and write, append-only at the database,
browsable and exportable by practice admins only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from telept.audit.models import AuditEvent
from telept.patients import selectors, services

pytestmark = pytest.mark.django_db


def _new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_reading_a_chart_leaves_exactly_one_read_event(cast):
    before = _last_id()
    response = cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]),
                                      HTTP_X_REQUEST_ID="req-123", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    events = _new_events(before)
    assert [(e.action, e.object_type, e.patient_id) for e in events] == [
        ("read", "Patient", cast.patient.pk)]
    event = events[0]
    assert event.actor_id == cast.users["pt"].pk and event.actor_role == "pt"
    assert event.practice_id == cast.practice.pk
    assert (event.ip, event.request_id) == ("10.0.0.7", "req-123")


def test_a_search_leaves_one_list_event_naming_what_was_shown(cast):
    before = _last_id()
    rows, _ = selectors.patient_search(actor=cast.actor("front_desk"),
                                       query=cast.patient.last_name)
    [event] = _new_events(before)
    assert event.action == "list" and event.detail["shown"] == [p.pk for p in rows]


def test_an_update_is_audited_with_the_changed_fields_in_the_same_transaction(cast):
    before = _last_id()
    services.patient_update(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                            changes={"city": "Albany", "first_name": cast.patient.first_name})
    events = _new_events(before)
    assert [(e.action, e.object_type) for e in events] == [("read", "Patient"),
                                                           ("update", "Patient")]
    assert events[1].detail == {"fields": ["city"]}


def test_a_failed_write_leaves_no_audit_event_and_no_change(cast):
    before = _last_id()
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the point is the rollback
        services.patient_update(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                changes={"city": "Albany", "phone": "not a phone"})
    cast.patient.refresh_from_db()
    assert cast.patient.city != "Albany"
    assert _new_events(before) == []


def test_creating_records_is_audited(cast):
    before = _last_id()
    actor = cast.actor("pt")
    patient = services.patient_create(actor=actor, data=services.PatientInput(
        first_name="Ana", last_name="Diaz", date_of_birth=dt.date(1980, 2, 2)))
    services.diagnosis_add(actor=actor, patient_id=patient.pk, code="m5450",
                           description="Low back pain")
    actions = [(e.action, e.object_type) for e in _new_events(before)]
    assert actions == [("create", "Patient"), ("read", "Patient"), ("create", "Diagnosis")]


def test_the_database_refuses_to_update_an_audit_row(cast):
    services.patient_create(actor=cast.actor("pt"), data=services.PatientInput(
        first_name="A", last_name="B", date_of_birth=dt.date(1990, 1, 1)))
    event_id = _last_id()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_email = %s WHERE id = %s",
                       ["forged@example.test", event_id])
    assert AuditEvent.objects.get(pk=event_id).actor_email != "forged@example.test"


def test_the_database_refuses_to_delete_an_audit_row(cast):
    cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count


def test_admins_filter_the_trail_of_their_own_practice_only(cast):
    cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    cast.client("outsider_pt").get(reverse("patients:chart", args=[cast.outsider_patient.pk]))
    page = cast.client("admin").get(reverse("audit:list"), {"action": "read"})
    body = page.content.decode()
    assert page.status_code == 200
    assert cast.users["pt"].email in body and cast.users["outsider_pt"].email not in body


def test_the_csv_export_is_filtered_scoped_and_itself_audited(cast):
    cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    cast.client("pt").get(reverse("patients:chart", args=[cast.other_patient.pk]))
    cast.client("outsider_pt").get(reverse("patients:chart", args=[cast.outsider_patient.pk]))
    response = cast.client("admin").get(reverse("audit:export"),
                                        {"patient_id": cast.patient.pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows and {r["patient_id"] for r in rows} == {str(cast.patient.pk)}
    assert AuditEvent.objects.filter(action="export", actor_id=cast.users["admin"].pk).exists()


@pytest.mark.parametrize("role", ["pt", "pta", "front_desk", "billing", "patient"])
def test_only_admins_read_the_audit_trail(cast, role):
    assert cast.client(role).get(reverse("audit:list")).status_code == 403
    assert cast.client(role).get(reverse("audit:export")).status_code == 403
