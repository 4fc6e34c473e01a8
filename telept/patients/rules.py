"""Pure validation rules for patient data (no Django imports)."""

from __future__ import annotations

import re

import phonenumbers

# ICD-10-CM: a letter (any but U, reserved by WHO for special use), a digit, a digit or
# letter, then optionally a dot and 1-4 digits/letters (7th-character extensions included).
_ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def icd10cm_normalise(code: str) -> str:
    """Upper-case, insert the dot after the category, and check the ICD-10-CM shape.

    Raises ValueError with a sentence a clinician understands. Format only: whether the code
    exists in this year's code set is the claim scrubber's job.
    """
    cleaned = (code or "").strip().upper().replace(" ", "")
    if "." not in cleaned and len(cleaned) > 3:
        cleaned = f"{cleaned[:3]}.{cleaned[3:]}"
    if not _ICD10CM.match(cleaned):
        raise ValueError(
            f"{code!r} is not an ICD-10-CM code: expected a letter, two characters, then an "
            "optional dot and up to four more (for example M54.50 or S83.511A)."
        )
    return cleaned


def phone_e164(raw: str, *, region: str = "US") -> str:
    """Normalise a phone number to E.164 (+12125550100); ValueError when it is not valid."""
    try:
        number = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
