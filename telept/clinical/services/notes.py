"""Writing, signing, co-signing and amending notes; the practice's note templates.

Who may do what:
* an initial evaluation or re-evaluation: a PT; a daily note: a PT or a PTA;
* only the author edits a draft and signs it; signing seals the note (content hash) and
  the database refuses later changes (migration 0004);
* a PTA's signed note names the supervising PT (`Provider.supervising`) as co-signer and
  is final only once that PT co-signs, after the hash is checked;
* goal updates recorded in a note are applied to the goals when the note becomes final;
* after signing, corrections are addenda (separate, sealed, append-only rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import CLINICAL_ROLES, Role
from telept.audit.services import audit_record
from telept.clinical import note_templates
from telept.clinical.models import (
    Addendum,
    Goal,
    GoalStatus,
    GoalUpdate,
    Intervention,
    Note,
    NoteKind,
    NoteTemplate,
)
from telept.clinical.rules.complexity import (
    RE_EVALUATION_CODE,
    ComplexityFindings,
    Level,
    evaluation_code,
    evaluation_complexity,
)
from telept.clinical.rules.interventions import BY_CODE, MAX_MINUTES
from telept.clinical.sealing import addendum_seal, note_intact, note_seal
from telept.clinical.selectors.notes import note_for_write, template_prompts
from telept.clinical.selectors.scope import scoped_patient
from telept.clinical.signals import note_finalised
from telept.clinical.visit_measurements import (
    clip_lines,
    measurement_lines,
    visit_clips_for_note,
    visit_measurements_for_note,
)
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.practices.models import Provider
from telept.scheduling.models import Appointment

LEVELS = {"low": Level.LOW, "moderate": Level.MODERATE, "high": Level.HIGH}


@dataclass(frozen=True, kw_only=True)
class InterventionInput:
    cpt_code: str
    minutes: int
    provider_id: int
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class GoalUpdateInput:
    goal_id: int
    status: str
    current_value: float | None = None
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class NoteInput:
    date_of_service: dt.date
    content: Mapping[str, str]
    appointment_id: int | None = None
    personal_factors: int | None = None
    body_elements: int | None = None
    presentation: str = ""
    decision: str = ""
    complexity: str = ""
    frequency_per_week: int | None = None
    duration_weeks: int | None = None
    interventions: tuple[InterventionInput, ...] = ()
    goal_updates: tuple[GoalUpdateInput, ...] = ()


def author_provider(actor: Actor) -> Provider:
    """The acting clinician's provider profile in this practice."""
    if actor.role not in CLINICAL_ROLES:
        raise PermissionDenied("Only a therapist (PT or PTA) writes notes.")
    provider = Provider.objects.filter(user_id=actor.user_id,
                                       practice_id=actor.practice_id).first()
    if provider is None:
        raise DomainError("no_provider", "Your account has no clinician profile in this "
                          "practice; ask the practice admin to add one.")
    return provider


def _appointment(note_patient_id: int, practice_id: int, appointment_id: int | None
                 ) -> Appointment | None:
    if appointment_id is None:
        return None
    found = Appointment.objects.filter(pk=appointment_id, patient_id=note_patient_id,
                                       practice_id=practice_id).first()
    if found is None:
        raise DomainError("unknown_appointment", "That visit is not this patient's.",
                          field="appointment")
    return found


@transaction.atomic
def note_create(*, actor: Actor, patient_id: int, kind: str,
                appointment_id: int | None = None) -> Note:
    """Start a draft from the practice's template, linked to a visit if given; movement
    measurements captured in that visit, and its video clips analysed so far, are added to
    the objective section (a clip analysed later is listed beside the draft, not typed in:
    `telept.clinical.visit_measurements`)."""
    if kind not in NoteKind.values:
        raise DomainError("unknown_note_kind", "Unknown kind of note.", field="kind")
    provider = author_provider(actor)
    if kind != NoteKind.DAILY and actor.role != Role.PT:
        raise PermissionDenied("Evaluations and re-evaluations are written by a PT.")
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    appointment = _appointment(patient.pk, patient.practice_id, appointment_id)
    content = dict(template_prompts(practice_id=patient.practice_id, kind=kind))
    measured = "\n\n".join(part for part in (
        measurement_lines(visit_measurements_for_note(appointment)),
        clip_lines(visit_clips_for_note(appointment))) if part)
    if measured:
        key = note_templates.OBJECTIVE_SECTION[kind]
        content[key] = "\n\n".join(part for part in (content.get(key, ""), measured) if part)
    local_day = (patient.practice.local_date(appointment.start) if appointment
                 else patient.practice.today())
    note = Note.objects.create(
        practice_id=patient.practice_id, patient=patient, kind=kind, provider=provider,
        author=actor.user, appointment=appointment, date_of_service=local_day,
        content=content, cpt_code=RE_EVALUATION_CODE if kind == NoteKind.RE_EVAL else "")
    audit_record(actor=actor, action="create", object_type="Note", object_id=note.pk,
                 patient_id=patient.pk, detail={"kind": kind, "appointment": appointment_id})
    return note


