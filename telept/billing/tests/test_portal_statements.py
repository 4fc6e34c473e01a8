"""Patients see their statements and balance in the portal and download their statement and
superbill PDFs; staff (billing, admins; the front desk read-only) download a patient's
superbill for a date range. Another patient's or practice's ids answer 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from telept.audit.models import AuditEvent
from telept.billing.models import Charge, Statement
from telept.billing.selectors import patient_balance
from telept.billing.services.payments import patient_payment_record, statement_issue
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.billing.tests.test_pdf import flat, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged(cast: Any, django_capture_on_commit_callbacks: Any) -> Charge:
    setup_billing(cast)
    note = sign_note(cast, django_capture_on_commit_callbacks)
    return Charge.objects.get(note=note, is_current=True)


@pytest.fixture
def statement(cast: Any, charged: Charge) -> Statement:
    patient_payment_record(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                           amount="15.00", method="cash")
    return statement_issue(actor=cast.actor("billing"), patient_id=cast.patient.pk)


def _period(charge: Charge) -> dict[str, str]:
    return {"start": charge.date_of_service.isoformat(),
            "end": charge.date_of_service.isoformat()}


def test_the_portal_lists_the_patients_statements_and_balance(
        cast: Any, statement: Statement) -> None:
    client = cast.client("patient")
    portal = client.get(reverse("portal")).content.decode()
    assert reverse("portal_statements") in portal, "no menu link to the statements"
    response = client.get(reverse("portal_statements"))
    page = response.content.decode()
    assert response.status_code == 200
    balance = patient_balance(actor=cast.actor("billing"), patient_id=cast.patient.pk)
    assert balance == Decimal("-15.00")
    assert "You have a credit of <strong>$15.00</strong>" in page
    assert reverse("portal_statement_pdf", args=[statement.pk]) in page
    assert reverse("portal_superbill_pdf") in page
    assert f"S{statement.pk:06d}" in page
    assert "a credit of $15.00, nothing due" in page and "$-" not in page


def test_the_patient_downloads_their_statement_and_superbill_as_pdf(
        cast: Any, statement: Statement, charged: Charge) -> None:
    client = cast.client("patient")
    response = client.get(reverse("portal_statement_pdf", args=[statement.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    text = flat(text_of(response.content))
    assert cast.patient.full_name in text and "Credit on your account $15.00" in text

    response = client.get(reverse("portal_superbill_pdf"), _period(charged))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(text_of(response.content))
    assert f"NPI {charged.rendering.npi}" in text
    for line in charged.lines.filter(units__gt=0):
        assert f"{line.units} ${line.amount:,.2f}" in text and line.code in text


def test_without_dates_the_superbill_covers_the_last_twelve_months(
        cast: Any, charged: Charge) -> None:
    response = cast.client("patient").get(reverse("portal_superbill_pdf"))
    assert response.status_code == 200
    assert charged.date_of_service.strftime("%m/%d/%Y") in flat(text_of(response.content))


def test_a_patient_cannot_get_another_patients_statement(cast: Any, charged: Charge) -> None:
    theirs = statement_issue(actor=cast.actor("billing"), patient_id=cast.other_patient.pk)
    for who in ("patient", "outsider_patient"):
        response = cast.client(who).get(reverse("portal_statement_pdf", args=[theirs.pk]))
        assert response.status_code == 404, who
        assert b"%PDF" not in response.content
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_outsider_practice_gets_404_for_our_patients_money(
        cast: Any, statement: Statement) -> None:
    client = cast.client("outsider_admin")
    for url in (reverse("billing:superbill", args=[cast.patient.pk]),
                reverse("billing:superbill_pdf", args=[cast.patient.pk]),
                reverse("billing:statement_pdf", args=[statement.pk])):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("billing:statement_issue", args=[cast.patient.pk]))
    assert response.status_code == 404
    assert Statement.objects.count() == 1


def test_staff_download_a_patients_superbill_and_the_front_desk_only_reads(
        cast: Any, statement: Statement, charged: Charge) -> None:
    for who in ("billing", "admin", "front_desk"):
        client = cast.client(who)
        page = client.get(reverse("billing:superbill", args=[cast.patient.pk]))
        assert page.status_code == 200, who
        issue_button = 'data-testid="statement-issue"' in page.content.decode()
        assert issue_button == (who != "front_desk"), who
        response = client.get(reverse("billing:superbill_pdf", args=[cast.patient.pk]),
                              _period(charged))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert cast.patient.full_name in flat(text_of(response.content))
        response = client.get(reverse("billing:statement_pdf", args=[statement.pk]))
        assert response.status_code == 200, who
    refused = cast.client("front_desk").post(
        reverse("billing:statement_issue", args=[cast.patient.pk]))
    assert refused.status_code == 403 and Statement.objects.count() == 1
    for who in ("pt", "pta", "patient"):
        response = cast.client(who).get(reverse("billing:superbill_pdf", args=[cast.patient.pk]))
        assert response.status_code == 403, who


def test_billing_issues_a_statement_the_patient_then_sees(cast: Any, charged: Charge) -> None:
    response = cast.client("billing").post(
        reverse("billing:statement_issue", args=[cast.patient.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:superbill", args=[cast.patient.pk])
    issued = Statement.objects.get(patient=cast.patient)
    page = cast.client("patient").get(reverse("portal_statements")).content.decode()
    assert reverse("portal_statement_pdf", args=[issued.pk]) in page
    other = cast.client("other_patient").get(reverse("portal_statements")).content.decode()
    assert reverse("portal_statement_pdf", args=[issued.pk]) not in other


def test_every_download_writes_an_audit_row(
        cast: Any, statement: Statement, charged: Charge) -> None:
    patient, billing = cast.client("patient"), cast.client("billing")
    before = AuditEvent.objects.filter(action="export").count()
    patient.get(reverse("portal_statement_pdf", args=[statement.pk]))
    patient.get(reverse("portal_superbill_pdf"), _period(charged))
    billing.get(reverse("billing:superbill_pdf", args=[cast.patient.pk]), _period(charged))
    billing.get(reverse("billing:statement_pdf", args=[statement.pk]))
    rows = list(AuditEvent.objects.filter(action="export").order_by("id")[before:])
    assert [(r.object_type, r.actor_email, r.patient_id) for r in rows] == [
        ("Statement", cast.users["patient"].email, cast.patient.pk),
        ("Superbill", cast.users["patient"].email, cast.patient.pk),
        ("Superbill", cast.users["billing"].email, cast.patient.pk),
        ("Statement", cast.users["billing"].email, cast.patient.pk)]


@pytest.mark.parametrize("query, status, message", [
    ({"start": "2026-13-01", "end": "2026-12-01"}, 400, "Enter a valid date."),
    ({"start": "2026-12-01", "end": "2026-11-01"},
     400, "The end date must be on or after the start date."),
    ({"start": "2020-01-01", "end": "2026-01-01"}, 400, "A superbill covers at most two years."),
    ({"start": "2001-01-01", "end": "2001-01-31"}, 422, "No billed services from 01/01/2001"),
])
def test_bad_dates_show_the_page_with_the_error_and_no_pdf(
        cast: Any, charged: Charge, query: dict[str, str], status: int, message: str) -> None:
    response = cast.client("patient").get(reverse("portal_superbill_pdf"), query)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert message in page and "My statements" in page
    assert not AuditEvent.objects.filter(action="export").exists()


def test_dates_on_the_portal_default_to_the_patients_zone(cast: Any, charged: Charge) -> None:
    patient = cast.patient
    patient.time_zone = "Pacific/Kiritimati"  # UTC+14: usually a day ahead of New York
    patient.save()
    page = cast.client("patient").get(reverse("portal_statements")).content.decode()
    assert "Pacific/Kiritimati" in page
    today = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    assert f'value="{today.isoformat()}"' in page


def test_a_statement_with_a_balance_says_how_much_and_by_when(
        cast: Any, charged: Charge) -> None:
    owed = Statement.objects.create(
        practice=cast.practice, patient=cast.patient, issued_on=dt.date(2026, 11, 30),
        balance=Decimal("20.00"), issued_by=cast.users["billing"], lines=[])
    page = cast.client("patient").get(reverse("portal_statements")).content.decode()
    assert (f"<strong>Statement S{owed.pk:06d}</strong>, issued Mon 30 Nov 2026: "
            "$20.00 due by Wed 30 Dec 2026.") in page
