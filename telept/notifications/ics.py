"""Calendar attachments (RFC 5545 / iTIP RFC 5546) for appointment e-mails.

The event names no clinical detail: the summary is "Physical therapy visit — <practice>", the
location is the clinic's address or "Video visit (join link in the portal)", and the
description points at the portal (a join link would leak into synced calendars). Times carry
the practice's TZID with its VTIMEZONE, so a calendar shows the right hour across DST.
A calendar matches updates by UID and keeps the one with the highest SEQUENCE, so a
reschedule is REQUEST with a higher SEQUENCE and a cancellation is CANCEL with a higher one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//TelePT//Appointments//EN"


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    sequence: int
    method: str  # "REQUEST" or "CANCEL"
    start: dt.datetime
    end: dt.datetime
    time_zone: str
    summary: str
    location: str
    description: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str


def appointment_uid(*, appointment_id: int, site_url: str) -> str:
    """A UID that names the appointment and our host and nothing else (RFC 5545 3.8.4.7)."""
    host = urlparse(site_url).hostname or "telept.localhost"
    return f"appointment-{appointment_id}@{host}"


def sender_address(from_email: str) -> str:
    """The bare address of DEFAULT_FROM_EMAIL ("TelePT <x@y>" -> "x@y")."""
    return parseaddr(from_email)[1] or from_email


def ics_build(*, event: IcsEvent, now: dt.datetime) -> bytes:
    """The iCalendar file for one event, METHOD and STATUS matching REQUEST or CANCEL."""
    if event.method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {event.method!r}")
    zone = ZoneInfo(event.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", event.method)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now.astimezone(dt.UTC))
    vevent.add("dtstart", event.start.astimezone(zone))
    vevent.add("dtend", event.end.astimezone(zone))
    vevent.add("summary", event.summary)
    vevent.add("location", event.location)
    vevent.add("description", event.description)
    vevent.add("status", "CANCELLED" if event.method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{event.organizer_email}")
    organizer.params["CN"] = event.organizer_name
    vevent.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{event.attendee_email}")
    attendee.params["CN"] = event.attendee_name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["RSVP"] = "FALSE"
    vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    # One year either side keeps the VTIMEZONE small but covers the event's DST rules.
    calendar.add_missing_timezones(first_date=(event.start - dt.timedelta(days=366)).date(),
                                   last_date=(event.end + dt.timedelta(days=366)).date())
    return bytes(calendar.to_ical())
