"""Pure rules about practices and providers (no Django imports)."""

from __future__ import annotations

import re

_NPI = re.compile(r"^\d{10}$")


def npi_is_valid(npi: str) -> bool:
    """An NPI is 10 digits whose last digit is the Luhn check digit computed over the
    prefix 80840 followed by the first nine digits (CMS NPI standard, ISO 7812)."""
    if not _NPI.match(npi or ""):
        return False
    digits = [int(c) for c in "80840" + npi]
    total = 0
    # Luhn from the right: double every second digit, starting with the one left of the check.
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def npi_check_digit(first_nine: str) -> int:
    """The check digit that completes a 9-digit NPI stem (for demo data and tests)."""
    if not re.fullmatch(r"\d{9}", first_nine):
        raise ValueError("An NPI stem is exactly nine digits.")
    for candidate in range(10):
        if npi_is_valid(first_nine + str(candidate)):
            return candidate
    raise AssertionError("unreachable: exactly one Luhn digit exists")
