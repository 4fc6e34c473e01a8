"""Pre-join asks the patient where they are for the visit — at home or somewhere else —
beside the state (Issue 10 item 2: the place of service comes from this answer).

Required for every patient seat (a booked patient's link and a drop-in visitor's knock);
a refusal names the field and keeps the answers given; bad values are a 400, never a 500;
the therapist sees the answer in the waiting-room roster and on the visit record.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from telept.lib.errors import DomainError
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import JoinLink
from telept.visits import access, services
from telept.visits.models import Participant
from telept.visits.tests.helpers import (
    link_entry,
    raw_of,
    room_host_entry,
    staff_entry,
    video_visit_now,
)

pytestmark = pytest.mark.django_db
QUESTION = "Where are you for this visit?"
KNOCK = {"name": "Walk In", "contact": "+1 212 555 0177", "state": "NJ", "agree": "on"}


def _config(html: str) -> dict[str, Any]:
    found = re.search(r'data-config="([^"]+)"', html)
    assert found
    return dict(json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")))


def _open(client: Client, url: str) -> tuple[str, dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, _config(html)


def _ready(client: Client, config: dict[str, Any], body: Any) -> Any:
    return client.post(config["readyUrl"], json.dumps(body), content_type="application/json")


def _checked(html: str) -> list[str]:
    """The located_at radios that are checked on the page."""
    return re.findall(r'<input type="radio" name="located_at" value="(\w+)"[^>]*\bchecked\b',
                      html)


def _patient_page(cast: Any, *, modality: str = "video") -> tuple[Client, str, dict[str, Any]]:
    appointment = video_visit_now(cast)
    if modality != "video":
        appointment.modality = modality
        appointment.save(update_fields=["modality"])
    client = Client()
    url = join_link_issue(appointment=appointment, role=JoinLink.Role.PATIENT)
    html, config = _open(client, url)
    return client, url, config


def test_the_pre_join_page_asks_home_or_elsewhere_with_nothing_chosen_for_the_patient(cast):
    client, url, _ = _patient_page(cast)
    html = client.get(url).content.decode()
    assert QUESTION in html and "Which state are you in right now?" in html
    assert 'data-testid="located-at-home"' in html and 'data-testid="located-at-elsewhere"' in html
    assert "At home" in html and "Somewhere else (work, a relative&#x27;s home, a car…)" in html
    assert _checked(html) == []  # never guessed: the patient answers
    assert 'data-testid="join"' in html  # the stable hook is still there


def test_joining_without_saying_where_is_refused_on_that_field_and_nothing_is_saved(cast):
    client, url, config = _patient_page(cast)
    refused = _ready(client, config, {"state": "NJ", "consent": True, "signer": "Pat Doe"})
    assert refused.status_code == 400
    assert refused.json() == {"code": "location_required", "field": "located_at",
                              "message": "Tell us where you are for this visit: at home, "
                                         "or somewhere else."}
    seat = Participant.objects.get(pk=config["pid"])
    assert (seat.located_at, seat.located_confirmed_at) == ("", None)
    assert seat.located_state == "NY"  # the booked state, not half of a refused answer
    with pytest.raises(DomainError):  # and the socket is not let in
        services.participant_connect(visit_id=seat.visit_id, participant_id=seat.pk,
                                     channel_name="c", session_id="s")


@pytest.mark.parametrize("value", ["", "garage", "HOME", "home ", "home\x00", 7, None,
                                   ["home"], {"home": True}, True, "x" * 10_000])
def test_a_bad_answer_is_a_400_naming_the_field_never_a_500(cast, value):
    client, _, config = _patient_page(cast)
    refused = _ready(client, config, {"state": "NY", "located_at": value, "consent": True,
                                      "signer": "Pat Doe"})
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("location_required",
                                                                 "located_at")
    assert Participant.objects.get(pk=config["pid"]).located_at == ""


def test_a_body_that_is_not_json_is_a_400_not_a_500(cast):
    client, _, config = _patient_page(cast)
    refused = client.post(config["readyUrl"], b"\xff{not json", content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] in ("state", "located_at")


@pytest.mark.parametrize("answer", ["home", "elsewhere"])
def test_the_answer_is_stored_with_the_state_and_shown_again_on_reload(cast, answer):
    client, url, config = _patient_page(cast)
    ok = _ready(client, config, {"state": "NJ", "located_at": answer, "consent": True,
                                 "signer": "Pat Doe"})
    assert ok.status_code == 200 and ok.json()["ok"] is True
    seat = Participant.objects.get(pk=config["pid"])
    assert (seat.located_at, seat.located_state) == (answer, "NJ")
    assert seat.located_confirmed_at is not None
    assert _checked(client.get(url).content.decode()) == [answer]  # kept for a rejoin


def test_an_audio_only_visit_asks_the_same_question(cast):
    client, _, config = _patient_page(cast, modality="audio")
    assert _ready(client, config, {"state": "NY", "consent": True,
                                   "signer": "Pat Doe"}).json()["code"] == "location_required"
    assert _ready(client, config, {"state": "NY", "located_at": "elsewhere", "consent": True,
                                   "signer": "Pat Doe"}).status_code == 200
    assert Participant.objects.get(pk=config["pid"]).located_at == "elsewhere"


def test_the_therapist_and_a_guest_are_not_asked(cast):
    appointment = video_visit_now(cast)
    client = cast.client("pt")
    html, config = _open(client, f"/visits/appointments/{appointment.pk}/open/")
    assert QUESTION not in html
    assert _ready(client, config, {}).status_code == 200
    guest_url = services.guest_invite_by_staff(actor=cast.actor("front_desk"),
                                               appointment_id=appointment.pk, name="Gina",
                                               guest_role="caregiver", language="")
    guest = access.entry_for_link(raw=raw_of(guest_url))
    services.participant_ready(entry=guest, located_state="", located_at="", consent=False,
                               signer="")
    assert Participant.objects.get(pk=guest.participant.pk).located_at == ""


def test_a_knock_without_the_answer_shows_the_field_error_and_keeps_what_was_typed(cast):
    slug = cast.users["pt"].provider.slug
    refused = Client().post(f"/room/{slug}/", KNOCK)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert QUESTION in html
    assert "Tell us where you are for this visit: at home, or somewhere else." in html
    assert 'value="Walk In"' in html and 'value="+1 212 555 0177"' in html
    assert re.search(r'<option value="NJ" selected>', html)
    assert not Participant.objects.filter(display_name="Walk In").exists()
    bad = Client().post(f"/room/{slug}/", {**KNOCK, "located_at": "garage"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert not Participant.objects.filter(display_name="Walk In").exists()


def test_a_knocking_visitor_says_where_they_are_and_the_visit_page_keeps_it(cast):
    slug = cast.users["pt"].provider.slug
    client = Client()
    knocked = client.post(f"/room/{slug}/", {**KNOCK, "located_at": "elsewhere"})
    assert knocked.status_code == 302
    html, config = _open(client, knocked["Location"])
    seat = Participant.objects.get(pk=config["pid"])
    assert (seat.located_at, seat.located_state) == ("elsewhere", "NJ")
    assert _checked(html) == ["elsewhere"]  # asked again at pre-join, pre-answered
    assert _ready(client, config, {"state": "NJ"}).json()["code"] == "location_required"
    assert _ready(client, config, {"state": "NJ", "located_at": "home"}).status_code == 200
    seat.refresh_from_db()
    assert seat.located_at == "home"


def test_the_therapist_sees_where_the_patient_is_in_the_roster_only(cast):
    appointment = video_visit_now(cast)
    host = staff_entry(cast, "pt", appointment.pk)
    patient = link_entry(appointment, JoinLink.Role.PATIENT, ready=False)
    services.participant_ready(entry=patient, located_state="NY", located_at="home",
                               consent=True, signer="Pat Doe")
    visit_id = host.participant.visit_id
    for entry in (host, patient):
        services.participant_connect(visit_id=visit_id, participant_id=entry.participant.pk,
                                     channel_name=f"chan-{entry.participant.pk}",
                                     session_id="s1")
    waiting = services.roster(visit_id)["waiting"]
    assert [(p["pid"], p["where"]) for p in waiting] == [(patient.participant.pk,
                                                          "At home, New York")]
    services.participant_admit(host_id=host.participant.pk, target_id=patient.participant.pk)
    room = {p["pid"]: p for p in services.roster(visit_id)["room"]}
    assert room[patient.participant.pk]["where"] == "At home, New York"
    assert "where" not in room[host.participant.pk]
    # What every peer receives about a seat does not carry it (the roster goes to hosts only).
    assert "where" not in services.seat_json(Participant.objects.get(pk=patient.participant.pk))


def test_the_visit_record_shows_where_the_patient_was_in_words(cast):
    appointment = video_visit_now(cast)
    host = staff_entry(cast, "pt", appointment.pk)
    patient = link_entry(appointment, JoinLink.Role.PATIENT, ready=False)
    services.participant_ready(entry=patient, located_state="NJ", located_at="elsewhere",
                               consent=True, signer="Pat Doe")
    visit_id = host.participant.visit_id
    for entry in (host, patient):
        services.participant_connect(visit_id=visit_id, participant_id=entry.participant.pk,
                                     channel_name=f"chan-{entry.participant.pk}",
                                     session_id="s1")
    services.participant_admit(host_id=host.participant.pk, target_id=patient.participant.pk)
    html = cast.client("pt").get(f"/visits/appointments/{appointment.pk}/").content.decode()
    assert "<td>Somewhere else, New Jersey</td>" in html


def test_the_label_reads_the_place_then_the_state(cast):
    seat = Participant(role="patient", located_state="NY", located_at="home")
    assert seat.where == "At home, New York"
    seat.located_at = "elsewhere"
    assert seat.where == "Somewhere else, New York"
    seat.located_at = ""  # a seat from before the question: the state alone
    assert seat.where == "New York"
    assert Participant(role="patient").where == ""


def test_a_drop_in_rooms_host_is_not_asked_either(cast):
    host = room_host_entry(cast)
    assert not services.needs_location(host.participant)
