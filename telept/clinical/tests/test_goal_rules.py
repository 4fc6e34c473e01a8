"""Progress toward a measurable goal (rules/goals.py)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from telept.clinical.rules.goals import goal_progress, goal_reached

CASES = [
    # baseline, target, current, progress, reached
    (60.0, 30.0, 45.0, 0.5, False),   # ODI falling toward its target
    (60.0, 30.0, 30.0, 1.0, True),
    (60.0, 30.0, 20.0, 1.0, True),    # overshoot counts as reached, progress clamps
    (60.0, 30.0, 70.0, 0.0, False),   # worse than baseline shows no progress
    (95.0, 120.0, 110.0, 0.6, False),  # knee flexion rising
    (95.0, 120.0, 120.0, 1.0, True),
    (95.0, 120.0, None, None, False),
]


@pytest.mark.parametrize("baseline, target, current, progress, reached", CASES)
def test_progress_and_reached_follow_the_goals_own_direction(baseline, target, current,
                                                              progress, reached):
    assert goal_progress(baseline=baseline, target=target, current=current) == \
        (None if progress is None else pytest.approx(progress))
    assert goal_reached(baseline=baseline, target=target, current=current) is reached


def test_a_goal_without_a_change_is_refused():
    with pytest.raises(ValueError):
        goal_progress(baseline=5, target=5, current=5)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(finite, finite, finite)
def test_progress_is_a_fraction_zero_at_baseline_and_one_at_target(baseline, target, current):
    assume(abs(target - baseline) > 1e-6)
    progress = goal_progress(baseline=baseline, target=target, current=current)
    assert 0.0 <= progress <= 1.0
    assert goal_progress(baseline=baseline, target=target, current=baseline) == 0.0
    assert goal_progress(baseline=baseline, target=target, current=target) == 1.0
    if goal_reached(baseline=baseline, target=target, current=current):
        assert progress == 1.0
