"""The seal of a signed note, pinned to a known vector (Issue 16 item 26).

The other note tests check `content_hash == note_seal(note)`, which stays true whatever
`note_seal` covers: dropping the interventions or `signed_at` from the payload would pass
them. Here a note with fixed ids, content, interventions, a goal update and a fixed
signature time must give one exact SHA-256 digest, written out below with the canonical
JSON it is the digest of; and changing any sealed field changes the digest, so
`note_intact` reports the tampering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from telept.clinical.models import Goal, GoalUpdate, Intervention, Note
from telept.clinical.sealing import note_intact, note_seal
from telept.tests import factories

# The canonical JSON (sorted keys, no whitespace, UTF-8) of the note built by `_sealed_note`.
CANONICAL = (
    '{"appointment":null,"author":9103,"content":{"assessment":"Better","objective":'
    '"Flexion 110°","plan":"Continue","subjective":"Knee sore"},"cosigner":null,'
    '"date_of_service":"2026-03-02","evaluation":{"body_elements":null,"complexity":"",'
    '"cpt_code":"","decision":"","personal_factors":null,"presentation":""},'
    '"goal_updates":[[9106,"progressing",8.0,"Up 4 steps"]],'
    '"interventions":[["97110",23,9104,"Step-ups"],["97140",8,9104,""]],'
    '"kind":"daily","note":9107,"patient":9105,"plan_of_care":{"duration_weeks":null,'
    '"frequency_per_week":null},"practice":9101,"provider":9104,"signed_at":'
    '"2026-03-02T15:04:05.123456+00:00","signed_by":9103}')
PINNED = "7a178b61862ff0d13ac9d234b338a9f6dbf951e9c188db5a2c98a46630e9acd8"  # see the test
SIGNED_AT = dt.datetime(2026, 3, 2, 15, 4, 5, 123456, tzinfo=dt.UTC)


def _sealed_note() -> Note:
    """A daily note whose every id is fixed, with two interventions and a goal update,
    signed (in memory, so the rows stay editable for the tampering below) at SIGNED_AT."""
    practice = factories.PracticeFactory(pk=9101, slug="seal-vector")
    user = factories.UserFactory(pk=9103, email="seal@vector.test")
    provider = factories.ProviderFactory(pk=9104, practice=practice, user=user,
                                         slug="seal-pt")
    patient = factories.PatientFactory(pk=9105, practice=practice)
    goal = Goal.objects.create(pk=9106, practice=practice, patient=patient,
                               description="Climb 12 stairs", metric="Stairs", baseline=4,
                               target=12, target_date=dt.date(2026, 4, 1), created_by=user)
    note = Note.objects.create(
        pk=9107, practice=practice, patient=patient, kind="daily", provider=provider,
        author=user, date_of_service=dt.date(2026, 3, 2),
        content={"subjective": "Knee sore", "objective": "Flexion 110°",
                 "assessment": "Better", "plan": "Continue"})
    Intervention.objects.create(note=note, cpt_code="97110", minutes=23, provider=provider,
                                description="Step-ups")
    Intervention.objects.create(note=note, cpt_code="97140", minutes=8, provider=provider)
    GoalUpdate.objects.create(note=note, goal=goal, status="progressing", current_value=8,
                              comment="Up 4 steps")
    note.signed_by, note.signed_at = user, SIGNED_AT
    return note


def test_the_pinned_digest_is_the_sha256_of_the_canonical_json_written_above():
    assert hashlib.sha256(CANONICAL.encode("utf-8")).hexdigest() == PINNED


@pytest.mark.django_db
def test_a_known_note_seals_to_the_pinned_digest():
    note = _sealed_note()
    assert note_seal(note) == PINNED
    note.content_hash = PINNED
    assert note_intact(note)


def _other_provider(note: Note) -> Any:
    return factories.ProviderFactory(practice=note.practice, slug="seal-other")


# Each change touches one sealed field; every one must change the digest.
TAMPERING: dict[str, Callable[[Note], None]] = {
    "content": lambda n: n.content.update(plan="Discharge"),
    "a new section": lambda n: n.content.update(extra="Added later"),
    "kind": lambda n: setattr(n, "kind", "progress"),
    "date_of_service": lambda n: setattr(n, "date_of_service", dt.date(2026, 3, 3)),
    "patient": lambda n: setattr(n, "patient", factories.PatientFactory(
        practice=n.practice)),
    "provider": lambda n: setattr(n, "provider", _other_provider(n)),
    "author": lambda n: setattr(n, "author", factories.UserFactory()),
    "evaluation code": lambda n: setattr(n, "cpt_code", "97161"),
    "complexity": lambda n: setattr(n, "complexity", "low"),
    "plan of care": lambda n: setattr(n, "frequency_per_week", 2),
    "intervention minutes": lambda n: Intervention.objects.filter(
        note=n, cpt_code="97110").update(minutes=38),
    "intervention code": lambda n: Intervention.objects.filter(
        note=n, cpt_code="97140").update(cpt_code="97530"),
    "intervention performer": lambda n: Intervention.objects.filter(note=n).update(
        provider=_other_provider(n)),
    "intervention description": lambda n: Intervention.objects.filter(
        note=n, cpt_code="97110").update(description="Squats"),
    "an intervention removed": lambda n: Intervention.objects.filter(
        note=n, cpt_code="97140").delete(),
    "an intervention added": lambda n: Intervention.objects.create(
        note=n, cpt_code="97530", minutes=15, provider=n.provider),
    "goal update status": lambda n: GoalUpdate.objects.filter(note=n).update(status="met"),
    "goal update value": lambda n: GoalUpdate.objects.filter(note=n).update(
        current_value=12),
    "goal update comment": lambda n: GoalUpdate.objects.filter(note=n).update(comment=""),
    "goal update removed": lambda n: GoalUpdate.objects.filter(note=n).delete(),
    "cosigner": lambda n: setattr(n, "cosigner", _other_provider(n)),
    "signed_by": lambda n: setattr(n, "signed_by", factories.UserFactory()),
    "signed_at": lambda n: setattr(n, "signed_at", SIGNED_AT + dt.timedelta(microseconds=1)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", sorted(TAMPERING))
def test_changing_any_sealed_field_breaks_the_seal(field):
    note = _sealed_note()
    note.content_hash = note_seal(note)  # PINNED, unless the pinned test fails too
    TAMPERING[field](note)
    assert note_seal(note) != note.content_hash, f"{field} is not covered by the seal"
    assert not note_intact(note)


@pytest.mark.django_db
def test_fields_outside_the_seal_leave_it_intact():
    """Bookkeeping that is not part of what the signer attested to (the draft version,
    timestamps of the row) may change without breaking the seal."""
    note = _sealed_note()
    note.content_hash = PINNED
    note.version += 3
    note.updated_at = SIGNED_AT + dt.timedelta(days=1)
    assert note_intact(note)
