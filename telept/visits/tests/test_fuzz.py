"""Fuzzing the visit socket's boundary: whatever a client sends, it gets a typed message or
an error with a stable code, and the room carries on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.visits.schema import MAX_MESSAGE_BYTES, SchemaError, parse
from telept.visits.tests.helpers import Client, visitors

CODES = {"malformed", "unknown_type", "invalid", "too_large"}
TYPES = ["ping", "signal", "chat", "wb", "mode", "media", "admit", "admit_all", "send_back",
         "remove", "decline", "teleport", "", "CHAT"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=12)
near_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES)},
    optional={"to": json_values, "pid": json_values, "text": json_values, "data": json_values,
              "op": st.sampled_from(["stroke", "clear", "erase"]), "stroke": json_values,
              "mode": st.sampled_from(["full", "audio_only", "off"]), "id": json_values})
frames = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    near_messages.map(json.dumps),
)


@given(frames)
@settings(max_examples=200, deadline=None)
def test_parse_returns_a_message_or_a_coded_error(frame: str) -> None:
    try:
        message = parse(frame)
    except SchemaError as exc:
        assert exc.code in CODES and exc.message
    else:
        assert message.type in TYPES


@given(st.integers(min_value=MAX_MESSAGE_BYTES - 20, max_value=MAX_MESSAGE_BYTES * 2))
@settings(max_examples=20, deadline=None)
def test_frames_over_64_kib_are_refused_before_parsing(size: int) -> None:
    frame = json.dumps({"type": "chat", "text": "é" * (size // 2)})
    if len(frame.encode()) > MAX_MESSAGE_BYTES:
        with pytest.raises(SchemaError) as refused:
            parse(frame)
        assert refused.value.code == "too_large"


async def _scenario(v: Any, sent: list[str]) -> None:
    host, patient = Client(v.host), Client(v.patient)
    await host.open()
    hello = await patient.open()
    if hello["status"] == "waiting":
        await host.until("roster")
        await host.send({"type": "admit", "pid": patient.pid})
        await patient.until("status", status="admitted")
    await host.drain(0.05)
    await patient.drain(0.05)
    for frame in sent:
        await patient.send(frame)
    replies = await patient.drain(0.2)
    errors = [r for r in replies if r["type"] == "error"]
    for error in errors:
        assert error["code"] in CODES | {"forbidden", "not_admitted", "not_found",
                                         "rate_limited"}, error
    # The room is unharmed: the patient is still admitted and chat still reaches the host.
    await patient.send({"type": "chat", "text": "after the storm"})
    assert (await host.until("chat", text="after the storm"))["from"] == patient.pid
    await patient.close()
    await host.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
def test_random_frames_never_break_the_room(cast: Any) -> None:
    v = visitors(cast)

    @given(st.lists(frames.filter(bool), min_size=1, max_size=8))
    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    def run(sent: list[str]) -> None:
        # each example runs in a new event loop: a Redis layer cached by the last one holds
        # asyncio locks of a closed loop ("bound to a different event loop")
        channel_layers.backends.clear()
        async_to_sync(_scenario)(v, sent)

    run()
