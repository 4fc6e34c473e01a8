"""Rules of patient messaging, pure Python (no Django): quiet hours, retry backoff, reminder
offsets and the STOP/START keywords carriers require us to honour.

Quiet hours work in the patient's wall-clock time: a text that falls due between 21:00 and
08:00 waits until 08:00 local, computed on the local calendar so DST days come out right
(08:00 after a spring-forward night is 12:00 UTC in New York, not 13:00).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo

QUIET_START = dt.time(21, 0)
QUIET_END = dt.time(8, 0)

REMINDER_OFFSETS: dict[str, dt.timedelta] = {
    "reminder_24h": dt.timedelta(hours=24),
    "reminder_1h": dt.timedelta(hours=1),
}

MAX_ATTEMPTS = 4
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_FACTOR = 5
RETRY_CAP = dt.timedelta(hours=2)

# Keywords the US carriers (CTIA) and Twilio treat as opt-out / opt-in, matched on the whole
# trimmed message, case-insensitively, ignoring trailing punctuation ("Stop." counts).
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})

Keyword = Literal["opt_out", "opt_in"]


def in_quiet_hours(*, at: dt.datetime, time_zone: str) -> bool:
    """True when `at` (aware) falls between 21:00 and 08:00 in `time_zone`."""
    local = at.astimezone(ZoneInfo(time_zone)).time()
    return local >= QUIET_START or local < QUIET_END


def quiet_hours_defer(*, due: dt.datetime, time_zone: str) -> dt.datetime:
    """When a text due at `due` may go out: `due` itself outside quiet hours, else 08:00 of
    the patient's next morning. Returns an aware UTC datetime.

    The 08:00 is built on the local date and converted through UTC, so a DST change during
    the night moves the UTC instant, never the wall-clock hour the patient sees.
    """
    if due.tzinfo is None:
        raise ValueError("due must be timezone-aware")
    zone = ZoneInfo(time_zone)
    local = due.astimezone(zone)
    if not in_quiet_hours(at=due, time_zone=time_zone):
        return due.astimezone(dt.UTC)
    morning = local.date() if local.time() < QUIET_END else local.date() + dt.timedelta(days=1)
    # A wall-clock time that does not exist (a zone shifting at 08:00) normalises through UTC.
    return dt.datetime.combine(morning, QUIET_END, tzinfo=zone).astimezone(dt.UTC)


def retry_delay(*, attempt: int) -> dt.timedelta:
    """Wait before attempt `attempt + 1` after `attempt` failed: 1, 5, 25 min, capped at 2 h,
    so a provider outage is ridden out without hammering it."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    return min(RETRY_BASE * RETRY_FACTOR ** (attempt - 1), RETRY_CAP)


def sms_keyword(body: str) -> Keyword | None:
    """Classify an inbound text: opt-out, opt-in, or neither (None)."""
    word = re.sub(r"[\s.!?,;:]+$", "", body.strip()).upper()
    if word in OPT_OUT_KEYWORDS:
        return "opt_out"
    if word in OPT_IN_KEYWORDS:
        return "opt_in"
    return None
