"""The RTM pages: the clinicians' dashboard (live counts, trends, alerts, one-click links),
enrol / unenrol / minutes forms that keep what was typed, the patient's streak and consent;
every view audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.exercises.models import Program, Task
from telept.exercises.recordings.services import recording_feedback, review_token
from telept.rtm import selectors, services
from telept.rtm.models import Enrolment, ManagementEntry
from telept.rtm.tests.helpers import at, enrol, established, recording, session_on

pytestmark = pytest.mark.django_db


def _today(cast) -> dt.date:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(cast.practice.time_zone)).date()


@pytest.fixture
def ready(cast, django_capture_on_commit_callbacks):
    established(cast, django_capture_on_commit_callbacks, days_ago=60)
    return cast


def _days(cast, n: int, *, last_back: int = 1, pains: tuple[int, ...] = (3,)) -> dt.date:
    """n data days ending `last_back` days ago; returns the first."""
    today = _today(cast)
    first = today - dt.timedelta(days=last_back + n - 1)
    for k in range(n):
        session_on(cast, first + dt.timedelta(days=k), pain=pains[min(k, len(pains) - 1)])
    return first


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _proposed(row: str) -> str:
    return re.search(r'data-testid="rtm-proposed"><strong>([^<]*)</strong>', row).group(1)


def _row(page: str, cast) -> str:
    start = page.index(f'data-patient="{cast.patient.pk}"')
    return page[start:page.index("</article>", start)]


# --- the pure helpers -----------------------------------------------------------------------

@pytest.mark.parametrize(("pains", "direction"), [
    ([], ""), ([4], ""), ([3, 5], "rising"), ([5, 3], "falling"), ([3, 4], "steady"),
    ([3, 3, 3, 5, 5, 5], "rising"), ([3, 3, 3, 4, 4, 5], "steady"),
    ([6, 6, 6, 4, 3, 4], "falling"), ([2, 2, 2, 2, 3, 3, 5, 5, 5], "rising"),
])
def test_pain_direction_compares_the_last_three_pain_days_with_the_three_before(pains,
                                                                                 direction):
    days = [(dt.date(2026, 12, 1) + dt.timedelta(days=n), p) for n, p in enumerate(pains)]
    assert selectors.pain_direction(days) == direction


@pytest.mark.parametrize(("backs", "streak"), [
    ((), 0), ((0,), 1), ((1,), 1), ((0, 1, 2), 3), ((1, 2, 3), 3), ((0, 2, 3), 1), ((2, 3), 0),
])
def test_the_streak_counts_data_days_in_a_row_ending_today_or_yesterday(backs, streak):
    today = dt.date(2026, 12, 14)
    days = [today - dt.timedelta(days=b) for b in backs]
    assert selectors.days_in_a_row(days, today=today) == streak


# --- the dashboard --------------------------------------------------------------------------

def test_the_dashboard_shows_data_days_minutes_the_why_sentence_and_the_codes(ready):
    first = _days(ready, 12)
    enrolment = enrol(ready, start=first - dt.timedelta(days=1), kinds=("sessions",))
    services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk, minutes=15,
                            kind="call", note="Called about the program.")
    page = _text(ready.client("pt").get(reverse("rtm:dashboard")))
    row = _row(page, ready)
    assert ready.patient.full_name in row and "12 days" in row
    assert "15 min" in row and "with a real-time interaction" in row
    end = first + dt.timedelta(days=29)
    assert f"12 data days: 98985 so far; needs 4 more by {end:%b} {end.day} for 98977" in row
    assert _proposed(row) == "98975 + 98985 + 98979"
    assert reverse("clinical:thread_new", args=[ready.patient.pk]) in row
    assert f"{reverse('scheduling:book')}?patient={ready.patient.pk}" in row
    event = AuditEvent.objects.filter(object_type="RtmDashboard").latest("id")
    assert event.detail["patients"] == [ready.patient.pk]


def test_the_alerts_no_data_for_three_days_pain_rising_and_a_safety_stop(ready):
    first = _days(ready, 6, last_back=3, pains=(2, 2, 2, 5, 5, 5))
    enrol(ready, start=first, kinds=("sessions", "pain"))
    program = Program.objects.get(patient=ready.patient)
    Task.objects.create(practice=ready.practice, patient=ready.patient, program=program,
                        kind=Task.Kind.SAFETY_STOP, message="Fall during exercise.")
    row = _row(_text(ready.client("pta").get(reverse("rtm:dashboard"))), ready)
    assert "No data for 3 days" in row
    assert "Pain rising (now 5/10)" in row
    assert "Safety stop" in row


def test_reviewing_a_recording_raises_the_minutes_on_the_dashboard_at_once(ready):
    first = _days(ready, 3)
    enrolment = enrol(ready, start=first, kinds=("sessions", "recordings"))
    services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk, minutes=9,
                            kind="call", note="Weekly call.")
    rec = recording(ready, at(ready, _today(ready) - dt.timedelta(days=1), 10))
    client = ready.client("pt")
    row = _row(_text(client.get(reverse("rtm:dashboard"))), ready)
    assert "9 min" in row and _proposed(row) == "98975 + 98985"
    assert f'href="{reverse("exercises:recording_review", args=[rec.pk])}"' in row
    opened = timezone.now() - dt.timedelta(minutes=2)
    token = review_token(actor=ready.actor("pt"), recording_id=rec.pk, now=opened)
    recording_feedback(actor=ready.actor("pt"), recording_id=rec.pk, feedback="Deeper.",
                       token=token)
    row = _row(_text(client.get(reverse("rtm:dashboard"))), ready)  # within a minute
    assert "11 min" in row and _proposed(row) == "98975 + 98985 + 98979"


def test_a_patient_waiting_for_consent_is_listed_without_counts(ready):
    enrol(ready, start=_today(ready), consent=False)
    row = _row(_text(ready.client("admin").get(reverse("rtm:dashboard"))), ready)
    assert "Waiting for the patient's RTM consent" in row


@pytest.mark.parametrize("role", ["front_desk", "billing", "patient"])
def test_the_dashboard_is_for_clinicians(ready, role):
    assert ready.client(role).get(reverse("rtm:dashboard")).status_code == 403


def test_the_outsider_practice_sees_neither_the_patient_nor_their_enrolment(ready):
    enrolment = enrol(ready, start=_today(ready))
    client = ready.client("outsider_pt")
    assert client.get(reverse("rtm:patient", args=[ready.patient.pk])).status_code == 404
    response = client.post(reverse("rtm:minutes", args=[enrolment.pk]),
                           {"minutes": "5", "kind": "call", "note": "x"})
    assert response.status_code == 404
    assert ready.patient.full_name not in _text(client.get(reverse("rtm:dashboard")))


# --- a patient's page and its forms ---------------------------------------------------------

def test_the_patient_page_lists_periods_and_management_time_and_is_audited(ready):
    first = _days(ready, 2)
    enrolment = enrol(ready, start=first)
    services.management_add(actor=ready.actor("pt"), enrolment_id=enrolment.pk, minutes=7,
                            kind="log_review", note="Read the pain diary.")
    page = _text(ready.client("pt").get(reverse("rtm:patient", args=[ready.patient.pk])))
    assert "Read the pain diary." in page and "7 min" in page
    assert "2 data days: 98985 so far" in page
    assert AuditEvent.objects.filter(object_type="RtmPatient", patient_id=ready.patient.pk,
                                     action="read").exists()


def test_enrolling_keeps_what_was_typed_and_names_the_field_at_fault(ready):
    url = reverse("rtm:enrol", args=[ready.patient.pk])
    client = ready.client("pt")
    form = _text(client.get(url))
    plan = re.search(r'<option value="(\d+)" selected>Initial evaluation', form).group(1)
    today = _today(ready)
    data = {"plan_of_care": plan, "diagnosis_code": "M17.11", "goals": "Kneel to garden.",
            "data_kinds": ["sessions", "camera"], "start": today.isoformat(),
            "end_date": (today - dt.timedelta(days=1)).isoformat()}
    response = client.post(url, data)
    page = _text(response)
    assert response.status_code == 400
    assert "The end date is on or after the start." in page
    assert "Kneel to garden." in page and 'value="camera" id="id_data_kinds_2" checked' \
        in page.replace('type="checkbox" name="data_kinds" ', "")
    data["end_date"] = (today + dt.timedelta(days=400)).isoformat()
    page = _text(client.post(url, data))
    assert "An RTM episode is at most a year" in page and "Kneel to garden." in page
    data["end_date"] = (today + dt.timedelta(days=60)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(patient=ready.patient)
    assert enrolment.goals == "Kneel to garden." and enrolment.data_kinds == ["sessions",
                                                                             "camera"]


def test_only_a_pt_enrols(ready):
    for role in ("pta", "admin"):
        assert ready.client(role).get(
            reverse("rtm:enrol", args=[ready.patient.pk])).status_code == 403


def test_unenrolling_needs_a_reason(ready):
    enrolment = enrol(ready, start=_today(ready))
    client = ready.client("pt")
    url = reverse("rtm:unenrol", args=[enrolment.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "Say why the patient leaves RTM." in _text(response)
    assert client.post(url, {"reason": "Discharged: goals met."}).status_code == 302
    enrolment.refresh_from_db()
    assert not enrolment.active and enrolment.unenrol_reason == "Discharged: goals met."
    page = _text(client.get(reverse("rtm:patient", args=[ready.patient.pk])))
    assert "Discharged: goals met." in page and "is not enrolled" in page


def test_minutes_keep_what_was_typed_and_count_toward_the_month(ready):
    from telept.rtm.tests.helpers import pta_provider

    pta_provider(ready)
    enrolment = enrol(ready, start=_today(ready) - dt.timedelta(days=3))
    client = ready.client("pta")
    url = reverse("rtm:minutes", args=[enrolment.pk])
    response = client.post(url, {"minutes": "200", "kind": "call", "note": "Long call."})
    page = _text(response)
    assert response.status_code == 400 and "Minutes are 1 to 120." in page
    assert "Long call." in page and 'value="200"' in page
    response = client.post(url, {"minutes": "12", "kind": "call", "note": ""})
    assert response.status_code == 400 and "Say what was done in those minutes." in _text(
        response)
    assert client.post(url, {"minutes": "12", "kind": "call",
                             "note": "Called: progressed the squat."}).status_code == 302
    entry = ManagementEntry.objects.get(enrolment=enrolment)
    assert entry.pta and entry.interactive and entry.seconds == 720
    page = _text(ready.client("pt").get(reverse("rtm:patient", args=[ready.patient.pk])))
    assert "12 minutes, with a real-time interaction: 98979" in page


# --- the patient's own pages ----------------------------------------------------------------

def test_the_patient_reads_and_gives_consent_in_the_portal(ready):
    enrolment = enrol(ready, start=_today(ready), consent=False)
    client = ready.client("patient")
    assert "Read and give your consent" in _text(client.get(reverse("rtm:portal")))
    url = reverse("rtm:portal_consent")
    page = _text(client.get(url))
    assert services.CONSENT_TEXT in page and services.CONSENT_VERSION in page
    response = client.post(url, {"version": services.CONSENT_VERSION,
                                 "signer": "Pat Patient"})
    page = _text(response)
    assert response.status_code == 400 and "Tick the box to give your consent." in page
    assert 'value="Pat Patient"' in page
    response = client.post(url, {"version": services.CONSENT_VERSION, "signer": "Pat Patient",
                                 "agree": "on"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.consent_signer == "Pat Patient"
    assert enrolment.consent_version == services.CONSENT_VERSION
    assert abs((timezone.now() - enrolment.consent_at).total_seconds()) < 60
    assert enrolment.consent_recorded_by == ready.users["patient"]
    assert "You gave your consent on" in _text(client.get(url))


def test_the_patient_sees_their_streak_and_what_was_asked_this_week(ready):
    today = _today(ready)
    first = today - dt.timedelta(days=4)
    enrol(ready, start=first, kinds=("sessions",))
    for back in (4, 2, 1):
        session_on(ready, today - dt.timedelta(days=back))
    from telept.exercises.models import Exercise, ProgramItem

    program = Program.objects.get(patient=ready.patient)
    ProgramItem.objects.create(program=program, reps=10, sets=2, days_per_week=5,
                               exercise=Exercise.objects.get(practice__isnull=True,
                                                             slug="quad-set"))
    page = _text(ready.client("patient").get(reverse("rtm:portal")))
    assert re.search(r'data-testid="rtm-in-a-row"><strong>2</strong> days', page)
    assert re.search(r'data-testid="rtm-period-days"><strong>3</strong> since', page)
    assert "Thigh tightening (quad set)" in page and "2 × 10 reps" in page
    assert AuditEvent.objects.filter(object_type="RtmPortal",
                                     patient_id=ready.patient.pk).exists()


def test_another_patient_sees_only_their_own_monitoring(ready):
    enrol(ready, start=_today(ready), consent=False)
    client = ready.client("other_patient")
    page = _text(client.get(reverse("rtm:portal")))
    assert "has not started remote monitoring with you" in page
    page = _text(client.get(reverse("rtm:portal_consent")))
    assert "nothing to consent to" in page
