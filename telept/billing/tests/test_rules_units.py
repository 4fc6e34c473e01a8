"""Units: the CMS 8-minute rule (Pub. 100-04 ch. 5 §20.2) and the AMA substantial-portion
method, against the RULES §2.3 worked examples (each test named for its source), hypothesis
properties, and a brute-force implementation written here without looking at units.py's
allocation."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.billing.rules.catalogue_data import TIMED_CODES
from telept.billing.rules.units import units, units_ama, units_cms, units_for_minutes

T = TIMED_CODES


def cms(**minutes: int) -> dict[str, int]:
    return units_cms({k.lstrip("_"): v for k, v in minutes.items()}, T).as_dict()


def ama(**minutes: int) -> dict[str, int]:
    return units_ama({k.lstrip("_"): v for k, v in minutes.items()}, T).as_dict()


# --- RULES §2.3 worked examples -------------------------------------------------------------


def test_rules_2_3_row1_findacode_example1_cms_24_and_23_minutes_make_2_plus_1():
    assert cms(_97112=24, _97110=23) == {"97112": 2, "97110": 1}


def test_rules_2_3_row1_ama_counts_each_code_alone_2_plus_2():
    assert ama(_97112=24, _97110=23) == {"97112": 2, "97110": 2}


def test_rules_2_3_row2_findacode_example2_cms_tie_gives_2_and_1_never_3_on_one():
    result = cms(_97112=20, _97110=20)
    assert sorted(result.values()) == [1, 2]
    assert sum(result.values()) == 3


def test_rules_2_3_row2_ama_20_and_20_minutes_make_1_each():
    assert ama(_97112=20, _97110=20) == {"97112": 1, "97110": 1}


def test_rules_2_3_row3_findacode_example3_cms_33_and_7_minutes_make_2_plus_1():
    assert cms(_97110=33, _97140=7) == {"97110": 2, "97140": 1}


def test_rules_2_3_row3_ama_7_minutes_alone_earn_nothing():
    assert ama(_97110=33, _97140=7) == {"97110": 2, "97140": 0}


def test_rules_2_3_row4_tahoexc_cms_example4_four_codes_49_minutes_make_3():
    assert cms(_97110=18, _97140=13, _97116=10, _97035=8) == {
        "97110": 1, "97140": 1, "97116": 1, "97035": 0}


def test_rules_2_3_row4_ama_four_codes_make_1_each():
    assert ama(_97110=18, _97140=13, _97116=10, _97035=8) == {
        "97110": 1, "97140": 1, "97116": 1, "97035": 1}


def test_rules_2_3_row5_mediware_rule5_cms_three_codes_of_7_minutes_make_1_unit():
    result = cms(_97112=7, _97110=7, _97140=7)
    assert Counter(result.values()) == Counter({0: 2, 1: 1})


def test_rules_2_3_row5_ama_three_codes_of_7_minutes_make_none():
    assert ama(_97112=7, _97110=7, _97140=7) == {"97112": 0, "97110": 0, "97140": 0}


def test_rules_2_3_row6_section_20_2_seven_minutes_alone_bill_nothing():
    assert cms(_97110=7) == {"97110": 0}
    assert ama(_97110=7) == {"97110": 0}


@pytest.mark.parametrize(("minutes", "expected"), [(22, 1), (23, 2)])
def test_rules_2_3_row7_unit_table_22_and_23_minutes(minutes, expected):
    assert cms(_97110=minutes) == {"97110": expected}
    assert ama(_97110=minutes) == {"97110": expected}


def test_rules_2_3_row8_webpt_untimed_evaluation_is_one_unit_beside_10_timed_minutes():
    assert cms(_97161=45, _97110=10) == {"97161": 1, "97110": 1}
    assert ama(_97161=45, _97110=10) == {"97161": 1, "97110": 1}


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 7, 0), (8, 22, 1), (23, 37, 2), (38, 52, 3), (53, 67, 4), (68, 82, 5), (83, 97, 6),
    (98, 112, 7), (113, 127, 8),
])
def test_rules_2_1_fcso_unit_table(low, high, expected):
    for minutes in range(low, high + 1):
        assert units_for_minutes(minutes) == expected


# --- behaviour beyond the examples ----------------------------------------------------------


def test_untimed_minutes_do_not_count_toward_the_timed_total():
    result = units_cms({"97150": 40, "97110": 7}, T)
    assert result.as_dict() == {"97150": 1, "97110": 0}
    assert result.total_timed_minutes == 7


def test_tie_break_is_documented_and_independent_of_input_order():
    a = units_cms({"97112": 20, "97110": 20}, T).as_dict()
    b = units_cms({"97110": 20, "97112": 20}, T).as_dict()
    assert a == b == {"97110": 2, "97112": 1}  # equal leftovers and minutes: lower code number


def test_each_line_says_why_and_names_its_source():
    result = units_cms({"97110": 33, "97140": 7, "97161": 45}, T)
    by_code = {line.code: line.why for line in result.lines}
    assert "2 full 15-minute units" in by_code["97110"]
    assert "§20.2" in by_code["97110"]
    assert "1 unit for its 7 minutes" in by_code["97140"]
    assert "untimed" in by_code["97161"]
    ama_why = units_ama({"97140": 7}, T).lines[0].why
    assert "fewer than the 8 minutes" in ama_why and "not pooled" in ama_why


def test_lines_keep_the_order_given():
    assert list(units_cms({"97140": 7, "97110": 33}, T).as_dict()) == ["97140", "97110"]


def test_negative_or_non_integer_minutes_are_refused():
    with pytest.raises(ValueError, match="negative"):
        units_cms({"97110": -1}, T)
    with pytest.raises(TypeError, match="whole number"):
        units_ama({"97110": 7.5}, T)  # type: ignore[dict-item]


def test_units_dispatches_on_the_method_and_refuses_others():
    assert units("cms", {"97110": 33, "97140": 7}, T).as_dict() == {"97110": 2, "97140": 1}
    assert units("ama", {"97110": 33, "97140": 7}, T).as_dict() == {"97110": 2, "97140": 0}
    with pytest.raises(ValueError, match="cms"):
        units("x", {}, T)  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------

CODES = ("97110", "97112", "97116", "97140", "97530", "97035")
visits = st.dictionaries(st.sampled_from(CODES), st.integers(0, 130), min_size=1, max_size=5)


@given(visits)
def test_property_cms_units_never_exceed_the_total_minutes_units(minutes):
    result = units_cms(minutes, T)
    assert sum(result.as_dict().values()) == units_for_minutes(sum(minutes.values()))


@given(visits)
def test_property_cms_never_gives_all_units_to_one_code_when_another_has_15_minutes(minutes):
    result = units_cms(minutes, T).as_dict()
    for code, m in minutes.items():
        if m >= 15:
            assert result[code] >= m // 15 >= 1
        if m >= 30:
            assert result[code] >= 2


@given(visits)
def test_property_cms_each_code_gets_its_full_units_and_at_most_one_more(minutes):
    result = units_cms(minutes, T).as_dict()
    for code, m in minutes.items():
        assert m // 15 <= result[code] <= m // 15 + 1


@given(visits, st.sampled_from(CODES), st.integers(1, 20))
def test_property_more_minutes_never_fewer_units(minutes, code, more):
    bigger = dict(minutes)
    bigger[code] = bigger.get(code, 0) + more
    for fn in (units_cms, units_ama):
        before, after = fn(minutes, T).as_dict(), fn(bigger, T).as_dict()
        assert sum(after.values()) >= sum(before.values())
        assert after[code] >= before.get(code, 0)


@given(visits)
def test_property_ama_counts_each_code_on_its_own(minutes):
    result = units_ama(minutes, T).as_dict()
    for code, m in minutes.items():
        assert result[code] == units_for_minutes(m)


# --- differential: an independent brute force -----------------------------------------------


def _brute_total_units(total: int) -> int:
    """Units by walking the FCSO table: 8 minutes start unit 1, then every 15 minutes more."""
    n, threshold = 0, 8
    while total >= threshold:
        n += 1
        threshold += 15
    return n


def _brute_cms_allocations(minutes: dict[str, int]) -> list[dict[str, int]]:
    """Every allocation of the visit's units that bills the minutes most faithfully: among all
    ways to split the total units over the codes, those minimising the billed-vs-done gap
    sum(|15 * units - minutes|). That is §20.2's allocation (full units first, the rest to the
    largest leftovers) stated as an optimisation; ties are all returned."""
    codes = list(minutes)
    total_units = _brute_total_units(sum(minutes.values()))
    best: list[dict[str, int]] = []
    best_cost: int | None = None
    for split in itertools.product(range(total_units + 1), repeat=len(codes)):
        if sum(split) != total_units:
            continue
        cost = sum(abs(15 * u - minutes[c]) for c, u in zip(codes, split, strict=True))
        if best_cost is None or cost < best_cost:
            best, best_cost = [], cost
        if cost == best_cost:
            best.append(dict(zip(codes, split, strict=True)))
    return best


small_visits = st.dictionaries(st.sampled_from(CODES[:4]), st.integers(0, 70), min_size=1,
                               max_size=4)


@settings(max_examples=300)
@given(small_visits)
def test_differential_cms_allocation_is_one_the_brute_force_finds(minutes):
    assert units_cms(minutes, T).as_dict() in _brute_cms_allocations(minutes)


@pytest.mark.parametrize("minutes", [
    {"97112": 24, "97110": 23}, {"97112": 20, "97110": 20}, {"97110": 33, "97140": 7},
    {"97110": 18, "97140": 13, "97116": 10, "97035": 8}, {"97112": 7, "97110": 7, "97140": 7},
])
def test_differential_brute_force_agrees_on_the_rules_examples(minutes):
    assert units_cms(minutes, T).as_dict() in _brute_cms_allocations(minutes)
