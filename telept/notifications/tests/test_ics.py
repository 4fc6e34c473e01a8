"""The calendar file on its own: zones across DST, REQUEST vs CANCEL, and a stable UID."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from telept.notifications.ics import IcsEvent, appointment_uid, ics_build, sender_address

UTC = dt.UTC


def _event(**changes: object) -> IcsEvent:
    values: dict[str, object] = dict(
        uid="appointment-7@clinic.example.test", sequence=0, method="REQUEST",
        start=dt.datetime(2030, 3, 11, 13, 0, tzinfo=UTC),  # Monday after spring forward
        end=dt.datetime(2030, 3, 11, 13, 45, tzinfo=UTC), time_zone="America/New_York",
        summary="Physical therapy visit — Riverside", location="Video visit",
        description="Manage your visit in the patient portal", organizer_email="a@b.test",
        organizer_name="Riverside", attendee_email="p@mail.test", attendee_name="Pat")
    values.update(changes)
    return IcsEvent(**values)  # type: ignore[arg-type]


def test_times_keep_the_practice_zone_across_a_dst_change() -> None:
    calendar = Calendar.from_ical(ics_build(event=_event(), now=dt.datetime(2030, 3, 1,
                                                                           tzinfo=UTC)))
    event = calendar.events[0]
    assert dt.datetime(2030, 3, 11, 13, 0, tzinfo=UTC) == event.DTSTART
    assert event.DTSTART.hour == 9  # 09:00 EDT (it would be 08:00 with the winter offset)
    assert str(event.DTSTART.tzinfo) == "America/New_York"
    zone = calendar.timezones[0]
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_cancel_marks_the_event_cancelled() -> None:
    calendar = Calendar.from_ical(ics_build(event=_event(method="CANCEL", sequence=2),
                                            now=dt.datetime(2030, 3, 1, tzinfo=UTC)))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.events[0]["STATUS"]) == "CANCELLED"
    assert calendar.events[0]["SEQUENCE"] == 2


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="METHOD"):
        ics_build(event=_event(method="PUBLISH"), now=dt.datetime(2030, 3, 1, tzinfo=UTC))


def test_the_uid_names_the_appointment_and_host_only() -> None:
    assert appointment_uid(appointment_id=42, site_url="https://pt.example.org:8443/x") == \
        "appointment-42@pt.example.org"
    assert sender_address("TelePT <no-reply@telept.localhost>") == "no-reply@telept.localhost"
