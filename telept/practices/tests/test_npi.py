"""NPI validation: Luhn over the 80840 prefix."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.practices.rules import npi_check_digit, npi_is_valid


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_it_accepts_npis_with_a_correct_check_digit(npi):
    assert npi_is_valid(npi)


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "abcdefghij", "",
                                 "1234 67893"])
def test_it_refuses_malformed_npis(npi):
    assert not npi_is_valid(npi)


@given(st.from_regex(r"\d{9}", fullmatch=True))
def test_exactly_one_check_digit_completes_every_stem(stem):
    digit = npi_check_digit(stem)
    assert npi_is_valid(stem + str(digit))
    assert sum(npi_is_valid(stem + str(d)) for d in range(10)) == 1


@given(st.from_regex(r"\d{10}", fullmatch=True), st.integers(0, 9), st.integers(1, 9))
def test_changing_any_single_digit_breaks_a_valid_npi(npi, position, delta):
    stem = npi[:9]
    valid = stem + str(npi_check_digit(stem))
    broken = valid[:position] + str((int(valid[position]) + delta) % 10) + valid[position + 1:]
    assert not npi_is_valid(broken)
