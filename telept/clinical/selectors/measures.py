"""Outcome measures as the chart and the portal show them: due lists, series, change, trend."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.clinical.measures import (
    MEASURES,
    Change,
    Direction,
    Measure,
    MeasureResult,
    change_since_baseline,
)
from telept.clinical.models import MeasureResponse, MeasureSchedule
from telept.clinical.rules.schedule import Due, ScheduleRule, measure_due
from telept.clinical.rules.trend import Trend, trend_chart
from telept.clinical.selectors.scope import own_patient, scoped_patient
from telept.patients.models import Patient
from telept.scheduling.models import Appointment


@dataclass
class DueMeasure:
    schedule: MeasureSchedule
    measure: Measure
    due: Due


@dataclass
class MeasureSummary:
    code: str
    measure: Measure
    responses: list[MeasureResponse]
    schedule: MeasureSchedule | None
    due: Due | None
    baseline: MeasureResponse | None
    latest: MeasureResponse | None
    change: Change | None
    trend: Trend | None

    @property
    def better(self) -> str:
        return "higher" if self.measure.direction is Direction.HIGHER_IS_BETTER else "lower"


def _completed_visits_since(patient: Patient, since: object) -> int:
    # The patient's own completed visits; counted, never shown, so not audited separately.
    return Appointment.objects.filter(patient_id=patient.pk, practice_id=patient.practice_id,
                                      status=Appointment.Status.COMPLETED,
                                      start__gt=since).count()


def schedule_due(*, schedule: MeasureSchedule, patient: Patient,
                 last: MeasureResponse | None) -> Due:
    rule = ScheduleRule(at_evaluation=schedule.at_evaluation,
                        every_visits=schedule.every_visits, every_days=schedule.every_days)
    since = last.completed_at if last else schedule.created_at
    return measure_due(rule=rule, started_at=schedule.created_at,
                       last_completed_at=last.completed_at if last else None,
                       visits_since=_completed_visits_since(patient, since), now=timezone.now())


def measures_due_for(patient: Patient) -> list[DueMeasure]:
    """The patient's scheduled measures that are due now (callers scope and audit)."""
    found = []
    for schedule in MeasureSchedule.objects.filter(patient=patient, stopped_at=None):
        last = (MeasureResponse.objects.filter(patient=patient, code=schedule.code)
                .order_by("-completed_at", "-id").first())
        due = schedule_due(schedule=schedule, patient=patient, last=last)
        if due.due:
            found.append(DueMeasure(schedule=schedule, measure=MEASURES[schedule.code], due=due))
    return found


def measures_due_own(*, actor: Actor) -> list[DueMeasure]:
    """The measures a patient should complete now (portal). Audited as a read."""
    patient = own_patient(actor=actor)
    due = measures_due_for(patient)
    audit_record(actor=actor, action="list", object_type="MeasureSchedule",
                 patient_id=patient.pk, detail={"due": [d.schedule.code for d in due]})
    return due


def measure_to_complete(*, actor: Actor, code: str) -> DueMeasure | None:
    """The patient's due schedule for `code`, or None when nothing is due for it. Audited
    as a read of the schedule when one is due (the page shows it)."""
    patient = own_patient(actor=actor)
    for item in measures_due_for(patient):
        if item.schedule.code == code:
            audit_record(actor=actor, action="read", object_type="MeasureSchedule",
                         object_id=item.schedule.pk, patient_id=patient.pk,
                         detail={"purpose": "measure_answer", "code": code})
            return item
    return None


def measure_entry_patient(*, actor: Actor, patient_id: int, code: str) -> Patient:
    """The patient whose answers a clinician enters from the clinic. The page names them,
    so this is an audited read (Issue 16 item 18); NotFound outside the actor's scope."""
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    audit_record(actor=actor, action="read", object_type="Patient", object_id=patient.pk,
                 patient_id=patient.pk, detail={"purpose": "measure_entry", "code": code})
    return patient


def _result(row: MeasureResponse) -> MeasureResult:
    if row.scorable and row.score is not None:
        return MeasureResult.scored(code=row.code, score=row.score, answered=0)
    return MeasureResult.refused(code=row.code, reason=row.reason or "not scorable", answered=0)


def summarize(*, code: str, responses: list[MeasureResponse], schedule: MeasureSchedule | None,
              patient: Patient) -> MeasureSummary:
    """Baseline, latest, change and MCID for one instrument's series (no I/O but the due
    check's visit count)."""
    measure = MEASURES[code]
    scored = [r for r in responses if r.scorable]
    baseline = scored[0] if scored else None
    latest = scored[-1] if len(scored) > 1 else None
    change = None
    if baseline and latest:
        change = change_since_baseline(measure=measure, baseline=_result(baseline),
                                       current=_result(latest))
    trend = None
    if scored:
        threshold = None
        if baseline and baseline.score is not None and measure.mcid is not None:
            sign = 1 if measure.direction is Direction.HIGHER_IS_BETTER else -1
            threshold = baseline.score + sign * measure.mcid
        zone = ZoneInfo(patient.practice.time_zone)
        trend = trend_chart(series=[(r.completed_at.astimezone(zone).date().isoformat(),
                                     float(r.score or 0)) for r in scored],
                            score_min=measure.score_min, score_max=measure.score_max,
                            threshold=threshold)
    due = None
    if schedule is not None:
        due = schedule_due(schedule=schedule, patient=patient,
                           last=responses[-1] if responses else None)
    return MeasureSummary(code=code, measure=measure, responses=responses, schedule=schedule,
                          due=due, baseline=baseline, latest=latest, change=change, trend=trend)


def measure_summaries_for(patient: Patient) -> list[MeasureSummary]:
    """Every scheduled or answered instrument of a patient (callers scope and audit)."""
    schedules = {s.code: s for s in MeasureSchedule.objects.filter(patient=patient,
                                                                   stopped_at=None)}
    series: dict[str, list[MeasureResponse]] = {}
    for row in MeasureResponse.objects.filter(patient=patient).order_by("completed_at", "id"):
        series.setdefault(row.code, []).append(row)
    codes = [c for c in MEASURES if c in schedules or c in series]
    return [summarize(code=c, responses=series.get(c, []), schedule=schedules.get(c),
                      patient=patient) for c in codes]


def measure_summaries(*, actor: Actor, patient_id: int) -> list[MeasureSummary]:
    patient = scoped_patient(actor=actor, patient_id=patient_id)
    summaries = measure_summaries_for(patient)
    audit_record(actor=actor, action="read", object_type="MeasureResponse",
                 patient_id=patient.pk, detail={"codes": [s.code for s in summaries]})
    return summaries
