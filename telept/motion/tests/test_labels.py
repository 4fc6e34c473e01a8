"""Issue 16 item 21: every key of the motion library has a human label, so no page shows
`knee_flexion` or `chair_stand_30s`."""

from __future__ import annotations

import numpy as np
import pytest

from telept.motion import EXERCISES, analyze
from telept.motion.labels import motion_label, movement_label


def _human(label: str) -> bool:
    return bool(label) and "_" not in label and label[0] == label[0].upper()


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_exercise_and_its_joint_has_a_human_label(key):
    assert _human(motion_label(key)), motion_label(key)
    assert _human(motion_label(EXERCISES[key].joint.name))


@pytest.mark.parametrize("key, label", [
    ("knee_flexion", "Knee flexion"),
    ("squat", "Knee flexion (squat)"),
    ("chair_stand_30s", "30-second chair stand"),
    ("shoulder_elevation", "Shoulder elevation"),
    ("ankle_dorsiflexion", "Ankle dorsiflexion"),  # a key nobody labelled yet: still words
    ("Knee", "Knee"),  # a practice's own free text is left as typed
    ("", ""),
])
def test_the_label_of_a_key(key, label):
    assert motion_label(key) == label


@pytest.mark.parametrize("key, side, label", [
    ("knee_flexion", "left", "Left knee flexion"),
    ("squat", "both", "Knee flexion (squat), both sides"),
    ("shoulder_abduction", "", "Shoulder abduction"),
    ("chair_stand_30s", "right", "30-second chair stand"),  # a count: no side
])
def test_a_movement_on_a_side(key, side, label):
    assert movement_label(key, side) == label


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_the_analysis_warnings_use_words_not_keys(key):
    """The recording review page lists these warnings to the clinician."""
    unseen = np.zeros((12, 33, 4))
    result = analyze(frames=unseen, fps=10, width=640, height=480, exercise=key, side="left")
    assert result.warnings
    for warning in result.warnings:
        assert "_" not in warning, warning
