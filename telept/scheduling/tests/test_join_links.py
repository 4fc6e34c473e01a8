"""Join links: one appointment, one participant, usable from 30 minutes before the start to
2 hours after the end, revocable by staff, with no patient data in the URL."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.test import Client

from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.scheduling import links
from telept.scheduling.models import Appointment, JoinLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(cast, clinic):
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=20)
    return Appointment.objects.create(
        practice=cast.practice, provider=clinic.provider, patient=cast.patient,
        visit_type=clinic.types["follow_up"], modality="video", start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40))


def _token(url: str) -> str:
    return urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]


def test_the_link_names_no_patient_and_opens_the_visit_page(cast, visit):
    url = links.join_url_for(visit)
    patient = cast.patient
    segments = urlparse(url).path.strip("/").split("/")
    assert segments[0] == "join" and len(segments) == 2 and len(segments[1]) >= 32
    assert not urlparse(url).query
    for private in (patient.first_name, patient.last_name, patient.mrn):
        assert private not in url
    response = Client().get(urlparse(url).path)
    assert response.status_code == 200
    assert patient.last_name not in response.content.decode()
    link = JoinLink.objects.get()
    assert link.role == "patient" and link.user == cast.users["patient"]
    assert _token(url) not in link.token_hash


@pytest.mark.parametrize("offset, ok", [
    (dt.timedelta(minutes=-31), False), (dt.timedelta(minutes=-30), True),
    (dt.timedelta(0), True), (dt.timedelta(minutes=30 + 120), True),
    (dt.timedelta(minutes=30 + 121), False),
])
def test_a_link_works_only_from_30_minutes_before_to_2_hours_after(visit, offset, ok):
    raw = _token(links.join_url_for(visit))
    now = visit.start + offset
    if ok:
        assert links.join_link_check(raw=raw, now=now).appointment == visit
    else:
        with pytest.raises(DomainError) as refused:
            links.join_link_check(raw=raw, now=now)
        assert refused.value.code in {"too_early", "link_expired"}


def test_staff_revoke_every_link_of_a_visit(cast, visit):
    raw = _token(links.join_url_for(visit))
    assert links.join_links_revoke(actor=cast.actor("front_desk"), appointment_id=visit.pk) == 1
    with pytest.raises(DomainError) as refused:
        links.join_link_check(raw=raw, now=visit.start)
    assert refused.value.code == "link_revoked"
    page = Client().get(f"/join/{raw}/")
    assert 400 <= page.status_code < 500 and b'data-code="link_revoked"' in page.content


def test_only_schedulers_of_the_practice_revoke(cast, visit):
    with pytest.raises(PermissionDenied):
        links.join_links_revoke(actor=cast.actor("billing"), appointment_id=visit.pk)
    with pytest.raises(NotFound):
        links.join_links_revoke(actor=cast.actor("outsider_pt"), appointment_id=visit.pk)


def test_a_cancelled_visit_or_an_unknown_token_opens_nothing(cast, visit):
    raw = _token(links.join_url_for(visit))
    visit.status, visit.cancelled = "cancelled", True
    visit.save()
    with pytest.raises(DomainError, match="cancelled"):
        links.join_link_check(raw=raw, now=visit.start)
    assert Client().get("/join/not-a-token/").status_code == 404


def test_in_person_visits_get_no_link(cast, visit):
    visit.modality = "in_person"
    with pytest.raises(DomainError):
        links.join_link_issue(appointment=visit, role="patient")
