"""Records the permission matrix (telept/tests/test_permission_matrix.py) needs for the
clinical URLs: one of each, belonging to the `target` patient of the cast (the acting
patient, the other patient of the same practice, or the outsider practice's patient) and made
by a clinician of that patient's practice; made once and reused by every role (a role that
deleted or changed one gets a fresh one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

# URL kwargs of the clinical app that name a record of one patient (the other patient and
# the outsider practice get 404).
CLINICAL_RECORD_KWARGS = {"schedule_id", "note_id", "goal_id", "thread_id", "attachment_id",
                          "assignment_id"}
# Text in every section of the matrix's notes: a page that shows it shows the note's content.
NOTE_TEXT = "Matrix note text"


def clinician(cast: Any, target: str) -> Any:
    """The cast PT of the target patient's practice (the outsider PT for Lakeside)."""
    same = cast.patients[target].practice_id == cast.practice.pk
    return cast.users["pt" if same else "outsider_pt"]


def _schedule(cast: Any, target: str) -> int:
    from telept.clinical.models import MeasureSchedule

    patient = cast.patients[target]
    found = MeasureSchedule.objects.filter(patient=patient, stopped_at=None).first()
    return (found or MeasureSchedule.objects.create(
        practice=patient.practice, patient=patient, code="NPRS", at_evaluation=True,
        created_by=clinician(cast, target), created_at=timezone.now())).pk


def _note(cast: Any, target: str) -> int:
    """A final (signed, truly sealed) note: every page that takes a note id answers for it,
    and the patient may read it (a draft would be 404 for them, on purpose)."""
    from telept.clinical.models import Note

    patient = cast.patients[target]
    found = Note.objects.filter(patient=patient, status=Note.Status.FINAL).first()
    if found:
        return found.pk
    pt = clinician(cast, target)
    return _signed(Note.objects.create(
        practice=patient.practice, patient=patient, kind="daily", provider=pt.provider,
        author=pt, date_of_service=timezone.localdate(),
        content={key: f"{NOTE_TEXT} ({key})" for key in SOAP}), by=pt,
        status=Note.Status.FINAL)


def _signed(note: Any, *, by: Any, status: str, cosigner: Any = None) -> int:
    """Sign a draft made above with a real seal (a made-up hash reads as tampered)."""
    from telept.clinical.sealing import note_seal

    note.status, note.signed_by, note.signed_at = status, by, timezone.now()
    note.cosigner = cosigner
    note.content_hash = note_seal(note)
    note.save()
    return int(note.pk)


SOAP = ("subjective", "objective", "assessment", "plan")


def draft_note(cast: Any, target: str, *, author: str = "pt") -> int:
    """An unsigned, complete note of the target patient by the cast's `author` (a
    clinician; "pta" is the target practice's PTA). A PTA's draft is what front desk must
    not read (Issue 16 item 19)."""
    from telept.clinical.models import Note

    patient = cast.patients[target]
    user = pta(cast, target) if author == "pta" else cast.users[author]
    found = Note.objects.filter(patient=patient, status=Note.Status.DRAFT, author=user).first()
    provider = user.provider
    return (found or Note.objects.create(
        practice=patient.practice, patient=patient, kind="daily", provider=provider,
        author=user, date_of_service=timezone.localdate(),
        content={key: f"{NOTE_TEXT} ({key}, draft)" for key in SOAP})).pk


def _goal(cast: Any, target: str) -> int:
    from telept.clinical.models import Goal

    patient = cast.patients[target]
    found = Goal.objects.filter(patient=patient).first()
    return (found or Goal.objects.create(
        practice=patient.practice, patient=patient, description="Walk 1 km", metric="km",
        baseline=0.2, target=1.0, target_date=timezone.localdate() + dt.timedelta(days=42),
        created_by=clinician(cast, target))).pk


def _thread(cast: Any, target: str) -> int:
    from telept.clinical.models import Thread

    patient = cast.patients[target]
    found = Thread.objects.filter(patient=patient).first()
    return (found or Thread.objects.create(
        practice=patient.practice, patient=patient, subject="Matrix",
        created_by=clinician(cast, target), last_message_at=timezone.now())).pk


def _attachment(cast: Any, target: str) -> int:
    """One PDF on a message of the target's thread. Its file has a fixed name per target,
    so the runs of this matrix share three small files under the (git-ignored) attachment
    root."""
    from telept.clinical.models import Attachment, Message, Thread
    from telept.clinical.services.messaging import attachment_root

    found = Attachment.objects.filter(message__thread__patient=cast.patients[target]).first()
    if found:
        return found.pk
    data = b"%PDF-1.4\n%%EOF\n"
    path = attachment_root() / f"permission-matrix-{target}.pdf"
    if not path.exists():
        path.write_bytes(data)
    thread = Thread.objects.get(pk=_thread(cast, target))
    message = Message.objects.create(thread=thread, sender=clinician(cast, target), body="See file",
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
        assigned_by=clinician(cast, target), assigned_at=timezone.now())).pk


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


def pta(cast: Any, target: str) -> Any:
    """A PTA with a clinician profile in the target's practice, supervised by its PT (the
    cast PTA for Riverside; a Lakeside PTA made here for the outsider practice)."""
    from telept.accounts.models import Membership, User
    from telept.practices.models import Provider
    from telept.tests import factories

    patient = cast.patients[target]
    if patient.practice_id == cast.practice.pk:
        user = cast.users["pta"]
    else:
        user = User.objects.filter(email="outsider_pta@lakeside-test.test").first()
        if user is None:
            user = factories.UserFactory(email="outsider_pta@lakeside-test.test")
            Membership.objects.create(user=user, practice=patient.practice, role="pta")
    if not Provider.objects.filter(user=user).exists():
        factories.ProviderFactory(practice=patient.practice, user=user,
                                  slug=f"{patient.practice.slug}-pta", credentials="PTA",
                                  supervising=clinician(cast, target).provider)
    return User.objects.get(pk=user.pk)


def awaiting_note(cast: Any, target: str) -> int:
    """A note the target practice's PTA signed, awaiting its PT's co-signature."""
    from telept.clinical.models import Note

    patient = cast.patients[target]
    found = Note.objects.filter(patient=patient, status=Note.Status.SIGNED).first()
    if found:
        return found.pk
    author = pta(cast, target)
    return _signed(Note.objects.create(
        practice=patient.practice, patient=patient, kind="daily", provider=author.provider,
        author=author, date_of_service=timezone.localdate(),
        content={key: f"{NOTE_TEXT} ({key})" for key in SOAP}), by=author,
        status=Note.Status.SIGNED, cosigner=clinician(cast, target).provider)
