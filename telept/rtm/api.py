"""RTM over JSON (Issue 15 item 7; the paths and the period fields are kept stable):
enrolments and periods, scoped and audited by `telept.rtm.selectors`.

A period is one of two clocks (`clock`): "data", the 30-day device-supply period that starts
on the first data day, and "month", the calendar month of treatment management. Each names
its data days and management minutes in its own dates, whether a real-time interaction took
place (`interactive`) and the codes it earns (`proposed_codes`, of its own clock), with the
sentence saying what it still needs (`why`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from telept.rtm import selectors
from telept.rtm.models import Enrolment, RtmPeriod

router = Router(tags=["rtm"])


class ErrorOut(Schema):
    code: str
    message: str


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ConsentOut(Schema):
    version: str
    at: dt.datetime
    signer: str


class EnrolmentOut(Schema):
    id: int
    patient_id: int
    enrolled_by_id: int
    plan_of_care_id: int | None
    diagnosis_code: str
    goals: str
    data_kinds: list[str]
    start: dt.date
    end_date: dt.date
    active: bool
    unenrolled_at: dt.datetime | None
    unenrol_reason: str
    consent: ConsentOut | None


class EnrolmentsOut(Schema):
    items: list[EnrolmentOut]


# an id the database can hold: a larger one was a 500 (OverflowError) before it was a 422
Id = Annotated[int, Field(ge=1, le=2**62)]


class EnrolmentParams(Schema):
    patient_id: Id | None = None
    active: bool | None = None


class CodeOut(Schema):
    code: str
    units: int


class PeriodOut(Schema):
    id: int
    patient_id: int
    enrolment_id: int
    clock: str
    start: dt.date
    end: dt.date
    data_days: int
    management_minutes: int
    interactive: bool
    proposed_codes: list[CodeOut]
    status: str
    why: str
    charge_id: int | None


class PeriodsOut(Schema):
    items: list[PeriodOut]


class PeriodParams(Schema):
    patient_id: Id | None = None
    clock: Literal["data", "month"] | None = None
    status: Literal["open", "proposed", "nothing"] | None = None


def _enrolment(e: Enrolment) -> dict[str, Any]:
    consent = ({"version": e.consent_version, "at": e.consent_at, "signer": e.consent_signer}
               if e.consent_at else None)
    return {"id": e.pk, "patient_id": e.patient_id, "enrolled_by_id": e.enrolled_by_id,
            "plan_of_care_id": e.plan_of_care_id, "diagnosis_code": e.diagnosis_code,
            "goals": e.goals, "data_kinds": list(e.data_kinds), "start": e.start,
            "end_date": e.end_date, "active": e.active, "unenrolled_at": e.unenrolled_at,
            "unenrol_reason": e.unenrol_reason, "consent": consent}


def _period(p: RtmPeriod) -> dict[str, Any]:
    return {"id": p.pk, "patient_id": p.patient_id, "enrolment_id": p.enrolment_id,
            "clock": p.clock, "start": p.start, "end": p.end, "data_days": p.data_days,
            "management_minutes": p.management_minutes, "interactive": p.interactive,
            "proposed_codes": [{"code": str(c["code"]), "units": int(c["units"])}
                               for c in p.proposed_codes],
            "status": p.status, "why": p.why, "charge_id": p.charge_id}


@router.get("/rtm/enrolments", response={200: EnrolmentsOut, **ERRORS},
            summary="RTM enrolments (a patient: their own)")
def list_rtm_enrolments(request: HttpRequest,
                        params: Query[EnrolmentParams]) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    rows = selectors.enrolments_list(actor=actor, patient_id=params.patient_id,
                                     active=params.active)
    return {"items": [_enrolment(e) for e in rows]}


@router.get("/rtm/periods", response={200: PeriodsOut, **ERRORS},
            summary="RTM periods of both clocks, counted live, with their proposed codes")
def list_rtm_periods(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    rows = selectors.periods_list(actor=actor, patient_id=params.patient_id,
                                  clock=params.clock, status=params.status)
    return {"items": [_period(p) for p in rows]}
