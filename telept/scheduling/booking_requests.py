"""Requests from the public booking page: store them, list them for the front desk, and turn
one into a patient and a booked visit (STYLE item 26: this logic used to live in the views).

A request is not patient data yet, but it holds a person's contact details, so staff reads
of it are audited like a chart read. The public side has no sign-in to lean on, so a flood
from one address is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.patients.models import Patient
from telept.patients.services import PatientInput, patient_create
from telept.practices.models import Provider
from telept.scheduling import selectors
from telept.scheduling.models import Appointment, BookingRequest, VisitKind, VisitType
from telept.scheduling.rules.slots import Slot
from telept.scheduling.services import SCHEDULERS, BookingInput, appointment_book

# Public booking page: at most this many requests per client address per hour.
REQUESTS_PER_HOUR = 5
FIELDS = ("requested_start", "name", "email", "phone", "state", "reason", "note")


# --- public side (no sign-in) ---------------------------------------------------------------

def public_provider_get(*, provider_slug: str) -> Provider:
    """The provider of a public booking page; shows only what the page prints about them."""
    provider = Provider.objects.select_related("practice").filter(slug=provider_slug).first()
    if provider is None:
        raise NotFound("provider")
    return provider


def public_slots(*, provider: Provider, per_day: int = 3, days: int = 7) -> list[Slot]:
    """A few free initial-evaluation times a day: enough to choose, never a busy calendar."""
    visit_type = VisitType.objects.filter(practice_id=provider.practice_id, active=True,
                                          kind=VisitKind.INITIAL_EVAL).first()
    if visit_type is None:
        return []
    slots = selectors.next_slots(provider=provider, visit_type=visit_type,
                                 after=timezone.now(), count=500)
    picked: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        date = timezone.localdate(slot.start)
        if date not in picked and len(picked) == days:
            break
        day = picked.setdefault(date, [])
        if len(day) < per_day:
            day.append(slot)
    return [s for day in picked.values() for s in day]


@transaction.atomic
def booking_request_create(*, provider: Provider, address: str,
                           requested_start: dt.datetime | None, name: str, email: str,
                           phone: str, state: str, reason: str, note: str) -> BookingRequest:
    """Store a public request; refuse a flood from one address (429 `too_many_requests`)."""
    since = timezone.now() - dt.timedelta(hours=1)
    if BookingRequest.objects.filter(client_ip=address,
                                     created_at__gte=since).count() >= REQUESTS_PER_HOUR:
        raise DomainError("too_many_requests", "We received several requests from your "
                          "connection in the last hour. Please call the clinic instead.")
    created = BookingRequest.objects.create(
        practice_id=provider.practice_id, provider=provider, client_ip=address,
        requested_start=requested_start, name=name, email=email, phone=phone, state=state,
        reason=reason, note=note)
    audit_record(actor=None, action="create", object_type="BookingRequest",
                 object_id=created.pk, practice_id=provider.practice_id)
    return created


# --- staff side -------------------------------------------------------------------------------

def booking_request_list(*, actor: Actor, limit: int = 100) -> list[BookingRequest]:
    """Open requests waiting for the front desk (contact details: audited); none for roles
    that do not book."""
    if actor.role not in SCHEDULERS:
        return []
    rows = list(BookingRequest.objects.filter(practice_id=actor.practice_id,
                                              handled_at__isnull=True)
                .select_related("provider")[:limit])
    if rows:
        audit_record(actor=actor, action="list", object_type="BookingRequest",
                     detail={"shown": [r.pk for r in rows]})
    return rows


def booking_request_get(*, actor: Actor, request_id: int) -> BookingRequest:
    """One request of the actor's practice, for a role that books; 404 otherwise."""
    if actor.role not in SCHEDULERS:
        raise PermissionDenied("Your role cannot handle booking requests.")
    found = (BookingRequest.objects.select_related("provider", "patient", "appointment")
             .filter(pk=request_id, practice_id=actor.practice_id).first())
    if found is None:
        raise NotFound("request")
    audit_record(actor=actor, action="read", object_type="BookingRequest", object_id=found.pk)
    return found


def _lock(actor: Actor, request_id: int) -> BookingRequest:
    if actor.role not in SCHEDULERS:
        raise PermissionDenied("Your role cannot handle booking requests.")
    found = BookingRequest.objects.select_for_update().filter(
        pk=request_id, practice_id=actor.practice_id).first()
    if found is None:
        raise NotFound("request")
    return found


@transaction.atomic
def booking_request_handle(*, actor: Actor, request_id: int) -> bool:
    """The front desk called the person back (or decided not to): the request leaves the
    list. False when it was already handled (row locked: two clicks record one change)."""
    found = _lock(actor, request_id)
    if found.handled_at is not None:
        return False
    found.handled_at, found.handled_by = timezone.now(), actor.user
    found.save(update_fields=["handled_at", "handled_by"])
    audit_record(actor=actor, action="update", object_type="BookingRequest",
                 object_id=found.pk, detail={"handled": True})
    return True


@transaction.atomic
def booking_request_convert(*, actor: Actor, request_id: int, patient: PatientInput,
                            booking: BookingInput) -> tuple[Patient, Appointment]:
    """Register the person as a patient and book their visit, in one transaction: a refused
    booking (taken time, payer or licensure rule) leaves no patient behind. The request is
    then marked handled and linked to both. The row is locked, so a second click (or a
    colleague doing the same) is refused with `already_handled` instead of a duplicate
    patient."""
    found = _lock(actor, request_id)
    if found.handled_at is not None:
        raise DomainError("already_handled", "This request was already handled.")
    created = patient_create(actor=actor, data=patient)
    appointment = appointment_book(actor=actor, data=replace(booking, patient_id=created.pk))
    found.handled_at, found.handled_by = timezone.now(), actor.user
    found.patient, found.appointment = created, appointment
    found.save(update_fields=["handled_at", "handled_by", "patient", "appointment"])
    audit_record(actor=actor, action="update", object_type="BookingRequest",
                 object_id=found.pk, patient_id=created.pk,
                 detail={"handled": True, "converted": True, "appointment": appointment.pk})
    return created, appointment
