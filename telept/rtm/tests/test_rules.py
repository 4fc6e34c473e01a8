"""RTM rules against RULES §3: every row of its two tables as a named test, the why-not-yet
sentences with their real numbers, and hypothesis properties (a data day or a minute more
never lowers the codes; periods never overlap; one biller per period)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.rtm import rules
from telept.rtm.rules import CodeUnits as C

D = dt.date


# --- RULES §3 device-supply table (MSK, one 30-day window) ---------------------------------

@pytest.mark.parametrize("days", [0, 1])
def test_rules_3_days_0_to_1_bill_no_device_code(days):
    assert rules.device_code(days) is None
    assert rules.period_codes(data_days=days, first_of_episode=True) == ()


@pytest.mark.parametrize("days", [2, 3, 9, 15])
def test_rules_3_days_2_to_15_bill_98985(days):
    assert rules.device_code(days) == "98985"


@pytest.mark.parametrize("days", [16, 17, 29, 30])
def test_rules_3_days_16_to_30_bill_98977(days):
    assert rules.device_code(days) == "98977"


def test_rules_3_98976_respiratory_is_never_proposed_for_msk():
    assert {rules.device_code(n) for n in range(31)} == {None, "98985", "98977"}


@pytest.mark.parametrize("days", [-1, 31])
def test_a_30_day_period_cannot_hold_more_days_or_fewer_than_none(days):
    with pytest.raises(ValueError):
        rules.device_code(days)


def test_rules_3_setup_98975_once_per_episode_with_its_first_qualifying_period():
    assert rules.period_codes(data_days=2, first_of_episode=True) == (C("98975"), C("98985"))
    assert rules.period_codes(data_days=20, first_of_episode=False) == (C("98977"),)
    assert rules.period_codes(data_days=20, first_of_episode=True, setup_billed=True) == (
        C("98977"),)
    assert rules.period_codes(data_days=1, first_of_episode=True) == ()


# --- RULES §3 management table (calendar month, >=1 real-time interaction) ----------------

@pytest.mark.parametrize("minutes", [0, 1, 9])
def test_rules_3_under_10_minutes_bill_nothing(minutes):
    assert rules.management_codes(minutes, interactive=True) == ()


@pytest.mark.parametrize("minutes", [10, 15, 19])
def test_rules_3_10_to_19_minutes_bill_98979(minutes):
    assert rules.management_codes(minutes, interactive=True) == (C("98979"),)


@pytest.mark.parametrize("minutes", [20, 30, 39])
def test_rules_3_20_to_39_minutes_bill_98980(minutes):
    assert rules.management_codes(minutes, interactive=True) == (C("98980"),)


@pytest.mark.parametrize("minutes", [40, 50, 59])
def test_rules_3_40_to_59_minutes_bill_98980_and_one_98981(minutes):
    assert rules.management_codes(minutes, interactive=True) == (C("98980"), C("98981", 1))


def test_rules_3_60_minutes_bill_98980_and_two_98981():
    assert rules.management_codes(60, interactive=True) == (C("98980"), C("98981", 2))


def test_each_further_full_20_minutes_adds_one_98981():
    assert rules.management_codes(79, interactive=True) == (C("98980"), C("98981", 2))
    assert rules.management_codes(80, interactive=True) == (C("98980"), C("98981", 3))


@pytest.mark.parametrize("minutes", [10, 19, 20, 45, 60])
def test_rules_3_no_interaction_in_the_month_bills_none_of_them(minutes):
    assert rules.management_codes(minutes, interactive=False) == ()


@given(st.integers(min_value=0, max_value=1000))
def test_98979_never_with_98980_or_98981(minutes):
    codes = {c.code for c in rules.management_codes(minutes, interactive=True)}
    assert not ("98979" in codes and codes & {"98980", "98981"})
    assert "98981" not in codes or "98980" in codes


# --- the why-not-yet sentences ------------------------------------------------------------

END = D(2026, 12, 14)


def test_sentence_under_the_minimum_names_98985_and_the_days_missing():
    assert rules.data_days_sentence(data_days=1, end=END, today=D(2026, 12, 4)) == (
        "1 data day; needs 1 more by Dec 14 for 98985.")


def test_sentence_for_9_days_counts_to_98977():
    assert rules.data_days_sentence(data_days=9, end=END, today=D(2026, 12, 4)) == (
        "9 data days: 98985 so far; needs 7 more by Dec 14 for 98977.")


def test_sentence_says_when_98977_is_out_of_reach():
    assert rules.data_days_sentence(data_days=9, end=END, today=D(2026, 12, 12),
                                    today_counted=True) == (
        "9 data days: 98985 so far; 98977 is out of reach this period (needs 7 more, "
        "2 days left to Dec 14).")


def test_sentence_at_16_days():
    assert rules.data_days_sentence(data_days=16, end=END, today=D(2026, 12, 4)) == (
        "16 data days: 98977 (the most this period can earn).")


def test_sentence_after_the_period():
    assert rules.data_days_sentence(data_days=1, end=END, today=D(2026, 12, 15)) == (
        "Period ended Dec 14 with 1 data day: nothing to bill (98985 needs 2).")
    assert rules.data_days_sentence(data_days=12, end=END, today=D(2026, 12, 15)) == (
        "Period ended Dec 14 with 12 data days: 98985.")


MONTH_END = D(2026, 12, 31)


@pytest.mark.parametrize(("minutes", "interactive", "expected"), [
    (4, True, "4 minutes, with a real-time interaction; needs 6 more by Dec 31 for 98979."),
    (12, True, "12 minutes, with a real-time interaction: 98979; needs 8 more by Dec 31 "
               "for 98980."),
    (25, True, "25 minutes, with a real-time interaction: 98980; needs 15 more by Dec 31 "
               "for 98981."),
    (45, True, "45 minutes, with a real-time interaction: 98980 + 98981; needs 15 more by "
               "Dec 31 for 98981 x2."),
    (12, False, "12 minutes, no real-time interaction yet: book a call or a video visit by "
                "Dec 31 (98979/98980 need one in the month)."),
])
def test_management_sentence_mid_month(minutes, interactive, expected):
    assert rules.management_sentence(minutes=minutes, interactive=interactive,
                                      month_last_day=MONTH_END, today=D(2026, 12, 4)) == expected


def test_management_sentence_after_the_month():
    assert rules.management_sentence(minutes=30, interactive=True, month_last_day=MONTH_END,
                                      today=D(2027, 1, 1)) == (
        "Month ended Dec 31: 30 minutes, with a real-time interaction: 98980.")


# --- periods ------------------------------------------------------------------------------

def test_a_period_starts_at_the_first_data_day_and_lasts_30_days():
    windows = rules.period_windows([D(2026, 11, 20), D(2026, 11, 3), D(2026, 12, 2),
                                    D(2026, 12, 3), D(2027, 1, 10)])
    assert windows == [rules.Window(D(2026, 11, 3), D(2026, 12, 2)),
                       rules.Window(D(2026, 12, 3), D(2027, 1, 1)),
                       rules.Window(D(2027, 1, 10), D(2027, 2, 8))]


def test_data_before_the_enrolment_opens_no_period():
    assert rules.period_windows([D(2026, 11, 1), D(2026, 11, 5)],
                                not_before=D(2026, 11, 2)) == [
        rules.Window(D(2026, 11, 5), D(2026, 12, 4))]


def test_month_bounds():
    assert rules.month_end(D(2026, 2, 10)) == D(2026, 2, 28)
    assert rules.month_end(D(2028, 2, 1)) == D(2028, 2, 29)
    assert rules.month_end(D(2026, 12, 31)) == D(2026, 12, 31)


# --- properties ---------------------------------------------------------------------------

days = st.lists(st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)), max_size=80)
RANK = {None: 0, "98985": 1, "98977": 2}


@given(st.integers(min_value=0, max_value=29))
def test_a_data_day_more_never_lowers_the_device_code(n):
    assert RANK[rules.device_code(n + 1)] >= RANK[rules.device_code(n)]
    before = rules.period_codes(data_days=n, first_of_episode=True)
    after = rules.period_codes(data_days=n + 1, first_of_episode=True)
    assert {c.code for c in before} <= {c.code for c in after} | {"98985"}
    assert len(after) >= len(before)


@given(st.integers(min_value=0, max_value=600), st.booleans())
def test_a_minute_more_never_lowers_the_management_codes(minutes, interactive):
    now = rules.management_level(rules.management_codes(minutes, interactive=interactive))
    more = rules.management_level(rules.management_codes(minutes + 1,
                                                         interactive=interactive))
    assert more >= now
    with_call = rules.management_level(rules.management_codes(minutes, interactive=True))
    assert with_call >= now


@given(days, days)
def test_periods_never_overlap_and_cover_every_data_day(first, second):
    windows = rules.period_windows(first + second)
    for a, b in zip(windows, windows[1:], strict=False):
        assert a.end < b.start
    for w in windows:
        assert (w.end - w.start).days == rules.PERIOD_DAYS - 1
        assert w.start in set(first + second)
    for day in first + second:
        assert sum(day in w for w in windows) == 1
        assert 0 <= rules.count_data_days(first + second, windows[0]) <= 30


@given(days)
def test_adding_a_data_day_never_lowers_the_codes_of_a_period(day_list):
    windows = rules.period_windows(day_list)
    if not windows:
        return
    w = windows[0]
    extra = w.start + dt.timedelta(days=7)
    n = rules.count_data_days(day_list, w)
    m = rules.count_data_days(day_list + [extra], w)
    assert m >= n
    assert RANK[rules.device_code(m)] >= RANK[rules.device_code(n)]


contributions = st.lists(st.builds(rules.Contribution,
                                   provider_id=st.integers(min_value=1, max_value=5),
                                   minutes=st.integers(min_value=0, max_value=60),
                                   pta=st.booleans()), max_size=12)


@given(contributions, st.booleans())
def test_one_biller_per_period_however_many_people_spent_minutes(rows, interactive):
    bill = rules.month_bill(enrolling_pt_id=9, contributions=rows, interactive=interactive)
    assert bill.biller_id == 9
    assert bill.minutes == sum(r.minutes for r in rows)
    assert 0 <= bill.pta_minutes <= bill.minutes


def test_the_rules_import_nothing_of_django():
    tree = ast.parse(Path(rules.__file__).read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not [n for n in names if n.startswith(("django", "telept"))]
