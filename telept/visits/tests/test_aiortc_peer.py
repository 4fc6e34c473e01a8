"""An independent WebRTC implementation (aiortc) completes offer, answer and ICE through our
signaling consumer: the relay is real WebRTC signaling, not something only our JS accepts."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from telept.conftest import require_module
from telept.visits.tests.helpers import Client, visitors

# Issue 16 item 25: a missing aiortc fails in CI, skips loudly elsewhere.
aiortc = require_module("aiortc", "aiortc is the independent WebRTC peer")

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("audit_rows_cleared")]
TIMEOUT = 20


async def _pump(client: Client, pc: aiortc.RTCPeerConnection, role: str) -> None:
    """Apply every signal relayed to this seat; an answerer answers offers."""
    while True:
        message = await client.until("signal", timeout=TIMEOUT)
        data = message["data"]
        if "description" in data:
            await pc.setRemoteDescription(aiortc.RTCSessionDescription(**data["description"]))
            if data["description"]["type"] == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                await client.send({"type": "signal", "to": message["from"], "data": {
                    "description": {"type": "answer", "sdp": pc.localDescription.sdp}}})
                await client.send({"type": "signal", "to": message["from"],
                                   "data": {"end_of_candidates": True}})
        elif "candidate" in data:
            from aiortc.sdp import candidate_from_sdp

            c = data["candidate"]
            candidate = candidate_from_sdp(c["candidate"].removeprefix("candidate:"))
            candidate.sdpMid, candidate.sdpMLineIndex = c.get("sdpMid"), c.get("sdpMLineIndex")
            await pc.addIceCandidate(candidate)


async def _connected(pc: aiortc.RTCPeerConnection) -> None:
    while pc.connectionState != "connected":
        if pc.connectionState == "failed":
            raise AssertionError("ICE failed")
        await asyncio.sleep(0.05)


async def test_two_aiortc_peers_connect_through_our_signaling(cast):
    from aiortc.mediastreams import VideoStreamTrack

    v = await database_sync_to_async(visitors)(cast)
    host, patient = Client(v.host), Client(v.patient)
    await host.open()
    await patient.open()
    await host.until("roster")
    await host.send({"type": "admit", "pid": patient.pid})
    await patient.until("status", status="admitted")
    await host.until("peer_joined")

    offerer, answerer = aiortc.RTCPeerConnection(), aiortc.RTCPeerConnection()
    received: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    first_frame: asyncio.Future[object] = asyncio.get_running_loop().create_future()

    @answerer.on("datachannel")
    def on_channel(channel):  # type: ignore[no-untyped-def]
        channel.on("message", lambda text: received.done() or received.set_result(text))

    @answerer.on("track")
    def on_track(track):  # type: ignore[no-untyped-def]
        async def read() -> None:
            frame = await track.recv()
            if not first_frame.done():
                first_frame.set_result(frame)
        asyncio.ensure_future(read())

    channel = offerer.createDataChannel("check")
    offerer.addTrack(VideoStreamTrack())
    pumps = [asyncio.ensure_future(_pump(host, answerer, "answerer")),
             asyncio.ensure_future(_pump(patient, offerer, "offerer"))]
    try:
        await offerer.setLocalDescription(await offerer.createOffer())  # gathers candidates
        await patient.send({"type": "signal", "to": host.pid, "data": {
            "description": {"type": "offer", "sdp": offerer.localDescription.sdp}}})
        await asyncio.wait_for(asyncio.gather(_connected(offerer), _connected(answerer)),
                               TIMEOUT)
        while channel.readyState != "open":
            await asyncio.sleep(0.05)
        channel.send("hello through TelePT signaling")
        assert await asyncio.wait_for(received, TIMEOUT) == "hello through TelePT signaling"
        frame = await asyncio.wait_for(first_frame, TIMEOUT)
        assert frame.width > 0  # type: ignore[attr-defined]
    finally:
        for pump in pumps:
            pump.cancel()
        await offerer.close()
        await answerer.close()
        await host.close()
        await patient.close()
