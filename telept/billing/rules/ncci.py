"""NCCI procedure-to-procedure pairs PTs hit, and the distinct-service modifier (pure).

When both codes of a pair are billed the same day, the column-2 code is denied unless it
carries 59 (or XU, "unusual non-overlapping service") saying it was a distinct service in its
own time interval. The table is data; RULES §1.2 marks the specific PT pairs UNVERIFIED:
check the quarterly CMS NCCI PTP tables and add rows here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from telept.billing.rules.types import Decision


@dataclass(frozen=True)
class NcciPair:
    column1: str
    column2: str  # the code that takes the modifier
    modifier_allowed: bool  # NCCI modifier indicator 1 (a modifier may bypass the edit)
    source: str


NCCI_PAIRS: tuple[NcciPair, ...] = (
    NcciPair("97530", "97140", True,
             "NCCI PTP edit 97530/97140 (Issue 10 item 4; RULES §1.2: check the quarterly "
             "CMS PTP table)"),
)

DISTINCT_MODIFIERS = frozenset({"59", "XU"})


def ncci_modifiers(codes: Iterable[str], *, distinct_modifier: str = "59") -> dict[str, Decision]:
    """For each code that needs the distinct-service modifier on this date, the decision."""
    if distinct_modifier not in DISTINCT_MODIFIERS:
        raise ValueError(f"The distinct-service modifier is 59 or XU, not {distinct_modifier!r}.")
    present = set(codes)
    found: dict[str, Decision] = {}
    for pair in NCCI_PAIRS:
        if pair.column1 in present and pair.column2 in present and pair.modifier_allowed:
            found[pair.column2] = Decision(
                distinct_modifier,
                f"{distinct_modifier}: {pair.column2} with {pair.column1} the same day is an "
                f"NCCI pair, so {pair.column2} carries {distinct_modifier} to show it was a "
                "distinct service in its own time; the note must show the two did not overlap.",
                "ncci_distinct_service",
            )
    return found
