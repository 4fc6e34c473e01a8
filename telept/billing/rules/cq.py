"""The CQ modifier: a service furnished in whole or in part by a PTA (pure; RULES §1.2).

De minimis: CQ applies when the PTA furnished more than 10% of the service (for a timed
code, its minutes). Medicare then pays the line at 85% of the fee schedule (a 15% reduction).
RULES marks the 10% threshold UNVERIFIED (open item 4); it is one constant here.
CQ belongs on GP lines only (RULES R3; CO is the OT counterpart).
"""

from __future__ import annotations

from telept.billing.rules.types import Decision

DE_MINIMIS_PERCENT = 10
CQ_PAYMENT_PERCENT = 85


def cq_modifier(*, code: str, minutes: int, pta_minutes: int) -> Decision | None:
    """CQ when a PTA furnished more than 10% of the service; None otherwise."""
    if pta_minutes < 0 or minutes < 0:
        raise ValueError("Minutes cannot be negative.")
    if pta_minutes == 0:
        return None
    if minutes == 0 or pta_minutes >= minutes:
        share = "all"
    else:
        if pta_minutes * 100 <= minutes * DE_MINIMIS_PERCENT:
            return None
        share = f"{pta_minutes} of {minutes} minutes ({pta_minutes * 100 // minutes}%)"
    return Decision(
        "CQ",
        f"CQ: a PTA furnished {share} of {code}, more than the {DE_MINIMIS_PERCENT}% de "
        f"minimis share, so the line carries CQ; Medicare pays CQ lines at "
        f"{CQ_PAYMENT_PERCENT}% of the fee schedule (a {100 - CQ_PAYMENT_PERCENT}% reduction).",
        "cq_pta_furnished",
    )
