"""When is an outcome measure due? (pure)

A therapist schedules a measure for a patient: at evaluation (a baseline straight away),
and/or every N completed visits, and/or every N days. The measure is due when

* it has never been completed and the schedule asks for a baseline at evaluation, or
* since the last completion (or, with no completion and no baseline asked for, since the
  schedule started) at least `every_visits` visits were completed, or at least
  `every_days` days have passed.

Either interval alone is enough ("every 4 visits or every 30 days, whichever comes first",
the way re-assessment is usually written into a plan of care). A schedule with neither
interval is a one-off baseline: once completed it is never due again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleRule:
    at_evaluation: bool
    every_visits: int | None = None
    every_days: int | None = None

    def __post_init__(self) -> None:
        for name in ("every_visits", "every_days"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1 when set.")
        if not self.at_evaluation and self.every_visits is None and self.every_days is None:
            raise ValueError("A schedule needs a baseline at evaluation or an interval.")


@dataclass(frozen=True)
class Due:
    due: bool
    reason: str


def measure_due(
    *,
    rule: ScheduleRule,
    started_at: dt.datetime,
    last_completed_at: dt.datetime | None,
    visits_since: int,
    now: dt.datetime,
) -> Due:
    """Decide whether the measure is due now.

    `visits_since` counts completed visits after `last_completed_at` (or after `started_at`
    when the measure was never completed); the caller counts, this function only decides.
    """
    if visits_since < 0:
        raise ValueError("visits_since cannot be negative.")
    if last_completed_at is None and rule.at_evaluation:
        return Due(True, "Baseline at evaluation")
    since = last_completed_at or started_at
    if rule.every_visits is not None and visits_since >= rule.every_visits:
        return Due(True, f"{visits_since} visit{'s' if visits_since != 1 else ''} since the "
                         f"last {'score' if last_completed_at else 'start'}")
    if rule.every_days is not None and now - since >= dt.timedelta(days=rule.every_days):
        days = (now - since).days
        return Due(True, f"{days} days since the last {'score' if last_completed_at else 'start'}")
    if rule.every_visits is None and rule.every_days is None:
        return Due(False, "Baseline done; no repeat scheduled")
    return Due(False, "Not due yet")
