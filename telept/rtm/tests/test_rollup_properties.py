"""Issue 15's properties, on the code that builds and rolls up the periods (test_rules checks
them on the pure tables): adding a data day or a minute never lowers a period's codes; no
two periods of a clock overlap, also after some were frozen by a roll-up; one biller per
period, each proposed once, however the nights that run the roll-up fall."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.billing.models import Charge
from telept.rtm import counting, rollup, rules, services
from telept.rtm.models import RtmPeriod
from telept.rtm.tests.helpers import at, enrol, established, pta_provider, session_on
from telept.tests.factories import local_today

B = dt.date(2026, 3, 1)
TODAY = B + dt.timedelta(days=95)
BOUNDS = counting.Bounds(B, B + dt.timedelta(days=120))
offsets = st.sets(st.integers(min_value=0, max_value=94), max_size=45)
RANK = {None: 0, rules.DEVICE_2_15: 1, rules.DEVICE_16_30: 2}


def _days(found: set[int]) -> set[dt.date]:
    return {B + dt.timedelta(days=n) for n in found}


def _periods(days: set[dt.date], entries=(), frozen=()) -> dict[tuple[str, dt.date], RtmPeriod]:
    """What enrolments_count writes, without the database: the spans and their counts."""
    frozen = list(frozen)
    spans = counting._spans(days, frozen, BOUNDS, TODAY)
    first = None if frozen else min((s.start for s in spans if s.clock == "data"),
                                    default=None)
    found = {}
    for span in spans:
        period = RtmPeriod(clock=span.clock, start=span.start)
        counting._fill(period, span, days, list(entries), today=TODAY,
                       first_of_episode=span.clock == "data" and span.start == first,
                       setup_billed=False)
        found[(span.clock, span.start)] = period
    return found


def _device(period: RtmPeriod) -> tuple[int, bool]:
    codes = {c["code"] for c in period.proposed_codes}
    device = next((c for c in codes if c in RANK), None)
    return RANK[device], rules.SETUP in codes


@given(offsets, st.integers(min_value=0, max_value=94))
def test_adding_a_data_day_inside_a_period_never_lowers_its_codes(found, extra):
    days = _days(found)
    before = _periods(days)
    day = B + dt.timedelta(days=extra)
    owner = next((p for (clock, _), p in before.items()
                  if clock == "data" and p.start <= day <= p.end), None)
    if owner is None or day in days:
        return
    after = _periods(days | {day})
    grown = after[("data", owner.start)]
    assert grown.end == owner.end and grown.data_days == owner.data_days + 1
    assert _device(grown) >= _device(owner)
    assert {k: p.proposed_codes for k, p in after.items() if k[0] == "data"} == {
        k: (grown if k == ("data", owner.start) else p).proposed_codes
        for k, p in before.items() if k[0] == "data"}  # no other period moved


entries = st.lists(st.tuples(st.integers(min_value=0, max_value=94),
                             st.integers(min_value=0, max_value=3600), st.booleans(),
                             st.booleans()), max_size=12)


@given(entries, st.integers(min_value=0, max_value=94), st.booleans())
def test_adding_a_minute_to_a_month_never_lowers_its_codes(rows, when, interactive):
    typed = [(B + dt.timedelta(days=n), seconds, pta, live) for n, seconds, pta, live in rows]
    day = B + dt.timedelta(days=when)
    more = typed + [(day, 60, False, interactive)]
    key = ("month", max(rules.month_start(day), B))
    before, after = _periods(set(), typed)[key], _periods(set(), more)[key]
    assert after.management_seconds == before.management_seconds + 60
    assert (rules.management_level([rules.CodeUnits(c["code"], c["units"])
                                    for c in after.proposed_codes])
            >= rules.management_level([rules.CodeUnits(c["code"], c["units"])
                                       for c in before.proposed_codes]))


def _overlap(periods) -> bool:
    ordered = sorted(periods, key=lambda p: p.start)
    return any(a.end >= b.start for a, b in zip(ordered, ordered[1:], strict=False))


@given(offsets, st.integers(min_value=0, max_value=3))
def test_periods_never_overlap_also_after_some_were_rolled_up(found, frozen_count):
    days = _days(found)
    first = _periods(days)
    data = sorted((p for k, p in first.items() if k[0] == "data"), key=lambda p: p.start)
    frozen = data[:frozen_count]
    for period in frozen:
        period.status = RtmPeriod.Status.PROPOSED
    later = _periods(days, frozen=frozen)
    new_data = [p for k, p in later.items() if k[0] == "data"]
    assert not _overlap(frozen + new_data)
    assert not _overlap([p for k, p in later.items() if k[0] == "month"])
    assert all(BOUNDS.first <= p.start <= p.end <= BOUNDS.last for p in later.values())
    covered = frozen + new_data  # every data day is in exactly one data period
    assert all(sum(p.start <= d <= p.end for p in covered) == 1 for d in days)


# --- on the database: the worker's nights ------------------------------------------------

PAST = (local_today() - dt.timedelta(days=140)).replace(day=1)


@pytest.fixture
def enrolment(cast, django_capture_on_commit_callbacks):
    established(cast, django_capture_on_commit_callbacks)
    pta_provider(cast)
    return enrol(cast, start=PAST, end=PAST + dt.timedelta(days=150))


def _night(cast, offset: int) -> dict[tuple[str, dt.date], tuple]:
    rollup.rollup_run(now=at(cast, PAST + dt.timedelta(days=offset), 3))
    return {(p.clock, p.start): (p.status, tuple((c["code"], c["units"])
                                                 for c in p.proposed_codes))
            for p in RtmPeriod.objects.exclude(status=RtmPeriod.Status.OPEN)}


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(found=st.sets(st.integers(min_value=0, max_value=89), max_size=40),
       minutes=st.lists(st.tuples(st.sampled_from(["pt", "pta"]),
                                  st.integers(min_value=1, max_value=70), st.booleans(),
                                  st.integers(min_value=0, max_value=89)), max_size=5),
       nights=st.lists(st.integers(min_value=1, max_value=110), min_size=1, max_size=3))
def test_one_biller_and_one_charge_per_period_whenever_the_nights_run(
        cast, enrolment, found, minutes, nights):
    with transaction.atomic():
        for n in found:
            session_on(cast, PAST + dt.timedelta(days=n))
        for role, count, call, n in minutes:
            services.management_add(actor=cast.actor(role), enrolment_id=enrolment.pk,
                                    minutes=count, kind="call" if call else "log_review",
                                    note="Property.",
                                    occurred_at=at(cast, PAST + dt.timedelta(days=n)))
        with transaction.atomic():  # one night long after everything: the reference
            once = _night(cast, 120)
            transaction.set_rollback(True)
        for offset in sorted(nights):  # some nights, then the same late one, twice
            _night(cast, offset)
        _night(cast, 120)
        assert _night(cast, 120) == once
        periods = list(RtmPeriod.objects.filter(enrolment=enrolment))
        for clock in RtmPeriod.Clock.values:
            assert not _overlap([p for p in periods if p.clock == clock])
        proposed = [p for p in periods if p.status == RtmPeriod.Status.PROPOSED]
        charges = Charge.objects.filter(captured_on="rtm")
        assert charges.count() == len(proposed) == len({p.charge_id for p in proposed})
        assert {c.rendering_id for c in charges} <= {enrolment.enrolled_by_id}
        assert all(p.charge.lines.count() == len(p.proposed_codes) for p in proposed)
        transaction.set_rollback(True)
