"""Remote therapeutic monitoring (RTM) rules, pure (no Django; RULES §3 is the source).

Two clocks (RULES §3 "Clocks"):
- device supply (musculoskeletal) counts *data days* in a rolling 30-day period that starts
  on the first day the patient transmitted monitoring data; the next period starts on the
  first data day after the previous one ended, so periods never overlap. 0-1 days: nothing;
  2-15: 98985 (new in 2026); 16-30: 98977. Initial set-up and education, 98975, once per
  episode of care.
- treatment management counts the minutes the PT or PTA spent in a *calendar month*, and
  needs at least one real-time interactive communication (a video or audio visit, a call)
  in that month: 10-19 minutes 98979 (new in 2026), 20-39 98980, and 98981 for each further
  full 20 minutes (40-59 one, 60-79 two, ...). 98979 is never billed in a month with
  98980/98981.

Choices where RULES says UNVERIFIED (open item 3), each a constant here:
- 98975 is proposed with the first period of an episode that reaches the device-supply
  minimum (2 days; the old requirement was 16, the 2026 one is unverified): SETUP_MIN_DAYS.
- 98981 counts *full* additional 20 minutes (RULES' test vectors assume this).

Only one practitioner bills RTM per patient per period: the enrolment's PT. A PTA's minutes
count toward the month and put CQ on the line (the billing rules decide CQ's de minimis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PERIOD_DAYS = 30
SETUP = "98975"
DEVICE_2_15 = "98985"  # musculoskeletal device supply, 2-15 days (2026)
DEVICE_16_30 = "98977"  # musculoskeletal device supply, 16-30 days
MGMT_FIRST_10 = "98979"  # first 10 minutes in a calendar month (2026)
MGMT_FIRST_20 = "98980"  # first 20 minutes in a calendar month
MGMT_EACH_20 = "98981"  # each additional 20 minutes
DEVICE_MIN_DAYS = 2
DEVICE_HIGH_DAYS = 16
SETUP_MIN_DAYS = DEVICE_MIN_DAYS
MGMT_MIN_10 = 10
MGMT_MIN_20 = 20
MGMT_STEP = 20
RTM_CODES = (SETUP, DEVICE_2_15, DEVICE_16_30, MGMT_FIRST_10, MGMT_FIRST_20, MGMT_EACH_20)


@dataclass(frozen=True, order=True)
class CodeUnits:
    code: str
    units: int = 1

    def as_dict(self) -> dict[str, str | int]:
        return {"code": self.code, "units": self.units}


@dataclass(frozen=True)
class Window:
    """One 30-day device-supply period, both days inclusive."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def short_date(day: dt.date) -> str:
    """"Dec 14": how the sentences name a day."""
    return f"{day:%b} {day.day}"


def _days(n: int) -> str:
    return f"{n} data day" if n == 1 else f"{n} data days"


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


# --- device supply: data days in a 30-day period -------------------------------------------

def period_end(start: dt.date) -> dt.date:
    return start + dt.timedelta(days=PERIOD_DAYS - 1)


def period_windows(data_days: Iterable[dt.date], *, not_before: dt.date | None = None,
                   until: dt.date | None = None) -> list[Window]:
    """The 30-day periods the data days open: each starts on a data day not covered by the
    previous period. Days before `not_before` (the enrolment start, or the day after an
    earlier enrolment's last period) or after `until` (its end) open nothing."""
    windows: list[Window] = []
    for day in sorted(set(data_days)):
        if (not_before and day < not_before) or (until and day > until):
            continue
        if windows and day <= windows[-1].end:
            continue
        windows.append(Window(day, period_end(day)))
    return windows


def count_data_days(data_days: Iterable[dt.date], window: Window) -> int:
    return sum(1 for day in set(data_days) if day in window)


def device_code(data_days: int) -> str | None:
    """RULES §3 device-supply table: 0-1 none, 2-15 98985, 16-30 98977."""
    if data_days < 0 or data_days > PERIOD_DAYS:
        raise ValueError(f"A 30-day period holds 0 to {PERIOD_DAYS} data days, "
                         f"not {data_days}.")
    if data_days >= DEVICE_HIGH_DAYS:
        return DEVICE_16_30
    if data_days >= DEVICE_MIN_DAYS:
        return DEVICE_2_15
    return None


def period_codes(*, data_days: int, first_of_episode: bool,
                 setup_billed: bool = False) -> tuple[CodeUnits, ...]:
    """The 30-day period's codes: set-up 98975 (once per episode: its first period, if it
    reaches the device minimum and no set-up was billed yet) and the device-supply code."""
    codes: list[CodeUnits] = []
    device = device_code(data_days)
    if first_of_episode and not setup_billed and data_days >= SETUP_MIN_DAYS:
        codes.append(CodeUnits(SETUP))
    if device:
        codes.append(CodeUnits(device))
    return tuple(codes)


