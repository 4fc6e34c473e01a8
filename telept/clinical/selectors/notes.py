"""Reads of notes: staff know of every note of their practice; a patient sees only their
own final notes, never a draft or a note awaiting co-signature.

Minimum necessary (Issue 16 item 19): what a note *says* is read by the people who need it.
PT, PTA and practice admins read every note of the practice; billing reads signed notes
(claims are built from them), not drafts; front desk reads none. The others get a
`NoteSummary` (kind, date, author, status), which carries no content at all, so no page or
API built on these selectors can show more than the role may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import dateformat, timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.clinical import note_templates
from telept.clinical.models import Note, NoteKind, NoteTemplate
from telept.clinical.rules.complexity import (
    ComplexityFindings,
    ComplexitySuggestion,
    Level,
    evaluation_complexity,
)
from telept.lib.errors import NotFound
from telept.patients.models import Patient
from telept.practices.models import Provider
from telept.scheduling.selectors import LIVE, appointment_scope


def note_scope(*, actor: Actor) -> QuerySet[Note]:
    """The notes the actor may know exist (not necessarily read: `note_content_scope`)."""
    notes = Note.objects.filter(practice_id=actor.practice_id)
    if actor.is_patient:
        if actor.patient_id is None:
            return notes.none()
        return notes.filter(patient_id=actor.patient_id, status=Note.Status.FINAL)
    return notes if actor.is_staff_role else notes.none()


def note_content_scope(*, actor: Actor) -> QuerySet[Note]:
    """The notes whose content the actor may read."""
    notes = note_scope(actor=actor)
    if actor.role == Role.FRONT_DESK:
        return notes.none()
    if actor.role == Role.BILLING:
        return notes.filter(signed_at__isnull=False)
    return notes


@dataclass(frozen=True, kw_only=True)
class NoteSummary:
    """That a note exists, and its status: all a role without content access learns."""

    pk: int
    patient_id: int
    patient_name: str
    kind: str
    kind_label: str
    date_of_service: dt.date
    author: str
    status: str
    status_label: str
    cpt_code: str = ""  # only for those who may read the note
    can_read: bool = False


def _summary(note: Note, *, can_read: bool) -> NoteSummary:
    return NoteSummary(
        pk=note.pk, patient_id=note.patient_id, patient_name=note.patient.full_name,
        kind=note.kind, kind_label=note.get_kind_display(), date_of_service=note.date_of_service,
        author=note.provider.display_name, status=note.status,
        status_label=note.get_status_display(), cpt_code=note.cpt_code if can_read else "",
        can_read=can_read)


def _summary_fields(notes: QuerySet[Note]) -> QuerySet[Note]:
    return notes.select_related("patient", "provider").defer("content")  # never shown


def _related(notes: QuerySet[Note]) -> QuerySet[Note]:
    return notes.select_related("patient", "provider", "author", "signed_by", "cosigner",
                                "cosigned_by", "appointment")


def note_get(*, actor: Actor, note_id: int, purpose: str = "view") -> Note:
    """A note with its content: NotFound unless the actor may read it."""
    note = _related(note_content_scope(actor=actor)).filter(pk=note_id).first()
    if note is None:
        raise NotFound("note")
    audit_record(actor=actor, action="read", object_type="Note", object_id=note.pk,
                 patient_id=note.patient_id, detail={"purpose": purpose})
    return note


def note_read(*, actor: Actor, note_id: int) -> Note | NoteSummary:
    """The note page's read: the whole note for a role that may read it, else its summary
    (audited as a status read), else NotFound."""
    if note_content_scope(actor=actor).filter(pk=note_id).exists():
        return note_get(actor=actor, note_id=note_id)
    note = _summary_fields(note_scope(actor=actor)).filter(pk=note_id).first()
    if note is None or actor.is_patient:
        raise NotFound("note")
    audit_record(actor=actor, action="read", object_type="Note", object_id=note.pk,
                 patient_id=note.patient_id, detail={"purpose": "status"})
    return _summary(note, can_read=False)


def note_rows(*, actor: Actor, patient: Patient) -> list[NoteSummary]:
    """A patient's notes for the chart, newest first, as summaries (the chart's read is
    audited by `patient_chart`). Scoped to the actor's practice."""
    readable = set(note_content_scope(actor=actor).filter(patient=patient)
                   .values_list("pk", flat=True))
    return [_summary(n, can_read=n.pk in readable)
            for n in _summary_fields(note_scope(actor=actor).filter(patient=patient))]


