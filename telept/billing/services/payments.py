"""Patient money: payments staff record at the desk, and statements as issued.

No card processing: a card payment is recorded with the terminal's reference. The balance is
the patient's responsibility from posted remittances minus what they paid
(`telept.billing.selectors.patient_balance`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from telept.accounts.roles import Role
from telept.audit.services import audit_record
from telept.billing.models import PatientPayment, Statement
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.patients.models import Patient

PAYMENT_TAKERS = frozenset({Role.ADMIN, Role.BILLING, Role.FRONT_DESK})
MAX_PAYMENT = Decimal("100000")


def _patient(actor: Any, patient_id: int) -> Patient:
    patient = Patient.objects.filter(pk=patient_id, practice_id=actor.practice_id).first()
    if patient is None:
        raise NotFound("patient")
    return patient


@transaction.atomic
def patient_payment_record(*, actor: Any, patient_id: int, amount: Decimal | str, method: str,
                           reference: str = "", received_on: dt.date | None = None,
                           date_of_service: dt.date | None = None,
                           memo: str = "") -> PatientPayment:
    """Billing, front desk or an admin records money received (cash, check, card terminal)."""
    if actor.role not in PAYMENT_TAKERS:
        raise PermissionDenied("Only billing, front desk and admins record payments.")
    patient = _patient(actor, patient_id)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_amount", "Enter the amount in dollars, e.g. 25.00.",
                          field="amount") from None
    if not value.is_finite() or value <= 0 or value > MAX_PAYMENT:
        raise DomainError("invalid_amount", "The amount must be more than $0 and at most "
                          f"${MAX_PAYMENT:,}.", field="amount")
    if method not in PatientPayment.Method.values:
        raise DomainError("invalid_method", "Cash, check or card (terminal).", field="method")
    reference = reference.strip()[:60]
    if method != PatientPayment.Method.CASH and not reference:
        raise DomainError("reference_required", "Enter the check number or the card "
                          "terminal's reference.", field="reference")
    payment = PatientPayment.objects.create(
        practice_id=patient.practice_id, patient=patient, amount=value, method=method,
        reference=reference, received_on=received_on or patient.practice.today(),
        date_of_service=date_of_service, memo=memo.strip()[:200], recorded_by=actor.user)
    audit_record(actor=actor, action="create", object_type="PatientPayment",
                 object_id=payment.pk, patient_id=patient.pk,
                 detail={"amount": str(value), "method": method})
    return payment


@transaction.atomic
def statement_issue(*, actor: Any, patient_id: int) -> Statement:
    """Keep the patient's statement as of today (lines per date of service and the balance)."""
    if actor.role not in (Role.ADMIN, Role.BILLING):
        raise PermissionDenied("Only billing staff and admins issue statements.")
    from telept.billing.selectors import statement_data

    data = statement_data(actor=actor, patient_id=patient_id)
    statement = Statement.objects.create(
        practice_id=actor.practice_id, patient_id=patient_id,
        issued_on=actor.membership.practice.today(),
        balance=data.balance, lines=[line.as_json() for line in data.lines],
        issued_by=actor.user)
    audit_record(actor=actor, action="create", object_type="Statement", object_id=statement.pk,
                 patient_id=patient_id, detail={"balance": str(data.balance)})
    return statement
