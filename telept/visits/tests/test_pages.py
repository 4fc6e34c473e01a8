"""The visit pages and the page-key endpoints, through Django's test client."""

from __future__ import annotations

import base64
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from telept.audit.models import AuditEvent
from telept.patients.models import Consent
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import JoinLink
from telept.visits import access
from telept.visits.models import Participant, Visit, WhiteboardSnapshot
from telept.visits.tests.helpers import video_visit_now

pytestmark = pytest.mark.django_db
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
                       "hKmMIQAAAABJRU5ErkJggg==")


def _config(html: str) -> dict:
    found = re.search(r'data-config="([^"]+)"', html)
    assert found
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _open(client: Client, url: str) -> tuple[str, dict]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, _config(html)


def test_the_join_link_opens_the_visit_page_with_the_testable_contract(cast):
    appointment = video_visit_now(cast)
    html, config = _open(Client(), join_link_issue(appointment=appointment, role="patient"))
    assert html.count("<main") == 1 and '<main id="visit" data-call-state="device-check"' in html
    assert 'data-testid="join"' in html and config["role"] == "patient" and not config["host"]
    assert "Which state are you in right now?" in html  # licensure: asked every visit
    seat = Participant.objects.get(pk=config["pid"])
    assert seat.visit.appointment == appointment and seat.status == "new"


