"""What the visit pages say, in words a person reads: times in the practice's zone for staff
and the patient's own zone for patients, never UTC (Issue 16 item 20); the chart's video
visits card beside completed video visits, and End visit asking first (Issue 16 item 23)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from telept.scheduling.demo import _visit_types
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import Appointment
from telept.scheduling.rules.when import visit_when
from telept.visits import access
from telept.visits.models import ChatMessage, Participant, Visit, VisitEvent
from telept.visits.tests.helpers import video_visit_now

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    found = re.search(r'<span class="visit-title">(.*?)</span>', html, re.S)
    assert found
    return found.group(1)


def test_the_call_header_shows_the_practice_time_to_staff(cast):
    appointment = video_visit_now(cast)
    html = cast.client("pt").get(f"/visits/appointments/{appointment.pk}/open/").content.decode()
    title = _title(html)
    assert visit_when(appointment.start, "America/New_York") in title
    assert "UTC" not in title


def test_the_call_header_shows_the_patient_their_own_time(cast):
    cast.patient.time_zone = "America/Los_Angeles"
    cast.patient.save(update_fields=["time_zone"])
    appointment = video_visit_now(cast)
    html = Client().get(join_link_issue(appointment=appointment, role="patient")).content.decode()
    title = _title(html)
    assert visit_when(appointment.start, "America/Los_Angeles") in title
    assert visit_when(appointment.start, "America/New_York") not in title
    assert "UTC" not in title


def _past_video_visit(cast: Any, *, start: dt.datetime, status: str = "completed") -> Appointment:
    practice = cast.practice
    return Appointment.objects.create(
        practice=practice, provider=cast.users["pt"].provider, patient=cast.patient,
        visit_type=_visit_types(practice)["follow_up"], modality="video", start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        status=status, patient_state="NY")


def test_the_visit_record_shows_the_practice_time(cast):
    start = dt.datetime(2026, 6, 1, 15, 0, tzinfo=dt.UTC)  # 11:00 AM in New York (EDT)
    appointment = _past_video_visit(cast, start=start)
    visit = access.visit_for_appointment(appointment)
    seat = Participant.objects.create(visit=visit, role="patient", display_name="Pat")
    ChatMessage.objects.create(visit=visit, participant=seat, text="hello",
                               sent_at=start + dt.timedelta(minutes=7))
    VisitEvent.objects.create(visit=visit, participant=seat, kind="join",
                              at=start + dt.timedelta(minutes=2, seconds=5))
    html = cast.client("pt").get(f"/visits/appointments/{appointment.pk}/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert heading and "11:00" in heading.group(1) and "UTC" not in heading.group(1)
    assert "(11:07)" in html and "(15:07)" not in html  # the chat line
    assert "11:02:05" in html and "15:02:05" not in html  # the event log
    assert "UTC" not in html


def test_the_chart_lists_completed_video_visits_even_without_a_call_in_the_room(cast):
    """The card showed "No video visits yet" beside completed video appointments: it read
    only visit rooms that had started, and most completed video visits have none (held
    before TelePT, or only marked completed)."""
    start = dt.datetime(2026, 6, 1, 15, 0, tzinfo=dt.UTC)
    _past_video_visit(cast, start=start)
    chart = cast.client("pt").get(f"/patients/{cast.patient.pk}/").content.decode()
    card = chart[chart.index('id="video-visits-heading"'):]
    card = card[:card.index("</section>")]
    assert "No video visits yet" not in card
    assert visit_when(start, "America/New_York") in card
    assert "No call in TelePT" in card


def test_the_chart_card_times_are_in_the_practice_zone(cast):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    appointment = _past_video_visit(cast, start=start)
    visit = access.visit_for_appointment(appointment)
    Visit.objects.filter(pk=visit.pk).update(started_at=start, status="ended",
                                             ended_at=start + dt.timedelta(minutes=20))
    chart = cast.client("pt").get(f"/patients/{cast.patient.pk}/").content.decode()
    card = chart[chart.index('id="video-visits-heading"'):]
    card = card[:card.index("</section>")]
    assert visit_when(start, "America/New_York") in card


def test_end_visit_asks_the_host_before_ending_it_for_everyone(cast):
    appointment = video_visit_now(cast)
    host = cast.client("pt").get(f"/visits/appointments/{appointment.pk}/open/").content.decode()
    dialog = host[host.index('<dialog id="end-dialog"'):host.index("</dialog>")]
    assert "End the visit for everyone?" in dialog
    assert 'data-testid="end-cancel"' in dialog and 'data-testid="end-confirm"' in dialog
    assert 'id="btn-end"' in host and 'id="wb-save"' in host
    patient = Client().get(join_link_issue(appointment=appointment, role="patient"))
    assert b'id="end-dialog"' not in patient.content and b'id="wb-save"' not in patient.content
    desk = cast.client("front_desk").get(f"/visits/appointments/{appointment.pk}/open/")
    assert b'id="end-dialog"' in desk.content and b'id="wb-save"' not in desk.content
