"""Adherence and pain-trend arithmetic for home programs (pure; no Django imports).

Days are the patient's local calendar days. What was prescribed in a window is the weekly
dose of every item (`times a day x days a week`) spread evenly over the days of the window
the program covered; what was done counts a `done` log as one bout and a `partly` log as
half. A patient has dropped off when their last activity (or, with none, the program's
start) is three or more days ago.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DROP_OFF_DAYS = 3
CREDIT = {"done": 1.0, "partly": 0.5, "skipped": 0.0}


@dataclass(frozen=True, slots=True)
class Dose:
    """One program item's prescription."""

    times_per_day: int
    days_per_week: int

    @property
    def per_week(self) -> int:
        return self.times_per_day * self.days_per_week


@dataclass(frozen=True, slots=True)
class LogFact:
    day: dt.date
    status: str


@dataclass(frozen=True, slots=True)
class Adherence:
    window_days: int
    active_days: int
    sessions: int
    prescribed: float
    completed: float

    @property
    def completion_rate(self) -> float | None:
        """Done over prescribed, 0..1 (capped: extra work is not more than full adherence);
        None when nothing was prescribed in the window."""
        if self.prescribed <= 0:
            return None
        return min(1.0, self.completed / self.prescribed)

    @property
    def completion_percent(self) -> int | None:
        rate = self.completion_rate
        return None if rate is None else round(rate * 100)


def window_start(*, today: dt.date, window_days: int) -> dt.date:
    if window_days < 1:
        raise ValueError("a window is at least one day")
    return today - dt.timedelta(days=window_days - 1)


def adherence_in_window(*, today: dt.date, window_days: int, program_start: dt.date,
                        doses: Iterable[Dose], session_days: Iterable[dt.date],
                        logs: Iterable[LogFact]) -> Adherence:
    """Adherence over the `window_days` days ending with `today` (inclusive)."""
    first = window_start(today=today, window_days=window_days)
    covered_from = max(first, program_start)
    covered = max(0, (today - covered_from).days + 1)
    per_week = sum(d.per_week for d in doses)
    in_window = [d for d in session_days if first <= d <= today and d >= program_start]
    completed = sum(CREDIT.get(log.status, 0.0) for log in logs
                    if first <= log.day <= today and log.day >= program_start)
    return Adherence(window_days=window_days, active_days=len(set(in_window)),
                     sessions=len(in_window), prescribed=round(per_week * covered / 7, 2),
                     completed=completed)


def days_inactive(*, today: dt.date, last_activity: dt.date | None,
                  program_start: dt.date) -> int:
    """Whole days since the last activity, or since the program started when none yet."""
    since = last_activity if last_activity is not None else program_start
    return max(0, (today - since).days)


def dropped_off(*, today: dt.date, last_activity: dt.date | None, program_start: dt.date,
                threshold: int = DROP_OFF_DAYS) -> bool:
    return days_inactive(today=today, last_activity=last_activity,
                         program_start=program_start) >= threshold


# --- the pain-trend chart -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    day: dt.date
    pain: int


@dataclass(frozen=True, slots=True)
class PainChart:
    """Geometry of a small server-rendered SVG line chart (pain 0-10 over days)."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    points: tuple[ChartPoint, ...]
    y_ticks: tuple[tuple[float, int], ...]
    start: dt.date
    end: dt.date
    baseline_y: float | None

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width


def daily_worst(pains: Iterable[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """The highest pain of each day, in day order."""
    worst: dict[dt.date, int] = {}
    for day, pain in pains:
        worst[day] = max(pain, worst.get(day, pain))
    return sorted(worst.items())


def pain_chart(*, pains: Sequence[tuple[dt.date, int]], start: dt.date, end: dt.date,
               baseline: int | None = None, width: int = 340, height: int = 150) -> PainChart:
    """Place each day's worst pain on a 0-10 scale between `start` and `end`."""
    left, top, right_pad, bottom_pad = 28, 8, 8, 22
    plot_w, plot_h = width - left - right_pad, height - top - bottom_pad
    span = max(1, (end - start).days)

    def y_of(pain: int) -> float:
        return top + plot_h * (1 - pain / 10)

    points = tuple(
        ChartPoint(x=left + plot_w * (day - start).days / span, y=y_of(pain), day=day,
                   pain=pain)
        for day, pain in daily_worst(pains) if start <= day <= end)
    return PainChart(width=width, height=height, left=left, top=top, plot_width=plot_w,
                     plot_height=plot_h, points=points,
                     y_ticks=tuple((y_of(v), v) for v in (0, 5, 10)), start=start, end=end,
                     baseline_y=None if baseline is None else y_of(baseline))
