"""How a visit's time reads on a page or in a message (pure: no Django).

Always in a named zone (the practice's for staff, the patient's for patients), never UTC, and
always with the weekday, so a proposal on a holiday or a weekend stands out: "Fri 25 Dec,
8:45 AM". The space before AM/PM is a no-break space, so a time never wraps inside itself.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

NBSP = "\u00a0"


def visit_when(start: dt.datetime, time_zone: str) -> str:
    """`start` (aware) on the wall clock of `time_zone`: "Fri 25 Dec, 8:45 AM"."""
    local = start.astimezone(ZoneInfo(time_zone))
    hour = local.hour % 12 or 12
    return f"{local:%a} {local.day} {local:%b}, {hour}:{local:%M}{NBSP}{local:%p}"
