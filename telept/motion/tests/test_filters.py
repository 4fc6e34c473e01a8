"""Causal median and One Euro filter: outliers, jitter, lag, gaps, batch/streaming twins."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.motion.filters import (
    CausalMedian,
    FilterConfig,
    OneEuroFilter,
    causal_median,
    one_euro,
    segment_starts,
    smooth,
)

CONFIG = FilterConfig()
FPS = 30.0


def _times(n: int) -> np.ndarray:
    return np.arange(n) / FPS


def test_it_removes_a_single_frame_outlier():
    values = np.full(20, 40.0)
    values[10] = 170.0
    out = causal_median(values=values, times=_times(20), config=CONFIG)
    assert np.all(out == 40.0)


def test_it_removes_two_outliers_in_a_row_too():
    values = np.full(20, 40.0)
    values[10:12] = 170.0
    assert np.all(causal_median(values=values, times=_times(20), config=CONFIG) == 40.0)


def test_its_median_only_looks_at_the_past():
    values = np.arange(10, dtype=np.float64)
    out = causal_median(values=values, times=_times(10), config=CONFIG)
    # window [i-4 .. i], the first sample repeated before the start
    assert out.tolist() == [0, 0, 0, 1, 2, 3, 4, 5, 6, 7]


def test_it_restarts_both_filters_after_a_long_gap():
    times = np.array([0.0, 1 / 30, 2 / 30, 5.0, 5 + 1 / 30])
    values = np.array([10.0, 10.0, 10.0, 80.0, 80.0])
    assert segment_starts(times=times, max_gap_s=CONFIG.max_gap_s).tolist() == [0, 0, 0, 3, 3]
    out = smooth(values=values, times=times, config=CONFIG)
    assert out[3] == 80.0 and out[4] == 80.0


def test_it_passes_a_constant_unchanged():
    values = np.full(50, 33.3)
    assert np.allclose(smooth(values=values, times=_times(50), config=CONFIG), 33.3)


def test_it_reduces_jitter_at_rest_by_more_than_half():
    rng = np.random.default_rng(7)
    values = 20.0 + rng.normal(scale=4.0, size=900)
    out = smooth(values=values, times=_times(900), config=CONFIG)
    assert np.std(out[30:]) < 0.5 * np.std(values)


def test_it_follows_a_rep_with_little_lag():
    """A 2-second cosine rep of 90 degrees: the smoothed peak is within a few degrees."""
    t = _times(120)
    values = 45.0 * (1 - np.cos(2 * np.pi * t / 2.0))
    out = smooth(values=values, times=t, config=CONFIG)
    assert out.max() == pytest.approx(90.0, abs=3.0)
    assert t[np.argmax(out)] - t[np.argmax(values)] < 0.25


def test_it_refuses_time_going_backwards():
    f = OneEuroFilter(config=CONFIG)
    f.step(1.0, 1.0)
    with pytest.raises(ValueError):
        f.step(1.0, 0.5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"median_window": 4},
        {"median_window": 0},
        {"min_cutoff_hz": 0},
        {"beta": -1},
        {"max_gap_s": 0},
    ],
)
def test_it_rejects_nonsense_filter_settings(kwargs):
    with pytest.raises(ValueError):
        FilterConfig(**kwargs)


series = st.lists(
    st.floats(min_value=-360.0, max_value=360.0, allow_nan=False), min_size=1, max_size=200
)


@given(values=series)
def test_its_one_euro_output_stays_within_the_input_range(values):
    x = np.array(values)
    out = one_euro(values=x, times=_times(len(values)), config=CONFIG)
    assert np.all(out >= x.min() - 1e-9) and np.all(out <= x.max() + 1e-9)


@settings(max_examples=50)
@given(
    values=series,
    gaps=st.lists(st.floats(min_value=0.01, max_value=2.0), min_size=200, max_size=200),
)
def test_its_batch_and_streaming_twins_agree_sample_for_sample(values, gaps):
    x = np.array(values)
    t = np.cumsum(gaps[: len(values)])
    batch = smooth(values=x, times=t, config=CONFIG)
    median, euro = CausalMedian(config=CONFIG), OneEuroFilter(config=CONFIG)
    stream = [
        euro.step(median.step(v, ti), ti) for v, ti in zip(x.tolist(), t.tolist(), strict=True)
    ]
    assert batch.tolist() == stream
