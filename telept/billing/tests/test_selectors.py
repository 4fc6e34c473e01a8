"""Billing reads are scoped and audited: claims are PHI."""

from __future__ import annotations

from typing import Any

import pytest

from telept.audit.models import AuditEvent
from telept.billing import selectors
from telept.billing.models import Charge
from telept.billing.services.claims import claim_build
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.clinical.tests.helpers import second_pt
from telept.lib.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged(cast: Any, django_capture_on_commit_callbacks: Any) -> Charge:
    setup_billing(cast)
    note = sign_note(cast, django_capture_on_commit_callbacks,
                     minutes=(("97110", 33), ("97112", 7)))
    return Charge.objects.get(note=note)


def test_billing_and_admins_read_the_practices_charges_and_claims(
        cast: Any, charged: Charge) -> None:
    claim = claim_build(actor=cast.actor("billing"), charge_id=charged.pk)
    for who in ("billing", "admin"):
        assert selectors.charge_get(actor=cast.actor(who), charge_id=charged.pk) == charged
        assert selectors.claim_get(actor=cast.actor(who), claim_id=claim.pk) == claim
    lanes = {lane.key: lane.count for lane in selectors.work_queue(actor=cast.actor("billing"))}
    assert set(lanes) == {"failed", "charges", "to_review", "ready", "rejected", "submitted",
                          "denied", "partial", "paid"}
    assert lanes["failed"] == 0  # nothing failed: no "charges could not be made" item


def test_reads_are_audited_with_the_patient(cast: Any, charged: Charge) -> None:
    claim = claim_build(actor=cast.actor("billing"), charge_id=charged.pk)
    selectors.claim_get(actor=cast.actor("admin"), claim_id=claim.pk)
    event = AuditEvent.objects.filter(object_type="Claim", action="read").latest("id")
    assert event.patient_id == cast.patient.pk and event.actor_role == "admin"


def test_a_pt_sees_their_own_charges_only(cast: Any, charged: Charge) -> None:
    assert selectors.charges_list(actor=cast.actor("pt")) == [charged]
    other = second_pt(cast)
    from telept.accounts.actor import actor_for

    with pytest.raises(NotFound):
        selectors.charge_get(actor=actor_for(other), charge_id=charged.pk)
    assert selectors.charges_list(actor=actor_for(other)) == []


def test_the_outsider_practice_gets_not_found(cast: Any, charged: Charge) -> None:
    claim = claim_build(actor=cast.actor("billing"), charge_id=charged.pk)
    outsider = cast.actor("outsider_admin")
    with pytest.raises(NotFound):
        selectors.charge_get(actor=outsider, charge_id=charged.pk)
    with pytest.raises(NotFound):
        selectors.claim_get(actor=outsider, claim_id=claim.pk)
    with pytest.raises(NotFound):
        selectors.claim_x12(actor=outsider, claim_id=claim.pk)
    with pytest.raises(NotFound):
        selectors.statement_data(actor=outsider, patient_id=cast.patient.pk)
    assert selectors.claims_list(actor=outsider) == []


def test_a_patient_reads_their_own_statement_only(cast: Any, charged: Charge) -> None:
    own = selectors.statement_data(actor=cast.actor("patient"), patient_id=cast.patient.pk)
    assert own.patient == cast.patient
    with pytest.raises(NotFound):
        selectors.statement_data(actor=cast.actor("patient"), patient_id=cast.other_patient.pk)
    with pytest.raises(NotFound):
        selectors.statement_data(actor=cast.actor("outsider_patient"),
                                 patient_id=cast.patient.pk)
    with pytest.raises(NotFound):
        selectors.charge_get(actor=cast.actor("patient"), charge_id=charged.pk)
    assert selectors.charges_list(actor=cast.actor("patient")) == []


def test_front_desk_reads_summaries_but_not_the_claim_file(cast: Any, charged: Charge) -> None:
    claim = claim_build(actor=cast.actor("billing"), charge_id=charged.pk)
    assert selectors.claims_list(actor=cast.actor("front_desk")) == [claim]
    selectors.statement_data(actor=cast.actor("front_desk"), patient_id=cast.patient.pk)
    with pytest.raises(PermissionDenied):
        selectors.claim_x12(actor=cast.actor("front_desk"), claim_id=claim.pk)
    with pytest.raises(PermissionDenied):
        selectors.remittances_list(actor=cast.actor("front_desk"))
