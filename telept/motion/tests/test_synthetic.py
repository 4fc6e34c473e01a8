"""The synthetic ground-truth generator: deterministic, well-formed, truthful."""

import numpy as np
import pytest

from telept.motion.exercises import EXERCISES
from telept.motion.synthetic import generate


def test_it_is_deterministic_for_a_seed():
    a = generate(exercise="squat", seed=11, yaw_deg=20.0)
    b = generate(exercise="squat", seed=11, yaw_deg=20.0)
    c = generate(exercise="squat", seed=12, yaw_deg=20.0)
    assert np.array_equal(a.frames, b.frames) and a.truth == b.truth
    assert not np.array_equal(a.frames[:50], c.frames[:50])


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_it_produces_mediapipe_shaped_frames_and_a_matching_truth(exercise):
    seq = generate(exercise=exercise, seed=3, reps=5, partial_reps=2)
    assert seq.frames.ndim == 3 and seq.frames.shape[1:] == (33, 4)
    assert seq.truth.reps == 5 and seq.truth.partial_reps == 2
    assert len(seq.truth.peak_deg) == 5
    ex = EXERCISES[exercise]
    # full reps go past 70% of the target ROM, partial ones stay under it
    full_progress = [
        (p - ex.rest_deg) * ex.direction / ex.target_rom_deg for p in seq.truth.peak_deg
    ]
    partial_progress = [
        (p - ex.rest_deg) * ex.direction / ex.target_rom_deg for p in seq.truth.partial_peak_deg
    ]
    assert min(full_progress) > 0.75
    assert max(partial_progress) < 0.65
    visible = seq.frames[:, :, 3] > 0
    assert np.all((seq.frames[visible][:, 0] > -0.1) & (seq.frames[visible][:, 0] < 1.1))


def test_it_drops_frames_as_zero_visibility():
    seq = generate(exercise="elbow_flexion", seed=5, drop_rate=0.05)
    dropped = np.all(seq.frames[:, :, 3] == 0, axis=1)
    assert dropped.any()
    assert np.all(seq.frames[dropped] == 0)


def test_it_hides_the_far_side_in_a_side_view():
    seq = generate(
        exercise="squat", seed=1, side="left", yaw_deg=0.0, drop_rate=0.0, lowvis_rate=0.0
    )
    left = seq.frames[:, 23:33:2, 3].mean()
    right = seq.frames[:, 24:33:2, 3].mean()
    assert left > right + 0.2


def test_it_counts_only_stands_inside_the_time_limit_as_truth():
    seq = generate(exercise="chair_stand_30s", seed=2, reps=20, partial_reps=0)
    assert seq.frames.shape[0] / seq.fps > 32
    assert seq.truth.reps < 20
