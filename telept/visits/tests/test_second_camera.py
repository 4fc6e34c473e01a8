"""The phone as a second camera (Issue 14 item 2): who may make a pass, what a pass opens,
and everything it must refuse (another visit, expired, used, guessed)."""

from __future__ import annotations

import re
import time
import types

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.lib.errors import DomainError
from telept.visits import access, second_camera, services
from telept.visits.models import CameraPass, Participant, Visit
from telept.visits.tests.helpers import (
    guest_entry,
    visitors,
    with_session,
)

pytestmark = pytest.mark.django_db
S = Participant.Status


def _admitted(entry: access.Entry) -> access.Entry:
    Participant.objects.filter(pk=entry.participant.pk).update(status=S.ADMITTED,
                                                               admitted_at=timezone.now())
    return entry


def _mint(client: Client, entry: access.Entry):
    return client.post(reverse("visits:camera_pass", args=[access.page_key(entry)]),
                       content_type="application/json")


def _link_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_patients_admitted_seat_gets_a_code_a_link_and_an_inline_qr(cast):
    v = visitors(cast)
    _admitted(v.patient)
    response = _mint(Client(), v.patient)
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", body["code"])
    assert body["svg"].startswith("<svg") and "<script" not in body["svg"]
    assert f"/visits/{v.patient.participant.visit_id}/camera/" in body["url"]
    assert body["expiresIn"] == 600
    row = CameraPass.objects.get()
    assert row.seat_id == v.patient.participant.pk and row.used_at is None
    assert body["code"].replace("-", "") not in row.code_hash  # only a keyed hash is kept
    assert AuditEvent.objects.filter(action="create", object_type="CameraPass").exists()


def test_staff_guests_a_waiting_patient_and_an_ended_visit_cannot_mint(cast):
    v = visitors(cast)
    guest = _admitted(guest_entry(cast, v.appointment))
    refused = {}
    refused["host"] = _mint(with_session(Client(), v.host), v.host)
    refused["guest"] = _mint(Client(), guest)
    refused["waiting patient"] = _mint(Client(), v.patient)
    _admitted(v.patient)
    Visit.objects.filter(pk=v.patient.participant.visit_id).update(status=Visit.Status.ENDED)
    refused["ended visit"] = _mint(Client(), v.patient)
    codes = {who: (r.status_code, r.json()["code"]) for who, r in refused.items()}
    assert codes == {"host": (400, "not_patient"), "guest": (400, "not_patient"),
                     "waiting patient": (400, "not_admitted"),
                     "ended visit": (400, "visit_ended")}
    assert not CameraPass.objects.exists()


def test_another_patients_page_key_mints_only_for_their_own_seat(cast):
    """A pass is bound to the seat whose key asked: another patient's key makes a pass for
    their own visit, which does not open this one."""
    mine = visitors(cast)
    _admitted(mine.patient)
    provider = cast.users["pt"].provider
    raw = access.room_knock(provider=provider, name="Dana Drop-in", contact="+12125550100",
                            located_state="NY", located_at="home")
    theirs = _admitted(access.entry_for_room_token(provider=provider, raw=raw))
    assert theirs.participant.visit_id != mine.patient.participant.visit_id
    body = _mint(Client(), theirs).json()
    token = _link_path(body["url"]).rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(DomainError) as refused:
        second_camera.redeem_link(visit_id=mine.patient.participant.visit_id, token=token)
    assert refused.value.code == "wrong_visit"


def test_the_link_opens_a_camera_seat_already_admitted_and_audited(cast):
    v = visitors(cast)
    _admitted(v.patient)
    body = _mint(Client(), v.patient).json()
    phone = Client()
    start = phone.get(_link_path(body["url"]))
    assert start.status_code == 200 and b"camera-start" in start.content  # GET spends nothing
    assert CameraPass.objects.get().used_at is None
    page = phone.post(_link_path(body["url"]))
    assert page.status_code == 200 and b"camera-seat.js" in page.content
    camera = Participant.objects.get(role=Participant.Role.CAMERA)
    owner = v.patient.participant
    assert (camera.camera_of_id, camera.status, camera.visit_id) == (owner.pk, S.ADMITTED,
                                                                    owner.visit_id)
    assert camera.display_name.endswith("side camera") and not camera.is_host
    assert AuditEvent.objects.filter(action="grant", object_type="Visit",
                                     detail__second_camera=camera.pk).exists()
    # Its page key fetches a ticket for the same visit, while the patient is in the room.
    key = access.page_key(access.Entry(participant=camera))
    ticket = phone.post(reverse("visits:camera_ticket", args=[key]))
    assert ticket.status_code == 200
    assert ticket.json()["wsPath"] == f"/ws/visits/{owner.visit_id}/"


def test_a_pass_is_used_once(cast):
    v = visitors(cast)
    _admitted(v.patient)
    body = _mint(Client(), v.patient).json()
    assert Client().post(_link_path(body["url"])).status_code == 200
    again = Client().post(_link_path(body["url"]))
    assert again.status_code == 410 and b'data-code="pass_used"' in again.content
    by_code = Client().post(reverse("visits:camera_code"), {"code": body["code"]})
    assert by_code.status_code == 410
    assert Participant.objects.filter(role=Participant.Role.CAMERA).count() == 1


