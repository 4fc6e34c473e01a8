"""Counting in a class starts while people are wherever they are: a person who is already
standing when the host starts "sit to stand" has done no repetition yet.

Found by test_class_motion_browser.py: the astronaut photo (still, from head to waist) got
"1 reps" on the host's tile whenever Pose saw her guessed knees straight. The rep counter
(telept.motion.reps, mirrored by static/js/motion/analyzer.js) left its rest state as soon
as the first angle was past 30% of the way from seated (90 degrees) to standing, and the
chair stand has no minimum rep time, so a standing start counted at once. It now waits to
see the joint at rest first (both twins, and count_reps agrees).
"""

from __future__ import annotations

import numpy as np

from telept.motion.exercises import EXERCISES
from telept.motion.reps import RepCounter, count_reps

STANDING_DEG = 5.0  # knee flexion of someone standing up straight


def test_standing_still_from_the_start_is_no_chair_stand() -> None:
    exercise = EXERCISES["chair_stand_30s"]
    counter = RepCounter(exercise=exercise)
    times = np.arange(0.0, 10.0, 0.1)
    for t in times:
        counter.step(STANDING_DEG, float(t))
    offline = count_reps(angles=np.full(times.shape, STANDING_DEG), times=times,
                         exercise=exercise)
    assert (counter.reps, len(offline.reps)) == (0, 0)


def test_sitting_then_standing_is_one_chair_stand() -> None:
    """The same counter counts a real rise (so the xfail above is about the start only)."""
    exercise = EXERCISES["chair_stand_30s"]
    counter = RepCounter(exercise=exercise)
    angles = [90.0] * 10 + [60.0, 30.0, 10.0] + [STANDING_DEG] * 10
    for n, angle in enumerate(angles):
        counter.step(angle, n * 0.1)
    assert counter.reps == 1
