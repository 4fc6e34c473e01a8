"""Quiet hours (with DST), retry backoff and STOP/START keywords: pure rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.notifications import rules

UTC = dt.UTC
NY, LA = "America/New_York", "America/Los_Angeles"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("due", "zone", "expected"), [
    # Daytime: unchanged.
    (utc(2030, 6, 10, 14, 0), NY, utc(2030, 6, 10, 14, 0)),
    # 20:59 EDT is still allowed; 21:00 EDT waits for 08:00 EDT next day.
    (utc(2030, 6, 11, 0, 59), NY, utc(2030, 6, 11, 0, 59)),
    (utc(2030, 6, 11, 1, 0), NY, utc(2030, 6, 11, 12, 0)),
    # 07:59 EDT waits a minute; 08:00 EDT goes.
    (utc(2030, 6, 10, 11, 59), NY, utc(2030, 6, 10, 12, 0)),
    (utc(2030, 6, 10, 12, 0), NY, utc(2030, 6, 10, 12, 0)),
    # The same instant is daytime in New York but quiet in Los Angeles (06:00 PDT).
    (utc(2030, 6, 10, 13, 0), LA, utc(2030, 6, 10, 15, 0)),
    # Spring forward (2030-03-10 02:00 EST -> 03:00 EDT): 01:30 EST waits for 08:00 EDT,
    # which is 12:00 UTC, not the 13:00 UTC a fixed offset would give.
    (utc(2030, 3, 10, 6, 30), NY, utc(2030, 3, 10, 12, 0)),
    # The evening before the change (22:30 EST) waits into the new offset too.
    (utc(2030, 3, 10, 3, 30), NY, utc(2030, 3, 10, 12, 0)),
    # Fall back (2030-11-03 02:00 EDT -> 01:00 EST): 01:30 (first, EDT) -> 08:00 EST = 13:00.
    (utc(2030, 11, 3, 5, 30), NY, utc(2030, 11, 3, 13, 0)),
    # 01:30 the second time (EST) -> the same morning.
    (utc(2030, 11, 3, 6, 30), NY, utc(2030, 11, 3, 13, 0)),
])
def test_quiet_hours_defer_moves_texts_to_eight_in_the_morning(
        due: dt.datetime, zone: str, expected: dt.datetime) -> None:
    assert rules.quiet_hours_defer(due=due, time_zone=zone) == expected


def test_quiet_hours_defer_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        rules.quiet_hours_defer(due=dt.datetime(2030, 1, 1, 12), time_zone=NY)


@given(due=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2036, 1, 1),
                        timezones=st.just(UTC)),
       zone=st.sampled_from([NY, LA, "Europe/London", "Australia/Lord_Howe", "Pacific/Apia",
                             "America/Santiago", "Asia/Kolkata"]))
def test_a_deferred_text_is_never_early_never_in_quiet_hours_and_waits_under_a_day(
        due: dt.datetime, zone: str) -> None:
    sent = rules.quiet_hours_defer(due=due, time_zone=zone)
    assert sent >= due
    assert not rules.in_quiet_hours(at=sent, time_zone=zone)
    assert sent - due < dt.timedelta(hours=13)
    if not rules.in_quiet_hours(at=due, time_zone=zone):
        assert sent == due


def test_retry_delay_backs_off_and_is_capped() -> None:
    delays = [rules.retry_delay(attempt=n) for n in range(1, 7)]
    assert delays[:3] == [dt.timedelta(minutes=1), dt.timedelta(minutes=5),
                          dt.timedelta(minutes=25)]
    assert delays == sorted(delays)
    assert max(delays) == rules.RETRY_CAP


@pytest.mark.parametrize(("body", "expected"), [
    ("STOP", "opt_out"), ("stop", "opt_out"), ("  Stop. ", "opt_out"), ("StopAll", "opt_out"),
    ("unsubscribe", "opt_out"), ("CANCEL", "opt_out"), ("end", "opt_out"), ("Quit!", "opt_out"),
    ("START", "opt_in"), ("unstop", "opt_in"), ("yes", "opt_in"),
    ("stop texting me about my knee", None), ("hello", None), ("", None), ("STOPP", None),
])
def test_sms_keyword_recognises_carrier_keywords(body: str, expected: str | None) -> None:
    assert rules.sms_keyword(body) == expected
