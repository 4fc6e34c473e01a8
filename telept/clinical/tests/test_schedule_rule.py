"""When an outcome measure is due (rules/schedule.py): a table of cases."""

from __future__ import annotations

import datetime as dt

import pytest

from telept.clinical.rules.schedule import ScheduleRule, measure_due

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

CASES = [
    # (rule, last completed (days after start) or None, visits since, now (days), due?)
    (ScheduleRule(at_evaluation=True), None, 0, 0, True),
    (ScheduleRule(at_evaluation=True), 0, 10, 100, False),  # one-off baseline, done
    (ScheduleRule(at_evaluation=True, every_visits=4), 0, 3, 20, False),
    (ScheduleRule(at_evaluation=True, every_visits=4), 0, 4, 20, True),
    (ScheduleRule(at_evaluation=True, every_days=30), 0, 0, 29, False),
    (ScheduleRule(at_evaluation=True, every_days=30), 0, 0, 30, True),
    (ScheduleRule(at_evaluation=True, every_visits=4, every_days=30), 0, 1, 31, True),
    (ScheduleRule(at_evaluation=True, every_visits=4, every_days=30), 0, 4, 2, True),
    (ScheduleRule(at_evaluation=True, every_visits=4, every_days=30), 0, 3, 29, False),
    # No baseline asked: the first one falls due one interval after the schedule started.
    (ScheduleRule(at_evaluation=False, every_visits=2), None, 1, 5, False),
    (ScheduleRule(at_evaluation=False, every_visits=2), None, 2, 5, True),
    (ScheduleRule(at_evaluation=False, every_days=14), None, 0, 14, True),
]


@pytest.mark.parametrize("rule, last, visits, now, expected", CASES)
def test_it_decides_whether_a_measure_is_due(rule, last, visits, now, expected):
    due = measure_due(rule=rule, started_at=START,
                      last_completed_at=None if last is None else START + last * DAY,
                      visits_since=visits, now=START + now * DAY)
    assert due.due is expected, due.reason
    assert due.reason


@pytest.mark.parametrize("kwargs", [
    {"at_evaluation": False},
    {"at_evaluation": True, "every_visits": 0},
    {"at_evaluation": True, "every_days": -1},
])
def test_it_refuses_a_schedule_that_never_asks_or_has_a_non_positive_interval(kwargs):
    with pytest.raises(ValueError):
        ScheduleRule(**kwargs)


def test_it_refuses_a_negative_visit_count():
    with pytest.raises(ValueError):
        measure_due(rule=ScheduleRule(at_evaluation=True), started_at=START,
                    last_completed_at=None, visits_since=-1, now=START)
