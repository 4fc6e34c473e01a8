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
