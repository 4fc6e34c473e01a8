"""Superbills and statement PDFs: scoped, audited reads of patient money (a superbill is PHI).

Who may download: billing staff, practice admins and the front desk (read-only) for their
practice's patients; a patient only their own; anyone else, and every other practice, gets
NotFound exactly like a missing id (the same scope as `selectors.statement_data`). Each
download writes one "export" audit event naming the patient.

The figures come from the same place as the statement (`selectors._money_lines`), so the
superbill's "balance on the account" is the statement's balance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from telept.audit.services import audit_record
from telept.billing import pdf
from telept.billing.models import (
    ZERO,
    BillingCode,
    BillingProfile,
    Charge,
    ChargeLine,
    PatientPayment,
    Statement,
)
from telept.billing.selectors import _money_lines, _patient_for_money
from telept.lib.errors import DomainError, NotFound
from telept.patients.models import Diagnosis, Patient
from telept.practices.models import Location, Practice

# How long a patient has to pay a statement (no practice setting for it yet).
STATEMENT_TERMS_DAYS = 30
# The longest period one superbill covers (two years of visits stays a few pages).
MAX_SUPERBILL_DAYS = 731


def practice_today(practice: Practice) -> dt.date:
    return practice.today()


def superbill_default_range(practice: Practice) -> tuple[dt.date, dt.date]:
    """The last twelve months, ending today in the practice's zone."""
    today = practice_today(practice)
    return today - dt.timedelta(days=364), today


def _practice_info(practice: Practice, *, require_identifiers: bool) -> pdf.Practice:
    profile = BillingProfile.objects.filter(practice=practice).first()
    if profile is not None:
        city = f"{profile.city}, {profile.state} {pdf.postal(profile.postal_code)}"
        return pdf.Practice(profile.organisation_name, (profile.address_line1, city),
                            profile.phone, profile.npi, profile.tax_id)
    if require_identifiers:
        raise DomainError("billing_profile_missing",
                          "The practice's billing details (NPI and tax ID) are not set up "
                          "yet, so a superbill cannot be made. Please ask the practice.")
    location = Location.objects.filter(practice=practice).order_by("id").first()
    address: tuple[str, ...] = ()
    if location is not None:
        address = tuple(x for x in (location.line1, location.line2) if x) + (
            f"{location.city}, {location.state} {location.postal_code}",)
    return pdf.Practice(practice.name, address, practice.phone)


def _patient_info(patient: Patient) -> pdf.PatientInfo:
    city = ", ".join(x for x in (patient.city, f"{patient.state} {patient.postal_code}".strip())
                     if x)
    address = tuple(x for x in (patient.address_line1, patient.address_line2, city) if x)
    return pdf.PatientInfo(patient.full_name, patient.date_of_birth, address, patient.mrn)


def _norm(code: str) -> str:
    return code.replace(".", "").strip().upper()


def _dx_label(code: str) -> str:
    """M1711 -> M17.11 (ICD-10-CM shows a dot after the third character)."""
    bare = _norm(code)
    return f"{bare[:3]}.{bare[3:]}" if len(bare) > 3 else bare