def note_for_write(*, actor: Actor, note_id: int) -> Note:
    """The note a write acts on, locked for the transaction (staff scope; the service
    decides what the actor may do with it)."""
    if not actor.is_staff_role:
        raise NotFound("note")
    note = (note_scope(actor=actor).select_for_update(of=("self",)).select_related("provider")
            .filter(pk=note_id).first())
    if note is None:
        raise NotFound("note")
    return note


def notes_own(*, actor: Actor) -> list[Note]:
    notes = list(_related(note_scope(actor=actor)))
    audit_record(actor=actor, action="list", object_type="Note", patient_id=actor.patient_id,
                 detail={"shown": [n.pk for n in notes]})
    return notes


def cosign_queue(*, actor: Actor) -> list[Note]:
    """Signed PTA notes waiting for this PT's co-signature."""
    provider = Provider.objects.filter(user_id=actor.user_id,
                                       practice_id=actor.practice_id).first()
    if provider is None or not actor.is_staff_role:
        return []
    notes = list(_related(note_scope(actor=actor)).filter(cosigner=provider,
                                                          status=Note.Status.SIGNED)
                 .order_by("signed_at", "id"))
    audit_record(actor=actor, action="list", object_type="Note",
                 detail={"shown": [n.pk for n in notes], "purpose": "cosign"})
    return notes


def template_prompts(*, practice_id: int, kind: str) -> dict[str, str]:
    """The practice's starting text per section, or the built-in one."""
    template = NoteTemplate.objects.filter(practice_id=practice_id, kind=kind).first()
    prompts = template.prompts if template else note_templates.BUILTIN_PROMPTS[kind]
    return {key: str(prompts.get(key, "")) for key in note_templates.section_keys(kind)}


def note_templates_of(*, actor: Actor) -> list[dict[str, object]]:
    templates = {t.kind: t for t in NoteTemplate.objects.filter(practice_id=actor.practice_id)
                 .select_related("updated_by")}
    return [{"kind": kind, "label": label, "template": templates.get(kind)}
            for kind, label in NoteKind.choices]


def complexity_suggestion(note: Note) -> ComplexitySuggestion | None:
    """What the complexity rule suggests from the findings saved on an evaluation."""
    if note.kind != note_templates.INITIAL_EVAL or note.personal_factors is None \
            or note.body_elements is None or not note.presentation or not note.decision:
        return None
    try:
        return evaluation_complexity(ComplexityFindings(
            personal_factors=note.personal_factors, body_elements=note.body_elements,
            presentation=note.presentation, decision=Level[note.decision.upper()]))
    except (ValueError, KeyError):
        return None


def note_appointment_choices(*, actor: Actor, patient_id: int) -> list[tuple[int, str]]:
    """The patient's visits from 60 days back to a week ahead, to link a note to one, in
    the practice's zone whatever zone the page activated (Issue 16 item 20)."""
    now = timezone.now()
    zone = ZoneInfo(actor.membership.practice.time_zone)
    rows = (appointment_scope(actor=actor).filter(LIVE, patient_id=patient_id,
                                                  start__gte=now - dt.timedelta(days=60),
                                                  start__lte=now + dt.timedelta(days=7))
            .select_related("visit_type").order_by("-start"))
    return [(a.pk, f"{dateformat.format(a.start.astimezone(zone), 'D j M Y, g:i A')} · "
                   f"{a.visit_type.name} · {a.get_modality_display()}") for a in rows]


def provider_choices(*, actor: Actor) -> list[tuple[int, str]]:
    return [(p.pk, str(p)) for p in Provider.objects.filter(practice_id=actor.practice_id)
            .order_by("display_name")]


def visit_note_context(*, actor: Actor, appointment_id: int) -> tuple[Any, Note | None, bool]:
    """For the note docked beside a video visit: the appointment (NotFound outside the
    actor's scope), the note already linked to it that this actor should open (their own
    draft first, else the newest signed one), and whether the patient still needs an
    initial evaluation (no initial evaluation on file that is not discarded)."""
    appointment = (appointment_scope(actor=actor).select_related("patient", "visit_type")
                   .filter(pk=appointment_id).first())
    if appointment is None or not actor.is_staff_role:
        raise NotFound("appointment")
    linked = note_scope(actor=actor).filter(appointment_id=appointment.pk)
    note = (linked.filter(author_id=actor.user_id, status=Note.Status.DRAFT)
            .order_by("-pk").first()
            or linked.exclude(status=Note.Status.DRAFT).order_by("-pk").first())
    needs_eval = not note_scope(actor=actor).filter(
        patient_id=appointment.patient_id, kind=NoteKind.INITIAL_EVAL).exists()
    audit_record(actor=actor, action="read", object_type="Appointment",
                 object_id=appointment.pk, patient_id=appointment.patient_id,
                 detail={"purpose": "visit_note"})
    return appointment, note, needs_eval