def _own_draft(actor: Actor, note_id: int) -> Note:
    note = note_for_write(actor=actor, note_id=note_id)
    if note.is_locked:
        raise Conflict("note_locked", "This note is signed and locked; add an addendum.")
    if note.author_id != actor.user_id:
        raise PermissionDenied("Only the author edits or signs a draft note.")
    return note


def _suggest(data: NoteInput) -> str:
    """The complexity the rule supports, or '' while findings are incomplete."""
    if data.personal_factors is None or data.body_elements is None \
            or not data.presentation or not data.decision:
        return ""
    try:
        suggestion = evaluation_complexity(ComplexityFindings(
            personal_factors=data.personal_factors, body_elements=data.body_elements,
            presentation=data.presentation, decision=LEVELS[data.decision]))
    except (ValueError, KeyError) as exc:
        raise DomainError("invalid_findings", str(exc)) from None
    return suggestion.level.label


class NoteChanged(Conflict):
    """The draft was saved elsewhere (another tab, an autosave) since this edit began."""

    def __init__(self, note: Note) -> None:
        super().__init__("note_changed", "This draft was saved in another tab or window "
                         "since you opened it; nothing was overwritten. Compare the two "
                         "versions and merge them.", extra={"version": note.version})
        self.note = note


@transaction.atomic
def note_update(*, actor: Actor, note_id: int, data: NoteInput,
                expected_version: int | None = None) -> Note:
    """Save a draft: sections, evaluation findings, plan of care, interventions (rows for
    billing) and goal updates. Interventions and goal updates are replaced as a set.

    Optimistic concurrency: pages pass `expected_version`, the version their form was
    built from; if another save came first the write is refused (`NoteChanged`, carrying
    the saved note) rather than replacing it. The row is locked (`note_for_write`), so two
    saves of one version cannot both pass the check. Each save bumps the version.
    """
    note = _own_draft(actor, note_id)
    if expected_version is not None and expected_version != note.version:
        raise NoteChanged(note)
    note.version += 1
    keys = note_templates.section_keys(note.kind)
    note.content = {key: str(data.content.get(key, ""))[:20000] for key in keys}
    note.date_of_service = data.date_of_service
    note.appointment = _appointment(note.patient_id, note.practice_id, data.appointment_id)
    if data.complexity and data.complexity not in LEVELS:
        raise DomainError("invalid_complexity", "Complexity is low, moderate or high.",
                          field="complexity")
    if note.kind == NoteKind.INITIAL_EVAL:
        note.personal_factors, note.body_elements = data.personal_factors, data.body_elements
        note.presentation, note.decision = data.presentation, data.decision
        note.complexity = data.complexity or _suggest(data)
        note.cpt_code = evaluation_code(LEVELS[note.complexity]) if note.complexity else ""
    if note.is_evaluation:
        note.frequency_per_week, note.duration_weeks = (data.frequency_per_week,
                                                        data.duration_weeks)
    note.save()
    _replace_interventions(note, data.interventions)
    _replace_goal_updates(note, data.goal_updates)
    audit_record(actor=actor, action="update", object_type="Note", object_id=note.pk,
                 patient_id=note.patient_id,
                 detail={"interventions": len(data.interventions),
                         "goal_updates": len(data.goal_updates)})
    return note


def _replace_interventions(note: Note, rows: tuple[InterventionInput, ...]) -> None:
    providers = set(Provider.objects.filter(practice_id=note.practice_id)
                    .values_list("id", flat=True))
    note.interventions.all().delete()
    for row in rows:
        if row.cpt_code not in BY_CODE:
            raise DomainError("unknown_cpt", f"Unknown intervention code {row.cpt_code}.")
        if not 1 <= row.minutes <= MAX_MINUTES:
            raise DomainError("invalid_minutes", f"Minutes are 1 to {MAX_MINUTES}.")
        if row.provider_id not in providers:
            raise DomainError("unknown_provider", "Choose a clinician of this practice.")
        Intervention.objects.create(note=note, cpt_code=row.cpt_code, minutes=row.minutes,
                                    provider_id=row.provider_id,
                                    description=row.description[:200])