def test_second_camera_tokens_expire(cast, monkeypatch):
    v = visitors(cast)
    _admitted(v.patient)
    body = _mint(Client(), v.patient).json()
    later = time.time() + second_camera.PASS_SECONDS + 1
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))
    link = Client().post(_link_path(body["url"]))
    assert link.status_code == 410 and b'data-code="pass_expired"' in link.content
    monkeypatch.undo()
    CameraPass.objects.update(expires_at=timezone.now())
    code = Client().post(reverse("visits:camera_code"), {"code": body["code"]})
    assert code.status_code == 410 and "expired" in code.content.decode()
    assert not Participant.objects.filter(role=Participant.Role.CAMERA).exists()


def test_second_camera_tokens_cannot_be_used_for_another_visit(cast):
    v = visitors(cast)
    _admitted(v.patient)
    body = _mint(Client(), v.patient).json()
    other = access.room_visit_for(cast.users["pt"].provider)
    path = _link_path(body["url"]).replace(
        f"/visits/{v.patient.participant.visit_id}/", f"/visits/{other.pk}/")
    refused = Client().post(path)
    assert refused.status_code == 403
    assert b'data-code="wrong_visit"' in refused.content
    assert CameraPass.objects.get().used_at is None  # still good for its own visit
    assert not Participant.objects.filter(role=Participant.Role.CAMERA).exists()


def test_the_typed_code_opens_the_camera_and_tolerates_case_and_spaces(cast):
    v = visitors(cast)
    _admitted(v.patient)
    code = _mint(Client(), v.patient).json()["code"]
    typed = " " + code.lower().replace("-", " ") + " "
    page = Client().post(reverse("visits:camera_code"), {"code": typed})
    assert page.status_code == 200 and b"camera-seat.js" in page.content
    assert Participant.objects.filter(role=Participant.Role.CAMERA).count() == 1


def test_wrong_codes_from_one_address_are_throttled(cast):
    v = visitors(cast)
    _admitted(v.patient)
    code = _mint(Client(), v.patient).json()["code"]
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(second_camera.CODE_FAILURES_PER_ADDRESS):
        assert guesser.post(reverse("visits:camera_code"), {"code": "ZZZZ-ZZZZ"}
                            ).status_code == 400
    refused = guesser.post(reverse("visits:camera_code"), {"code": code})
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    assert not Participant.objects.filter(role=Participant.Role.CAMERA).exists()
    # Another address is not held back by this one's guesses.
    assert Client(REMOTE_ADDR="198.51.100.4").post(reverse("visits:camera_code"),
                                                   {"code": code}).status_code == 200


def test_the_camera_stops_when_its_patient_leaves_and_refuses_a_new_ticket(cast):
    v = visitors(cast)
    _admitted(v.patient)
    body = _mint(Client(), v.patient).json()
    assert Client().post(_link_path(body["url"])).status_code == 200
    camera = Participant.objects.get(role=Participant.Role.CAMERA)
    services.participant_leave(participant_id=v.patient.participant.pk)
    camera.refresh_from_db()
    assert camera.status == S.REMOVED
    with pytest.raises(DomainError) as refused:
        second_camera.camera_ticket(entry=access.Entry(participant=camera))
    assert refused.value.code in ("camera_ended", "participant_removed")


def test_a_new_camera_replaces_the_old_one_and_a_new_pass_voids_the_unused_one(cast):
    v = visitors(cast)
    _admitted(v.patient)
    first = _mint(Client(), v.patient).json()
    second = _mint(Client(), v.patient).json()
    assert Client().post(_link_path(first["url"])).status_code == 410  # replaced
    assert Client().post(_link_path(second["url"])).status_code == 200
    third = _mint(Client(), v.patient).json()
    assert Client().post(_link_path(third["url"])).status_code == 200
    statuses = list(Participant.objects.filter(role=Participant.Role.CAMERA)
                    .order_by("id").values_list("status", flat=True))
    assert statuses == [S.REMOVED, S.ADMITTED]


def test_camera_seats_do_not_count_as_people_in_the_minutes(cast):
    v = visitors(cast)
    _admitted(v.patient)
    body = _mint(Client(), v.patient).json()
    Client().post(_link_path(body["url"]))
    camera = Participant.objects.get(role=Participant.Role.CAMERA)
    from telept.visits.models import VisitEvent
    from telept.visits.selectors import minutes_of

    now = timezone.now()
    VisitEvent.objects.create(visit_id=camera.visit_id, participant=camera, kind="join", at=now)
    VisitEvent.objects.create(visit_id=camera.visit_id, participant=v.patient.participant,
                              kind="join", at=now)
    minutes = minutes_of(camera.visit, now=now + timezone.timedelta(minutes=10))
    assert minutes.total_seconds == 0  # the patient and their own phone are not a visit
    assert {a.participant for a in minutes.attendance} == {v.patient.participant.pk}
