"""What differs between a patient's demographics as saved and an edit that started from an
older version (Issue 16 item 13): the page that refuses a stale save lists each difference
(field, their value, your value) and lets the person keep theirs or
keep yours per field.

The edit form carries the values it showed (`seal_values`, signed so a page cannot pass off
other values as its starting point). With them a difference is one-sided or a real clash:
a field only the other person changed defaults to theirs, a field only you changed to
yours, a field both changed to yours (what you typed; theirs is beside it). Without them
(an old page, a bad signature) every difference defaults to yours. Plain Python and the
model's choice labels; labels of values come from the same filters the pages use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.core import signing

from telept.lib.phones import phone_display
from telept.lib.states import US_STATES
from telept.patients.languages import language_name
from telept.patients.models import Patient
from telept.patients.services import EDITABLE_FIELDS

Keep = Literal["theirs", "mine"]
_SALT = "telept.patients.edit.base"


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    theirs: str  # as saved now, for reading
    mine: str  # as in the refused edit, for reading
    keep: Keep  # what the merge keeps unless the person chooses otherwise
    both_changed: bool


@dataclass(frozen=True)
class PatientConflict:
    changes: tuple[FieldChange, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.changes)


def patient_values(patient: Patient) -> dict[str, object]:
    """The editable demographics of a record, as stored."""
    return {name: getattr(patient, name) for name in EDITABLE_FIELDS}


def seal_values(values: Mapping[str, object]) -> str:
    """The values a form was built from, signed, for a hidden field."""
    return signing.dumps({k: _plain(v) for k, v in values.items()}, salt=_SALT, compress=True)


def open_values(token: str) -> dict[str, object] | None:
    """`seal_values` undone; None for a missing, altered or foreign token."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def _same(name: str, a: object, b: object) -> bool:
    left, right = str(_plain(a)).strip(), str(_plain(b)).strip()
    if name in ("email", "preferred_language"):
        return left.lower() == right.lower()
    return left == right


def value_text(name: str, value: object, *, region: str = "US") -> str:
    """A stored value as a person reads it ("(212) 555-0111", "Spanish", "Female")."""
    text = str(_plain(value)).strip()
    if not text:
        return "—"
    if name in ("phone", "emergency_contact_phone"):
        return phone_display(text, region=region)
    if name == "preferred_language":
        return language_name(text)
    if name == "sex":
        return str(dict(Patient.Sex.choices).get(text, text))
    if name == "state":
        return US_STATES.get(text.upper(), text)
    if name == "date_of_birth":
        try:
            return f"{dt.date.fromisoformat(text):%-d %B %Y}"
        except ValueError:
            return text
    return text


def patient_conflict(*, saved: Mapping[str, object], mine: Mapping[str, object],
                     base: Mapping[str, object] | None, labels: Mapping[str, str],
                     region: str = "US", chosen: Mapping[str, str] | None = None
                     ) -> PatientConflict:
    """Every field whose saved value differs from the refused edit, in form order.
    `chosen` carries choices already made on a merge page (kept when it comes back with a
    typing error)."""
    rows = []
    for name in EDITABLE_FIELDS:
        if name not in mine or _same(name, saved.get(name), mine[name]):
            continue
        theirs_moved = base is None or not _same(name, base.get(name), saved.get(name))
        mine_moved = base is None or not _same(name, base.get(name), mine[name])
        keep: Keep = "theirs" if theirs_moved and not mine_moved else "mine"
        if chosen and chosen.get(name) in ("theirs", "mine"):
            keep = "theirs" if chosen[name] == "theirs" else "mine"
        rows.append(FieldChange(
            name=name, label=labels.get(name, name.replace("_", " ").capitalize()),
            theirs=value_text(name, saved.get(name), region=region),
            mine=value_text(name, mine[name], region=region), keep=keep,
            both_changed=theirs_moved and mine_moved))
    return PatientConflict(changes=tuple(rows))
