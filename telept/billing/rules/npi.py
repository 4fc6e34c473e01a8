"""NPI checks for claims (pure). The Luhn-with-80840 check itself lives in
telept/practices/rules.py (pure, no Django) and is reused here, so there is one rule."""

from __future__ import annotations

from telept.practices.rules import npi_check_digit, npi_is_valid

__all__ = ["npi_check_digit", "npi_is_valid", "npi_problem"]


def npi_problem(npi: str, *, whose: str) -> tuple[str, str] | None:
    """None when the NPI is valid; else (edit code, sentence) naming whose NPI it is."""
    value = (npi or "").strip()
    if not value:
        return ("npi_missing",
                f"The {whose} has no NPI. Enter the 10-digit NPI from NPPES before billing.")
    if not npi_is_valid(value):
        return ("npi_invalid",
                f"The {whose} NPI {value} is not a valid NPI: it must be 10 digits whose last "
                "digit is the Luhn check digit over 80840 and the first nine. Check it against "
                "NPPES; a typo here makes the payer reject the claim.")
    return None
