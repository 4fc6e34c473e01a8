"""Phone numbers for people to read (Issue 16 item 21).

Numbers are stored in E.164 (`+12125550111`); pages show them the way the reader dials
them: nationally for a number of the practice's own country ("(212) 555-0111"), in the
international format for any other ("+44 20 7946 0958"). Pure: no Django import.
"""

from __future__ import annotations

import phonenumbers


def phone_display(value: object, *, region: str = "US") -> str:
    """A stored number formatted for reading. Never raises: text that is not a phone
    number (an old free-text value, an empty field) comes back unchanged."""
    text = "" if value is None else str(value)
    if not text.strip():
        return text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    own_country = phonenumbers.region_code_for_number(number) == region.upper() or (
        number.country_code == phonenumbers.country_code_for_region(region))
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if own_country
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def region_of(number: object, *, default: str = "US") -> str:
    """The country (ISO 3166 region) a stored number belongs to: a practice's own number
    names the practice's country. `default` when the number is missing or does not parse."""
    text = "" if number is None else str(number).strip()
    if not text:
        return default
    try:
        parsed = phonenumbers.parse(text, default)
    except phonenumbers.NumberParseException:
        return default
    return phonenumbers.region_code_for_number(parsed) or default


def phone_tel(value: object, *, region: str = "US") -> str:
    """The number for a `tel:` link (E.164 when it parses, the text otherwise)."""
    text = "" if value is None else str(value)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
