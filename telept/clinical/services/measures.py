"""Scheduling outcome measures and storing completed questionnaires (scored on the server)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import CLINICAL_ROLES
from telept.audit.services import audit_record
from telept.clinical.measures import (
    Answer,
    AnswerError,
    Measure,
    UnknownMeasureError,
    get_measure,
    short_name,
)
from telept.clinical.models import MeasureResponse, MeasureSchedule
from telept.clinical.rules.schedule import ScheduleRule
from telept.clinical.selectors.scope import scoped_patient
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied


def _require_clinician(actor: Actor) -> None:
    if actor.role not in CLINICAL_ROLES:
        raise PermissionDenied("Only a therapist (PT or PTA) can do this.")


def _measure(code: str) -> Measure:
    try:
        return get_measure(code=code)
    except UnknownMeasureError:
        raise DomainError("unknown_measure", f"Unknown measure {code!r}.", field="code") from None


@transaction.atomic
def measure_schedule_set(*, actor: Actor, patient_id: int, code: str, at_evaluation: bool,
                         every_visits: int | None, every_days: int | None) -> MeasureSchedule:
    """Schedule `code` for a patient; an active schedule for the same code is replaced (the
    old row is stopped, not edited, so the history of what was asked stays)."""
    _require_clinician(actor)
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    _measure(code)
    try:
        ScheduleRule(at_evaluation=at_evaluation, every_visits=every_visits,
                     every_days=every_days)
    except ValueError as exc:
        raise DomainError("invalid_schedule", str(exc)) from None
    now = timezone.now()
    replaced = list(MeasureSchedule.objects.select_for_update()
                    .filter(patient=patient, code=code, stopped_at=None)
                    .values_list("id", flat=True))
    MeasureSchedule.objects.filter(id__in=replaced).update(stopped_at=now)
    try:
        with transaction.atomic():
            schedule = MeasureSchedule.objects.create(
                practice_id=patient.practice_id, patient=patient, code=code,
                at_evaluation=at_evaluation, every_visits=every_visits, every_days=every_days,
                created_by=actor.user, created_at=now)
    except IntegrityError:  # a concurrent request scheduled the same code first
        raise Conflict("schedule_exists",
                       f"{short_name(code)} was just scheduled by someone else.") from None
    audit_record(actor=actor, action="create", object_type="MeasureSchedule",
                 object_id=schedule.pk, patient_id=patient.pk,
                 detail={"code": code, "every_visits": every_visits, "every_days": every_days,
                         "at_evaluation": at_evaluation, "replaced": replaced})
    return schedule


@transaction.atomic
def measure_schedule_stop(*, actor: Actor, patient_id: int, schedule_id: int) -> MeasureSchedule:
    _require_clinician(actor)
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    schedule = (MeasureSchedule.objects.select_for_update()
                .filter(pk=schedule_id, patient=patient).first())
    if schedule is None:
        raise NotFound("measure schedule")
    if schedule.stopped_at is None:
        schedule.stopped_at = timezone.now()
        schedule.save(update_fields=["stopped_at"])
        audit_record(actor=actor, action="update", object_type="MeasureSchedule",
                     object_id=schedule.pk, patient_id=patient.pk, detail={"stopped": True})
    return schedule


@transaction.atomic
def measure_response_submit(*, actor: Actor, patient_id: int, code: str,
                            answers: Sequence[Answer], item_labels: Sequence[str] = (),
                            allow_unscorable: bool = False) -> MeasureResponse:
    """Score `answers` with the registry's pure scorer and store them with the score.

    A patient submits for themselves; a clinician may enter answers given in the clinic.
    Answers the instrument cannot map raise `invalid_answers`; too many blanks raise
    `not_scorable` with the instrument's own reason, unless `allow_unscorable` (clinic
    entry) asks to keep the attempt on record without a score.
    """
    if actor.is_patient:
        if actor.patient_id != patient_id:
            raise NotFound("patient")
        source = MeasureResponse.Source.PORTAL
        allow_unscorable = False
    else:
        _require_clinician(actor)
        source = MeasureResponse.Source.CLINIC
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    measure = _measure(code)
    try:
        result = measure.score(answers=list(answers))
    except AnswerError as exc:
        raise DomainError("invalid_answers", str(exc)) from None
    if not result.scorable and not allow_unscorable:
        raise DomainError("not_scorable", result.reason or "Too many items are unanswered.")
    labels = [str(label)[:80] for label in item_labels]
    schedule = MeasureSchedule.objects.filter(patient=patient, code=code, stopped_at=None).first()
    response = MeasureResponse.objects.create(
        practice_id=patient.practice_id, patient=patient, schedule=schedule, code=code,
        answers=list(answers), item_labels=labels, score=result.score,
        scorable=result.scorable, reason=result.reason or "", loinc=measure.loinc or "",
        source=source, entered_by=actor.user, completed_at=timezone.now())
    audit_record(actor=actor, action="create", object_type="MeasureResponse",
                 object_id=response.pk, patient_id=patient.pk,
                 detail={"code": code, "score": result.score, "scorable": result.scorable})
    return response