def _check_range(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise DomainError("invalid_range", "The start date must be on or before the end date.",
                          field="start")
    if (end - start).days >= MAX_SUPERBILL_DAYS:
        raise DomainError("invalid_range", "A superbill covers at most two years; choose a "
                          "shorter period.", field="start")


def superbill_data(*, actor: Any, patient_id: int, start: dt.date,
                   end: dt.date) -> pdf.Superbill:
    """The superbill's content for services from `start` to `end` (dates of service), not
    audited: `superbill_pdf` is the entry that is."""
    patient = _patient_for_money(actor, patient_id)
    _check_range(start, end)
    charges = list(
        Charge.objects.filter(patient=patient, is_current=True,
                              date_of_service__range=(start, end))
        .exclude(status=Charge.Status.NOTHING_TO_BILL)
        .select_related("rendering").order_by("date_of_service", "id"))
    lines = list(ChargeLine.objects.filter(charge__in=charges, units__gt=0)
                 .order_by("charge__date_of_service", "charge_id", "number"))
    if not lines:
        raise DomainError("superbill_empty", f"No billed services from {pdf.us_date(start)} "
                          f"to {pdf.us_date(end)}; choose another period.", field="start")
    known = {_norm(code): description for code, description in
             Diagnosis.objects.filter(patient=patient).values_list("code", "description")}
    labels = dict(BillingCode.objects.filter(code__in={line.code for line in lines})
                  .values_list("code", "description"))
    by_charge = {charge.pk: charge for charge in charges}
    diagnoses: list[str] = []  # one list for the superbill; each line's pointers remapped
    service_lines = []
    for line in lines:
        charge = by_charge[line.charge_id]
        pointers = []
        for pointer in line.dx_pointers:
            if isinstance(pointer, int) and 1 <= pointer <= len(charge.diagnoses):
                code = _norm(str(charge.diagnoses[pointer - 1]))
                if code not in diagnoses:
                    diagnoses.append(code)
                pointers.append(diagnoses.index(code) + 1)
        rendering = charge.rendering
        service_lines.append(pdf.ServiceLine(
            charge.date_of_service, line.code, labels.get(line.code, ""),
            tuple(str(m) for m in line.modifiers), tuple(pointers), line.pos or charge.pos,
            line.units, line.amount,
            pdf.Provider(f"{rendering.display_name}, {rendering.credentials}", rendering.npi)))
    for charge in charges:  # diagnoses no line points at still belong to the visit
        for code in charge.diagnoses:
            if _norm(str(code)) not in diagnoses:
                diagnoses.append(_norm(str(code)))

    money_lines, total_share, total_paid = _money_lines(patient)  # share: self-pay + PR
    insurance = sum((line.insurance_paid for line in money_lines
                     if line.date_of_service and start <= line.date_of_service <= end), ZERO)
    payments = [
        pdf.Payment(p.received_on, _payment_label(p), p.amount)
        for p in PatientPayment.objects.filter(patient=patient).order_by("received_on", "id")
        if (start <= p.date_of_service <= end if p.date_of_service
            else start <= p.received_on <= end)]
    return pdf.Superbill(
        practice=_practice_info(patient.practice, require_identifiers=True),
        patient=_patient_info(patient), start=start, end=end,
        issued_on=practice_today(patient.practice),
        diagnoses=tuple(pdf.Diagnosis(_dx_label(c), known.get(c, "")) for c in diagnoses),
        lines=tuple(service_lines), payments=tuple(payments), insurance_paid=insurance,
        balance=total_share - total_paid)


def _payment_label(payment: PatientPayment) -> str:
    label = payment.get_method_display()
    if payment.reference:
        label += f", reference {payment.reference}"
    if payment.date_of_service:
        label += f", for the visit of {pdf.us_date(payment.date_of_service)}"
    return label


def superbill_pdf(*, actor: Any, patient_id: int, start: dt.date, end: dt.date) -> bytes:
    """The superbill as a PDF file; one export audit event per download."""
    bill = superbill_data(actor=actor, patient_id=patient_id, start=start, end=end)
    content = pdf.superbill_pdf(bill)
    audit_record(actor=actor, action="export", object_type="Superbill", patient_id=patient_id,
                 detail={"start": start.isoformat(), "end": end.isoformat(),
                         "lines": len(bill.lines), "total": str(bill.total_charges)})
    return content


def statement_number(statement: Statement) -> str:
    return f"S{statement.pk:06d}"


def statement_due_on(statement: Statement) -> dt.date:
    return statement.issued_on + dt.timedelta(days=STATEMENT_TERMS_DAYS)


def _statement_in_scope(actor: Any, statement_id: int) -> Statement:
    statement = (Statement.objects.filter(pk=statement_id, practice_id=actor.practice_id)
                 .select_related("patient__practice").first())
    if statement is None:
        raise NotFound("statement")
    _patient_for_money(actor, statement.patient_id)  # NotFound for another patient's
    return statement


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except ArithmeticError:
        return ZERO


def statement_document(statement: Statement) -> pdf.Statement:
    """The statement as issued (its kept lines and balance, not today's figures)."""
    rows = []
    for line in statement.lines if isinstance(statement.lines, list) else []:
        if not isinstance(line, dict):
            continue
        day = line.get("date_of_service")
        charges, insurance, adjustments, responsibility, self_pay, paid = (
            _decimal(line.get(key)) for key in ("charges", "insurance_paid", "adjustments",
                                                "patient_responsibility", "self_pay",
                                                "patient_paid"))
        rows.append(pdf.StatementRow(  # the patient's share: the 835's plus self-pay
            dt.date.fromisoformat(day) if isinstance(day, str) and day else None,
            str(line.get("description") or "Visit"), charges, insurance, adjustments,
            responsibility + self_pay, paid))
    patient = statement.patient
    return pdf.Statement(
        practice=_practice_info(patient.practice, require_identifiers=False),
        patient=_patient_info(patient), number=statement_number(statement),
        issued_on=statement.issued_on, due_on=statement_due_on(statement),
        balance=statement.balance, rows=tuple(rows))


def statement_pdf(*, actor: Any, statement_id: int) -> tuple[Statement, bytes]:
    """An issued statement as a PDF file; one export audit event per download."""
    statement = _statement_in_scope(actor, statement_id)
    content = pdf.statement_pdf(statement_document(statement))
    audit_record(actor=actor, action="export", object_type="Statement", object_id=statement.pk,
                 patient_id=statement.patient_id, detail={"format": "pdf"})
    return statement, content
