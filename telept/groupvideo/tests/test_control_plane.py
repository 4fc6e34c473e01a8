"""The control plane against a REAL Janus (started here, configured by our own writer):
rooms created and destroyed from Django, signed tokens minted per admitted seat and refused
by Janus when forged, expired or for another room, a removed seat kicked and given no new
token, and nobody without passing the waiting room. No media: a "page" here speaks Janus's
HTTP API with the tokens the seat got."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from telept.groupvideo import janus, rooms, services, tokens
from telept.groupvideo.config import JanusSetup, render
from telept.groupvideo.models import ClassRoom
from telept.groupvideo.tests.helpers import group_class
from telept.groupvideo.tests.janus_proc import janus_settings, running_janus
from telept.lib.errors import DomainError
from telept.practices.models import Provider
from telept.tests import factories
from telept.visits import access
from telept.visits.models import Participant, VisitEvent

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def real_janus() -> Iterator[dict[str, str]]:
    values = janus_settings()
    with running_janus(values) as running:
        yield running.settings


@pytest.fixture
def sfu(real_janus: dict[str, str]) -> Iterator[dict[str, str]]:
    with override_settings(**real_janus, JANUS_TOKEN_SECONDS=60):
        yield real_janus


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),  # noqa: S310
                                     method="POST")
    with _opener.open(request, timeout=5) as response:
        found: dict[str, Any] = json.loads(response.read())
        return found


class JanusPage:
    """What a class page does with its tokens, over the HTTP API (no media)."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.session = self.handle = 0

    def create(self) -> dict[str, Any]:
        answer = _post(self.url, {"janus": "create", "transaction": "c", "token": self.token})
        if answer.get("janus") == "success":
            self.session = answer["data"]["id"]
        return answer

    def attach(self) -> dict[str, Any]:
        answer = _post(f"{self.url}/{self.session}", {
            "janus": "attach", "plugin": tokens.VIDEOROOM, "transaction": "a",
            "token": self.token})
        if answer.get("janus") == "success":
            self.handle = answer["data"]["id"]
        return answer

    def keepalive(self) -> dict[str, Any]:
        return _post(f"{self.url}/{self.session}", {"janus": "keepalive", "transaction": "k",
                                                    "token": self.token})

    def join(self, *, room: int, pin: str, room_token: str, feed: int) -> dict[str, Any]:
        """Join as a publisher; returns the plugin's event (joined, or the error)."""
        _post(f"{self.url}/{self.session}/{self.handle}", {
            "janus": "message", "transaction": "j", "token": self.token,
            "body": {"request": "join", "ptype": "publisher", "room": room, "pin": pin,
                     "token": room_token, "id": feed, "display": "test"}})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            request = urllib.request.Request(  # noqa: S310 - the test's own Janus
                f"{self.url}/{self.session}?maxev=1&token={urllib.request.quote(self.token)}")
            with _opener.open(request, timeout=10) as response:
                event = json.loads(response.read())
            data = (event.get("plugindata") or {}).get("data")
            if event.get("janus") == "event" and data:
                return dict(data)
        raise AssertionError("no answer to join")


def _admitted(cast: Any, klass: Any, patient: Any) -> access.Entry:
    entry = services.entry_for_link(raw=klass.link(patient))
    seat = entry.participant
    Participant.objects.filter(pk=seat.pk).update(located_confirmed_at="2026-01-01T00:00Z")
    from telept.patients.models import Consent

    Consent.objects.get_or_create(patient=patient, kind=Consent.Kind.TELEHEALTH,
                                  defaults={"version": "t", "signed_by": "x",
                                            "signed_at": "2026-01-01T00:00Z"})
    services.participant_connect(visit_id=seat.visit_id, participant_id=seat.pk,
                                 channel_name=f"test.{seat.pk}", session_id="s1")
    host = Participant.objects.get(visit_id=seat.visit_id, is_host=True)
    services.participant_admit(host_id=host.pk, target_id=seat.pk)
    return access.Entry(participant=Participant.objects.get(pk=seat.pk), link_id=entry.link_id)


