"""End-to-end accuracy on synthetic ground truth with fixed seeds.

Targets from the issue: exact rep counts in at least 95% of sequences with the camera up to
30 degrees off the ideal view, peak-angle mean absolute error at most 5 degrees, partial reps
never counted. The yaw of each sequence is drawn uniformly from 0-30 degrees; at exactly 30
degrees sagittal angles read several degrees low (the foreshortening a single camera cannot
see; see bench/bench_motion.py for the figures per yaw).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.motion import EXERCISES, analyze
from telept.motion.synthetic import generate

SEEDS = range(24)


def _run(exercise: str, seed: int, **kwargs):
    rng = np.random.default_rng(10_000 + seed)
    kwargs.setdefault("yaw_deg", float(rng.uniform(0.0, 30.0)))
    kwargs.setdefault("side", "left" if seed % 2 else "right")
    seq = generate(exercise=exercise, seed=seed, **kwargs)
    result = analyze(
        frames=seq.frames, fps=seq.fps, width=seq.width, height=seq.height, exercise=exercise
    )
    return seq, result


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_it_counts_exactly_and_measures_peaks_within_5_degrees(exercise):
    exact = 0
    errors: list[float] = []
    for seed in SEEDS:
        seq, result = _run(exercise, seed)
        if result.reps == seq.truth.reps:
            exact += 1
            errors += [
                abs(r.peak_deg - p)
                for r, p in zip(result.count.reps, seq.truth.peak_deg, strict=True)
            ]
    assert exact >= 0.95 * len(SEEDS)
    assert float(np.mean(errors)) <= 5.0


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_it_never_counts_partial_reps(exercise):
    """Sequences with more shallow reps than full ones, moderate noise: counts stay exact."""
    for seed in range(8):
        seq, result = _run(exercise, seed, reps=3, partial_reps=5, noise_px=1.0, outlier_rate=0.0)
        assert result.reps == seq.truth.reps
        assert result.partial_reps <= seq.truth.partial_reps


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exercise=st.sampled_from(sorted(EXERCISES)),
    seed=st.integers(min_value=0, max_value=10_000),
    yaw=st.floats(min_value=0.0, max_value=30.0),
    reps=st.integers(min_value=0, max_value=6),
    partial_reps=st.integers(min_value=0, max_value=4),
)
def test_it_never_counts_more_than_the_true_full_reps_on_clean_data(
    exercise, seed, yaw, reps, partial_reps
):
    seq, result = _run(
        exercise,
        seed,
        yaw_deg=yaw,
        reps=reps,
        partial_reps=partial_reps,
        noise_px=0.0,
        outlier_rate=0.0,
        lowvis_rate=0.0,
        drop_rate=0.0,
    )
    assert result.reps <= seq.truth.reps


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exercise=st.sampled_from(sorted(EXERCISES)),
    seed=st.integers(min_value=0, max_value=10_000),
    scale=st.floats(min_value=0.4, max_value=1.0),
)
def test_its_counts_do_not_depend_on_how_far_the_person_stands(exercise, seed, scale):
    """Uniformly scaling the person in the image (camera distance) changes no angle."""
    kwargs = dict(exercise=exercise, seed=seed, noise_px=0.0, outlier_rate=0.0)
    near = generate(**kwargs)
    far = generate(**kwargs, scale=scale)
    a = analyze(frames=near.frames, fps=30, width=640, height=480, exercise=exercise)
    b = analyze(frames=far.frames, fps=30, width=640, height=480, exercise=exercise)
    assert a.reps == b.reps and a.partial_reps == b.partial_reps
    for ra, rb in zip(a.count.reps, b.count.reps, strict=True):
        assert rb.peak_deg == pytest.approx(ra.peak_deg, abs=1e-6)
