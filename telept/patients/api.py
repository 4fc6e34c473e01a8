"""Patients over JSON: list/search, read, create, update; scoped like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from telept.patients import selectors, services

router = Router(tags=["patients"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Named = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Tiny = Annotated[str, StringConstraints(strip_whitespace=True, max_length=35)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]
Sex = Literal["F", "M", "O", "U"]


class ErrorOut(Schema):
    code: str
    message: str


class PatientOut(Schema):
    id: int
    mrn: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date
    sex: str
    email: str
    phone: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    preferred_language: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relation: str
    version: int = Field(description="Changes with every save of the demographics; send it "
                         "back as `version` in a PATCH to refuse overwriting a newer save.")


class PatientIn(Schema):
    first_name: Name
    last_name: Name
    date_of_birth: dt.date
    sex: Sex = "U"
    preferred_name: Named = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: Phone = ""
    address_line1: Short = ""
    address_line2: Short = ""
    city: Annotated[str, StringConstraints(max_length=100)] = ""
    state: Annotated[str, StringConstraints(max_length=2)] = ""
    postal_code: Annotated[str, StringConstraints(max_length=10)] = ""
    preferred_language: Tiny = "en"
    emergency_contact_name: Annotated[str, StringConstraints(max_length=150)] = ""
    emergency_contact_phone: Phone = ""
    emergency_contact_relation: Annotated[str, StringConstraints(max_length=50)] = ""


class PatientPatch(Schema):
    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    preferred_name: Named | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    phone: Phone | None = None
    address_line1: Short | None = None
    address_line2: Short | None = None
    city: Annotated[str, StringConstraints(max_length=100)] | None = None
    state: Annotated[str, StringConstraints(max_length=2)] | None = None
    postal_code: Annotated[str, StringConstraints(max_length=10)] | None = None
    preferred_language: Tiny | None = None
    emergency_contact_name: Annotated[str, StringConstraints(max_length=150)] | None = None
    emergency_contact_phone: Phone | None = None
    emergency_contact_relation: Annotated[str, StringConstraints(max_length=50)] | None = None
    version: int | None = Field(None, ge=1, description=(
        "The `version` the client read. When sent, a save that another one overtook is "
        "refused with 409 `patient_changed` (the answer names the current `version`) "
        "instead of replacing it. Without it the update applies as before (last write "
        "wins); clients should send it."))


class PatientPage(Schema):
    count: int
    items: list[PatientOut]


class ListParams(Schema):
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("", response={200: PatientPage, **ERRORS}, summary="List or search patients")
def list_patients(request: HttpRequest, params: Query[ListParams]) -> dict[str, object]:
    actor = request.actor  # type: ignore[attr-defined]
    if actor.is_patient:
        patient = selectors.patient_get(actor=actor, patient_id=actor.patient_id or 0)
        return {"count": 1, "items": [patient]}
    rows, total = selectors.patient_search(actor=actor, query=params.q, limit=params.limit,
                                           offset=params.offset)
    return {"count": total, "items": rows}


@router.get("/{int:patient_id}", response={200: PatientOut, **ERRORS}, summary="Read a patient")
def read_patient(request: HttpRequest, patient_id: int) -> object:
    return selectors.patient_get(actor=request.actor, patient_id=patient_id)  # type: ignore[attr-defined]


@router.post("", response={201: PatientOut, **ERRORS}, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientIn) -> Status:
    data = services.PatientInput(**payload.model_dump())
    return Status(201, services.patient_create(actor=request.actor, data=data))  # type: ignore[attr-defined]


class ConflictOut(ErrorOut):
    version: int


@router.patch("/{int:patient_id}", response={200: PatientOut, 409: ConflictOut, **ERRORS},
              summary="Update a patient's demographics (partial)")
def update_patient(request: HttpRequest, patient_id: int, payload: PatientPatch) -> object:
    """Send the `version` you read: a stale one answers 409 `patient_changed` with the
    current `version`, and nothing is written (optimistic concurrency, Issue 16 item 13)."""
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    version = changes.pop("version", None)
    return services.patient_update(actor=request.actor, patient_id=patient_id,  # type: ignore[attr-defined]
                                   changes=changes, expected_version=version)
