"""The KX modifier: Medicare's yearly therapy threshold (pure; RULES §1.2).

Once a beneficiary's therapy amounts for the calendar year pass the threshold, every further
therapy line needs KX (the provider attests the services are medically necessary); a line above
the threshold without KX is denied. PT and SLP share one threshold; OT has its own of the same
amount. Targeted medical review starts at $3,000 (unchanged until 2028).

Thresholds are data: add next year's row when CMS publishes it in the PFS final rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

KX_THRESHOLDS: dict[int, Decimal] = {
    2024: Decimal("2330"),  # NGS 2024 (RULES §1.2)
    2025: Decimal("2410"),  # prombs 2025
    2026: Decimal("2480"),  # proactivechart 2026
}
TARGETED_REVIEW: Decimal = Decimal("3000")
TARGETED_REVIEW_UNTIL = 2028


@dataclass(frozen=True)
class KxDecision:
    needed: bool | None  # None: the year's threshold is not in the table
    threshold: Decimal | None
    why: str
    targeted_review: bool = False  # the year's amounts pass the $3,000 review level


def kx_decision(*, year: int, ytd_before: Decimal, this_visit: Decimal) -> KxDecision:
    """Whether this visit's therapy lines need KX, given the year-to-date therapy amounts
    counted before it (allowed amounts where known, else charges) and this visit's amount."""
    threshold = KX_THRESHOLDS.get(year)
    after = ytd_before + this_visit
    if threshold is None:
        known = ", ".join(str(y) for y in sorted(KX_THRESHOLDS))
        return KxDecision(None, None,
                          f"The Medicare therapy threshold for {year} is not in the table "
                          f"(known years: {known}). Add it from the year's PFS final rule "
                          "before billing, so KX is set where it must be.")
    review = after > TARGETED_REVIEW and year <= TARGETED_REVIEW_UNTIL
    if after > threshold:
        why = (f"KX: this year's therapy amounts reach ${after:,.2f} with this visit, past the "
               f"{year} Medicare threshold of ${threshold:,.0f} (PT and SLP combined), so each "
               "therapy line carries KX to attest medical necessity; without it Medicare denies "
               "the line. Keep the documentation that supports the need.")
        if review:
            why += (f" Past ${TARGETED_REVIEW:,.0f} the claim may be picked for targeted medical "
                    "review.")
        return KxDecision(True, threshold, why, review)
    return KxDecision(False, threshold,
                      f"No KX: this year's therapy amounts are ${after:,.2f} with this visit, "
                      f"within the {year} Medicare threshold of ${threshold:,.0f}.")
