"""Human labels for the keys of the motion library (pure; no Django imports).

Exercises (`EXERCISES`) and joints (`telept.motion.angles`) are named by keys such as
`knee_flexion` or `chair_stand_30s`: fine in code, JSON and data attributes, never on a
page (Issue 16 item 21). Every page, chart and message shows `motion_label(key)` instead,
or `movement_label(key, side)` for a measurement of one side. These are the clinical names
a note uses; the patient-facing movement names of the live view are in
`static/js/motion/analyzer.js` (`label`).

Adding an exercise or a joint: add its label here; a test fails for any key without one.
"""

from __future__ import annotations

# Exercises of telept.motion.EXERCISES, by what the camera measures.
EXERCISE_LABELS = {
    "squat": "Knee flexion (squat)",
    "knee_flexion": "Knee flexion",
    "shoulder_abduction": "Shoulder abduction",
    "shoulder_flexion": "Shoulder flexion",
    "elbow_flexion": "Elbow flexion",
    "hip_abduction": "Hip abduction",
    "chair_stand_30s": "30-second chair stand",
}
# Joint angles of telept.motion.angles, and the body part each one is seen at.
JOINT_LABELS = {
    "knee_flexion": "Knee flexion",
    "elbow_flexion": "Elbow flexion",
    "shoulder_elevation": "Shoulder elevation",
    "hip_abduction": "Hip abduction",
}
JOINT_PARTS = {
    "knee_flexion": "knee",
    "elbow_flexion": "elbow",
    "shoulder_elevation": "shoulder",
    "hip_abduction": "hip",
}
# Tests whose result is a count, not an angle of one side.
COUNTED = frozenset({"chair_stand_30s"})


def _capitalised(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


def motion_label(key: str) -> str:
    """"Knee flexion" for `knee_flexion`, "30-second chair stand" for `chair_stand_30s`: an
    exercise or joint key in words. A key nobody labelled yet (or a practice's own free
    text) becomes its words, capitalised, so a page never shows an underscore."""
    key = (key or "").strip()
    found = EXERCISE_LABELS.get(key) or JOINT_LABELS.get(key)
    return found or _capitalised(key.replace("_", " "))


def joint_part(key: str) -> str:
    """The body part a joint angle is seen at, lower case: "knee" for `knee_flexion`."""
    return JOINT_PARTS.get(key) or motion_label(key).lower()


def movement_label(key: str, side: str) -> str:
    """A measurement on a side, as a note says it: "Left knee flexion", "Knee flexion
    (squat), both sides"; a count ("30-second chair stand") names no side."""
    name = motion_label(key)
    if key in COUNTED or side not in ("left", "right", "both"):
        return name
    if side == "both":
        return f"{name}, both sides"
    return f"{side.capitalize()} {name[:1].lower()}{name[1:]}"
