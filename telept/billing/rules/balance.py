"""A patient's account: statement lines per date of service and the balance (pure, no Django).

The balance is what the patient owes the practice:

    self-pay charges (visits without coverage, at the practice's self-pay fees)
  + patient responsibility from posted 835s (deductible, coinsurance, copay)
  - the patient's payments.

Negative is a credit. Insurance payments and write-downs never reach it: on an insured visit
the patient owes only what the payer's 835 says is theirs; a self-pay visit never goes to a
payer, so its whole charge is theirs. Each line's adjustments are what is neither paid by
insurance nor the patient's (never negative).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class InsuredVisit:
    """One claim of a visit as the payer answered it (submitted; voids and replaced claims
    carry no charge but keep what was posted on them)."""

    date_of_service: dt.date
    charge: Decimal
    insurance_paid: Decimal = ZERO
    patient_responsibility: Decimal = ZERO


@dataclass(frozen=True)
class SelfPayVisit:
    date_of_service: dt.date
    charge: Decimal


@dataclass(frozen=True)
class Paid:
    amount: Decimal
    date_of_service: dt.date | None = None  # None: on account


@dataclass(frozen=True)
class StatementLine:
    date_of_service: dt.date | None
    description: str
    charges: Decimal = ZERO
    insurance_paid: Decimal = ZERO
    adjustments: Decimal = ZERO
    patient_responsibility: Decimal = ZERO  # from 835s
    patient_paid: Decimal = ZERO
    self_pay: Decimal = ZERO  # charges of visits without coverage

    @property
    def patient_share(self) -> Decimal:
        """What the patient owes for this line before payments."""
        return self.patient_responsibility + self.self_pay

    def as_json(self) -> dict[str, str | None]:
        return {"date_of_service": self.date_of_service.isoformat()
                if self.date_of_service else None, "description": self.description,
                "charges": str(self.charges), "insurance_paid": str(self.insurance_paid),
                "adjustments": str(self.adjustments),
                "patient_responsibility": str(self.patient_responsibility),
                "self_pay": str(self.self_pay), "patient_paid": str(self.patient_paid)}


@dataclass(frozen=True)
class Account:
    lines: list[StatementLine] = field(default_factory=list)
    total_self_pay: Decimal = ZERO
    total_responsibility: Decimal = ZERO
    total_paid: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.total_self_pay + self.total_responsibility - self.total_paid


def account(*, insured: Iterable[InsuredVisit], self_pay: Iterable[SelfPayVisit],
            payments: Iterable[Paid]) -> Account:
    """The statement lines (one per date of service, then payments on account) and totals."""
    days: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for visit in insured:
        sums = days[visit.date_of_service]
        sums["charges"] += visit.charge
        sums["insurance_paid"] += visit.insurance_paid
        sums["patient_responsibility"] += visit.patient_responsibility
    for own in self_pay:
        sums = days[own.date_of_service]
        sums["charges"] += own.charge
        sums["self_pay"] += own.charge
    paid: dict[dt.date | None, Decimal] = defaultdict(lambda: ZERO)
    for payment in payments:
        paid[payment.date_of_service] += payment.amount
    lines: list[StatementLine] = []
    for day in sorted(set(days) | {d for d in paid if d is not None}):
        v = days.get(day) or {}
        charges, ins = v.get("charges", ZERO), v.get("insurance_paid", ZERO)
        pr, own_pay = v.get("patient_responsibility", ZERO), v.get("self_pay", ZERO)
        lines.append(StatementLine(day, "Self-pay visit" if own_pay and not pr and not ins
                                   else "Visit", charges, ins,
                                   max(charges - ins - pr - own_pay, ZERO), pr,
                                   paid.get(day, ZERO), own_pay))
    if paid.get(None):
        lines.append(StatementLine(None, "Payments on account", patient_paid=paid[None]))
    return Account(lines,
                   sum((line.self_pay for line in lines), ZERO),
                   sum((line.patient_responsibility for line in lines), ZERO),
                   sum((line.patient_paid for line in lines), ZERO))