def _replace_goal_updates(note: Note, rows: tuple[GoalUpdateInput, ...]) -> None:
    goals = set(Goal.objects.filter(patient_id=note.patient_id).values_list("id", flat=True))
    note.goal_updates.all().delete()
    for row in rows:
        if row.goal_id not in goals:
            raise DomainError("unknown_goal", "That goal is not this patient's.")
        if row.status not in GoalStatus.values:
            raise DomainError("invalid_goal_status", "Unknown goal status.")
        GoalUpdate.objects.create(note=note, goal_id=row.goal_id, status=row.status,
                                  current_value=row.current_value, comment=row.comment[:300])


def missing_for_signing(note: Note) -> list[str]:
    """What must be filled in before a note can be signed, as sentences."""
    missing = [f"{label} is empty." for key, label, text in note.sections() if not text.strip()]
    if note.kind == NoteKind.INITIAL_EVAL and not note.complexity:
        missing.append("Choose the evaluation's complexity (or complete the findings).")
    if note.is_evaluation and not (note.frequency_per_week and note.duration_weeks):
        missing.append("The plan of care needs a frequency and a duration.")
    return missing


@transaction.atomic
def note_sign(*, actor: Actor, note_id: int) -> Note:
    """The author signs: the note is sealed and locked. A PT's note is final at once; a
    PTA's awaits the supervising PT's co-signature."""
    note = _own_draft(actor, note_id)
    missing = missing_for_signing(note)
    if missing:
        raise DomainError("note_incomplete", "Not signed: " + " ".join(missing))
    needs_cosign = actor.role == Role.PTA
    if needs_cosign:
        supervisor = note.provider.supervising
        if supervisor is None or supervisor.practice_id != note.practice_id:
            raise DomainError("no_supervisor", "A PTA's note needs a supervising PT to "
                              "co-sign; ask the practice admin to set yours.")
        note.cosigner = supervisor
    note.signed_by = actor.user
    note.signed_at = timezone.now()
    note.content_hash = note_seal(note)
    note.status = Note.Status.SIGNED if needs_cosign else Note.Status.FINAL
    note.save()
    audit_record(actor=actor, action="sign", object_type="Note", object_id=note.pk,
                 patient_id=note.patient_id,
                 detail={"content_hash": note.content_hash, "status": note.status})
    if note.status == Note.Status.FINAL:
        _apply_goal_updates(actor, note)
        _finalised_on_commit(actor, note.pk, "signed")
    return note


@transaction.atomic
def note_cosign(*, actor: Actor, note_id: int) -> Note:
    """The supervising PT co-signs a PTA's signed note after checking its seal."""
    note = note_for_write(actor=actor, note_id=note_id)
    if note.status != Note.Status.SIGNED:
        raise Conflict("not_awaiting_cosign", "This note is not awaiting a co-signature.")
    provider = author_provider(actor)
    if actor.role != Role.PT or note.cosigner_id != provider.pk:
        raise PermissionDenied("Only the supervising PT named on the note co-signs it.")
    if not note_intact(note):
        raise Conflict("note_tampered", "The note's content no longer matches its signature; "
                       "it cannot be co-signed. Report this to the practice admin.")
    note.cosigned_by = actor.user
    note.cosigned_at = timezone.now()
    note.status = Note.Status.FINAL
    note.save(update_fields=["cosigned_by", "cosigned_at", "status", "updated_at"])
    audit_record(actor=actor, action="cosign", object_type="Note", object_id=note.pk,
                 patient_id=note.patient_id, detail={"content_hash": note.content_hash})
    _apply_goal_updates(actor, note)
    _finalised_on_commit(actor, note.pk, "cosigned")
    return note


def _finalised_on_commit(actor: Actor, note_id: int, reason: str,
                         interventions: tuple[dict[str, object], ...] | None = None) -> None:
    """Tell the apps above (billing) once the commit has made it true; `robust`: their
    failure never undoes or fails a signature (billing can re-capture)."""
    transaction.on_commit(lambda: note_finalised.send(
        sender=Note, note_id=note_id, reason=reason, actor=actor,
        interventions=interventions), robust=True)


