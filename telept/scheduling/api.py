"""Scheduling over JSON: practitioners' slots, booking, cancelling, listing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, StringConstraints

from telept.scheduling import selectors, services

router = Router(tags=["scheduling"])

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
ModalityIn = Literal["video", "audio", "in_person"]


class ErrorOut(Schema):
    code: str
    message: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    telehealth: bool
    location_ids: list[int]


class SlotsOut(Schema):
    practitioner_id: int
    visit_type: str
    duration_minutes: int
    time_zone: str
    slots: list[SlotOut]


class SlotParams(Schema):
    start: dt.date
    days: int = Field(7, ge=1, le=selectors.MAX_DAYS)
    visit_type: Ref = "follow_up"
    modality: ModalityIn | None = None


class AppointmentIn(Schema):
    practitioner_id: int = Field(..., ge=1, le=2**62)
    patient_id: int | None = Field(None, ge=1, le=2**62)
    visit_type: Ref
    start: AwareDatetime
    modality: ModalityIn
    location_id: int | None = Field(None, ge=1, le=2**62)
    patient_state: Annotated[str, StringConstraints(max_length=2)] = ""


class AppointmentOut(Schema):
    id: int
    practitioner_id: int
    patient_id: int | None
    visit_type: str
    modality: str
    location_id: int | None
    start: dt.datetime
    end: dt.datetime
    status: str
    patient_state: str
    late_cancellation: bool


class CancelIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=200)]


class ListParams(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    practitioner_id: int | None = Field(None, ge=1, le=2**62)
    patient_id: int | None = Field(None, ge=1, le=2**62)
    include_cancelled: bool = False


def _out(appointment: object) -> dict[str, object]:
    a = appointment
    return {"id": a.pk, "practitioner_id": a.provider_id, "patient_id": a.patient_id,  # type: ignore[attr-defined]
            "visit_type": a.visit_type.kind, "modality": a.modality,  # type: ignore[attr-defined]
            "location_id": a.location_id, "start": a.start, "end": a.end,  # type: ignore[attr-defined]
            "status": a.status, "patient_state": a.patient_state,  # type: ignore[attr-defined]
            "late_cancellation": a.late_cancellation}  # type: ignore[attr-defined]


@router.get("/practitioners/{int:practitioner_id}/slots", response={200: SlotsOut, **ERRORS},
            summary="Free slots of one practitioner")
def practitioner_slots(request: HttpRequest, practitioner_id: int,
                       params: Query[SlotParams]) -> dict[str, object]:
    provider, visit_type, slots = selectors.provider_slots(
        actor=request.actor, provider_id=practitioner_id, start=params.start,  # type: ignore[attr-defined]
        days=params.days, visit_type_ref=params.visit_type, modality=params.modality)
    return {"practitioner_id": provider.pk, "visit_type": visit_type.kind,
            "duration_minutes": visit_type.duration_minutes,
            "time_zone": provider.practice.time_zone,
            "slots": [{"start": s.start, "end": s.end, "telehealth": s.telehealth,
                       "location_ids": sorted(s.location_ids)} for s in slots]}


@router.post("/appointments", response={201: AppointmentOut, **ERRORS},
             summary="Book an appointment (409 slot_taken when the time is gone)")
def book(request: HttpRequest, payload: AppointmentIn) -> Status:
    appointment = services.appointment_book(actor=request.actor, data=services.BookingInput(  # type: ignore[attr-defined]
        provider_id=payload.practitioner_id, patient_id=payload.patient_id,
        visit_type=payload.visit_type, start=payload.start.astimezone(dt.UTC),
        modality=payload.modality,
        location_id=payload.location_id, patient_state=payload.patient_state))
    return Status(201, _out(appointment))


@router.post("/appointments/{int:appointment_id}/cancel", response={200: AppointmentOut, **ERRORS},
             summary="Cancel an appointment with a reason")
def cancel(request: HttpRequest, appointment_id: int, payload: CancelIn) -> dict[str, object]:
    return _out(services.appointment_cancel(actor=request.actor, appointment_id=appointment_id,  # type: ignore[attr-defined]
                                            reason=payload.reason))


@router.get("/appointments", response={200: list[AppointmentOut], **ERRORS},
            summary="List appointments (patients: their own)")
def list_appointments(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, object]]:
    since = dt.datetime.combine(params.since, dt.time.min, dt.UTC) if params.since else None
    until = dt.datetime.combine(params.until, dt.time.max, dt.UTC) if params.until else None
    rows = selectors.appointment_list(
        actor=request.actor, since=since, until=until, provider_id=params.practitioner_id,  # type: ignore[attr-defined]
        patient_id=params.patient_id, include_cancelled=params.include_cancelled)
    return [_out(a) for a in rows]


@router.get("/appointments/{int:appointment_id}", response={200: AppointmentOut, **ERRORS},
            summary="Read one appointment")
def read_appointment(request: HttpRequest, appointment_id: int) -> dict[str, object]:
    return _out(selectors.appointment_get(actor=request.actor, appointment_id=appointment_id))  # type: ignore[attr-defined]