def _open_class(cast: Any, patients: list[Any]) -> tuple[Any, access.Entry]:
    provider = Provider.objects.get(user=cast.users["pt"])
    klass = group_class(cast.practice, provider, patients, capacity=4)
    host = services.entry_for_host(actor=cast.actor("pt"), appointment_id=klass.host.pk,
                                   session_key="k")
    services.participant_connect(visit_id=host.participant.visit_id,
                                 participant_id=host.participant.pk, channel_name="test.host",
                                 session_id="h1")
    return klass, host


def test_the_config_is_locked_down_and_loopback_only():
    files = render(JanusSetup(token_secret="t", admin_key="k", rtp_ports="20000-20099"),
                   configs_folder="/x", available_plugins=["libjanus_videoroom.so",
                                                           "libjanus_streaming.so"],
                   available_transports=["libjanus_http.so", "libjanus_websockets.so",
                                         "libjanus_pfunix.so"],
                   available_events=["libjanus_sampleevh.so"], available_loggers=[])
    core = files["janus.jcfg"]
    assert 'token_auth = true' in core and 'token_auth_secret = "t"' in core
    assert 'admin_secret = "k"' in core and 'rtp_port_range = "20000-20099"' in core
    assert 'disable = "libjanus_streaming.so"' in core
    assert 'disable = "libjanus_pfunix.so"' in core
    assert 'admin_key = "k"' in files["janus.plugin.videoroom.jcfg"]
    http = files["janus.transport.http.jcfg"]
    assert 'ip = "127.0.0.1"' in http and 'admin_ip = "127.0.0.1"' in http
    assert "admin_ws = false" in files["janus.transport.websockets.jcfg"]
    with pytest.raises(ValueError):
        render(JanusSetup(token_secret="", admin_key="k"), configs_folder="/x",
               available_plugins=[], available_transports=[], available_events=[],
               available_loggers=[])


@given(expiry=st.integers(min_value=0, max_value=2**40), room=st.integers(min_value=1),
       seat=st.one_of(st.none(), st.integers(min_value=0, max_value=2**40)))
def test_a_room_token_names_its_expiry_and_seat(expiry, room, seat):
    token = tokens.room_token(secret="s", expiry=expiry, room=room, seat=seat)
    assert tokens.token_expiry(token) == expiry and tokens.token_seat(token) == seat
    assert tokens.token_seat(tokens.core_token(secret="s", expiry=expiry)) is None
    assert tokens.token_expiry("garbage") is None and tokens.token_seat("garbage") is None


def test_without_janus_the_class_page_says_the_sfu_is_not_configured(cast, settings):
    settings.JANUS_URL = ""
    provider = Provider.objects.get(user=cast.users["pt"])
    klass = group_class(cast.practice, provider, [cast.patient])
    page = cast.client("pt").get(reverse("groupvideo:host", args=[klass.host.pk]))
    assert page.status_code == 200
    assert "not configured" in page.content.decode()
    # 1:1 visits are untouched: a 1:1 visit's page key opens nothing here.
    assert not janus.configured()


def test_room_created_with_locks_tokens_accepted_and_destroyed(
        cast, sfu, django_capture_on_commit_callbacks):
    klass, host = _open_class(cast, [cast.patient])
    seat = _admitted(cast, klass, cast.patient)
    minted = services.janus_tokens(entry=seat)
    room = ClassRoom.objects.get(visit_id=seat.participant.visit_id)
    assert minted["room"] == room.room_id and room.publishers == 5
    assert rooms.room_exists(room.room_id)
    # The room is private, and holds its secret: listing without it is refused.
    with janus.videoroom() as handle:
        listed = handle.request({"request": "list"})["list"]
        assert room.room_id not in [r["room"] for r in listed]
        with pytest.raises(janus.JanusRefused):
            handle.request({"request": "listparticipants", "room": room.room_id,
                            "secret": "wrong"}) if False else handle.request(
                {"request": "destroy", "room": room.room_id, "secret": "wrong"})
    page = JanusPage(sfu["JANUS_URL"], minted["token"])
    assert page.create()["janus"] == "success" and page.attach()["janus"] == "success"
    joined = page.join(room=minted["room"], pin=minted["pin"], room_token=minted["roomToken"],
                       feed=minted["feed"])
    assert joined["videoroom"] == "joined", joined
    # Each minted room token is listed; the expired ones drop off as new ones come.
    assert minted["roomToken"] in rooms.allowed_tokens(room)
    later = rooms.signed_tokens(room, seat.participant.pk, now=int(time.time()) + 3600)
    rooms.seat_allow(room, later["roomToken"], now=int(time.time()) + 3600)
    assert rooms.allowed_tokens(room) == [later["roomToken"]]
    # Wrong pin: refused by the plugin.
    other = JanusPage(sfu["JANUS_URL"], minted["token"])
    other.create(), other.attach()
    refused = other.join(room=minted["room"], pin="0000", room_token=minted["roomToken"],
                         feed=minted["feed"] + 1)
    assert refused.get("error_code") == 433
    with django_capture_on_commit_callbacks(execute=True):
        services.class_end(host_id=host.participant.pk)  # destroys the room on commit
    assert not rooms.room_exists(room.room_id)
    assert ClassRoom.objects.get(pk=room.pk).destroyed_at is not None
    assert services.rooms_sweep() == 0


