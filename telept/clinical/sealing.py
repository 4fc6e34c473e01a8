"""What a signature seals: the payload of a note's content hash, and its verification.

The payload lists every column the database freezes on signing (migration 0004) plus the
note's interventions and goal updates, so `note_intact` proves that what is stored now is
what was signed. Addenda carry their own hash over their text, author and time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telept.clinical.models import Note
from telept.clinical.rules.digest import content_digest


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def note_payload(note: Note) -> dict[str, Any]:
    return {
        "note": note.pk,
        "practice": note.practice_id,
        "patient": note.patient_id,
        "kind": note.kind,
        "provider": note.provider_id,
        "author": note.author_id,
        "appointment": note.appointment_id,
        "date_of_service": note.date_of_service.isoformat(),
        "content": {k: str(v) for k, v in sorted(note.content.items())},
        "evaluation": {
            "personal_factors": note.personal_factors, "body_elements": note.body_elements,
            "presentation": note.presentation, "decision": note.decision,
            "complexity": note.complexity, "cpt_code": note.cpt_code,
        },
        "plan_of_care": {"frequency_per_week": note.frequency_per_week,
                         "duration_weeks": note.duration_weeks},
        "interventions": [
            [i.cpt_code, i.minutes, i.provider_id, i.description]
            for i in note.interventions.order_by("id")
        ],
        "goal_updates": [
            [u.goal_id, u.status, u.current_value, u.comment]
            for u in note.goal_updates.order_by("id")
        ],
        "cosigner": note.cosigner_id,
        "signed_by": note.signed_by_id,
        "signed_at": _iso(note.signed_at),
    }


def note_seal(note: Note) -> str:
    return content_digest(note_payload(note))


def note_intact(note: Note) -> bool:
    """True when a signed note's stored hash matches its content (a draft has no seal)."""
    return bool(note.content_hash) and note.content_hash == note_seal(note)


def addendum_seal(*, note_id: int, note_hash: str, author_id: int, text: str,
                  created_at: dt.datetime) -> str:
    return content_digest({"note": note_id, "note_hash": note_hash, "author": author_id,
                           "text": text, "created_at": _iso(created_at)})
