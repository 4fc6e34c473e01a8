"""The built-in library in Spanish (Issue 13 item 2): every one of the 82 exercises has a
complete Spanish entry, patients reading Spanish see it, staff keep the English."""

from __future__ import annotations

import pytest

from telept.exercises.builtin_library import BUILTIN_EXERCISES
from telept.exercises.library_es import FIELDS, localized
from telept.exercises.library_es_data import EXERCISES_ES
from telept.exercises.models import Exercise
from telept.exercises.tests.conftest import builtin, program_for
from telept.patients.models import Patient


def test_every_builtin_exercise_has_a_complete_spanish_entry() -> None:
    slugs = [e["slug"] for e in BUILTIN_EXERCISES]
    assert len(slugs) == 82 and set(EXERCISES_ES) == set(slugs)
    for english in BUILTIN_EXERCISES:
        spanish = EXERCISES_ES[english["slug"]]
        assert set(spanish) == set(FIELDS), english["slug"]
        assert spanish["name"] and spanish["summary"]
        assert spanish["name"] != english["name"] or spanish["name"] in {"Bird dog"}
        for en_key, es_key in (("steps", "instructions"), ("cues", "cues"),
                               ("mistakes", "mistakes")):
            assert len(spanish[es_key]) == len(english[en_key]), (english["slug"], es_key)
            assert all(text.strip() for text in spanish[es_key])
        assert len(spanish["substitutes"]) == len(english["substitutes"]), english["slug"]
        for sub in spanish["substitutes"]:
            assert set(sub) == {"item", "how"} and sub["item"] and sub["how"]
        assert spanish["instructions"] != english["steps"]  # translated, not copied


@pytest.mark.django_db
def test_localized_is_spanish_only_for_builtins_in_spanish() -> None:
    chin = builtin("chin-tuck")
    assert localized(chin, "name", "es") == "Retracción del mentón"
    assert localized(chin, "name", "en") == "Chin tuck"
    own = Exercise(practice_id=1, slug="chin-tuck", name="Our chin tuck")
    assert localized(own, "name", "es") == "Our chin tuck"  # a practice's own, as written


def test_a_spanish_speaking_patient_reads_the_program_in_spanish(cast) -> None:
    program_for(cast, slugs=("quad-set", "pendulum"))
    Patient.objects.filter(pk=cast.patient.pk).update(preferred_language="es")
    html = cast.client("patient").get("/portal/exercises/").content.decode()
    assert "Contracción del muslo (cuádriceps)" in html and "Péndulo" in html
    assert "Apriete el músculo del muslo" in html  # the steps
    assert "Enróllela bien apretada" in html  # a substitute
    assert "Thigh tightening" not in html
    session = cast.client("patient").get("/portal/exercises/session/").content.decode()
    assert "1. Contracción del muslo (cuádriceps)" in session
    assert "¿Cómo le fue?" in session and "Dolor en este momento" in session  # the form
    assert "repeticiones" in session  # the dose


def test_staff_see_the_library_in_english(cast) -> None:
    program_for(cast, slugs=("quad-set",))
    Patient.objects.filter(pk=cast.patient.pk).update(preferred_language="es")
    html = cast.client("pt").get(f"/exercises/{builtin('quad-set').pk}/",
                                 HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Thigh tightening" in html and "Contracción del muslo" not in html
