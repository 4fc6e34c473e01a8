"""The safety stop: a table of cases and hypothesis properties (pure; no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.exercises.rules import PAIN_RISE, SEVERE_PAIN, safety_check

pain = st.integers(min_value=0, max_value=10)


@pytest.mark.parametrize("baseline, pains, fall, stop, reasons", [
    (None, [], False, False, ()),
    (None, [2], False, False, ()),                   # the first pain becomes the baseline
    (None, [2, 4], False, False, ()),                # +2: within the noise
    (None, [2, 5], False, True, ("pain_rise",)),     # +3 within the very first session
    (3, [5], False, False, ()),
    (3, [6], False, True, ("pain_rise",)),
    (3, [2, 6, 1], False, True, ("pain_rise",)),     # the worst pain counts, not the last
    (0, [7], False, True, ("pain_rise",)),
    (6, [7], False, False, ()),                      # high but stable, below 8
    (6, [8], False, True, ("severe_pain",)),         # 8 stops even when only +2
    (7, [10], False, True, ("severe_pain", "pain_rise")),
    (9, [9], False, True, ("severe_pain",)),
    (9, [5], False, False, ()),                      # improving
    (2, [2], True, True, ("fall",)),
    (None, [], True, True, ("fall",)),               # a fall with nothing else logged
    (1, [9], True, True, ("severe_pain", "pain_rise", "fall")),
])
def test_the_safety_stop_table(baseline, pains, fall, stop, reasons):
    decision = safety_check(baseline=baseline, pains=pains, fall=fall)
    assert (decision.stop, decision.reasons) == (stop, reasons)


def test_the_summary_names_every_reason_for_the_clinician():
    decision = safety_check(baseline=2, pains=[9], fall=True)
    assert decision.summary() == ("pain of 9/10 and pain up 7 points from the baseline of "
                                  "2/10 and a fall")


@pytest.mark.parametrize("bad", [-1, 11, 3.5, "4", True, None])
def test_it_refuses_a_pain_outside_zero_to_ten(bad):
    with pytest.raises(ValueError):
        safety_check(baseline=None, pains=[bad], fall=False)
    with pytest.raises(ValueError):
        safety_check(baseline=bad if bad is not None else -1, pains=[3], fall=False)


@given(baseline=st.none() | pain, pains=st.lists(pain, max_size=12),
       severe=st.integers(min_value=SEVERE_PAIN, max_value=10), at=st.integers(min_value=0),
       fall=st.booleans())
def test_pain_of_eight_or_more_always_stops(baseline, pains, severe, at, fall):
    pains = list(pains)
    pains.insert(at % (len(pains) + 1), severe)
    decision = safety_check(baseline=baseline, pains=pains, fall=fall)
    assert decision.stop and "severe_pain" in decision.reasons


@given(baseline=st.none() | pain, pains=st.lists(pain, max_size=12))
def test_below_both_thresholds_it_never_stops_without_a_fall(baseline, pains):
    effective = baseline if baseline is not None else (pains[0] if pains else None)
    below = all(p < SEVERE_PAIN for p in pains) and (
        effective is None or all(p - effective < PAIN_RISE for p in pains))
    decision = safety_check(baseline=baseline, pains=pains, fall=False)
    assert decision.stop == (not below)


@given(baseline=st.none() | pain, pains=st.lists(pain, max_size=12))
def test_a_reported_fall_always_stops(baseline, pains):
    assert safety_check(baseline=baseline, pains=pains, fall=True).stop


@given(baseline=pain, pains=st.lists(pain, min_size=1, max_size=12), more=pain,
       fall=st.booleans())
def test_more_pain_never_lifts_a_stop(baseline, pains, more, fall):
    before = safety_check(baseline=baseline, pains=pains, fall=fall)
    after = safety_check(baseline=baseline, pains=[*pains, more], fall=fall)
    assert after.stop or not before.stop
