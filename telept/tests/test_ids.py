"""telept.lib.ids.id_or_none: text a client sent becomes an id or None, never an exception
(the API fuzzer's "³" once reached int() and answered a 500)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.lib.ids import MAX_ID_DIGITS, id_or_none


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 7 ", 7), (12, 12), ("0", 0), ("9" * MAX_ID_DIGITS, int("9" * MAX_ID_DIGITS)),
    ("", None), (None, None), ("³", None), ("١٢", None), ("-3", None), ("4.0", None),
    ("1e3", None), ("12abc", None), ("9" * (MAX_ID_DIGITS + 1), None),
])
def test_only_plain_ascii_digits_of_a_sane_length_are_an_id(raw: object, expected: int | None
                                                             ) -> None:
    assert id_or_none(raw) == expected


@given(st.text(max_size=30))
def test_any_text_gives_an_id_that_prints_back_or_none(text: str) -> None:
    found = id_or_none(text)
    if found is not None:
        assert found >= 0 and int(text.strip()) == found
    else:
        stripped = text.strip()
        assert not (stripped.isascii() and stripped.isdigit()) or len(stripped) > MAX_ID_DIGITS


@given(st.integers(min_value=0, max_value=10 ** MAX_ID_DIGITS - 1))
def test_every_id_round_trips(pk: int) -> None:
    assert id_or_none(str(pk)) == pk
