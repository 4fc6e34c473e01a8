"""Knocks on a provider's public room are limited: per client address (any room) and per room
(unanswered knocks), refused with a 429 page that says what to do instead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from telept.visits import access
from telept.visits.models import Participant

pytestmark = pytest.mark.django_db
FORM = {"name": "Walk In", "contact": "+1 212 555 0177", "state": "NY", "located_at": "home",
        "agree": "on"}


def _knock(slug: str, address: str) -> object:
    return Client(REMOTE_ADDR=address).post(f"/room/{slug}/", FORM)


def _later(monkeypatch: pytest.MonkeyPatch, minutes: int) -> None:
    """Move the clock on (audit rows cannot be rewritten, so time moves instead)."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(minutes=minutes))


def test_one_address_gets_five_knocks_in_ten_minutes_then_a_clear_429(cast, monkeypatch):
    slug = cast.users["pt"].provider.slug
    for _ in range(access.KNOCKS_PER_ADDRESS):
        assert _knock(slug, "203.0.113.7").status_code == 302
    refused = _knock(slug, "203.0.113.7")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    html = refused.content.decode()
    assert 'data-testid="knock-refused"' in html
    assert "knocked several times" in html and "wait 10 minutes" in html
    assert cast.practice.phone in html  # what to do instead
    assert Participant.objects.filter(display_name="Walk In").count() == 5
    # The limit is the address's, across rooms; another address is not affected.
    assert _knock("lakeside-pt", "203.0.113.7").status_code == 429
    assert _knock(slug, "198.51.100.2").status_code == 302
    _later(monkeypatch, 11)
    assert _knock(slug, "203.0.113.7").status_code == 302


def test_an_invalid_knock_form_is_not_counted_and_stays_a_400(cast):
    slug = cast.users["pt"].provider.slug
    for _ in range(access.KNOCKS_PER_ADDRESS + 2):
        assert Client(REMOTE_ADDR="203.0.113.8").post(f"/room/{slug}/",
                                                      {"name": "x"}).status_code == 400
    assert _knock(slug, "203.0.113.8").status_code == 302


def test_a_room_holds_ten_unanswered_knocks_and_turns_the_next_away(cast, monkeypatch):
    slug = cast.users["pt"].provider.slug
    for n in range(access.PENDING_KNOCKS_PER_ROOM):
        assert _knock(slug, f"192.0.2.{n + 1}").status_code == 302
    refused = _knock(slug, "192.0.2.200")
    assert refused.status_code == 429
    assert "already has several people waiting" in refused.content.decode()
    # Another provider's room is its own.
    assert _knock("lakeside-pt", "192.0.2.200").status_code == 302

    seats = list(Participant.objects.filter(visit__provider__slug=slug).order_by("id"))
    # Answered knocks (declined, or let in) free a place; waiting ones keep theirs.
    Participant.objects.filter(pk=seats[0].pk).update(status=Participant.Status.DECLINED)
    Participant.objects.filter(pk=seats[1].pk).update(status=Participant.Status.ADMITTED)
    Participant.objects.filter(pk__in=[s.pk for s in seats[2:]]).update(
        status=Participant.Status.WAITING, channel_name="specific..inmemory!x")
    assert _knock(slug, "192.0.2.201").status_code == 302
    assert _knock(slug, "192.0.2.202").status_code == 302
    assert _knock(slug, "192.0.2.203").status_code == 429

    # A knock whose page never came in stops counting after the window; waiting ones do not.
    _later(monkeypatch, 11)
    assert _knock(slug, "192.0.2.204").status_code == 302  # the two new knocks lapsed
    assert _knock(slug, "192.0.2.205").status_code == 302
    assert _knock(slug, "192.0.2.206").status_code == 429  # 8 waiting + 2 new


def test_the_knock_service_refuses_with_stable_codes(cast):
    provider = cast.users["pt"].provider
    for _ in range(access.KNOCKS_PER_ADDRESS):
        access.audit_record(actor=None, action="knock", object_type="Visit", object_id=1,
                            practice_id=provider.practice_id)
    # Outside a request the audit rows carry no address, so no address is limited.
    raw = access.room_knock(provider=provider, name="A", contact="+12125550177",
                            located_state="NY", located_at="home")
    seat = access.entry_for_room_token(provider=provider, raw=raw).participant
    assert seat.terms_accepted_at and seat.located_confirmed_at  # agreed on the knock form
    for n in range(access.PENDING_KNOCKS_PER_ROOM - 1):
        access.room_knock(provider=provider, name=f"V{n}", contact="", located_state="NY",
                          located_at="elsewhere")
    with pytest.raises(access.KnockRefused) as refused:
        access.room_knock(provider=provider, name="Z", contact="", located_state="NY",
                          located_at="elsewhere")
    assert (refused.value.code, refused.value.status) == ("room_busy", 429)
