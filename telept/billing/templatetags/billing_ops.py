"""Template helpers of the billing action pages: money as people read it, and the ready
lane of the work queue grouped by payer (objects already loaded; no query here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter(name="usd")
def usd(value: Any) -> str:
    """$1,234.56; a negative amount as -$12.00."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@dataclass
class PayerReady:
    payer: Any
    claim_ids: list[int] = field(default_factory=list)
    total: Decimal = Decimal("0")

    @property
    def count(self) -> int:
        return len(self.claim_ids)


@register.simple_tag
def ready_by_payer(rows: list[Any]) -> list[PayerReady]:
    """(claim, badge) rows of the ready lane -> one entry per payer, by payer name."""
    found: dict[int, PayerReady] = {}
    for row in rows:
        claim = row[0] if isinstance(row, (tuple, list)) else row
        entry = found.setdefault(claim.payer_id, PayerReady(claim.payer))
        entry.claim_ids.append(claim.pk)
        entry.total += claim.total_charge
    return sorted(found.values(), key=lambda e: str(e.payer.name).lower())


@register.filter(name="outcome_summary")
def outcome_summary(detail: Any) -> str:
    """"1 paid, 1 partially paid, 1 denied" for a remittance's payments."""
    labels = (("paid", "paid"), ("partial", "partially paid"), ("denied", "denied"),
              ("reversal", "reversed"))
    parts = [f"{detail.count(key)} {label}" for key, label in labels if detail.count(key)]
    return ", ".join(parts) or "none"


@register.simple_tag
def patient_money_url(actor: Any, patient: Any) -> str:
    """The patient's balance-and-payments page for a role that may see it (billing staff,
    the front desk, admins: `selectors.SUMMARY_READERS`), else "" (clinicians and patients
    get no link). The page checks again: this only decides whether the link shows."""
    from django.urls import reverse

    from telept.billing.selectors import SUMMARY_READERS

    if getattr(actor, "role", None) not in SUMMARY_READERS or patient is None:
        return ""
    return reverse("billing:patient_money", args=[patient.pk])
