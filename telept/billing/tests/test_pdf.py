"""Superbill and statement PDFs: real PDF files (read back with pypdf) holding what an insurer
and a patient need, built from the scoped, audited reads (telept/billing/documents.py)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest

from telept.audit.models import AuditEvent
from telept.billing import documents, pdf
from telept.billing.models import BillingProfile, Charge, PatientPayment
from telept.billing.selectors import statement_data
from telept.billing.services.payments import patient_payment_record, statement_issue
from telept.billing.services.remittance import remittance_post
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.billing.tests.test_remit import _835, submitted  # noqa: F401  (a fixture)
from telept.billing.x12.model import Adjustment as Cas
from telept.billing.x12.testing import ClaimPayment as Pay
from telept.billing.x12.testing import LinePayment
from telept.lib.errors import DomainError, NotFound

D = Decimal


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), "not a PDF file"
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


# --- the layout alone (no database) ------------------------------------------------------

PRACTICE = pdf.Practice("Riverside PT", ("200 Riverside Drive", "New York, NY 10025-1234"),
                        "2125550100", "1234567893", "123456789")
JANE = pdf.Provider("Jane O'Neil <Jr>, PT, DPT", "1245319599")
SAM = pdf.Provider("Sam Lee, PT", "1679576722")
PATIENT = pdf.PatientInfo("Zoë Łukasz & Co", dt.date(1970, 1, 2),
                          ("1 Main St", "New York, NY 10001"), "MRN-42")


def _bill(lines: tuple[pdf.ServiceLine, ...], **kw: Any) -> pdf.Superbill:
    values: dict[str, Any] = dict(
        practice=PRACTICE, patient=PATIENT, start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30), issued_on=dt.date(2026, 12, 4),
        diagnoses=(pdf.Diagnosis("M17.11", "Osteoarthritis of the right knee"),
                   pdf.Diagnosis("M25.561", "")),
        lines=lines, payments=(pdf.Payment(dt.date(2026, 11, 20), "Check, reference 1042",
                                           D("35.00")),),
        insurance_paid=D("0"), balance=D("-35.00"))
    values.update(kw)
    return pdf.Superbill(**values)


def _line(code: str, units: int, charge: str, provider: pdf.Provider = JANE,
          day: int = 18) -> pdf.ServiceLine:
    return pdf.ServiceLine(dt.date(2026, 11, day), code, f"label of {code}", ("GP", "95"),
                           (1, 2), "10", units, D(charge), provider)


def test_a_superbill_is_a_pdf_with_every_field_an_insurer_reads() -> None:
    bill = _bill((_line("97110", 2, "80.00"), _line("97140", 1, "39.00")))
    text = flat(text_of(pdf.superbill_pdf(bill)))
    for expected in ("Riverside PT", "200 Riverside Drive", "Practice NPI 1234567893",
                     "Tax ID (EIN) 12-3456789", "Jane O'Neil <Jr>, PT, DPT — NPI 1245319599",
                     "Zoë Łukasz & Co", "Date of birth 01/02/1970", "1 Main St", "MRN-42",
                     "11/01/2026 to 11/30/2026", "M17.11 Osteoarthritis of the right knee",
                     "M25.561", "97110 label of 97110 GP 95 1,2 10 2 $80.00",
                     "97140 label of 97140 GP 95 1,2 10 1 $39.00", "Total charges 3 $119.00",
                     "10 Telehealth provided in the patient's home",
                     "Check, reference 1042 $35.00", "Paid by the patient $35.00",
                     "Balance on the account -$35.00", "Signature"):
        assert expected in text, f"{expected!r} not in the superbill: {text}"


def test_a_superbill_of_two_providers_names_each_lines_provider_and_npi() -> None:
    bill = _bill((_line("97110", 2, "80.00"), _line("97112", 1, "42.00", SAM, day=19)))
    text = flat(text_of(pdf.superbill_pdf(bill)))
    assert "Rendering providers" in text
    assert "By Sam Lee, PT (NPI 1679576722)" in text and "NPI 1245319599" in text


def test_a_long_superbill_runs_onto_more_pages() -> None:
    lines = tuple(_line("97110", 2, "80.00", day=1 + i % 28) for i in range(60))
    content = pdf.superbill_pdf(_bill(lines))
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) >= 2
    assert "Total charges 120 $4,800.00" in flat(text_of(content))


def test_a_statement_pdf_shows_lines_payments_balance_and_due_date() -> None:
    statement = pdf.Statement(
        practice=PRACTICE, patient=PATIENT, number="S000007", issued_on=dt.date(2026, 12, 4),
        due_on=dt.date(2027, 1, 3), balance=D("20.00"), rows=(
            pdf.StatementRow(dt.date(2026, 11, 18), "Visit", D("122.00"), D("50.00"),
                             D("42.00"), D("30.00"), D("10.00")),))
    text = flat(text_of(pdf.statement_pdf(statement)))
    for expected in ("Statement S000007", "issued 12/04/2026", "due 01/03/2027",
                     "11/18/2026 Visit $122.00 $50.00 $42.00 $30.00 $10.00",
                     "Payments received $10.00", "Amount due $20.00",
                     "Please pay $20.00 by 01/03/2027", "Zoë Łukasz & Co"):
        assert expected in text, f"{expected!r} not in the statement: {text}"


def test_no_column_header_breaks_inside_a_word() -> None:
    """Narrow columns wrap between words only (in DejaVu Sans Bold "CPT/HCPCS" once came out
    as "CPT/HCPC" over "S")."""
    words = set(text_of(pdf.superbill_pdf(_bill((_line("97110", 2, "80.00"),)))).split())
    assert {"CPT/HCPCS", "Modifiers", "pointer", "POS", "Units", "Charge"} <= words
    statement = pdf.Statement(practice=PRACTICE, patient=PATIENT, number="S000009",
                              issued_on=dt.date(2026, 12, 4), due_on=dt.date(2027, 1, 3),
                              balance=D("0"))
    words = set(text_of(pdf.statement_pdf(statement)).split())
    assert {"Insurance", "Adjustments", "share", "paid"} <= words


def test_a_statement_in_credit_says_nothing_is_due() -> None:
    statement = pdf.Statement(practice=PRACTICE, patient=PATIENT, number="S000008",
                              issued_on=dt.date(2026, 12, 4), due_on=dt.date(2027, 1, 3),
                              balance=D("-15.00"))
    text = flat(text_of(pdf.statement_pdf(statement)))
    assert "Credit on your account $15.00" in text and "nothing is due" in text
    assert "Please pay" not in text


# --- from the database, scoped and audited -----------------------------------------------

@pytest.fixture
def charged(cast: Any, django_capture_on_commit_callbacks: Any) -> Charge:
    setup_billing(cast)
    note = sign_note(cast, django_capture_on_commit_callbacks,
                     minutes=(("97110", 33), ("97112", 7)))
    return Charge.objects.get(note=note, is_current=True)


def _range(charge: Charge) -> dict[str, dt.date]:
    return {"start": charge.date_of_service - dt.timedelta(days=1),
            "end": charge.date_of_service + dt.timedelta(days=1)}


@pytest.mark.django_db
def test_the_superbill_of_a_signed_visit_holds_its_codes_units_amounts_and_npis(
        cast: Any, charged: Charge) -> None:
    patient_payment_record(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                           amount="25.00", method="card", reference="T-991",
                           date_of_service=charged.date_of_service)
    content = documents.superbill_pdf(actor=cast.actor("billing"), patient_id=cast.patient.pk,
                                      **_range(charged))
    text = flat(text_of(content))
    profile = BillingProfile.objects.get(practice=cast.practice)
    rendering = charged.rendering
    assert f"Practice NPI {profile.npi}" in text and "Tax ID (EIN) 12-3456789" in text
    assert f"{rendering.display_name}, {rendering.credentials} — NPI {rendering.npi}" in text
    assert cast.patient.full_name in text
    assert f"Date of birth {cast.patient.date_of_birth:%m/%d/%Y}" in text
    assert "M17.11 Knee OA" in text
    lines = list(charged.lines.filter(units__gt=0))
    assert lines
    for line in lines:
        mods = " ".join(line.modifiers)
        assert (f"{charged.date_of_service:%m/%d/%Y} {line.code}" in text
                and f"{mods} 1 {line.pos} {line.units} ${line.amount:,.2f}" in text), line
    assert f"Total charges {sum(li.units for li in lines)} ${charged.total_charge:,.2f}" in text
    assert "Card (terminal), reference T-991" in text and "Paid by the patient $25.00" in text
    balance = statement_data(actor=cast.actor("billing"), patient_id=cast.patient.pk).balance
    assert f"Balance on the account {pdf.money(balance)}" in text


@pytest.mark.django_db
def test_the_superbill_balance_is_the_statements_after_a_remittance(
        cast: Any, submitted: list[Any]) -> None:  # noqa: F811
    claim = submitted[0]
    remittance_post(actor=cast.actor("billing"), text=_835([claim], {claim.number: Pay(lines=(
        LinePayment(paid=D("50.00"), adjustments=(Cas("PR", "2", D("30.00")),)),
        LinePayment(paid=D("42.00"))))}))
    patient_payment_record(actor=cast.actor("billing"), patient_id=cast.patient.pk,
                           amount="10.00", method="cash",
                           date_of_service=claim.charge.date_of_service)
    expected = statement_data(actor=cast.actor("billing"), patient_id=cast.patient.pk).balance
    assert expected == D("20.00")
    charge = claim.charge
    text = flat(text_of(documents.superbill_pdf(
        actor=cast.actor("patient"), patient_id=cast.patient.pk, start=charge.date_of_service,
        end=charge.date_of_service)))
    assert "Paid by insurance $92.00" in text and "Balance on the account $20.00" in text

    statement = statement_issue(actor=cast.actor("billing"), patient_id=cast.patient.pk)
    _, content = documents.statement_pdf(actor=cast.actor("patient"),
                                         statement_id=statement.pk)
    text = flat(text_of(content))
    assert statement.balance == expected and "Amount due $20.00" in text
    due = statement.issued_on + dt.timedelta(days=documents.STATEMENT_TERMS_DAYS)
    assert f"due {due:%m/%d/%Y}" in text and "Payments received $10.00" in text


@pytest.mark.django_db
def test_a_superbill_is_only_the_patients_own_or_their_practice_staffs(
        cast: Any, charged: Charge) -> None:
    period = _range(charged)
    for who in ("billing", "admin", "front_desk", "patient"):
        documents.superbill_pdf(actor=cast.actor(who), patient_id=cast.patient.pk, **period)
    for who in ("other_patient", "outsider_admin", "outsider_patient", "pt", "pta"):
        with pytest.raises(NotFound):
            documents.superbill_pdf(actor=cast.actor(who), patient_id=cast.patient.pk,
                                    **period)


@pytest.mark.django_db
def test_each_download_is_one_export_in_the_audit_trail(cast: Any, charged: Charge) -> None:
    statement = statement_issue(actor=cast.actor("billing"), patient_id=cast.patient.pk)
    before = AuditEvent.objects.filter(action="export").count()
    for _ in range(2):
        documents.superbill_pdf(actor=cast.actor("patient"), patient_id=cast.patient.pk,
                                **_range(charged))
        documents.statement_pdf(actor=cast.actor("front_desk"), statement_id=statement.pk)
    exports = AuditEvent.objects.filter(action="export").order_by("id")[before:]
    assert [(e.object_type, e.patient_id) for e in exports] == [
        ("Superbill", cast.patient.pk), ("Statement", cast.patient.pk)] * 2


@pytest.mark.django_db
def test_a_period_without_visits_or_back_to_front_is_a_clear_refusal(
        cast: Any, charged: Charge) -> None:
    actor = cast.actor("billing")
    day = charged.date_of_service
    with pytest.raises(DomainError) as empty:
        documents.superbill_pdf(actor=actor, patient_id=cast.patient.pk,
                                start=day + dt.timedelta(days=1), end=day + dt.timedelta(days=9))
    assert empty.value.code == "superbill_empty" and "No billed services" in empty.value.message
    with pytest.raises(DomainError) as backwards:
        documents.superbill_pdf(actor=actor, patient_id=cast.patient.pk, start=day,
                                end=day - dt.timedelta(days=1))
    assert backwards.value.code == "invalid_range"
    assert not AuditEvent.objects.filter(action="export", object_type="Superbill").exists()


@pytest.mark.django_db
def test_no_superbill_without_the_practices_npi_and_tax_id(cast: Any, charged: Charge) -> None:
    BillingProfile.objects.filter(practice=cast.practice).delete()
    with pytest.raises(DomainError) as refused:
        documents.superbill_pdf(actor=cast.actor("patient"), patient_id=cast.patient.pk,
                                **_range(charged))
    assert refused.value.code == "billing_profile_missing"


@pytest.mark.django_db
def test_payments_outside_the_period_are_not_on_the_superbill(
        cast: Any, charged: Charge) -> None:
    other_day = charged.date_of_service - dt.timedelta(days=40)
    patient_payment_record(actor=cast.actor("billing"), patient_id=cast.patient.pk,
                           amount="60.00", method="check", reference="77",
                           date_of_service=other_day)
    assert PatientPayment.objects.count() == 1
    text = flat(text_of(documents.superbill_pdf(
        actor=cast.actor("billing"), patient_id=cast.patient.pk, **_range(charged))))
    assert "No payments from the patient" in text and "Paid by the patient $0.00" in text
    assert "reference 77" not in text
    assert "Balance on the account -$60.00" in text  # the account's, as on the statement
