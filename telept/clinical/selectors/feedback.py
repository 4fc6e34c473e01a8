"""Feedback surveys due to a patient, and the practice's feedback dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import dateformat, timezone

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.clinical.models import FeedbackResponse
from telept.clinical.rules.feedback import FeedbackRow, FeedbackSummary, summarize, summarize_by
from telept.clinical.selectors.scope import own_patient
from telept.lib.errors import NotFound
from telept.patients.models import Patient
from telept.scheduling.models import Appointment, Modality

SURVEY_DAYS = 30  # a survey is offered for this long after the visit
VIRTUAL = (Modality.VIDEO, Modality.AUDIO)


def _eligible(patient: Patient) -> QuerySet[Appointment]:
    """Completed video/audio visits of the patient, recent enough, without feedback yet.

    Derived, not stored: whichever code path marks a visit completed (the schedule page,
    the end of a video visit), the survey appears; no hook can be forgotten."""
    since = timezone.now() - dt.timedelta(days=SURVEY_DAYS)
    return (Appointment.objects.filter(patient_id=patient.pk, practice_id=patient.practice_id,
                                       status=Appointment.Status.COMPLETED,
                                       modality__in=VIRTUAL, start__gte=since,
                                       feedback__isnull=True)
            .select_related("provider", "visit_type").order_by("-start"))


def surveys_due_for(patient: Patient) -> list[Appointment]:
    return list(_eligible(patient))


def survey_appointment(*, actor: Actor, appointment_id: int) -> Appointment | None:
    """The patient's visit to give feedback on; None when it is theirs but not (or no
    longer) open for feedback; NotFound when it is not theirs."""
    patient = own_patient(actor=actor)
    if not Appointment.objects.filter(pk=appointment_id, patient_id=patient.pk).exists():
        raise NotFound("appointment")
    return _eligible(patient).filter(pk=appointment_id).first()


def _rows(practice_id: int, zone: ZoneInfo, since: dt.datetime
          ) -> tuple[list[FeedbackRow], list[FeedbackResponse]]:
    responses = list(FeedbackResponse.objects.filter(practice_id=practice_id,
                                                     submitted_at__gte=since)
                     .select_related("provider"))
    rows = [FeedbackRow(provider=r.provider.display_name,
                        month=r.submitted_at.astimezone(zone).strftime("%Y-%m"),
                        satisfaction=r.satisfaction, recommend=r.recommend,
                        problems=tuple(r.problems)) for r in responses]
    return rows, responses


def _month_label(month: str) -> str:
    """ "2026-11" (the grouping key, sorts by time) as people read it: "November 2026"."""
    year, number = month.split("-")
    return dateformat.format(dt.date(int(year), int(number), 1), "F Y")


@dataclass
class FeedbackDashboard:
    overall: FeedbackSummary
    by_provider: list[tuple[str, FeedbackSummary]]
    by_month: list[tuple[str, FeedbackSummary]]
    comments: list[FeedbackResponse]
    months: int


def feedback_dashboard(*, actor: Actor, months: int = 12) -> FeedbackDashboard:
    """NPS, satisfaction and technical-problem rate overall, by provider and by month, with
    recent comments (without patient names). Audited: comments are patient-written."""
    zone = ZoneInfo(actor.membership.practice.time_zone)
    since = timezone.now() - dt.timedelta(days=31 * months)
    rows, responses = _rows(actor.practice_id, zone, since)
    comments = [r for r in responses if r.comment.strip()][:20]
    audit_record(actor=actor, action="list", object_type="FeedbackResponse",
                 detail={"responses": len(responses), "comments": [r.pk for r in comments]})
    return FeedbackDashboard(overall=summarize(rows),
                             by_provider=summarize_by(rows, lambda r: r.provider),
                             by_month=[(_month_label(month), summary) for month, summary
                                       in reversed(summarize_by(rows, lambda r: r.month))],
                             comments=comments, months=months)
