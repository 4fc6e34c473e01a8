"""Record ids from text a client sent (a query string, a form, an audit row)."""

from __future__ import annotations

# A primary key fits a signed 64-bit integer: 18 digits always do.
MAX_ID_DIGITS = 18


def id_or_none(raw: object) -> int | None:
    """`raw` as a record id when it is one, else None — never an exception.

    ASCII digits only: "³".isdigit() is True but int("³") raises (a 500 the API fuzzer
    found), and an id too long for the database's integer is no id either."""
    text = str(raw if raw is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None
