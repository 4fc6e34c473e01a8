"""The visit socket at load (Issue 17 item 4): relayed frames touch no database, the writes
that come with frames are batched and all committed (a disconnect waits for them), a refused
write in a batch harms no other, the consumer moves the WebSocket and relay metrics, and the
Redis layer waits for a free connection instead of failing past its pool's size.

Speed itself is measured by bench/bench_signaling.py, not here.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from telept.lib import batched
from telept.lib.errors import DomainError
from telept.visits import presence, services
from telept.visits.models import ChatMessage, VisitEvent
from telept.visits.tests.helpers import Client, visitors

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("audit_rows_cleared")]


async def _admitted_pair(cast: Any) -> tuple[Any, Client, Client]:
    v = await database_sync_to_async(visitors)(cast)
    host, patient = Client(v.host), Client(v.patient)
    await host.open()
    await patient.open()
    await host.until("roster")
    await host.send({"type": "admit", "pid": patient.pid})
    assert (await patient.until("status"))["status"] == "admitted"
    await host.until("peer_joined")
    await host.drain()
    await patient.drain()
    return v, host, patient


def _metrics() -> dict[tuple[str, tuple[Any, ...]], float]:
    response = HttpClient().get("/metrics")
    assert response.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples}


CANDIDATE = {"candidate": {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host",
                           "sdpMid": "0", "sdpMLineIndex": 0}}


@pytest.mark.asyncio
async def test_relaying_signaling_frames_makes_no_database_query(cast):
    v, host, patient = await _admitted_pair(cast)
    # Every query of the consumers runs on the one database thread: capture there.
    queries = CaptureQueriesContext(connection)
    await database_sync_to_async(queries.__enter__)()
    try:
        for n in range(10):
            offer = {"description": {"type": "offer", "sdp": f"v=0 offer {n}\r\n"}}
            await patient.send({"type": "signal", "to": host.pid, "data": offer})
            await host.send({"type": "signal", "to": patient.pid, "data": CANDIDATE})
            await patient.send({"type": "signal", "to": host.pid,
                                "data": {"end_of_candidates": True}})
            await host.send({"type": "ping", "id": n})
        got_host = [await host.until("signal") for _ in range(20)]
        got_patient = [await patient.until("signal") for _ in range(10)]
        if not any(m["type"] == "pong" and m["id"] == 9 for m in host.seen):
            await host.until("pong", id=9)
    finally:
        await database_sync_to_async(queries.__exit__)(None, None, None)
    assert [q["sql"] for q in queries.captured_queries] == []
    offers = [m["data"] for m in got_host if "description" in m["data"]]
    assert offers == [{"description": {"type": "offer", "sdp": f"v=0 offer {n}\r\n"}}
                      for n in range(10)]
    assert all(m["from"] == patient.pid and m["sid"] == patient.sid for m in got_host)
    assert [m["data"] for m in got_patient] == [CANDIDATE] * 10
    await host.close()
    await patient.close()


@pytest.mark.asyncio
async def test_chat_lines_are_written_in_batches_all_of_them_before_the_leave(cast):
    v, host, patient = await _admitted_pair(cast)
    before = batched.batches_run()
    lines = [f"line {n}" for n in range(30)]
    for text in lines:
        await patient.send({"type": "chat", "text": text})
    await patient.close()  # at once: the disconnect waits for the socket's writes
    heard = [await host.until("chat") for _ in lines]
    assert [m["text"] for m in heard] == lines
    assert batched.batches_run() - before < len(lines)  # several lines per commit

    def stored() -> tuple[list[tuple[int, str]], Any]:
        rows = list(ChatMessage.objects.filter(participant_id=patient.pid)
                    .order_by("id").values_list("id", "text"))
        leave = VisitEvent.objects.get(participant_id=patient.pid, kind=VisitEvent.Kind.LEAVE)
        last = ChatMessage.objects.filter(participant_id=patient.pid).latest("id")
        return rows, leave.at >= last.sent_at

    rows, leave_after_chat = await database_sync_to_async(stored)()
    assert [text for _, text in rows] == lines
    assert [m["id"] for m in heard] == [pk for pk, _ in rows]  # the ids the page dedupes on
    assert leave_after_chat
    await host.close()


@pytest.mark.asyncio
async def test_quality_events_go_through_the_batch_and_reach_the_room(cast):
    v, host, patient = await _admitted_pair(cast)
    await patient.send({"type": "mode", "mode": "audio_only", "manual": True, "reason": ""})
    await patient.send({"type": "media", "state": "ice_restart", "peer": host.pid})
    await patient.send({"type": "media", "state": "connected", "peer": host.pid})
    mode = await host.until("mode")
    assert mode["from"] == patient.pid and mode["mode"] == "audio_only"
    await patient.close()

    def kinds() -> list[str]:
        return list(VisitEvent.objects.filter(participant_id=patient.pid)
                    .order_by("id").values_list("kind", flat=True))

    found = await database_sync_to_async(kinds)()
    assert found[-3:] == [VisitEvent.Kind.AUDIO_ONLY_START, VisitEvent.Kind.ICE_RESTART,
                          VisitEvent.Kind.LEAVE]
    await host.close()


def test_a_refused_item_in_a_batch_harms_no_other(cast):
    v = visitors(cast)
    host = services.participant_connect(visit_id=v.host.participant.visit_id,
                                        participant_id=v.host.participant.pk,
                                        channel_name="test.host", session_id="h")
    pid, waiting = host["self"]["pid"], v.patient.participant.pk  # never admitted: refused

    def broken(**kwargs: Any) -> None:
        ChatMessage.objects.create(visit_id=v.host.participant.visit_id, participant_id=pid,
                                   text="rolled back", sent_at=timezone.now())
        raise DomainError("nope", "refused after writing")

    outcomes, pending = batched.run_batch([
        (services.chat_post_many, [(pid, "one"), (waiting, "refused"), (pid, "two")]),
        (batched._each, [(broken, {})]),
        (presence.participants_seen, [(pid, "test.host"), (waiting, "test.elsewhere")]),
    ])
    assert [[ok for ok, _ in group] for group in outcomes] == \
        [[True, False, True], [False], [True, True]]
    assert outcomes[0][1][1].code == "not_admitted" and outcomes[1][0][1].code == "nope"
    assert list(ChatMessage.objects.order_by("id").values_list("text", flat=True)) == \
        ["one", "two"]  # the refused call's own row was rolled back with it
    assert [p["event"]["text"] for _, _, p in pending if p["event"]["type"] == "chat"] == \
        ["one", "two"]  # events of what committed only, to send from the loop


@pytest.mark.asyncio
async def test_the_consumer_moves_the_connection_gauge_and_the_relay_histogram(cast):
    gauge = ("telept_websocket_connections", (("consumer", "visit"),))
    relays = ("telept_signaling_relay_seconds_count", ())
    start = await database_sync_to_async(_metrics)()
    v, host, patient = await _admitted_pair(cast)
    during = await database_sync_to_async(_metrics)()
    assert during[gauge] == start.get(gauge, 0.0) + 2
    for _ in range(3):
        await patient.send({"type": "signal", "to": host.pid, "data": CANDIDATE})
        await host.until("signal")
    assert (await database_sync_to_async(_metrics)())[relays] == start.get(relays, 0.0) + 3
    await patient.close()
    await host.close()  # returns once the consumer's disconnect is over
    assert (await database_sync_to_async(_metrics)())[gauge] == start.get(gauge, 0.0)


@pytest.mark.asyncio
async def test_the_redis_layer_drops_no_message_of_150_sent_at_once():
    """The app's Redis layer (settings.redis_channel_layer): channels_redis's list layer
    dropped a process's messages silently past its capacity of 100 queued messages, and
    redis-py's pool failed past 100 connections in flight; 150 group sends at once all
    arrive."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    from telept import settings as project_settings
    from telept.visits.tests.browser import require_redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    require_redis(url)
    config = project_settings.redis_channel_layer(url, f"telept_test_{secrets.token_hex(4)}")
    layer = RedisPubSubChannelLayer(**config["CONFIG"])  # type: ignore[arg-type]
    try:
        channel = await layer.new_channel()
        await layer.group_add("load", channel)
        await asyncio.gather(*(layer.group_send("load", {"type": "x", "n": n})
                               for n in range(150)))
        got = {(await asyncio.wait_for(layer.receive(channel), 10))["n"] for _ in range(150)}
        assert got == set(range(150))
    finally:
        await layer.flush()
