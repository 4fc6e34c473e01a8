"""The RTM API: the stable period shape, counts live mid-period, scope and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from telept.accounts.services import api_token_create
from telept.audit.models import AuditEvent
from telept.billing.tests.helpers import appointment
from telept.rtm import services
from telept.rtm.tests.helpers import at, enrol, established, sessions
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db
TODAY = local_today()


def client(cast, role):
    return Client(HTTP_AUTHORIZATION="Bearer " + api_token_create(user=cast.users[role],
                                                                  name="t")[1])


@pytest.fixture
def enrolled(cast, django_capture_on_commit_callbacks):
    established(cast, django_capture_on_commit_callbacks)
    enrolment = enrol(cast, start=TODAY - dt.timedelta(days=11))
    sessions(cast, TODAY - dt.timedelta(days=11), 12)  # 12 data days, through today
    appointment(cast, cast.patient, days_ago=0.01, modality="video")
    services.management_add(actor=cast.actor("pt"), enrolment_id=enrolment.pk, minutes=14,
                            kind="log_review", note="Reviewed the logs.",
                            occurred_at=at(cast, TODAY, 0))
    return enrolment


def test_periods_have_the_stable_fields_and_are_counted_live(cast, enrolled):
    response = client(cast, "pt").get("/api/v1/rtm/periods",
                                      {"patient_id": cast.patient.pk, "clock": "data"})
    assert response.status_code == 200, response.content
    [period] = response.json()["items"]
    assert {"id", "patient_id", "start", "end", "data_days", "management_minutes",
            "interactive", "proposed_codes"} <= period.keys()
    assert period["patient_id"] == cast.patient.pk
    assert period["start"] == (TODAY - dt.timedelta(days=11)).isoformat()
    assert period["end"] == (TODAY + dt.timedelta(days=18)).isoformat()
    assert period["data_days"] == 12
    assert period["proposed_codes"] == [{"code": "98975", "units": 1},
                                        {"code": "98985", "units": 1}]
    assert period["why"].startswith("12 data days: 98985 so far; needs 4 more by ")
    month = client(cast, "pt").get("/api/v1/rtm/periods", {"clock": "month"}).json()["items"]
    this_month = next(p for p in month if p["start"] <= TODAY.isoformat() <= p["end"])
    assert this_month["management_minutes"] == 14 and this_month["interactive"] is True
    assert this_month["proposed_codes"] == [{"code": "98979", "units": 1}]


def test_the_patient_lists_their_own_enrolment_with_its_consent(cast, enrolled):
    body = client(cast, "patient").get("/api/v1/rtm/enrolments").json()
    [item] = body["items"]
    assert item["id"] == enrolled.pk and item["active"] is True
    assert item["consent"]["version"] == services.CONSENT_VERSION
    assert client(cast, "other_patient").get("/api/v1/rtm/enrolments").json()["items"] == []
    assert client(cast, "outsider_pt").get("/api/v1/rtm/periods").json()["items"] == []


def test_front_desk_reads_no_monitoring_data(cast, enrolled):
    response = client(cast, "front_desk").get("/api/v1/rtm/periods")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_every_read_is_audited(cast, enrolled):
    client(cast, "billing").get("/api/v1/rtm/periods", {"patient_id": cast.patient.pk})
    event = AuditEvent.objects.filter(object_type="RtmPeriod", action="list").latest("id")
    assert event.actor_role == "billing" and event.detail["patient"] == cast.patient.pk
    assert event.detail["shown"]


def test_a_bad_filter_is_a_422_not_a_500(cast, enrolled):
    response = client(cast, "pt").get("/api/v1/rtm/periods", {"clock": "week"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"


@pytest.mark.parametrize("path", ["/api/v1/rtm/periods", "/api/v1/rtm/enrolments"])
def test_a_patient_id_too_large_for_the_database_is_a_422_not_a_500(cast, enrolled, path):
    """CI's schemathesis run found GET /api/v1/rtm/periods?patient_id=218257999549899254792192
    answering 500: SQLite cannot hold the integer (PostgreSQL refuses it too)."""
    response = client(cast, "pt").get(path, {"patient_id": "218257999549899254792192"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
