"""Does a chosen start fit the provider's availability? (pure: no Django, no I/O)

`generate_slots` lists what to offer; this answers the other question a booking asks: is this
particular start, perhaps typed by staff, inside a window, on the step grid, not on a holiday
and clear of time off? Busy time is deliberately not checked here: overlapping bookings are
refused by the database, so that a lost race answers "slot taken", not "outside hours".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telept.scheduling.rules.slots import AvailabilityWindow, Interval


def fitting_window(
    *,
    windows: Iterable[AvailabilityWindow],
    time_zone: str,
    start: datetime,
    end: datetime,
    busy_end: datetime,
    telehealth: bool,
    location_id: int | None = None,
    holidays: Iterable[date] = (),
    time_off: Iterable[Interval] = (),
    step_minutes: int = 15,
) -> AvailabilityWindow | None:
    """The window that holds the visit `[start, end)` on the practice's wall clock, or None.

    A telehealth visit needs a telehealth window; an in-person visit needs a window at
    `location_id`. As in `generate_slots`, the visit must lie inside one window of the
    start's local date while its buffer `[end, busy_end)` may run past the window's end
    (notes after the last visit), but neither may touch time off.
    """
    if start.tzinfo is None or end.tzinfo is None or busy_end.tzinfo is None:
        raise ValueError("start, end and busy_end must be timezone-aware.")
    if not start < end <= busy_end:
        return None
    zone = ZoneInfo(time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.date() in set(holidays):
        return None
    if (local_start.hour * 60 + local_start.minute) % step_minutes or local_start.second \
            or local_start.microsecond:
        return None
    if any(off.start < busy_end and start < off.end for off in time_off):
        return None
    same_day = local_end.date() == local_start.date()
    for window in windows:
        if window.weekday != local_start.weekday():
            continue
        if telehealth and not window.telehealth:
            continue
        if not telehealth and (window.location_id is None or window.location_id != location_id):
            continue
        ends_in_time = same_day and local_end.time() <= window.end
        if window.start <= local_start.time() and ends_in_time:
            return window
    return None
