"""Reads of notes: staff see their practice's (drafts included); a patient sees only their
own final notes, never a draft or a note awaiting co-signature."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from telept.accounts.actor import Actor
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
    notes = Note.objects.filter(practice_id=actor.practice_id)
    if actor.is_patient:
        if actor.patient_id is None:
            return notes.none()
        return notes.filter(patient_id=actor.patient_id, status=Note.Status.FINAL)
    return notes if actor.is_staff_role else notes.none()


def _related(notes: QuerySet[Note]) -> QuerySet[Note]:
    return notes.select_related("patient", "provider", "author", "signed_by", "cosigner",
                                "cosigned_by", "appointment")


def note_get(*, actor: Actor, note_id: int, purpose: str = "view") -> Note:
    note = _related(note_scope(actor=actor)).filter(pk=note_id).first()
    if note is None:
        raise NotFound("note")
    audit_record(actor=actor, action="read", object_type="Note", object_id=note.pk,
                 patient_id=note.patient_id, detail={"purpose": purpose})
    return note


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


def notes_for(patient: Patient, *, final_only: bool = False) -> list[Note]:
    """A patient's notes, newest first (callers scope and audit)."""
    notes = _related(Note.objects.filter(patient=patient))
    if final_only:
        notes = notes.filter(status=Note.Status.FINAL)
    return list(notes)


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
    """The patient's visits from 60 days back to a week ahead, to link a note to one."""
    now = timezone.now()
    rows = (appointment_scope(actor=actor).filter(LIVE, patient_id=patient_id,
                                                  start__gte=now - dt.timedelta(days=60),
                                                  start__lte=now + dt.timedelta(days=7))
            .select_related("visit_type").order_by("-start"))
    return [(a.pk, f"{timezone.localtime(a.start):%a %d %b %Y %H:%M} · {a.visit_type.name} · "
                   f"{a.get_modality_display()}") for a in rows]


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
