"""Self-pay (Issue 10 item 9): a visit of a patient without coverage is priced on the
practice's self-pay fee schedule (edited on the fee-schedule pages), never becomes a claim or
an 837P, and goes straight onto the patient's balance: self-pay charges + patient
responsibility from 835s - payments, on the money page and the statement."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from telept.billing.models import Charge, Claim, FeeSchedule, Statement
from telept.billing.selectors import patient_balance
from telept.billing.services.claims import SelfPay, claim_build
from telept.billing.services.payments import patient_payment_record, statement_issue
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.billing.tests.test_pages_ops import (  # noqa: F401 - fixtures
    _paid_and_denied,
    _upload,
    ready,
    submitted,
)
from telept.patients.models import Coverage

pytestmark = pytest.mark.django_db
D = Decimal


def _self_pay_schedule(cast: Any, prices: dict[str, str]) -> Any:
    """Billing staff set the self-pay prices on the fee-schedule page."""
    client = cast.client("billing")
    listing = client.get(reverse("billing:fees")).content.decode()
    assert reverse("billing:fee_edit_self_pay") in listing and "Self-pay" in listing
    page = client.get(reverse("billing:fee_edit_self_pay")).content.decode()
    assert "self-pay (patients without coverage)" in page
    assert "Covered by telehealth" not in page  # no payer is asked
    stamp = re.search(r'name="stamp" value="([^"]+)"', page)
    assert stamp
    data = {"stamp": stamp.group(1), **{f"charge_{c}": v for c, v in prices.items()}}
    return client.post(reverse("billing:fee_edit_self_pay"), data, follow=True)


def test_the_self_pay_schedule_is_edited_on_the_fee_schedule_pages(cast: Any) -> None:
    setup_billing(cast)
    response = _self_pay_schedule(cast, {"97110": "35.00", "97140": "30"})
    assert "Saved the fee schedule of self-pay" in response.content.decode()
    rows = {f.code_id: f.unit_charge for f in
            FeeSchedule.objects.filter(payer__isnull=True, practice=cast.practice)}
    assert rows == {"97110": D("35.00"), "97140": D("30.00")}
    assert not FeeSchedule.objects.filter(payer__isnull=True,
                                          practice=cast.outsider_practice).exists()
    assert cast.client("front_desk").get(reverse("billing:fee_edit_self_pay")).status_code \
        == 403


def test_a_visit_without_coverage_is_priced_self_pay_and_never_becomes_a_claim(
        cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    setup_billing(cast)
    _self_pay_schedule(cast, {"97110": "35.00", "97140": "30.00"})
    Coverage.objects.filter(patient=cast.patient).delete()
    note = sign_note(cast, django_capture_on_commit_callbacks)
    charge = Charge.objects.get(note=note)
    assert charge.payer_id is None and charge.status == Charge.Status.BILLED
    assert {ln.code: (ln.units, ln.unit_charge, ln.amount) for ln in charge.lines.all()} == {
        "97110": (2, D("35.00"), D("70.00")), "97140": (1, D("30.00"), D("30.00"))}
    assert charge.total_charge == D("100.00")
    line = charge.lines.get(code="97110")
    assert any(w["rule"] == "self_pay" and "no claim" in w["why"] for w in line.why)
    with pytest.raises(SelfPay):
        claim_build(actor=cast.actor("billing"), charge_id=charge.pk)
    assert not Claim.objects.exists()
    queue = cast.client("billing").get(reverse("billing:queue")).content.decode()
    charges_lane = queue.split('data-testid="lane-charges"')[1].split("</section>")[0]
    assert str(cast.patient) not in charges_lane  # nothing to review: it is the patient's
    # Straight onto the patient's balance; a payment takes it down.
    assert patient_balance(actor=cast.actor("billing"), patient_id=cast.patient.pk) == D("100")
    patient_payment_record(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                           amount="40.00", method="cash")
    assert patient_balance(actor=cast.actor("billing"), patient_id=cast.patient.pk) == D("60")


def test_the_balance_is_self_pay_plus_responsibility_minus_payments(
        cast: Any, submitted: list[Claim],  # noqa: F811 - the fixture imported above
        django_capture_on_commit_callbacks: Any) -> None:
    _upload(cast, _paid_and_denied(submitted))  # the patient owes $16.00 coinsurance
    _self_pay_schedule(cast, {"97110": "35.00", "97140": "30.00"})
    last_insured = max(c.charge.date_of_service for c in submitted)
    Coverage.objects.filter(patient=cast.patient).update(end_date=last_insured)
    note = sign_note(cast, django_capture_on_commit_callbacks, days_ago=0)  # self-pay: $100
    assert note.date_of_service > last_insured
    patient_payment_record(actor=cast.actor("billing"), patient_id=cast.patient.pk,
                           amount="26.00", method="check", reference="77")
    page = cast.client("billing").get(reverse("billing:patient_money",
                                              args=[cast.patient.pk])).content.decode()
    assert "$90.00 owed" in page, page[page.find('data-testid="balance"'):][:800]
    assert "Self-pay visits ($100.00) plus the patient's share from posted remittances " \
           "($16.00) minus what they paid ($26.00)" in page
    statement = statement_issue(actor=cast.actor("billing"), patient_id=cast.patient.pk)
    assert statement.balance == D("90.00")
    own = [line for line in Statement.objects.get(pk=statement.pk).lines
           if line["date_of_service"] == note.date_of_service.isoformat()]
    assert own and own[0]["self_pay"] == "100.00"
    portal = cast.client("patient").get(reverse("portal_statements")).content.decode()
    assert "$90.00" in portal


def test_an_addendum_re_rates_a_self_pay_visit_on_the_balance(
        cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    from telept.clinical.services import notes

    setup_billing(cast)
    _self_pay_schedule(cast, {"97110": "35.00", "97140": "30.00"})
    Coverage.objects.filter(patient=cast.patient).delete()
    note = sign_note(cast, django_capture_on_commit_callbacks)
    provider = cast.users["pt"].provider
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_addendum_add(
            actor=cast.actor("pt"), note_id=note.pk, text="Only exercise, 20 minutes.",
            corrected_interventions=(notes.InterventionInput(
                cpt_code="97110", minutes=20, provider_id=provider.pk),))
    charge = Charge.objects.get(note=note, is_current=True)
    assert charge.total_charge == D("35.00") and charge.status == Charge.Status.BILLED
    assert patient_balance(actor=cast.actor("billing"), patient_id=cast.patient.pk) == D("35")
