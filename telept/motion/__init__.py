"""Movement analysis from MediaPipe Pose landmarks: joint angles, reps, ROM, tempo, symmetry.

A pure library (numpy only, no Django): the live visit and the recording review call it with
landmarks and get plain dataclasses back. ``analyze`` handles a recorded set at once;
``StreamingAnalyzer`` handles one frame at a time and reaches the same result.
"""

from telept.motion.analysis import Analysis, SideChoice, Symmetry, Tempo, analyze
from telept.motion.exercises import EXERCISES, Exercise, exercise_get
from telept.motion.filters import FilterConfig
from telept.motion.landmarks import Landmark, MotionInputError
from telept.motion.reps import Rep, RepCount
from telept.motion.streaming import StreamingAnalyzer, StreamUpdate
from telept.motion.view import ViewCheck

__all__ = [
    "EXERCISES",
    "Analysis",
    "Exercise",
    "FilterConfig",
    "Landmark",
    "MotionInputError",
    "Rep",
    "RepCount",
    "SideChoice",
    "StreamUpdate",
    "StreamingAnalyzer",
    "Symmetry",
    "Tempo",
    "ViewCheck",
    "analyze",
    "exercise_get",
]