def data_days_sentence(*, data_days: int, end: dt.date, today: dt.date,
                       today_counted: bool = False) -> str:
    """Where the period stands, mid-period or after it: "9 data days: 98985 so far; needs
    7 more by Dec 14 for 98977". `today_counted`: today is already one of the data days
    (so the days still open start tomorrow)."""
    code = device_code(data_days)
    by = short_date(end)
    if today > end:
        if code is None:
            return (f"Period ended {by} with {_days(data_days)}: nothing to bill "
                    f"({DEVICE_2_15} needs {DEVICE_MIN_DAYS}).")
        return f"Period ended {by} with {_days(data_days)}: {code}."
    open_days = (end - today).days + (0 if today_counted else 1)
    if code == DEVICE_16_30:
        return f"{_days(data_days)}: {DEVICE_16_30} (the most this period can earn)."
    target, goal = ((DEVICE_2_15, DEVICE_MIN_DAYS) if code is None
                    else (DEVICE_16_30, DEVICE_HIGH_DAYS))
    needed = goal - data_days
    head = _days(data_days) + (f": {code} so far" if code else "")
    if needed > open_days:
        left = "no day left" if open_days == 0 else (
            "1 day left" if open_days == 1 else f"{open_days} days left")
        return (f"{head}; {target} is out of reach this period (needs {needed} more, "
                f"{left} to {by}).")
    return f"{head}; needs {needed} more by {by} for {target}."


# --- treatment management: minutes in a calendar month -------------------------------------

def management_codes(minutes: int, *, interactive: bool) -> tuple[CodeUnits, ...]:
    """RULES §3 minutes table (with a real-time interaction in the month): <10 none, 10-19
    98979, 20-39 98980, then 98981 x each further full 20. No interaction: none."""
    if minutes < 0:
        raise ValueError("Minutes cannot be negative.")
    if not interactive or minutes < MGMT_MIN_10:
        return ()
    if minutes < MGMT_MIN_20:
        return (CodeUnits(MGMT_FIRST_10),)
    extra = (minutes - MGMT_MIN_20) // MGMT_STEP
    return (CodeUnits(MGMT_FIRST_20),) + ((CodeUnits(MGMT_EACH_20, extra),) if extra else ())


def management_level(codes: Sequence[CodeUnits]) -> int:
    """An order on management results (none < 98979 < 98980 < 98980+98981x1 < ...), for
    "a minute more never lowers the codes"."""
    found = {c.code: c.units for c in codes}
    if MGMT_FIRST_20 in found:
        return 2 + found.get(MGMT_EACH_20, 0)
    return 1 if MGMT_FIRST_10 in found else 0


def month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def management_sentence(*, minutes: int, interactive: bool, month_last_day: dt.date,
                        today: dt.date) -> str:
    """Where the month stands: "12 minutes, with a real-time interaction: 98979; needs 8
    more by Dec 31 for 98980"."""
    by = short_date(month_last_day)
    over = today > month_last_day
    if not interactive:
        if over:
            return (f"Month ended {by} with {_minutes(minutes)} and no real-time interaction:"
                    f" nothing to bill ({MGMT_FIRST_10}/{MGMT_FIRST_20} need a call or a "
                    "video visit in the month).")
        return (f"{_minutes(minutes)}, no real-time interaction yet: book a call or a video "
                f"visit by {by} ({MGMT_FIRST_10}/{MGMT_FIRST_20} need one in the month).")
    codes = management_codes(minutes, interactive=True)
    names = " + ".join(c.code if c.units == 1 else f"{c.code} x{c.units}" for c in codes)
    head = f"{_minutes(minutes)}, with a real-time interaction" + (f": {names}" if names
                                                                   else "")
    if over:
        return f"Month ended {by}: {head}" + ("." if names else f"; nothing to bill "
                                             f"({MGMT_FIRST_10} needs {MGMT_MIN_10}).")
    if minutes < MGMT_MIN_10:
        return f"{head}; needs {MGMT_MIN_10 - minutes} more by {by} for {MGMT_FIRST_10}."
    if minutes < MGMT_MIN_20:
        return f"{head}; needs {MGMT_MIN_20 - minutes} more by {by} for {MGMT_FIRST_20}."
    next_at = MGMT_MIN_20 + ((minutes - MGMT_MIN_20) // MGMT_STEP + 1) * MGMT_STEP
    extra = (next_at - MGMT_MIN_20) // MGMT_STEP
    what = MGMT_EACH_20 if extra == 1 else f"{MGMT_EACH_20} x{extra}"
    return f"{head}; needs {next_at - minutes} more by {by} for {what}."


# --- who bills --------------------------------------------------------------------------

@dataclass(frozen=True)
class Contribution:
    """Minutes one provider spent in a month; `pta`: furnished by an assistant."""

    provider_id: int
    minutes: int
    pta: bool = False


@dataclass(frozen=True)
class MonthBill:
    biller_id: int  # the one practitioner who bills the period: the enrolment's PT
    minutes: int
    pta_minutes: int
    codes: tuple[CodeUnits, ...]


def month_bill(*, enrolling_pt_id: int, contributions: Iterable[Contribution],
               interactive: bool) -> MonthBill:
    """One biller per period: the enrolment's PT bills every minute of the month, their
    own, another PT's of the practice and a supervised PTA's (whose share is kept for CQ)."""
    rows = list(contributions)
    minutes = sum(r.minutes for r in rows)
    pta = sum(r.minutes for r in rows if r.pta)
    return MonthBill(enrolling_pt_id, minutes, pta,
                     management_codes(minutes, interactive=interactive))