def _apply_goal_updates(actor: Actor, note: Note) -> None:
    now = timezone.now()
    for update in note.goal_updates.select_related("goal"):
        goal = update.goal
        if goal.status == update.status:
            continue
        previous, goal.status, goal.status_changed_at = goal.status, update.status, now
        goal.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(actor=actor, action="update", object_type="Goal", object_id=goal.pk,
                     patient_id=goal.patient_id,
                     detail={"status": [previous, update.status], "note": note.pk})


@transaction.atomic
def note_addendum_add(*, actor: Actor, note_id: int, text: str,
                      corrected_interventions: tuple[InterventionInput, ...] | None = None
                      ) -> Addendum:
    """A signed correction or late entry; the note itself is never edited.

    `corrected_interventions` (a final note only): the minutes per code as they should have
    been; they are written into the sealed addendum text and billing re-rates from them."""
    author_provider(actor)
    note = note_for_write(actor=actor, note_id=note_id)
    if not note.is_locked:
        raise Conflict("note_not_signed", "Edit the draft instead: addenda are for signed "
                       "notes.")
    text = text.strip()
    if not text:
        raise DomainError("empty_addendum", "Write the addendum's text.", field="text")
    corrected = _corrected(note, corrected_interventions)
    if corrected is not None:
        text = (text[:4000] + "\n\nCorrected minutes: " + "; ".join(
            f"{row['cpt_code']} {row['minutes']} min" for row in corrected)).strip()
    now = timezone.now()
    addendum = Addendum.objects.create(
        note=note, author=actor.user, text=text[:5000], created_at=now,
        content_hash=addendum_seal(note_id=note.pk, note_hash=note.content_hash,
                                   author_id=actor.user_id, text=text[:5000], created_at=now))
    audit_record(actor=actor, action="create", object_type="Addendum", object_id=addendum.pk,
                 patient_id=note.patient_id, detail={"note": note.pk,
                                                     "corrected_minutes": corrected is not None})
    if corrected is not None:
        _finalised_on_commit(actor, note.pk, "addendum", corrected)
    return addendum


def _corrected(note: Note, rows: tuple[InterventionInput, ...] | None
               ) -> tuple[dict[str, object], ...] | None:
    if rows is None:
        return None
    if note.status != Note.Status.FINAL:
        raise Conflict("note_not_final", "Minutes are corrected on a final note.")
    providers = set(Provider.objects.filter(practice_id=note.practice_id)
                    .values_list("id", flat=True))
    for row in rows:
        if row.cpt_code not in BY_CODE:
            raise DomainError("unknown_cpt", f"Unknown intervention code {row.cpt_code}.")
        if not 1 <= row.minutes <= MAX_MINUTES:
            raise DomainError("invalid_minutes", f"Minutes are 1 to {MAX_MINUTES}.")
        if row.provider_id not in providers:
            raise DomainError("unknown_provider", "Choose a clinician of this practice.")
    return tuple({"cpt_code": r.cpt_code, "minutes": r.minutes, "provider_id": r.provider_id}
                 for r in rows)


@transaction.atomic
def note_discard(*, actor: Actor, note_id: int) -> int:
    """The author throws away an unsigned draft (signed notes are kept for ever)."""
    note = _own_draft(actor, note_id)
    patient_id = note.patient_id
    note.interventions.all().delete()
    note.goal_updates.all().delete()
    note.delete()
    audit_record(actor=actor, action="delete", object_type="Note", object_id=note_id,
                 patient_id=patient_id, detail={"draft": True})
    return patient_id


@transaction.atomic
def note_template_save(*, actor: Actor, kind: str, prompts: Mapping[str, str]) -> NoteTemplate:
    """A practice admin sets the starting text of each section for one kind of note."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only a practice admin edits note templates.")
    if kind not in NoteKind.values:
        raise NotFound("note template")
    clean = {key: str(prompts.get(key, ""))[:5000] for key in note_templates.section_keys(kind)}
    template, _ = NoteTemplate.objects.update_or_create(
        practice_id=actor.practice_id, kind=kind,
        defaults={"prompts": clean, "updated_by": actor.user})
    audit_record(actor=actor, action="update", object_type="NoteTemplate",
                 object_id=template.pk, detail={"kind": kind})
    return template
