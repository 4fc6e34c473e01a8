"""Hysteresis rep counting on hand-made angle series, and the batch/streaming twins."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.motion.exercises import EXERCISES
from telept.motion.reps import RepCounter, count_reps

SQUAT = EXERCISES["squat"]  # rest 0, target ROM 90: thresholds 27 and 63 degrees
CHAIR = EXERCISES["chair_stand_30s"]
FPS = 30.0


def _series(*segments: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Piecewise-linear angle: (from_deg, to_deg, seconds) segments at 30 fps."""
    parts = [np.linspace(a, b, max(2, int(s * FPS)), endpoint=False) for a, b, s in segments]
    angles = np.concatenate(parts)
    return angles, np.arange(angles.shape[0]) / FPS


def _rep(depth: float, up: float = 1.0, down: float = 1.0, rest: float = 0.5):
    return [(0.0, depth, up), (depth, 0.0, down), (0.0, 0.0, rest)]


def _both(angles, times, exercise=SQUAT):
    batch = count_reps(angles=angles, times=times, exercise=exercise)
    counter = RepCounter(exercise=exercise)
    for a, t in zip(angles.tolist(), times.tolist(), strict=True):
        counter.step(a, t)
    stream = counter.finish()
    assert batch == stream
    return batch


def test_it_counts_full_reps():
    angles, times = _series((0, 0, 1), *_rep(90), *_rep(85), *_rep(100))
    result = _both(angles, times)
    assert len(result.reps) == 3 and not result.partials


def test_it_never_counts_partial_reps():
    angles, times = _series((0, 0, 1), *_rep(90), *_rep(45), *_rep(50), *_rep(90))
    result = _both(angles, times)
    assert len(result.reps) == 2
    assert len(result.partials) == 2
    assert [round(p.peak_deg) for p in result.partials] == pytest.approx([45, 50], abs=2)


def test_it_ignores_jitter_around_the_lower_threshold():
    """Wobbling around 30% of the ROM is neither a rep nor a partial rep."""
    wobble = [(26.0, 29.0, 0.1), (29.0, 26.0, 0.1)] * 10
    angles, times = _series((0, 26, 1), *wobble, (26, 0, 1))
    result = _both(angles, times)
    assert not result.reps and not result.partials


def test_it_counts_a_rep_once_even_if_it_bounces_near_the_top():
    """Hysteresis: dropping to 50% and rising again before returning to rest is one rep."""
    angles, times = _series(
        (0, 0, 0.5), (0, 90, 1), (90, 45, 0.5), (45, 90, 0.5), (90, 0, 1), (0, 0, 0.5)
    )
    assert len(_both(angles, times).reps) == 1


def test_it_rejects_reps_faster_than_the_minimum_duration():
    angles, times = _series((0, 0, 0.5), *_rep(90, up=0.2, down=0.2), *_rep(90))
    result = _both(angles, times)
    assert len(result.reps) == 1 and result.rejected == 1


def test_it_reports_peak_rom_and_timing_of_each_rep():
    angles, times = _series((10, 10, 1), (10, 100, 1), (100, 10, 1), (10, 10, 1))
    (rep,) = _both(angles, times).reps
    assert rep.peak_deg == pytest.approx(100, abs=0.1)
    assert rep.rom_deg == pytest.approx(90, abs=0.1)
    assert rep.start_s < rep.peak_s < rep.end_s
    assert rep.duration_s == pytest.approx(rep.rise_s + rep.fall_s)


def test_it_does_not_count_a_rep_that_has_not_come_back():
    angles, times = _series((0, 0, 0.5), *_rep(90), (0, 90, 1))
    result = _both(angles, times)
    assert len(result.reps) == 1 and result.unfinished


def test_it_counts_chair_stands_when_the_patient_is_up():
    """Sitting is 90 degrees of knee flexion, standing about 0: a stand counts on arrival."""
    sit_stand = [(90, 0, 1.0), (0, 90, 1.0), (90, 90, 0.3)]
    angles, times = _series((90, 90, 1), *sit_stand, *sit_stand, (90, 5, 1.0), (5, 5, 0.5))
    result = _both(angles, times, CHAIR)
    assert len(result.reps) == 3
    assert not result.reps[-1].complete  # the last one ends standing


def test_it_counts_only_stands_within_the_first_30_seconds():
    sit_stand = [(90, 0, 1.0), (0, 90, 1.0), (90, 90, 1.0)]  # one stand every 3 s
    angles, times = _series((90, 90, 0.5), *(sit_stand * 14))
    result = _both(angles, times, CHAIR)
    # stands reach the top at 0.5 + 0.7 + 3k s: k = 0..9 are within 30 s
    assert len(result.reps) == 10
    unlimited = _both(angles, times, replace(CHAIR, time_limit_s=None))
    assert len(unlimited.reps) == 14


walk = st.lists(st.floats(min_value=-8.0, max_value=8.0), min_size=1, max_size=400)


@settings(max_examples=150)
@given(
    steps=walk,
    exercise=st.sampled_from(sorted(EXERCISES)),
    limit=st.sampled_from([None, 3.0]),
)
def test_its_batch_counter_agrees_with_the_streaming_one(steps, exercise, limit):
    ex = replace(EXERCISES[exercise], time_limit_s=limit)
    angles = ex.rest_deg + np.cumsum(np.array(steps)) * ex.target_rom_deg / 40.0
    times = np.arange(angles.shape[0]) / FPS
    _both(angles, times, ex)
