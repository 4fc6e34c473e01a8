"""Records the permission matrix (telept/tests/test_permission_matrix.py) needs for the
clinical URLs: one of each, belonging to the `target` patient of the cast, made once and
reused by every role (a role that deleted or changed one gets a fresh one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

# URL kwargs of the clinical app that name a record of one practice (outsiders get 404).
CLINICAL_RECORD_KWARGS = {"schedule_id", "note_id", "goal_id", "thread_id", "attachment_id",
                          "assignment_id"}


def _schedule(cast: Any, target: str) -> int:
    from telept.clinical.models import MeasureSchedule

    patient = cast.patients[target]
    found = MeasureSchedule.objects.filter(patient=patient, stopped_at=None).first()
    return (found or MeasureSchedule.objects.create(
        practice=patient.practice, patient=patient, code="NPRS", at_evaluation=True,
        created_by=cast.users["pt"], created_at=timezone.now())).pk


def _note(cast: Any, target: str) -> int:
    """A final (signed) note: every page that takes a note id answers for it, and the
    patient may read it (a draft would be 404 for them, on purpose)."""
    from telept.clinical.models import Note

    patient = cast.patients[target]
    found = Note.objects.filter(patient=patient, status=Note.Status.FINAL).first()
    return (found or Note.objects.create(
        practice=patient.practice, patient=patient, kind="daily",
        provider=cast.users["pt"].provider, author=cast.users["pt"],
        date_of_service=timezone.localdate(), content={"subjective": "Matrix"},
        status=Note.Status.FINAL, signed_by=cast.users["pt"], signed_at=timezone.now(),
        content_hash="0" * 64)).pk


def _goal(cast: Any, target: str) -> int:
    from telept.clinical.models import Goal

    patient = cast.patients[target]
    found = Goal.objects.filter(patient=patient).first()
    return (found or Goal.objects.create(
        practice=patient.practice, patient=patient, description="Walk 1 km", metric="km",
        baseline=0.2, target=1.0, target_date=timezone.localdate() + dt.timedelta(days=42),
        created_by=cast.users["pt"])).pk


def _thread(cast: Any, target: str) -> int:
    from telept.clinical.models import Thread

    patient = cast.patients[target]
    found = Thread.objects.filter(patient=patient).first()
    return (found or Thread.objects.create(
        practice=patient.practice, patient=patient, subject="Matrix",
        created_by=cast.users["pt"], last_message_at=timezone.now())).pk


def _attachment(cast: Any, target: str) -> int:
    """One PDF on a message of the target's thread. Its file has a fixed name, so the runs
    of this matrix share one small file under the (git-ignored) attachment root."""
    from telept.clinical.models import Attachment, Message, Thread
    from telept.clinical.services.messaging import attachment_root

    found = Attachment.objects.filter(message__thread__patient=cast.patients[target]).first()
    if found:
        return found.pk
    data = b"%PDF-1.4\n%%EOF\n"
    path = attachment_root() / "permission-matrix.pdf"
    if not path.exists():
        path.write_bytes(data)
    thread = Thread.objects.get(pk=_thread(cast, target))
    message = Message.objects.create(thread=thread, sender=cast.users["pt"], body="See file",
                                     from_patient=False, sent_at=timezone.now())
    return Attachment.objects.create(message=message, original_name="x.pdf",
                                     content_type="application/pdf", size=len(data),
                                     sha256="0" * 64,
                                     stored_name=path.name).pk


def _assignment(cast: Any, target: str) -> int:
    from telept.clinical.models import Article, EducationAssignment

    patient = cast.patients[target]
    found = EducationAssignment.objects.filter(patient=patient).first()
    return (found or EducationAssignment.objects.create(
        practice=patient.practice, patient=patient, article=Article.objects.first(),
        assigned_by=cast.users["pt"], assigned_at=timezone.now())).pk


def _article() -> int:
    from telept.clinical.models import Article

    return Article.objects.order_by("id").values_list("id", flat=True)[0]


def clinical_kwargs(cast: Any, target: str) -> dict[str, Callable[[], object]]:
    return {
        "schedule_id": lambda: _schedule(cast, target),
        "note_id": lambda: _note(cast, target),
        "goal_id": lambda: _goal(cast, target),
        "thread_id": lambda: _thread(cast, target),
        "attachment_id": lambda: _attachment(cast, target),
        "assignment_id": lambda: _assignment(cast, target),
        "article_id": _article,
        "code": lambda: "NPRS",
        "kind": lambda: "daily",
    }
