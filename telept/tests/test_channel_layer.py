"""The ASGI stack and the configured channel layer (in-memory, or Redis with REDIS_URL)."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from telept.asgi import application


@pytest.mark.asyncio
async def test_a_websocket_ping_comes_back_through_the_channel_layer():
    communicator = WebsocketCommunicator(application, "/ws/health/",
                                         headers=[(b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from(timeout=5))["code"] == "malformed"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/health/",
                                         headers=[(b"origin", b"https://evil.example")])
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.asyncio
async def test_group_messages_reach_every_member():
    layer = get_channel_layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("test-group", first)
    await layer.group_add("test-group", second)
    await layer.group_send("test-group", {"type": "hello", "n": 1})
    assert (await layer.receive(first))["n"] == 1
    assert (await layer.receive(second))["n"] == 1
    await layer.group_discard("test-group", first)
    await layer.group_discard("test-group", second)


# --- the in-memory layer of a single process (telept/lib/channel_layer.py) -------------------


@pytest.mark.asyncio
async def test_expired_messages_and_their_group_memberships_still_go(monkeypatch):
    import asyncio

    from telept.lib import channel_layer

    monkeypatch.setattr(channel_layer, "SWEEP_SECONDS", 0.0)  # sweep on every operation
    layer = channel_layer.SweepingInMemoryChannelLayer(expiry=0)
    stale, live = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("room", stale)
    await layer.group_add("room", live)
    await layer.send(stale, {"type": "old"})  # nobody reads it; it expires at once
    await asyncio.sleep(0.01)
    await layer.group_send("room", {"type": "fresh"})  # the sweep runs first
    assert "room" in layer.groups and stale not in layer.groups["room"]
    assert live in layer.groups["room"] and stale not in layer.channels


@pytest.mark.asyncio
async def test_the_sweep_runs_once_per_window_not_once_per_message(monkeypatch):
    from channels.layers import InMemoryChannelLayer

    from telept.lib import channel_layer

    sweeps = []
    original = InMemoryChannelLayer._clean_expired
    monkeypatch.setattr(InMemoryChannelLayer, "_clean_expired",
                        lambda self: sweeps.append(1) or original(self))
    monkeypatch.setattr(channel_layer, "SWEEP_SECONDS", 3600.0)
    layer = channel_layer.SweepingInMemoryChannelLayer()
    channels = [await layer.new_channel() for _ in range(50)]
    for name in channels:
        await layer.group_add("visit-1-room", name)
    for n in range(20):
        await layer.group_send("visit-1-room", {"type": "signal", "n": n})
    for name in channels:
        assert [(await layer.receive(name))["n"] for _ in range(20)] == list(range(20))
    assert len(sweeps) == 1  # the stock layer would have swept 20 + 50 * 20 times


def test_the_layer_is_redis_with_redis_url_and_the_sweeping_one_without(settings):
    from channels_redis.pubsub import RedisPubSubChannelLayer

    from telept.lib.channel_layer import SweepingInMemoryChannelLayer

    expected = RedisPubSubChannelLayer if settings.REDIS_URL else SweepingInMemoryChannelLayer
    assert type(get_channel_layer()) is expected
