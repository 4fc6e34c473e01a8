"""Staff page keys and WebSocket tickets are bound to the signed-in session and the active
membership (Issue 16 item 9), and a ticket opens one socket only (Issue 16 item 18).

Before: a therapist's page key worked for 12 hours after logout, without any cookie: it
minted guest links and tickets, joined as host and ended the visit.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from telept.accounts.models import Membership
from telept.asgi import application
from telept.visits.models import Participant, Visit
from telept.visits.tests.helpers import ORIGIN, link_entry, video_visit_now


def _config(html: str) -> dict[str, Any]:
    found = re.search(r'data-config="([^"]+)"', html)
    assert found
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _host_page(cast: Any, name: str = "pt") -> tuple[Client, dict[str, Any], Any]:
    appointment = video_visit_now(cast)
    client = cast.client(name)
    response = client.get(f"/visits/appointments/{appointment.pk}/open/")
    assert response.status_code == 200
    return client, _config(response.content.decode()), appointment


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


GUEST = {"name": "Ana", "guest_role": "interpreter", "language": "es"}


@pytest.mark.django_db
def test_it_refuses_a_staff_page_key_after_logout(cast):
    client, config, _ = _host_page(cast)
    assert _post(client, config["ticketUrl"]).status_code == 200
    assert _post(client, config["guestsUrl"], GUEST).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    guests_before = Participant.objects.filter(role="guest").count()
    for url, body in ((config["ticketUrl"], None), (config["guestsUrl"], GUEST),
                      (config["readyUrl"], None), (config["textUrl"], None)):
        refused = _post(client, url, body)
        assert refused.status_code == 403, (url, refused.content)
        assert refused.json()["code"] == "signed_out"
    assert Participant.objects.filter(role="guest").count() == guests_before


@pytest.mark.django_db
def test_it_refuses_a_staff_page_key_from_a_client_without_the_session(cast):
    _, config, _ = _host_page(cast)
    other = Client()
    for url, body in ((config["ticketUrl"], None), (config["guestsUrl"], GUEST)):
        refused = _post(other, url, body)
        assert refused.status_code == 403 and refused.json()["code"] == "signed_out"
    # Signed in as someone else is no better than signed out.
    colleague = cast.client("pta")
    assert _post(colleague, config["ticketUrl"]).status_code == 403
    assert not Participant.objects.filter(role="guest").exists()


@pytest.mark.django_db
def test_it_refuses_a_staff_page_key_after_the_membership_is_deactivated(cast):
    client, config, _ = _host_page(cast)
    assert _post(client, config["ticketUrl"]).status_code == 200
    Membership.objects.filter(user=cast.users["pt"]).update(is_active=False)
    for url, body in ((config["ticketUrl"], None), (config["guestsUrl"], GUEST)):
        refused = _post(client, url, body)
        assert refused.status_code == 403 and refused.json()["code"] == "signed_out"


@pytest.mark.django_db
def test_the_drop_in_room_host_key_is_bound_to_the_session_too(cast):
    client = cast.client("pt")
    config = _config(client.get("/visits/room/").content.decode())
    assert _post(client, config["ticketUrl"]).status_code == 200
    assert _post(Client(), config["ticketUrl"]).status_code == 403


# --- the WebSocket -----------------------------------------------------------------------

def _socket(path: str, session_key: str | None) -> WebsocketCommunicator:
    headers = list(ORIGIN)
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def _first(ws: WebsocketCommunicator) -> dict[str, Any]:
    connected, _ = await ws.connect(timeout=5)
    assert connected
    return json.loads(await ws.receive_from(timeout=5))


def _ticket_path(client: Client, config: dict[str, Any]) -> str:
    issued = _post(client, config["ticketUrl"]).json()
    return f"{issued['wsPath']}?t={issued['ticket']}&s=sess1"


def _signed_in_ticket(cast: Any) -> tuple[Client, str, str]:
    client, config, _ = _host_page(cast)
    return (client, _ticket_path(client, config),
            client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_a_staff_ticket_needs_the_session_that_minted_it(cast):
    client, config, _ = await database_sync_to_async(_host_page)(cast)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    without = _socket(await database_sync_to_async(_ticket_path)(client, config), None)
    refused = await _first(without)
    assert (refused["type"], refused["code"]) == ("refused", "signed_out")
    await without.disconnect()
    path = await database_sync_to_async(_ticket_path)(client, config)
    await database_sync_to_async(client.post)("/accounts/logout/")
    ws = _socket(path, key)
    refused = await _first(ws)
    assert (refused["type"], refused["code"]) == ("refused", "signed_out")
    await ws.disconnect()
    seats = await database_sync_to_async(lambda: list(
        Participant.objects.filter(role="provider").values_list("status", flat=True)))()
    assert "admitted" not in seats


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_a_host_socket_closes_when_its_session_is_signed_out(cast, settings):
    settings.VISIT_HEARTBEAT_SECONDS = 0.2
    client, path, key = await database_sync_to_async(_signed_in_ticket)(cast)
    ws = _socket(path, key)
    hello = await _first(ws)
    assert hello["type"] == "hello" and hello["status"] == "admitted"
    await database_sync_to_async(client.post)("/accounts/logout/")
    while True:  # the socket re-checks its session on each heartbeat
        message = json.loads(await ws.receive_from(timeout=5))
        if message["type"] == "refused":
            break
    assert message["code"] == "signed_out"
    assert (await ws.receive_output(timeout=5))["type"] == "websocket.close"
    # The ended session cannot end the visit either.
    assert await database_sync_to_async(
        lambda: Visit.objects.get().status)() == Visit.Status.OPEN


def _patient_ticket(cast: Any) -> str:
    from telept.scheduling.models import JoinLink
    from telept.visits import access

    entry = link_entry(video_visit_now(cast), JoinLink.Role.PATIENT,
                       user_id=cast.users["patient"].pk)
    issued = access.ws_ticket_issue(entry=entry)
    return f"{issued['wsPath']}?t={issued['ticket']}&s=sess2"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_rows_cleared")
async def test_it_refuses_a_websocket_ticket_used_twice(cast):
    """Issue 16 item 18: a ticket opens one socket (its id is stored on first connect)."""
    path = await database_sync_to_async(_patient_ticket)(cast)
    first = _socket(path, None)
    assert (await _first(first))["type"] == "hello"
    await first.disconnect()
    second = _socket(path, None)
    refused = await _first(second)
    assert (refused["type"], refused["code"]) == ("refused", "ticket_used")
    await second.disconnect()


# --- the dashboard's lobby socket (Issue 16 item 18) ---------------------------------------

def _idle_session(user: Any, idle_seconds: int) -> str:
    import time
    from importlib import import_module

    from telept.accounts.middleware import SESSION_LAST_SEEN
    from telept.visits.tests.helpers import session_for

    key = session_for(user)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[SESSION_LAST_SEEN] = int(time.time()) - idle_seconds
    store.save()
    return key


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_lobby_socket_refuses_a_session_past_the_idle_logoff(cast):
    from telept.visits.tests.helpers import lobby_socket

    key = await database_sync_to_async(_idle_session)(
        cast.users["front_desk"], settings.IDLE_TIMEOUT_SECONDS + 60)
    idle = await database_sync_to_async(lobby_socket)(cast.users["front_desk"], session_key=key)
    assert not (await idle.connect(timeout=5))[0]
    fresh_key = await database_sync_to_async(_idle_session)(cast.users["front_desk"], 60)
    fresh = await database_sync_to_async(lobby_socket)(cast.users["front_desk"],
                                                       session_key=fresh_key)
    assert (await fresh.connect(timeout=5))[0]
    await fresh.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_lobby_socket_closes_when_its_session_is_signed_out(cast, settings):
    from importlib import import_module

    from telept.visits.tests.helpers import lobby_socket, session_for

    settings.VISIT_HEARTBEAT_SECONDS = 0.2
    key = await database_sync_to_async(session_for)(cast.users["front_desk"])
    ws = await database_sync_to_async(lobby_socket)(cast.users["front_desk"], session_key=key)
    assert (await ws.connect(timeout=5))[0]
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    await database_sync_to_async(store.delete)()  # what logout does
    message = json.loads(await ws.receive_from(timeout=5))
    assert message["type"] == "signed_out"
    assert (await ws.receive_output(timeout=5))["type"] == "websocket.close"
