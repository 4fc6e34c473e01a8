"""The exercises the rep counter knows, one small definition each, in an explicit registry.

An exercise says which joint angle to follow, the plane it moves in, the camera view that
shows that plane (side for sagittal movements, front for frontal ones), the resting angle and
the target range of motion (ROM) from rest. Progress through a rep is measured as the fraction
of the target ROM, so the same 30% / 70% hysteresis thresholds work for every exercise. For
a movement that goes down in angle (standing up from a chair extends the knee) ``direction`` is
-1.

Adding an exercise: add one ``Exercise`` to ``EXERCISES`` below; nothing is discovered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from telept.motion.angles import (
    ELBOW_FLEXION,
    HIP_ABDUCTION,
    KNEE_FLEXION,
    SHOULDER_ELEVATION,
    Joint,
)
from telept.motion.landmarks import MotionInputError

View = Literal["side", "front"]
Plane = Literal["sagittal", "frontal"]
CountOn = Literal["return", "top"]


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise definition.

    ``count_on="return"`` counts a rep when the joint comes back to rest (most exercises);
    ``"top"`` counts it when the target is reached, as the 30-second chair stand counts a
    stand when the patient is up. ``min_rep_s`` is the shortest believable rep between the 30%
    crossings, which rejects twitches the thresholds let through (for ``"top"`` it applies to
    the rise from 30% to 70%). ``time_limit_s`` counts only reps reaching the top within that
    time from the first frame.
    """

    name: str
    joint: Joint
    plane: Plane
    view: View
    rest_deg: float
    target_rom_deg: float
    min_rep_s: float
    direction: int = 1
    count_on: CountOn = "return"
    time_limit_s: float | None = None
    bilateral: bool = False
    description: str = ""

    @property
    def target_deg(self) -> float:
        return self.rest_deg + self.direction * self.target_rom_deg

    def with_target_rom(self, *, target_rom_deg: float | None) -> Exercise:
        """The same exercise with a prescribed target ROM (e.g. limited after surgery)."""
        if target_rom_deg is None:
            return self
        if not target_rom_deg > 0:
            raise MotionInputError("bad_target_rom", "target ROM must be a positive angle")
        return replace(self, target_rom_deg=float(target_rom_deg))


EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise
    for exercise in (
        Exercise(
            name="squat",
            joint=KNEE_FLEXION,
            plane="sagittal",
            view="side",
            rest_deg=0.0,
            target_rom_deg=90.0,
            min_rep_s=0.8,
            bilateral=True,
            description="Bodyweight squat to thighs about parallel; knee flexion, side view.",
        ),
        Exercise(
            name="knee_flexion",
            joint=KNEE_FLEXION,
            plane="sagittal",
            view="side",
            rest_deg=0.0,
            target_rom_deg=90.0,
            min_rep_s=0.6,
            description="Standing hamstring curl, heel towards the buttock; side view.",
        ),
        Exercise(
            name="shoulder_abduction",
            joint=SHOULDER_ELEVATION,
            plane="frontal",
            view="front",
            rest_deg=15.0,
            target_rom_deg=135.0,
            min_rep_s=0.8,
            description="Arm raised sideways, thumb up; arm against trunk, front view.",
        ),
        Exercise(
            name="shoulder_flexion",
            joint=SHOULDER_ELEVATION,
            plane="sagittal",
            view="side",
            rest_deg=10.0,
            target_rom_deg=140.0,
            min_rep_s=0.8,
            description="Arm raised forwards; arm against trunk, side view.",
        ),
        Exercise(
            name="elbow_flexion",
            joint=ELBOW_FLEXION,
            plane="sagittal",
            view="side",
            rest_deg=10.0,
            target_rom_deg=120.0,
            min_rep_s=0.6,
            description="Biceps curl with the upper arm at the side; side view.",
        ),
        Exercise(
            name="hip_abduction",
            joint=HIP_ABDUCTION,
            plane="frontal",
            view="front",
            rest_deg=0.0,
            target_rom_deg=35.0,
            min_rep_s=0.6,
            description="Standing side leg raise; thigh against the pelvis line, front view.",
        ),
        Exercise(
            name="chair_stand_30s",
            joint=KNEE_FLEXION,
            plane="sagittal",
            view="side",
            rest_deg=90.0,
            target_rom_deg=85.0,
            # No minimum: a fast rise crosses 30%-70% in two or three frames once smoothed, and
            # no jitter spans the 34 degrees between the thresholds.
            min_rep_s=0.0,
            direction=-1,
            count_on="top",
            time_limit_s=30.0,
            bilateral=True,
            description="30-second chair stand: full stands reached within 30 s; side view.",
        ),
    )
}


def exercise_get(*, name: str) -> Exercise:
    """The registered exercise called ``name``, or MotionInputError("unknown_exercise")."""
    try:
        return EXERCISES[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(EXERCISES))
        raise MotionInputError(
            "unknown_exercise", f"unknown exercise {name!r}; known: {known}"
        ) from None
