"""The visit WebSocket end to end in-process: waiting room, admission, signaling relay, chat,
whiteboard, reconnection, the mesh limit, and refusals that leave the room unharmed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import signing
from django.utils import timezone

from telept.lib.errors import DomainError
from telept.patients.models import Consent
from telept.scheduling.models import JoinLink
from telept.visits import access
from telept.visits.models import ChatMessage, Participant, VisitEvent
from telept.visits.schema import MAX_MESSAGE_BYTES
from telept.visits.tests.helpers import Client, guest_entry, link_entry, visitors

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("audit_rows_cleared")]


async def _admitted_pair(cast):
    from channels.db import database_sync_to_async

    v = await database_sync_to_async(visitors)(cast)
    host, patient = Client(v.host), Client(v.patient)
    hello = await host.open()
    assert hello["type"] == "hello" and hello["status"] == "admitted"
    waiting = await patient.open()
    assert waiting["status"] == "waiting"
    roster = await host.until("roster")
    assert [s["pid"] for s in roster["waiting"]] == [patient.pid]
    await host.send({"type": "admit", "pid": patient.pid})
    status = await patient.until("status")
    assert status["status"] == "admitted"
    assert [p["pid"] for p in status["peers"]] == [host.pid]
    joined = await host.until("peer_joined")
    assert joined["peer"]["pid"] == patient.pid
    await host.drain()
    await patient.drain()
    return v, host, patient


async def test_a_patient_waits_until_the_therapist_admits_them_then_signals_relay(cast):
    v, host, patient = await _admitted_pair(cast)
    offer = {"description": {"type": "offer", "sdp": "v=0 fake"}}
    await patient.send({"type": "signal", "to": host.pid, "data": offer})
    relayed = await host.until("signal")
    assert relayed["from"] == patient.pid and relayed["sid"] == patient.sid
    assert relayed["data"] == offer
    candidate = {"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host",
                               "sdpMid": "0", "sdpMLineIndex": 0}}
    await host.send({"type": "signal", "to": patient.pid, "data": candidate})
    assert (await patient.until("signal"))["data"]["candidate"]["sdpMid"] == "0"
    await host.close()
    await patient.close()


async def test_nobody_signals_or_chats_from_the_waiting_room(cast):
    from channels.db import database_sync_to_async

    v = await database_sync_to_async(visitors)(cast)
    host, patient = Client(v.host), Client(v.patient)
    await host.open()
    await patient.open()
    await patient.send({"type": "signal", "to": host.pid,
                        "data": {"description": {"type": "offer", "sdp": "x"}}})
    assert (await patient.until("error"))["code"] == "not_admitted"
    await patient.send({"type": "chat", "text": "let me in"})
    assert (await patient.until("error"))["code"] == "not_admitted"
    await patient.send({"type": "admit", "pid": patient.pid})
    assert (await patient.until("error"))["code"] == "forbidden"
    await host.until("roster")
    assert await host.quiet("signal", "chat")
    await host.close()
    await patient.close()


async def test_chat_is_stored_and_whiteboard_strokes_reach_the_other_side(cast):
    v, host, patient = await _admitted_pair(cast)
    await patient.send({"type": "chat", "text": "My knee feels better"})
    for client in (host, patient):
        message = await client.until("chat")
        assert message["text"] == "My knee feels better" and message["from"] == patient.pid
    stroke = {"id": "s1", "points": [[0.1, 0.1], [0.5, 0.5]], "color": "#0b5cad", "width": 4}
    await host.send({"type": "wb", "op": "stroke", "stroke": stroke})
    got = await patient.until("wb")
    assert got["stroke"]["points"] == [[0.1, 0.1], [0.5, 0.5]] and got["from"] == host.pid
    from channels.db import database_sync_to_async

    texts = await database_sync_to_async(
        lambda: list(ChatMessage.objects.values_list("text", flat=True)))()
    assert texts == ["My knee feels better"]
    await host.close()
    await patient.close()


async def test_a_ticket_for_another_visit_or_an_old_one_is_refused(cast):
    from channels.db import database_sync_to_async

    v = await database_sync_to_async(visitors)(cast)
    other = Client(v.patient, visit_id=v.patient.participant.visit_id + 1000)
    refused = await other.open()
    assert refused == {"type": "refused", "code": "wrong_room",
                       "message": "This ticket is for another visit."}
    forged = Client(v.patient, ticket=signing.dumps({"v": v.patient.participant.visit_id,
                                                     "p": v.host.participant.pk}, salt="nope"))
    assert (await forged.open())["code"] == "ticket_invalid"
    stale = signing.TimestampSigner(salt=access.TICKET_SALT)
    old = stale.sign_object({"v": v.patient.participant.visit_id, "p": v.patient.participant.pk})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.core.signing.time.time", lambda: 4_000_000_000.0)
        future = Client(v.patient, ticket=old)
        assert (await future.open())["code"] == "ticket_expired"


async def test_bad_frames_get_an_error_to_the_sender_only_and_the_room_carries_on(cast):
    v, host, patient = await _admitted_pair(cast)
    bad = [
        "not json", "[]", "null", '"text"', "{}", '{"type": "teleport"}',
        '{"type": "chat"}', '{"type": "chat", "text": ""}', '{"type": "chat", "text": 5}',
        '{"type": "chat", "text": "hi", "extra": 1}',
        '{"type": "signal", "to": "1", "data": {}}',
        '{"type": "signal", "to": 1, "data": {"description": {"type": "offer"}, '
        '"candidate": {"candidate": ""}}}',
        '{"type": "wb", "op": "stroke"}',
        '{"type": "wb", "op": "stroke", "stroke": {"id": "x", "points": [[2, 2]], '
        '"color": "red", "width": 1}}',
        '{"type": "admit", "pid": -1}', '{"type": "ping", "id": "x"}',
        json.dumps({"type": "chat", "text": "x" * (MAX_MESSAGE_BYTES + 1)}),
    ]
    for frame in bad:
        await patient.send(frame)
        error = await patient.until("error")
        assert error["code"] in {"malformed", "unknown_type", "invalid", "too_large"}, frame
    await patient.ws.send_to(bytes_data=b"\x00\x01")
    assert (await patient.until("error"))["code"] == "malformed"
    # A signal to a seat of another visit goes nowhere (groups are named from this visit).
    await patient.send({"type": "signal", "to": 999_999,
                        "data": {"description": {"type": "offer", "sdp": "x"}}})
    assert await host.quiet("signal")
    await patient.send({"type": "chat", "text": "still here"})
    assert (await host.until("chat"))["text"] == "still here"
    await host.close()
    await patient.close()


async def test_a_flood_is_rate_limited_per_connection(cast, settings):
    settings.VISIT_WS_BURST = 5
    settings.VISIT_WS_RATE_PER_SECOND = 1
    v, host, patient = await _admitted_pair(cast)
    for n in range(8):
        await patient.send({"type": "ping", "id": n})
    replies = [await patient.receive() for _ in range(8)]
    assert [r["type"] for r in replies].count("pong") <= 6
    assert any(r.get("code") == "rate_limited" for r in replies)
    await host.send({"type": "ping", "id": 1})
    assert (await host.until("pong"))["id"] == 1
    await host.close()
    await patient.close()


async def test_an_admitted_patient_who_drops_comes_back_without_the_waiting_room(cast):
    from channels.db import database_sync_to_async

    v, host, patient = await _admitted_pair(cast)
    await patient.close()
    assert (await host.until("peer_left"))["pid"] == patient.pid
    again = Client(v.patient)
    hello = await again.open()
    assert hello["status"] == "admitted"
    assert (await host.until("peer_joined"))["peer"]["sid"] == again.sid
    kinds = await database_sync_to_async(lambda: list(
        VisitEvent.objects.filter(participant_id=patient.pid).values_list("kind", flat=True)))()
    assert kinds == ["waiting", "admit", "leave", "reconnect"]
    await again.close()
    await host.close()


async def test_after_the_grace_period_a_returning_patient_waits_again(cast, settings):
    from channels.db import database_sync_to_async

    v, host, patient = await _admitted_pair(cast)
    await patient.close()
    await host.until("peer_left")
    await database_sync_to_async(lambda: Participant.objects.filter(pk=patient.pid).update(
        left_at=timezone.now() - dt.timedelta(seconds=121)))()
    again = Client(v.patient)
    assert (await again.open())["status"] == "waiting"
    await again.close()
    await host.close()


async def test_a_second_window_replaces_the_first(cast):
    v, host, patient = await _admitted_pair(cast)
    second = Client(v.patient)
    assert (await second.open())["status"] == "admitted"
    assert (await patient.until("superseded"))["type"] == "superseded"
    await second.send({"type": "chat", "text": "from the new window"})
    assert (await host.until("chat"))["text"] == "from the new window"
    await second.close()
    await host.close()


async def test_a_mesh_holds_four_and_refuses_a_fifth_with_a_clear_message(cast):
    from channels.db import database_sync_to_async

    v, host, patient = await _admitted_pair(cast)
    guests = [await database_sync_to_async(guest_entry)(cast, v.appointment, f"Guest {n}")
              for n in range(3)]
    clients = await database_sync_to_async(lambda: [Client(g) for g in guests])()
    for client in clients[:2]:
        assert (await client.open())["status"] == "waiting"
    await host.send({"type": "admit_all"})
    for client in clients[:2]:
        assert (await client.until("status"))["status"] == "admitted"
    fifth = await clients[2].open()
    assert fifth["type"] == "refused" and fifth["code"] == "room_full"
    assert "4 people" in fifth["message"]
    for client in (*clients[:2], host, patient):
        await client.close()


async def test_the_therapist_sends_back_removes_and_ends(cast):
    v, host, patient = await _admitted_pair(cast)
    await host.send({"type": "send_back", "pid": patient.pid})
    assert (await patient.until("status"))["status"] == "waiting"
    assert (await host.until("peer_left"))["pid"] == patient.pid
    await host.send({"type": "admit", "pid": patient.pid})
    assert (await patient.until("status"))["status"] == "admitted"
    await host.send({"type": "end"})
    assert (await patient.until("ended"))["message"] == "The visit has ended."
    await host.until("ended")


async def test_a_waiting_patient_can_be_removed(cast):
    from channels.db import database_sync_to_async

    v = await database_sync_to_async(visitors)(cast)
    host, patient = Client(v.host), Client(v.patient)
    await host.open()
    await patient.open()
    await host.send({"type": "remove", "pid": patient.pid})
    assert (await patient.until("status"))["status"] == "removed"
    with pytest.raises(DomainError) as refused:  # the page can no longer mint a ticket
        await database_sync_to_async(access.ws_ticket_issue)(entry=v.patient)
    assert refused.value.code == "participant_removed"
    await host.close()


async def test_a_patient_without_consent_signs_it_before_joining(cast):
    from channels.db import database_sync_to_async

    from telept.visits import services
    from telept.visits.tests.helpers import video_visit_now

    def setup():
        appointment = video_visit_now(cast)
        Consent.objects.filter(patient=cast.patient).delete()
        entry = link_entry(appointment, JoinLink.Role.PATIENT, ready=False)
        return entry

    entry = await database_sync_to_async(setup)()
    refused = await Client(entry).open()
    assert refused["code"] == "not_ready"
    await database_sync_to_async(services.participant_ready)(
        entry=entry, located_state="NJ", located_at="home", consent=True,
        signer="Maria Garcia")
    hello = await Client(entry).open()
    assert hello["status"] == "waiting"
    consent = await database_sync_to_async(
        lambda: Consent.objects.get(patient=cast.patient, kind="telehealth"))()
    assert consent.signed_by == "Maria Garcia" and consent.version
    seat = await database_sync_to_async(Participant.objects.get)(pk=entry.participant.pk)
    assert seat.located_state == "NJ"


async def test_audio_only_periods_are_recorded_and_announced_to_the_others(cast):
    from channels.db import database_sync_to_async

    from telept.visits.selectors import minutes_of

    v, host, patient = await _admitted_pair(cast)
    await patient.send({"type": "mode", "mode": "audio_only", "manual": False,
                        "reason": "network_bad"})
    told = await host.until("mode")
    assert (told["from"], told["mode"], told["reason"]) == (patient.pid, "audio_only",
                                                            "network_bad")
    await patient.send({"type": "mode", "mode": "reduced", "manual": False,
                        "reason": "network_recovered"})
    await host.until("mode", mode="reduced")
    await patient.send({"type": "media", "state": "ice_restart", "peer": host.pid})
    await patient.send({"type": "ping", "id": 7})
    await patient.until("pong", id=7)
    kinds = await database_sync_to_async(lambda: list(VisitEvent.objects.filter(
        participant_id=patient.pid).values_list("kind", flat=True)))()
    assert kinds[-3:] == ["audio_only_start", "audio_only_end", "ice_restart"]
    minutes = await database_sync_to_async(
        lambda: minutes_of(VisitEvent.objects.first().visit))()
    assert minutes.total_seconds >= minutes.audio_only_seconds > 0
    await host.close()
    await patient.close()


async def test_the_dashboard_lists_who_waits_live_for_staff_only(cast):
    from channels.db import database_sync_to_async

    from telept.visits.tests.helpers import lobby_socket

    def lobby(user, mfa=True):  # type: ignore[no-untyped-def]
        return lobby_socket(user, mfa=mfa)

    v = await database_sync_to_async(visitors)(cast)
    patient = Client(v.patient)
    await patient.open()
    front_desk = await database_sync_to_async(lobby)(cast.users["front_desk"])
    assert (await front_desk.connect())[0]
    first = await front_desk.receive_json_from(timeout=5)
    assert first["type"] == "lobby_visit"
    assert [w["pid"] for w in first["waiting"]] == [patient.pid]
    host = Client(v.host)
    hello = await host.open()
    assert [w["pid"] for w in hello["roster"]["waiting"]] == [patient.pid]
    await host.send({"type": "admit", "pid": patient.pid})
    while True:  # live: the admission empties the waiting list
        update = await front_desk.receive_json_from(timeout=5)
        if update["waiting"] == []:
            break
    for refused in (await database_sync_to_async(lobby)(cast.users["patient"]),
                    await database_sync_to_async(lobby)(cast.users["outsider_pt"], mfa=False)):
        assert not (await refused.connect())[0]
    outsider = await database_sync_to_async(lobby)(cast.users["outsider_pt"])
    assert (await outsider.connect())[0]
    assert await outsider.receive_nothing(timeout=0.3)
    for communicator in (front_desk, outsider):
        await communicator.disconnect()
    await host.close()
    await patient.close()
