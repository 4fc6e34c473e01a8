"""Charge capture takes the patient's location from pre-join (Issue 10 item 2): the patient
said "At home" -> POS 10, "Somewhere else" -> POS 02, each with the rule's sentence; billing
staff can still correct it; a visit whose pre-join did not ask stays "unknown".

Before: pre-join recorded the state only, so every telehealth charge went out as POS 02
("not recorded") until billing staff confirmed the location by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from telept.billing.models import Charge
from telept.billing.services.capture import charge_set_location
from telept.billing.services.claims import claim_build
from telept.billing.tests.helpers import DAILY, appointment, setup_billing
from telept.clinical.services import notes
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import Appointment, JoinLink
from telept.visits import access, services
from telept.visits.models import Participant
from telept.visits.tests.helpers import raw_of

pytestmark = pytest.mark.django_db

HOME_WHY = ("POS 10: a telehealth visit with the patient at home, as recorded at pre-join "
            "(paid at the non-facility rate).")
ELSEWHERE_WHY = ("POS 02: a telehealth visit with the patient somewhere other than home, as "
                 "recorded at pre-join.")


@pytest.fixture
def billing(cast: Any) -> Any:
    setup_billing(cast)
    return cast


def _prejoined(cast: Any, *, located_at: str, state: str = "NJ",
               modality: str = "video") -> Appointment:
    """A telehealth visit that started a few minutes ago, whose patient passed pre-join
    through the same service the visit page calls."""
    visit = appointment(cast, cast.patient, days_ago=0.005, modality=modality)
    entry = access.entry_for_link(raw=raw_of(join_link_issue(
        appointment=visit, role=JoinLink.Role.PATIENT)))
    services.participant_ready(entry=entry, located_state=state, located_at=located_at,
                               consent=True, signer="Pat Doe")
    return visit


def _sign(cast: Any, capture: Any, visit: Appointment) -> Charge:
    """The PT writes and signs the visit's daily note (97110 for 33 minutes)."""
    actor = cast.actor("pt")
    provider = cast.users["pt"].provider
    with capture(execute=True):
        note = notes.note_create(actor=actor, patient_id=visit.patient_id, kind="daily",
                                 appointment_id=visit.pk)
        notes.note_update(actor=actor, note_id=note.pk, data=notes.NoteInput(
            date_of_service=timezone.localtime(visit.start).date(), appointment_id=visit.pk,
            content=DAILY, interventions=(notes.InterventionInput(
                cpt_code="97110", minutes=33, provider_id=provider.pk),)))
        notes.note_sign(actor=actor, note_id=note.pk)
    return Charge.objects.get(note=note, is_current=True)


def _pos_rule(charge: Charge) -> dict[str, str]:
    line = charge.lines.get(code="97110")
    return next(w for w in line.why if w["rule"].startswith("pos_"))


def test_a_patient_at_home_at_pre_join_is_billed_pos_10_with_the_rule(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    charge = _sign(billing, django_capture_on_commit_callbacks,
                   _prejoined(billing, located_at="home", state="NJ"))
    assert (charge.modality, charge.patient_location, charge.patient_state) == (
        "video", "home", "NJ")
    assert (charge.pos, charge.pos_why) == ("10", HOME_WHY)
    assert _pos_rule(charge) == {"rule": "pos_telehealth_home", "value": "10", "why": HOME_WHY}
    assert charge.lines.get(code="97110").modifiers == ["GP", "95"]
    claim = claim_build(actor=billing.actor("billing"), charge_id=charge.pk)
    assert "patient_location_missing" not in {c["code"] for c in claim.scrub_results}


def test_a_patient_somewhere_else_is_billed_pos_02_with_the_rule(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    charge = _sign(billing, django_capture_on_commit_callbacks,
                   _prejoined(billing, located_at="elsewhere", state="NY"))
    assert (charge.patient_location, charge.patient_state) == ("elsewhere", "NY")
    assert (charge.pos, charge.pos_why) == ("02", ELSEWHERE_WHY)
    assert _pos_rule(charge)["rule"] == "pos_telehealth_elsewhere"
    claim = claim_build(actor=billing.actor("billing"), charge_id=charge.pk)
    assert "patient_location_missing" not in {c["code"] for c in claim.scrub_results}


def test_an_audio_only_visit_from_home_is_pos_10_with_modifier_93(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    charge = _sign(billing, django_capture_on_commit_callbacks,
                   _prejoined(billing, located_at="home", modality="audio"))
    assert (charge.modality, charge.patient_location, charge.pos) == ("audio", "home", "10")
    assert "93" in charge.lines.get(code="97110").modifiers


def test_billing_staff_can_still_correct_what_the_patient_said(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    charge = _sign(billing, django_capture_on_commit_callbacks,
                   _prejoined(billing, located_at="home"))
    assert charge.pos == "10"
    corrected = charge_set_location(actor=billing.actor("billing"), charge_id=charge.pk,
                                    location="elsewhere")
    corrected.refresh_from_db()
    assert (corrected.patient_location, corrected.pos, corrected.pos_why) == (
        "elsewhere", "02", ELSEWHERE_WHY)
    # The visit's own record keeps what the patient said.
    assert Participant.objects.get(visit__appointment=charge.appointment,
                                   role="patient").located_at == "home"


def test_a_visit_whose_pre_join_did_not_ask_stays_unknown_until_billing_confirms(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    visit = appointment(billing, billing.patient, days_ago=0.005)
    access.entry_for_link(raw=raw_of(join_link_issue(appointment=visit,
                                                     role=JoinLink.Role.PATIENT)))
    # A seat from before the question: the state only (blank = not asked).
    Participant.objects.filter(visit__appointment=visit, role="patient").update(
        located_state="NJ", located_at="", located_confirmed_at=timezone.now())
    charge = _sign(billing, django_capture_on_commit_callbacks, visit)
    assert (charge.patient_location, charge.patient_state, charge.pos) == ("", "NJ", "02")
    assert _pos_rule(charge)["rule"] == "pos_telehealth_location_unknown"


def test_an_in_person_visit_takes_no_telehealth_location(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    visit = appointment(billing, billing.patient, days_ago=0.005, modality="in_person")
    # Even a stray patient seat with an answer does not make an office visit POS 10.
    from telept.visits.access import visit_for_appointment

    Participant.objects.create(visit=visit_for_appointment(visit), role="patient",
                               patient=billing.patient, display_name="Pat",
                               located_state="NY", located_at="home")
    charge = _sign(billing, django_capture_on_commit_callbacks, visit)
    assert (charge.modality, charge.patient_location, charge.pos) == ("in_person", "", "11")
