"""Charge capture: a final note becomes the visit's charge; addenda re-rate or correct."""

from __future__ import annotations

from typing import Any

import pytest

from telept.billing.models import Charge, Claim
from telept.billing.services.capture import charge_capture, charge_set_location
from telept.billing.services.claims import claim_build
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.clinical.services import notes
from telept.clinical.tests.helpers import supervised_pta

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing(cast: Any) -> Any:
    setup_billing(cast)
    return cast


def _lines(charge: Charge) -> dict[str, tuple[int, list[str]]]:
    return {line.code: (line.units, line.modifiers) for line in charge.lines.all()}


def test_signing_a_pt_note_creates_the_visits_charge_with_rules_and_reasons(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    charge = Charge.objects.get(note=note)
    assert charge.is_current and charge.status == Charge.Status.OPEN
    assert (charge.modality, charge.patient_state, charge.payer_id) == (
        "video", "NY", billing.payer.pk)
    assert charge.diagnoses == ["M17.11"]
    assert charge.rendering == billing.users["pt"].provider
    # RULES §2.3 row 3 (findacode Ex.3): 97110 33 + 97140 7 -> 97110 x2, 97140 x1 under CMS.
    assert _lines(charge) == {"97110": (2, ["GP", "95"]), "97140": (1, ["GP", "95"])}
    line = charge.lines.get(code="97110")
    rules = [w["rule"] for w in line.why]
    assert rules[:3] == ["units_cms", "gp_plan_of_care", "telehealth_video"]
    assert all(w["why"] for w in line.why)
    assert line.amount == 80 and charge.total_charge == 80 + 39
    assert charge.pos == "02" and "not recorded" in charge.pos_why


def test_a_repeated_signal_captures_once(billing: Any,
                                         django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    first = Charge.objects.get(note=note)
    again = charge_capture(note_id=note.pk, reason="signed")
    assert again is not None and again.pk == first.pk
    assert Charge.objects.filter(note=note).count() == 1


def test_an_evaluation_bills_its_code_as_one_unit(billing: Any,
                                                  django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks, kind="initial_eval",
                     minutes=(("97110", 10),))
    charge = Charge.objects.get(note=note)
    # RULES §2.3 row 8: an untimed evaluation + 97110 10 min -> 97162 x1 + 97110 x1.
    assert {code: units for code, (units, _) in _lines(charge).items()} == {
        note.cpt_code: 1, "97110": 1}


def test_a_payer_set_to_ama_counts_each_code_on_its_own(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    billing.payer.billing_method = "ama"
    billing.payer.save()
    note = sign_note(billing, django_capture_on_commit_callbacks)
    # RULES §2.3 row 3, AMA column: 97110 x2, 97140 x0.
    charge = Charge.objects.get(note=note)
    assert {c: u for c, (u, _) in _lines(charge).items()} == {"97110": 2, "97140": 0}
    assert charge.lines.get(code="97140").modifiers == []


def test_a_pta_note_is_charged_on_cosignature_with_cq_and_the_supervisor_rendering(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    supervised_pta(billing)
    note = sign_note(billing, django_capture_on_commit_callbacks, author="pta",
                     minutes=(("97110", 25),))
    assert not Charge.objects.filter(note=note).exists()  # awaiting co-signature
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_cosign(actor=billing.actor("pt"), note_id=note.pk)
    charge = Charge.objects.get(note=note)
    assert charge.rendering == billing.users["pt"].provider
    line = charge.lines.get()
    assert line.pta_minutes == 25 and line.modifiers == ["GP", "CQ", "95"]
    assert any(w["rule"] == "cq_pta_furnished" and "85%" in w["why"] for w in line.why)


def test_an_addendum_that_corrects_minutes_rerates_an_unbilled_charge(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    charge = Charge.objects.get(note=note)
    provider = billing.users["pt"].provider
    with django_capture_on_commit_callbacks(execute=True):
        addendum = notes.note_addendum_add(
            actor=billing.actor("pt"), note_id=note.pk, text="Ther-ex ran longer.",
            corrected_interventions=(notes.InterventionInput(cpt_code="97110", minutes=45,
                                                             provider_id=provider.pk),))
    assert "Corrected minutes: 97110 45 min" in addendum.text
    charge.refresh_from_db()
    assert Charge.objects.filter(note=note).count() == 1
    assert {c: u for c, (u, _) in _lines(charge).items()} == {"97110": 3}
    assert charge.captured_on == "addendum"


def test_an_addendum_without_minutes_changes_no_charge(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    before = _lines(Charge.objects.get(note=note))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notes.note_addendum_add(actor=billing.actor("pt"), note_id=note.pk, text="Late entry.")
    assert callbacks == []
    assert _lines(Charge.objects.get(note=note)) == before


def test_a_billed_claim_is_never_changed_silently_it_gets_a_corrected_claim(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    charge = Charge.objects.get(note=note)
    claim = claim_build(actor=billing.actor("billing"), charge_id=charge.pk)
    Claim.objects.filter(pk=claim.pk).update(status="submitted", batch=_batch(billing),
                                             payer_claim_number="PCN1")
    billed = _lines(charge)
    provider = billing.users["pt"].provider
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_addendum_add(
            actor=billing.actor("pt"), note_id=note.pk, text="Fewer minutes.",
            corrected_interventions=(notes.InterventionInput(cpt_code="97110", minutes=20,
                                                             provider_id=provider.pk),))
    charge.refresh_from_db()
    assert _lines(charge) == billed and not charge.is_current
    assert charge.status == Charge.Status.REPLACED
    revision = Charge.objects.get(note=note, is_current=True)
    assert revision.revision == 2 and revision.replaces_id == charge.pk
    corrected = Claim.objects.get(charge=revision)
    assert (corrected.frequency, corrected.original_id) == ("7", claim.pk)
    assert corrected.status in ("to_review", "rejected")
    assert "addendum" in corrected.review_reason
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_an_addendum_leaving_nothing_to_bill_prepares_a_void(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks, minutes=(("97110", 10),))
    charge = Charge.objects.get(note=note)
    claim = claim_build(actor=billing.actor("billing"), charge_id=charge.pk)
    Claim.objects.filter(pk=claim.pk).update(status="submitted", batch=_batch(billing),
                                             payer_claim_number="PCN2")
    provider = billing.users["pt"].provider
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_addendum_add(
            actor=billing.actor("pt"), note_id=note.pk, text="Only 5 minutes.",
            corrected_interventions=(notes.InterventionInput(cpt_code="97110", minutes=5,
                                                             provider_id=provider.pk),))
    void = Claim.objects.get(frequency="8")
    assert void.original_id == claim.pk and void.charge_id == charge.pk


def test_staff_confirming_home_makes_the_visit_pos_10(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    note = sign_note(billing, django_capture_on_commit_callbacks)
    charge = charge_set_location(actor=billing.actor("billing"),
                                 charge_id=Charge.objects.get(note=note).pk, location="home")
    assert charge.pos == "10"
    assert any(w["rule"] == "pos_telehealth_home" for w in charge.lines.first().why)


def test_a_patient_without_coverage_still_gets_a_charge(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    billing.patient.coverages.all().delete()
    note = sign_note(billing, django_capture_on_commit_callbacks)
    charge = Charge.objects.get(note=note)
    assert charge.payer_id is None and charge.lines.count() == 2


def _batch(cast: Any) -> Any:
    from telept.billing.models import ClaimBatch

    return ClaimBatch.objects.create(practice=cast.practice, payer=cast.payer,
                                     control_number=ClaimBatch.objects.count() + 900)


