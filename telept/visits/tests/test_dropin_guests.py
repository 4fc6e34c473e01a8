"""Guests in drop-in (provider room) visits: the host invites a caregiver or an interpreter
from the call as in a scheduled visit; the guest has their own link, waits in the lobby, and
the mesh still refuses a fifth person."""

from __future__ import annotations

import json
import re

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from telept.audit.models import AuditEvent
from telept.lib.errors import DomainError
from telept.visits import access, services
from telept.visits.access import Entry
from telept.visits.models import Participant, Visit
from telept.visits.tests.helpers import Client as SocketClient
from telept.visits.tests.helpers import raw_of, room_host_entry


def _config(html: str) -> dict:
    found = re.search(r'data-config="([^"]+)"', html)
    assert found
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _open(client: Client, url: str) -> tuple[str, dict]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, _config(html)


def _invite(client: Client, config: dict, **body: str):
    return client.post(config["guestsUrl"], body, content_type="application/json")


@pytest.mark.django_db
def test_the_host_of_a_drop_in_room_invites_a_guest_who_gets_their_own_link(cast):
    host_client = cast.client("pt")
    html, host = _open(host_client, "/visits/room/")
    assert 'id="invite-form"' in html  # the same invite control as in a scheduled visit
    made = _invite(host_client, host, name="Ana", guest_role="interpreter", language="es")
    assert made.status_code == 200
    url = made.json()["url"]
    assert re.search(r"/room/riverside-pt/[\w-]+/$", url), url

    guest_html, guest = _open(Client(), url)
    seat = Participant.objects.get(pk=guest["pid"])
    assert (seat.role, seat.guest_role, seat.language) == ("guest", "interpreter", "es")
    assert seat.display_name == "Ana (interpreter)" and not guest["host"]
    assert seat.visit_id == Participant.objects.get(pk=host["pid"]).visit_id
    assert seat.visit.kind == Visit.Kind.ROOM and seat.status == "new"
    assert "Which state are you in" not in guest_html  # guests are not asked
    assert "Consent to telehealth" not in guest_html
    invite = AuditEvent.objects.get(action="invite")
    assert invite.detail == {"participant": seat.pk, "guest_role": "interpreter"}
    assert invite.practice_id == cast.practice.pk and invite.patient_id is None
    # The link is the guest's: it opens the same seat again, not a new one.
    assert _open(Client(), url)[1]["pid"] == seat.pk


@pytest.mark.django_db
def test_only_the_host_invites_and_the_guest_form_is_checked(cast):
    host_client = cast.client("pt")
    _, host = _open(host_client, "/visits/room/")
    bad = _invite(host_client, host, name="Ana", guest_role="lawyer")
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("guest_role", "guest_role")
    blank = _invite(host_client, host, name="  ", guest_role="caregiver")
    assert blank.json()["code"] == "guest_name"

    visitor = Client(REMOTE_ADDR="203.0.113.9")
    knocked = visitor.post("/room/riverside-pt/", {"name": "Walk In", "agree": "on",
                                                   "contact": "+1 212 555 0177", "state": "NY",
                                                   "located_at": "home"})
    _, knocker = _open(visitor, knocked["Location"])
    refused = _invite(visitor, knocker, name="My son", guest_role="family")
    assert refused.status_code == 403
    assert not Participant.objects.filter(role="guest").exists()


@pytest.mark.django_db
def test_no_guests_once_the_drop_in_visit_has_ended(cast):
    host_client = cast.client("pt")
    _, host = _open(host_client, "/visits/room/")
    url = _invite(host_client, host, name="Carl", guest_role="caregiver").json()["url"]
    Visit.objects.filter(pk=Participant.objects.get(pk=host["pid"]).visit_id).update(
        status=Visit.Status.ENDED)
    refused = _invite(host_client, host, name="Dee", guest_role="caregiver")
    assert refused.json()["code"] == "visit_ended"
    _, guest = _open(Client(), url)
    ticket = Client().post(guest["ticketUrl"], {}, content_type="application/json")
    assert ticket.json()["code"] == "visit_ended"


def _room_cast(cast) -> tuple[Entry, Entry, list[Entry]]:
    provider = cast.users["pt"].provider
    host = room_host_entry(cast)
    raw = access.room_knock(provider=provider, name="Walk In", contact="+12125550177",
                            located_state="NY", located_at="home")
    visitor = access.entry_for_room_token(provider=provider, raw=raw)
    guests = []
    for name, role in (("Gina", "caregiver"), ("Ivan", "interpreter"), ("Fred", "family")):
        url = services.guest_invite_by_host(entry=host, name=name, guest_role=role,
                                            language="")
        guests.append(access.entry_for_room_token(provider=provider, raw=raw_of(url)))
    return host, visitor, guests


@pytest.mark.usefixtures("audit_rows_cleared")
@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_drop_in_guest_waits_to_be_admitted_and_a_fifth_person_is_refused(cast):
    host_entry, visitor_entry, guest_entries = await database_sync_to_async(_room_cast)(cast)
    host, visitor = SocketClient(host_entry), SocketClient(visitor_entry)
    guests = await database_sync_to_async(lambda: [SocketClient(g) for g in guest_entries])()
    assert (await host.open())["status"] == "admitted"
    assert (await visitor.open())["status"] == "waiting"
    waiting = await guests[0].open()
    assert waiting["status"] == "waiting"  # no bypassing the lobby
    assert waiting["self"]["guestRole"] == "caregiver"
    await guests[0].send({"type": "chat", "text": "hello?"})
    assert (await guests[0].until("error"))["code"] == "not_admitted"
    roster = await host.until("roster")
    while len(roster["waiting"]) < 2:
        roster = await host.until("roster")
    assert {p["name"] for p in roster["waiting"]} == {"Walk In", "Gina (caregiver)"}

    assert (await guests[1].open())["status"] == "waiting"
    await host.send({"type": "admit_all"})
    for client in (visitor, guests[0], guests[1]):
        assert (await client.until("status"))["status"] == "admitted"
    await guests[0].send({"type": "chat", "text": "I am her daughter"})
    assert (await host.until("chat"))["text"] == "I am her daughter"

    fifth = await guests[2].open()
    assert fifth["type"] == "refused" and fifth["code"] == "room_full"
    assert "4 people" in fifth["message"]
    for client in (host, visitor, guests[0], guests[1]):
        await client.close()


@pytest.mark.django_db
def test_a_visitor_who_knocked_cannot_invite_guests(cast):
    _, visitor, _ = _room_cast(cast)
    with pytest.raises(DomainError) as refused:
        services.guest_invite_by_host(entry=visitor, name="X", guest_role="other", language="")
    assert refused.value.code == "forbidden"

