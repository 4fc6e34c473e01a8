"""Payer-rule refusals speak the patient's language (Issue 13 item 2); the codes and the
English sentences stay as they were (the API and staff read those)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from telept.lib.errors import DomainError
from telept.practices.models import Payer
from telept.scheduling import services
from telept.scheduling.rules import payer
from telept.scheduling.tests.conftest import at, next_weekday

CATALOGUE = (Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"
             / "django.po")
MONDAY = next_weekday(0)


def _every_violation() -> list[payer.Violation]:
    found = []
    for tele, audio, first, medicare, had in itertools.product([True, False], repeat=5):
        for allowed in (payer.ALL_MODALITIES, frozenset({payer.Modality.IN_PERSON}),
                        frozenset({payer.Modality.VIDEO}), frozenset()):
            policy = payer.PayerPolicy(telehealth_allowed=tele, audio_only_allowed=audio,
                                       allowed_modalities=allowed,
                                       requires_in_person_initial_eval=first,
                                       is_medicare=medicare)
            for kind, modality, day in itertools.product(
                    payer.VisitKind, payer.Modality,
                    (dt.date(2019, 6, 1), dt.date(2026, 6, 1), dt.date(2028, 6, 1))):
                found += payer.check_booking(policy=policy, request=payer.BookingRequest(
                    visit_kind=kind, modality=modality, date_of_service=day,
                    provider_licensed_states=frozenset({"NJ"}), patient_state="NY",
                    has_completed_in_person_initial_eval=had))
    return found


def test_every_payer_refusal_is_its_sentences_and_each_has_spanish() -> None:
    violations = _every_violation()
    assert {v.code for v in violations} == set(payer.ViolationCode)
    spanish = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE)).translated_entries()}
    for violation in violations:
        assert violation.sentences
        assert " ".join(t % values for t, values in violation.sentences) == violation.message
        for text, values in violation.sentences:
            assert text in spanish, f"add the Spanish of {text!r} to django.po"
            spanish[text] % values  # every hole the English has, the Spanish can fill


def _no_telehealth(cast) -> None:
    Payer.objects.filter(pk=cast.patient.coverages.get().payer_id).update(
        telehealth_allowed=False)


@pytest.mark.django_db
def test_a_spanish_patients_booking_refused_by_the_payer_reads_spanish(cast, clinic) -> None:
    cast.patient.preferred_language = "es"
    cast.patient.save(update_fields=["preferred_language"])
    _no_telehealth(cast)
    start = at(MONDAY, 9)
    response = cast.client("patient").post(reverse("scheduling:portal_book"), {
        "provider": clinic.provider.pk, "visit_type": clinic.types["follow_up"].pk,
        "modality": "video", "date": MONDAY.isoformat(), "patient_state": "NY",
        "location": "", "start": start.isoformat(), "action": "book"})
    page = response.content.decode()
    assert "Este plan de salud no cubre las citas de telesalud." in page
    assert "Reserve en su lugar una cita en persona en la clínica." in page
    assert "This payer does not cover" not in page


@pytest.mark.django_db
def test_the_refusal_keeps_its_code_and_its_english(cast, clinic) -> None:
    _no_telehealth(cast)

    def book() -> DomainError:
        with pytest.raises(DomainError) as refused:
            services.appointment_book(actor=cast.actor("patient"), data=services.BookingInput(
                provider_id=clinic.provider.pk, visit_type="follow_up", start=at(MONDAY, 9),
                modality="video", patient_id=None))
        return refused.value

    english = book()
    assert english.code == "telehealth_not_covered"
    assert english.message == ("This payer does not cover telehealth visits. Book an "
                               "in-person visit at a location instead.")
    with translation.override("es"):
        spanish = book()
    assert spanish.code == english.code
    assert [v["code"] for v in spanish.extra["violations"]] == ["telehealth_not_covered"]
    assert spanish.extra["violations"][0]["message"].startswith("Este plan de salud no cubre")
