"""835 posting: the round trip, once per file and per payment, denials, and bad input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from telept.billing.models import Adjustment, Claim, ClaimPayment, Remittance
from telept.billing.selectors import patient_balance, statement_data
from telept.billing.services.batches import batch_create, x12_claim
from telept.billing.services.payments import patient_payment_record
from telept.billing.services.remittance import MAX_835_BYTES, remittance_post
from telept.billing.tests.helpers import certified_evaluation, setup_billing
from telept.billing.tests.test_claims import ready_claim
from telept.billing.x12.model import Adjustment as Cas
from telept.billing.x12.testing import ClaimPayment as Pay
from telept.billing.x12.testing import LinePayment, build_835_for
from telept.lib.errors import DomainError

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def submitted(cast: Any, django_capture_on_commit_callbacks: Any) -> list[Claim]:
    """Two claims we generated, submitted in one batch."""
    setup_billing(cast)
    certified_evaluation(cast, django_capture_on_commit_callbacks, days_ago=10)
    claims = [ready_claim(cast, django_capture_on_commit_callbacks, days_ago=d) for d in (1, 2)]
    batch_create(actor=cast.actor("billing"), payer_id=cast.payer.pk, send=False)
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == "submitted"
    return claims


def _835(claims: list[Claim], payments: dict[str, Pay] | None = None, **kw: Any) -> str:
    return build_835_for([x12_claim(c) for c in claims], payments or {}, **kw)


def test_an_835_for_our_claim_posts_once_and_twice_posts_nothing(
        cast: Any, submitted: list[Claim]) -> None:
    claim = submitted[0]
    text = _835([claim], {claim.number: Pay(lines=(
        LinePayment(paid=D("60.00"), adjustments=(Cas("CO", "45", D("4.00")),
                                                  Cas("PR", "2", D("16.00")))),
        LinePayment(paid=D("42.00"))), payer_claim_number="PCN77")})
    first = remittance_post(actor=cast.actor("billing"), text=text, file_name="era.835")
    assert first.posted == [claim.number] and not first.duplicate_file
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.paid_amount == D("102.00")
    assert claim.patient_responsibility == D("16.00") and claim.payer_claim_number == "PCN77"
    adjustments = {(a.group, a.reason): a for a in Adjustment.objects.all()}
    assert adjustments[("PR", "2")].description and adjustments[("CO", "45")].line_code == "97110"

    again = remittance_post(actor=cast.actor("billing"), text=text)
    assert again.duplicate_file and again.posted == []
    assert "nothing was posted again" in again.message
    assert ClaimPayment.objects.count() == 1 and Remittance.objects.count() == 1
    claim.refresh_from_db()
    assert claim.paid_amount == D("102.00")


def test_the_same_payment_in_another_file_posts_once(cast: Any, submitted: list[Claim]) -> None:
    claim = submitted[0]
    remittance_post(actor=cast.actor("billing"), text=_835([claim], control_number=1))
    other = remittance_post(actor=cast.actor("billing"), text=_835([claim], control_number=2))
    assert other.posted == [] and other.already_posted == [claim.number]
    assert ClaimPayment.objects.count() == 1


def test_a_denial_and_a_partial_payment_land_in_their_lanes_with_the_next_step(
        cast: Any, submitted: list[Claim]) -> None:
    denied, partial = submitted
    text = _835(submitted, {
        denied.number: Pay(status="4", lines=(
            LinePayment(paid=D("0"), adjustments=(Cas("CO", "50", D("80.00")),),
                        remarks=("N115",)),
            LinePayment(paid=D("0"), adjustments=(Cas("CO", "50", D("42.00")),)))),
        partial.number: Pay(lines=(
            LinePayment(paid=D("80.00")),
            LinePayment(paid=D("0"), adjustments=(Cas("CO", "97", D("42.00")),))))})
    result = remittance_post(actor=cast.actor("billing"), text=text)
    assert sorted(result.posted) == sorted(c.number for c in submitted)
    denied.refresh_from_db()
    partial.refresh_from_db()
    assert denied.status == "denied" and denied.denial_reason.startswith("CO-50")
    assert "N115" in denied.denial_reason and denied.next_step
    assert partial.status == "partial" and partial.denial_reason.startswith("CO-97")


def test_an_835_for_unknown_claims_posts_nothing_and_names_them(
        cast: Any, submitted: list[Claim]) -> None:
    from telept.billing.x12.testing import sample_claim

    text = build_835_for([sample_claim("NOT-OURS-1"), sample_claim("NOT-OURS-2")])
    with pytest.raises(DomainError) as refused:
        remittance_post(actor=cast.actor("billing"), text=text)
    assert refused.value.code == "remittance_unknown_claims"
    assert "NOT-OURS-1" in refused.value.message and "NOT-OURS-2" in refused.value.message
    assert Remittance.objects.count() == 0 and ClaimPayment.objects.count() == 0


def test_a_mixed_835_posts_ours_and_lists_the_others(cast: Any, submitted: list[Claim]) -> None:
    from telept.billing.x12.testing import sample_claim

    text = build_835_for([x12_claim(submitted[0]), sample_claim("NOT-OURS-3")])
    result = remittance_post(actor=cast.actor("billing"), text=text)
    assert result.posted == [submitted[0].number] and result.unknown == ["NOT-OURS-3"]
    assert Remittance.objects.get().unknown_claims == ["NOT-OURS-3"]


def test_a_malformed_835_is_a_clear_error_and_posts_nothing(
        cast: Any, submitted: list[Claim]) -> None:
    text = _835([submitted[0]])
    truncated = text[: len(text) // 2]
    for bad in (truncated, "hello, this is not X12", text.replace("BPR*I*", "BPR*I*12x", 1)):
        with pytest.raises(DomainError) as refused:
            remittance_post(actor=cast.actor("billing"), text=bad)
        assert refused.value.code == "remittance_malformed" and refused.value.message
    assert Remittance.objects.count() == 0 and ClaimPayment.objects.count() == 0
    submitted[0].refresh_from_db()
    assert submitted[0].status == "submitted"


def test_an_oversized_upload_is_refused_before_it_is_read(cast: Any) -> None:
    setup_billing(cast)
    with pytest.raises(DomainError) as refused:
        remittance_post(actor=cast.actor("billing"), text=b"ISA" + b" " * MAX_835_BYTES)
    assert refused.value.code == "remittance_too_large" and refused.value.status == 413
    assert Remittance.objects.count() == 0


def test_patient_responsibility_minus_payments_is_the_balance_and_the_statement(
        cast: Any, submitted: list[Claim]) -> None:
    claim = submitted[0]
    remittance_post(actor=cast.actor("billing"), text=_835([claim], {claim.number: Pay(lines=(
        LinePayment(paid=D("50.00"), adjustments=(Cas("PR", "2", D("30.00")),)),
        LinePayment(paid=D("42.00"))))}))
    assert patient_balance(actor=cast.actor("billing"), patient_id=cast.patient.pk) == D("30")
    patient_payment_record(actor=cast.actor("front_desk"), patient_id=cast.patient.pk,
                           amount="10.00", method="card", reference="TERM-0042",
                           date_of_service=claim.charge.date_of_service)
    statement = statement_data(actor=cast.actor("patient"), patient_id=cast.patient.pk)
    assert statement.balance == D("20.00")
    line = next(li for li in statement.lines if li.date_of_service == claim.charge.date_of_service)
    assert (line.charges, line.insurance_paid, line.patient_responsibility, line.patient_paid) == (
        D("122"), D("92"), D("30"), D("10"))


def test_a_check_or_card_payment_needs_its_reference(cast: Any) -> None:
    setup_billing(cast)
    with pytest.raises(DomainError) as refused:
        patient_payment_record(actor=cast.actor("billing"), patient_id=cast.patient.pk,
                               amount="10", method="check")
    assert refused.value.code == "reference_required"
    with pytest.raises(DomainError):
        patient_payment_record(actor=cast.actor("billing"), patient_id=cast.patient.pk,
                               amount="-5", method="cash")