def test_a_patient_without_consent_signs_it_on_the_pre_join_page(cast):
    appointment = video_visit_now(cast)
    Consent.objects.filter(patient=cast.patient).delete()
    client = Client()
    html, config = _open(client, join_link_issue(appointment=appointment, role="patient"))
    assert "Consent to telehealth" in html
    refused = client.post(config["readyUrl"], {"state": "NY", "located_at": "home"},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "consent_required"
    ok = client.post(config["readyUrl"], {"state": "NJ", "located_at": "home", "consent": True,
                                          "signer": "Pat Doe"}, content_type="application/json")
    assert ok.status_code == 200
    # The answer carries the first WebSocket ticket (joining saves a round trip).
    issued = ok.json()["ticket"]
    assert issued["wsPath"] == f"/ws/visits/{config['visit']}/"
    assert access.ws_ticket_check(raw=issued["ticket"],
                                  visit_id=config["visit"]).pid == config["pid"]
    consent = Consent.objects.get(patient=cast.patient, kind="telehealth")
    assert (consent.signed_by, consent.version) == ("Pat Doe", "2026-01")
    assert AuditEvent.objects.filter(object_type="Consent", patient_id=cast.patient.pk).exists()
    assert Participant.objects.get(pk=config["pid"]).located_state == "NJ"


def test_the_ticket_carries_ice_servers_with_per_participant_turn_credentials(cast, settings):
    settings.TURN_URLS = ["turn:turn.example:3478?transport=udp"]
    settings.STUN_URLS = ["stun:turn.example:3478"]
    settings.TURN_SECRET = "s3cret"
    appointment = video_visit_now(cast)
    _, config = _open(Client(), join_link_issue(appointment=appointment, role="patient"))
    issued = Client().post(config["ticketUrl"], {}, content_type="application/json").json()
    stun, turn = issued["rtc"]["iceServers"]
    assert stun == {"urls": ["stun:turn.example:3478"]}
    assert turn["username"].endswith(f":v{appointment.visit.pk}p{config['pid']}")
    assert turn["credential"] and "iceTransportPolicy" not in issued["rtc"]
    assert issued["wsPath"] == f"/ws/visits/{appointment.visit.pk}/"
    assert access.ws_ticket_check(raw=issued["ticket"],
                                  visit_id=appointment.visit.pk).pid == config["pid"]


def test_a_revoked_link_stops_its_page_key(cast):
    appointment = video_visit_now(cast)
    _, config = _open(Client(), join_link_issue(appointment=appointment, role="patient"))
    JoinLink.objects.update(revoked_at="2026-01-01T00:00:00Z")
    refused = Client().post(config["ticketUrl"], {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "link_revoked"


def test_the_therapist_opens_the_visit_as_host_and_saves_a_whiteboard(cast):
    appointment = video_visit_now(cast)
    client = cast.client("pt")
    html, config = _open(client, f"/visits/appointments/{appointment.pk}/open/")
    assert config["host"] and config["role"] == "provider" and 'id="lobby"' in html
    refused = client.post(config["whiteboardUrl"], PNG, content_type="image/png")
    assert refused.json()["code"] == "not_admitted"
    Participant.objects.filter(pk=config["pid"]).update(status="admitted")
    saved = client.post(config["whiteboardUrl"], PNG, content_type="image/png")
    assert saved.status_code == 200
    assert WhiteboardSnapshot.objects.get().width == 1
    bad = client.post(config["whiteboardUrl"], b"GIF89a", content_type="image/png")
    assert bad.json()["code"] == "not_png"
    record = client.get(f"/visits/appointments/{appointment.pk}/")
    assert record.status_code == 200 and b"data:image/png;base64," in record.content


def test_the_host_invites_a_guest_who_gets_their_own_link(cast):
    appointment = video_visit_now(cast)
    client = cast.client("pt")
    _, config = _open(client, f"/visits/appointments/{appointment.pk}/open/")
    made = client.post(config["guestsUrl"], {"name": "Ana", "guest_role": "interpreter",
                                             "language": "es"}, content_type="application/json")
    url = made.json()["url"]
    _, guest = _open(Client(), url)
    seat = Participant.objects.get(pk=guest["pid"])
    assert (seat.role, seat.guest_role, seat.language) == ("guest", "interpreter", "es")
    assert seat.display_name == "Ana (interpreter)"
    assert JoinLink.objects.get(token_hash__isnull=False, role="guest").display_name == "Ana"
    patient = Client()
    _, p_config = _open(patient, join_link_issue(appointment=appointment, role="patient"))
    refused = patient.post(p_config["guestsUrl"], {"name": "x", "guest_role": "family"},
                           content_type="application/json")
    assert refused.status_code == 403


def test_front_desk_invites_a_guest_from_the_visit_record(cast):
    appointment = video_visit_now(cast)
    response = cast.client("front_desk").post(
        f"/visits/appointments/{appointment.pk}/guests/",
        {"name": "Carl", "guest_role": "caregiver", "language": ""}, follow=True)
    assert b"Guest link" in response.content
    assert Participant.objects.get(role="guest").guest_role == "caregiver"


def test_a_visitor_knocks_on_a_provider_room_and_gets_a_visit_page(cast):
    slug = cast.users["pt"].provider.slug
    client = Client()
    assert client.get(f"/room/{slug}/").status_code == 200
    bad = client.post(f"/room/{slug}/", {"name": "Walk In"})
    assert bad.status_code == 400
    knocked = client.post(f"/room/{slug}/", {"name": "Walk In", "contact": "+1 212 555 0177",
                                             "state": "NY", "located_at": "home",
                                             "agree": "on"})
    assert knocked.status_code == 302
    _, config = _open(client, knocked["Location"])
    seat = Participant.objects.get(pk=config["pid"])
    assert (seat.display_name, seat.contact, seat.visit.kind) == ("Walk In", "+12125550177",
                                                                  Visit.Kind.ROOM)
    _, host = _open(cast.client("pt"), "/visits/room/")
    assert Participant.objects.get(pk=host["pid"]).visit == seat.visit


def test_demo_links_prints_urls_for_a_visit_happening_now(cast, settings):
    from telept.practices.demo import seed_demo

    settings.DEMO_MODE = True
    seed_demo()
    out = StringIO()
    call_command("demo_links", "--json", stdout=out)
    links = json.loads(out.getvalue())
    assert set(links) >= {"therapist_url", "patient_url"}
    assert "/visits/demo/" in links["therapist_url"] and "/join/" in links["patient_url"]
    client = Client()
    opened = client.get(links["therapist_url"], follow=True)
    assert opened.status_code == 200 and b'data-testid="join"' in opened.content
    assert client.get(links["therapist_url"]).status_code == 404  # one time only
    _, config = _open(Client(), links["patient_url"])
    assert Participant.objects.get(pk=config["pid"]).role == "patient"
    again = StringIO()
    call_command("demo_links", "--json", stdout=again)
    assert json.loads(again.getvalue())["appointment_id"] == links["appointment_id"]
    settings.DEMO_MODE = False
    assert Client().get(links["therapist_url"]).status_code == 404


def test_the_network_probe_is_a_fresh_download(cast):
    response = Client().get("/visits/probe/")
    assert response.status_code == 200 and len(response.content) == 256 * 1024
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_chart_lists_video_visits_with_minutes(cast):
    from django.utils import timezone

    from telept.visits.models import VisitEvent

    appointment = video_visit_now(cast)
    visit = access.visit_for_appointment(appointment)
    Visit.objects.filter(pk=visit.pk).update(started_at=timezone.now())
    host = Participant.objects.create(visit=visit, role="provider", display_name="Dana")
    patient = Participant.objects.create(visit=visit, role="patient", display_name="Pat")
    now = timezone.now()
    for seat, minutes in ((host, 20), (patient, 12)):
        VisitEvent.objects.create(visit=visit, participant=seat, kind="admit",
                                  at=now - timezone.timedelta(minutes=minutes))
    VisitEvent.objects.create(visit=visit, kind="end", at=now)
    Visit.objects.filter(pk=visit.pk).update(status="ended", ended_at=now)
    chart = cast.client("pt").get(f"/patients/{cast.patient.pk}/")
    assert chart.status_code == 200
    assert b"Video visits" in chart.content and b"12 (12 / 0)" in chart.content
