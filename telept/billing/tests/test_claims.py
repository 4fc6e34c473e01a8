"""Claims: built and scrubbed, batched per payer, validated by pyx12 before they are offered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from telept.billing.models import Charge, Claim, ClaimBatch
from telept.billing.selectors import claim_x12
from telept.billing.services.batches import batch_create
from telept.billing.services.capture import charge_set_location
from telept.billing.services.claims import claim_approve, claim_build
from telept.billing.tests.helpers import certified_evaluation, setup_billing, sign_note
from telept.billing.x12.validate import validate_837p
from telept.lib.errors import DomainError, PermissionDenied
from telept.practices.models import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing(cast: Any, django_capture_on_commit_callbacks: Any) -> Any:
    setup_billing(cast)
    certified_evaluation(cast, django_capture_on_commit_callbacks, days_ago=10)
    return cast


def ready_claim(cast: Any, capture: Any, **kwargs: Any) -> Claim:
    kwargs.setdefault("minutes", (("97110", 33), ("97112", 7)))  # both on the Medicare list
    note = sign_note(cast, capture, **kwargs)
    charge = charge_set_location(actor=cast.actor("billing"),
                                 charge_id=Charge.objects.get(note=note).pk, location="home")
    return claim_build(actor=cast.actor("billing"), charge_id=charge.pk)


def test_a_clean_visit_is_ready_and_goes_in_a_batch_pyx12_accepts(
        billing: Any, django_capture_on_commit_callbacks: Any, outbox: Path) -> None:
    claim = ready_claim(billing, django_capture_on_commit_callbacks)
    assert claim.status == "ready", claim.scrub_results
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(actor=billing.actor("billing"), payer_id=billing.payer.pk)
    batch.refresh_from_db()
    claim.refresh_from_db()
    assert batch.valid and batch.errors == []
    assert validate_837p(batch.x12).ok
    assert "IK5*A" in batch.ack_999 or "AK9*A" in batch.ack_999
    assert claim.status == "submitted" and claim.batch_id == batch.pk
    assert "SV1*HC:97110:GP:95*80*UN*2" in batch.x12
    assert "CLM*" + claim.number + "*122***10:B:1" in batch.x12
    assert batch.transport_status == "sent"
    assert Path(batch.transport_ref).read_text() == batch.x12
    assert Path(batch.transport_ref).parent == outbox
    assert Charge.objects.get(pk=claim.charge_id).status == "billed"
    assert claim_x12(actor=billing.actor("billing"), claim_id=claim.pk) == batch.x12


def test_each_batch_draws_a_new_control_number(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    ready_claim(billing, django_capture_on_commit_callbacks)
    first = batch_create(actor=billing.actor("billing"), payer_id=billing.payer.pk, send=False)
    ready_claim(billing, django_capture_on_commit_callbacks, days_ago=2)
    second = batch_create(actor=billing.actor("billing"), payer_id=billing.payer.pk, send=False)
    assert second.control_number == first.control_number + 1
    assert f"*{second.control_number:09d}*" in second.x12


def test_the_database_refuses_a_second_batch_with_the_same_control_number(billing: Any) -> None:
    ClaimBatch.objects.create(practice=billing.practice, payer=billing.payer, control_number=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimBatch.objects.create(practice=billing.practice, payer=billing.payer,
                                  control_number=7)


def test_the_database_refuses_to_offer_an_invalid_file(billing: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimBatch.objects.create(practice=billing.practice, payer=billing.payer,
                                  control_number=8, valid=False, transport_status="ready")


def test_the_scrubber_rejects_a_bad_npi_and_nothing_is_ready(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    Provider.objects.filter(user=billing.users["pt"]).update(npi="1234567890")
    claim = ready_claim(billing, django_capture_on_commit_callbacks)
    assert (claim.status, claim.rejected_by) == ("rejected", "scrubber")
    assert "npi_invalid" in {c["code"] for c in claim.scrub_results}
    with pytest.raises(DomainError) as refused:
        batch_create(actor=billing.actor("billing"), payer_id=billing.payer.pk)
    assert refused.value.code == "nothing_ready"


def test_a_claim_pyx12_refuses_is_never_offered_and_names_the_segment(
        billing: Any, django_capture_on_commit_callbacks: Any, outbox: Path) -> None:
    claim = ready_claim(billing, django_capture_on_commit_callbacks)
    assert claim.status == "ready"
    billing.patient.state = "XX"  # not a US state: our scrubber is silent, pyx12 is not
    billing.patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(actor=billing.actor("billing"), payer_id=billing.payer.pk)
    claim.refresh_from_db()
    assert not batch.valid and batch.transport_status == "held"
    assert (claim.status, claim.rejected_by) == ("rejected", "999")
    assert any(e["segment"] == "N4" and e["element"].startswith("N402")
               for e in claim.x12_errors), claim.x12_errors
    assert not outbox.exists() or not list(outbox.iterdir())


def test_warnings_wait_for_review_and_approval_makes_the_claim_ready(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks,  # location not confirmed
                     minutes=(("97110", 33), ("97112", 7)))
    claim = claim_build(actor=billing.actor("billing"),
                        charge_id=Charge.objects.get(note=note).pk)
    assert claim.status == "to_review"
    assert "patient_location_missing" in {c["code"] for c in claim.scrub_results}
    assert claim_approve(actor=billing.actor("billing"), claim_id=claim.pk).status == "ready"


def test_a_missing_fee_blocks_the_claim(billing: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    claim = ready_claim(billing, django_capture_on_commit_callbacks,
                        minutes=(("97116", 20),), modality="in_person")
    assert claim.status == "ready"
    from telept.billing.models import FeeSchedule

    FeeSchedule.objects.filter(code_id="97112").delete()
    claim2 = ready_claim(billing, django_capture_on_commit_callbacks,
                         minutes=(("97112", 20),), days_ago=3)
    assert "fee_missing" in {c["code"] for c in claim2.scrub_results}
    assert claim2.status == "rejected"


def test_only_billing_and_admins_build_claims(billing: Any,
                                              django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    for who in ("pt", "front_desk", "patient"):
        with pytest.raises(PermissionDenied):
            claim_build(actor=billing.actor(who), charge_id=Charge.objects.get(note=note).pk)
