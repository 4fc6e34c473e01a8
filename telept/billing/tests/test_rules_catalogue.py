"""The code catalogue as data (Issue 10 item 1; RULES §1.1, §2.1 rule 7, §3)."""

from __future__ import annotations

import datetime as dt

from telept.billing.rules.catalogue_data import CATALOGUE, CODES, TIMED_CODES

REQUIRED = {
    "97161", "97162", "97163", "97164", "97110", "97112", "97116", "97140", "97530", "97535",
    "97542", "97750", "97760", "97761", "97763", "97032", "97033", "97034", "97035", "97036",
    "97010", "97014", "G0283", "97150", "98975", "98977", "98980", "98981", "98984", "98985",
    "98986",
}


def test_the_catalogue_holds_every_code_the_issue_names_once():
    assert set(CATALOGUE) >= REQUIRED
    assert len(CODES) == len(CATALOGUE)


def test_timed_and_untimed_follow_rules():
    assert {"97110", "97112", "97116", "97140", "97530", "97035", "97033", "97032"} <= TIMED_CODES
    assert not TIMED_CODES & {"97161", "97162", "97163", "97164", "97010", "97014", "G0283",
                              "97150", "98975", "98977", "98980", "98981"}


def test_evaluations_are_one_a_day_and_never_by_a_pta():
    for code in ("97161", "97162", "97163", "97164"):
        assert CATALOGUE[code].daily_max_units == 1
        assert not CATALOGUE[code].pta_may_furnish


def test_only_97150_is_a_group_code():
    assert [c.code for c in CODES if c.group] == ["97150"]


def test_medicare_list_by_date():
    day = dt.date(2026, 6, 1)
    assert CATALOGUE["97110"].on_medicare_telehealth_list(day)
    assert not CATALOGUE["97110"].on_medicare_telehealth_list(dt.date(2020, 2, 29))
    assert not CATALOGUE["97140"].on_medicare_telehealth_list(day)
    assert not CATALOGUE["98977"].medicare_telehealth


def test_descriptions_are_short_labels_of_our_own():
    assert all(len(c.description) <= 60 for c in CODES)


def test_the_rules_and_the_cli_import_no_django():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, telept.billing.rules.scrubber, telept.billing.rules.modifiers, "
            "telept.billing.rules.pos, telept.billing.rules.units, telept.billing.__main__; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[3], timeout=60, check=True)
    assert done.stdout.strip() == "[]"