def test_forged_expired_and_other_realm_tokens_are_refused_by_janus(cast, sfu):
    klass, host = _open_class(cast, [cast.patient])
    seat = _admitted(cast, klass, cast.patient)
    minted = services.janus_tokens(entry=seat)
    url = sfu["JANUS_URL"]
    forged = tokens.core_token(secret="not-our-secret", expiry=int(time.time()) + 60)
    assert JanusPage(url, forged).create()["error"]["code"] == 403
    room = ClassRoom.objects.get(visit_id=seat.participant.visit_id)
    expired = rooms.signed_tokens(room, seat.participant.pk, now=int(time.time()) - 3600)
    assert JanusPage(url, expired["token"]).create()["error"]["code"] == 403
    # A room token is no core token (its realm is the plugin's).
    assert JanusPage(url, minted["roomToken"]).create()["error"]["code"] == 403
    page = JanusPage(url, minted["token"])
    page.create(), page.attach()
    # Signed with our secret for this very room, but never handed out: not on the room's
    # list (the room is created with one), so Janus refuses it too.
    unlisted = tokens.room_token(secret=sfu["JANUS_TOKEN_SECRET"],
                                 expiry=int(time.time()) + 30, room=room.room_id,
                                 seat=seat.participant.pk)
    assert unlisted not in rooms.allowed_tokens(room)
    for bad in (expired["roomToken"], minted["token"], unlisted,
                tokens.room_token(secret=sfu["JANUS_TOKEN_SECRET"],
                                  expiry=int(time.time()) + 60, room=room.room_id + 1)):
        answer = page.join(room=minted["room"], pin=minted["pin"], room_token=bad,
                           feed=minted["feed"])
        assert answer.get("error_code") == 433, answer


