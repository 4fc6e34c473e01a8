"""The clinical record: outcome measures, goals, notes, education, messages, feedback.

One module per part (this package passed the ~400-line mark of a single `models.py`).
Read these rows only through `telept.clinical.selectors` (scoped to the actor, audited);
write them only through `telept.clinical.services`.
"""

from telept.clinical.models.education import Article, EducationAssignment
from telept.clinical.models.feedback import TECHNICAL_PROBLEMS, FeedbackResponse
from telept.clinical.models.goals import Goal, GoalStatus
from telept.clinical.models.measures import MeasureResponse, MeasureSchedule
from telept.clinical.models.messaging import Attachment, Message, Thread, ThreadRead
from telept.clinical.models.notes import (
    Addendum,
    Complexity,
    GoalUpdate,
    Intervention,
    Note,
    NoteKind,
    NoteTemplate,
)

__all__ = [
    "TECHNICAL_PROBLEMS",
    "FeedbackResponse",
    "Attachment",
    "Message",
    "Thread",
    "ThreadRead",
    "Article",
    "EducationAssignment",
    "Addendum",
    "Complexity",
    "GoalUpdate",
    "Intervention",
    "Note",
    "NoteKind",
    "NoteTemplate",
    "Goal",
    "GoalStatus",
    "MeasureResponse",
    "MeasureSchedule",
]