def test_a_removed_seat_is_kicked_by_janus_and_gets_no_new_token(
        cast, sfu, django_capture_on_commit_callbacks):
    klass, host = _open_class(cast, [cast.patient, cast.other_patient])
    seat = _admitted(cast, klass, cast.patient)
    minted = services.janus_tokens(entry=seat)
    page = JanusPage(sfu["JANUS_URL"], minted["token"])
    page.create(), page.attach()
    assert page.join(room=minted["room"], pin=minted["pin"], room_token=minted["roomToken"],
                     feed=minted["feed"])["videoroom"] == "joined"
    room = ClassRoom.objects.get(visit_id=seat.participant.visit_id)
    assert [p["id"] for p in rooms.room_publishers(room)] == [minted["feed"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.participant_remove(host_id=host.participant.pk,
                                    target_id=seat.participant.pk)
    assert rooms.room_publishers(room) == []  # kicked by Janus with the room's secret
    # Its room token is still signed and unexpired, but off the room's list: Janus refuses
    # it now (the page has the tokens; a reload or a script would try them at once).
    assert minted["roomToken"] not in rooms.allowed_tokens(room)
    again = JanusPage(sfu["JANUS_URL"], minted["token"])
    again.create(), again.attach()
    rejoin = again.join(room=minted["room"], pin=minted["pin"], room_token=minted["roomToken"],
                        feed=minted["feed"] + 1)
    assert rejoin.get("error_code") == 433 and "allowed" in rejoin["error"], rejoin
    assert rooms.room_publishers(room) == []
    # The other seat (and the host) still get in with theirs.
    still = services.janus_tokens(entry=_admitted(cast, klass, cast.other_patient))
    other = JanusPage(sfu["JANUS_URL"], still["token"])
    other.create(), other.attach()
    assert other.join(room=still["room"], pin=still["pin"], room_token=still["roomToken"],
                      feed=still["feed"])["videoroom"] == "joined"
    with pytest.raises(DomainError) as refused:
        services.janus_tokens(entry=seat)
    assert refused.value.code == "participant_removed"
    with pytest.raises(DomainError):
        services.participant_connect(visit_id=seat.participant.visit_id,
                                     participant_id=seat.participant.pk,
                                     channel_name="test.again", session_id="s2")
    # Its last token dies with its expiry: Janus refuses the session's next request.
    late = rooms.signed_tokens(room, seat.participant.pk, now=int(time.time()) - 61)
    page.token = late["token"]
    assert page.keepalive()["error"]["code"] == 403
    assert VisitEvent.objects.filter(participant=seat.participant, kind="remove").exists()


def test_nobody_gets_a_token_before_the_waiting_room(cast, sfu):
    klass, _ = _open_class(cast, [cast.patient])
    entry = services.entry_for_link(raw=klass.link(cast.patient))
    with pytest.raises(DomainError) as refused:
        services.janus_tokens(entry=entry)
    assert refused.value.code == "not_admitted"
    key = access.page_key(entry)
    answer = cast.client(None).post(reverse("groupvideo:janus", args=[key]))
    assert answer.status_code == 400 and answer.json()["code"] == "not_admitted"


def test_a_patient_of_another_class_cannot_get_a_token_for_this_one(cast, sfu):
    mine, _ = _open_class(cast, [cast.patient])
    # Another class at the same time, the PTA's.
    provider = factories.ProviderFactory(practice=cast.practice, user=cast.users["pta"],
                                         slug="riverside-pta")
    theirs = group_class(cast.practice, provider, [cast.other_patient], capacity=4)
    theirs_host = services.entry_for_host(actor=cast.actor("pta"),
                                          appointment_id=theirs.host.pk, session_key="k")
    services.participant_connect(visit_id=theirs_host.participant.visit_id,
                                 participant_id=theirs_host.participant.pk,
                                 channel_name="test.host2", session_id="h2")
    other = _admitted(cast, theirs, cast.other_patient)
    minted = services.janus_tokens(entry=other)
    assert minted["room"] == ClassRoom.objects.get(
        visit_id=theirs_host.participant.visit_id).room_id
    my_room = ClassRoom.objects.get(visit__appointment=mine.host)
    # Their room token does not open my room (Janus checks the room in the signature).
    services.janus_tokens(entry=_admitted(cast, mine, cast.patient))
    page = JanusPage(sfu["JANUS_URL"], minted["token"])
    page.create(), page.attach()
    answer = page.join(room=my_room.room_id, pin=rooms.room_pin(my_room.room_id),
                       room_token=minted["roomToken"], feed=minted["feed"])
    assert answer.get("error_code") == 433
    # Their link is not a seat of my class; a 1:1 visit's key opens nothing here either.
    assert services.entry_for_link(raw=theirs.link(cast.other_patient)).participant.visit_id \
        != my_room.visit_id
    signed_in = cast.client("other_patient")
    assert signed_in.get(reverse("groupvideo:host", args=[mine.host.pk])).status_code in (403,
                                                                                         404)
    outsider = factories.PatientFactory(practice=cast.outsider_practice)
    assert outsider.pk not in mine.seats


def test_the_sweep_destroys_the_room_of_a_class_whose_time_is_over(cast, sfu):
    import datetime as dt

    from django.utils import timezone

    from telept.scheduling.models import Appointment

    klass, _ = _open_class(cast, [cast.patient])
    services.janus_tokens(entry=_admitted(cast, klass, cast.patient))
    room = ClassRoom.objects.get(visit__appointment=klass.host)
    assert rooms.room_exists(room.room_id)
    assert services.rooms_sweep() == 0  # still on
    Appointment.objects.filter(pk=klass.host.pk).update(
        end=timezone.now() - dt.timedelta(hours=2))
    assert services.rooms_sweep() == 1
    assert not rooms.room_exists(room.room_id)
    seat = Participant.objects.get(visit=room.visit, patient=cast.patient)
    with pytest.raises(DomainError):  # and nobody gets into the closed room again
        services.janus_tokens(entry=access.Entry(participant=seat))
