"""Billing reports as pure functions (Issue 10 item 10): A/R aging by payer, collections by
month, telehealth vs in-person revenue, and the geometry of the bar charts that show them.

Inputs are plain rows (dataclasses the selector fills from the database, or a test by hand);
outputs are frozen dataclasses. No Django import: `selectors_reports.py` reads, these count.

What the figures mean (the reports page says the same):
- **A/R** is what a payer still owes on claims it was sent: the billed charge minus what the
  payer paid, minus the patient responsibility its 835 moved to the patient, minus the
  contractual write-downs (CARC 45 and 253, which are not denials). Denials and other
  adjustments stay in A/R: the claim is still being worked (appealed, corrected, written off).
  Claims never sent (to review, ready, rejected), replaced by a corrected claim, or voids
  (frequency 8) owe nothing.
- A claim's **age** is counted in whole days from its date of service or from the day it was
  submitted (the page's choice), to the as-of day; a claim with no submission day is aged
  from its date of service. Each claim with a balance falls in exactly one bucket.
- **Collections** are money received: payer payments (on the remittance's payment date) and
  patient payments at the desk (on the day received), per calendar month.
- **Revenue by modality**: charges by date of service, collections attributed to the visit
  they pay for (a patient payment that names no visit is "not tied to a visit").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CONTRACTUAL_CARCS = frozenset({"45", "253"})  # the remittance service's normal adjustments
OUTSTANDING_STATUSES = frozenset({"submitted", "denied", "partial", "paid"})
BASES = {"service": "date of service", "submission": "date submitted"}
MODALITIES: tuple[tuple[str, str], ...] = (
    ("video", "Video"), ("audio", "Audio only"), ("in_person", "In person"))
TELEHEALTH = frozenset({"video", "audio"})
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- formatting ---------------------------------------------------------------------------

def money(value: Decimal | int) -> str:
    """$1,234.56; a negative amount (a takeback) is -$12.00."""
    value = Decimal(value).quantize(Decimal("0.01"))
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def money_whole(value: Decimal | int) -> str:
    """A chart tick: $1,500 (whole dollars), $2.50 below one dollar's steps."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return money(value)


def month_label(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def percent(part: Decimal, whole: Decimal) -> str:
    if whole <= 0:
        return "—"
    return f"{(part * 100 / whole).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


# --- periods ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def months(self) -> list[tuple[int, int]]:
        return months_between(self.start, self.end)


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def months_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """Every (year, month) from start's month to end's month, in order (empty if reversed)."""
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [(i // 12, i % 12 + 1) for i in range(first, last + 1)]


def default_period(today: dt.date, months: int = 12) -> Period:
    """The last `months` calendar months, this one included, up to today."""
    year, month = add_months(today.year, today.month, -(months - 1))
    return Period(dt.date(year, month, 1), today)


# --- A/R aging ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    low: int
    high: int | None  # None: no upper end

    def holds(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


BUCKETS: tuple[Bucket, ...] = (
    Bucket("0_30", "0–30 days", 0, 30), Bucket("31_60", "31–60 days", 31, 60),
    Bucket("61_90", "61–90 days", 61, 90), Bucket("91_120", "91–120 days", 91, 120),
    Bucket("over_120", "Over 120 days", 121, None))


def bucket_for(age: int) -> Bucket:
    """The one bucket an age in days falls in (a future day counts as 0 days old)."""
    age = max(age, 0)
    for bucket in BUCKETS:
        if bucket.holds(age):
            return bucket
    raise AssertionError(f"no bucket holds {age}")  # the buckets cover 0 to infinity


@dataclass(frozen=True)
class ClaimRow:
    """One claim as A/R sees it (amounts in dollars)."""

    claim_id: int
    payer: str
    date_of_service: dt.date
    submitted_on: dt.date | None
    status: str
    frequency: str
    total_charge: Decimal
    paid: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    written_down: Decimal = ZERO  # contractual adjustments (CARC 45, 253; not PR)


def claim_balance(row: ClaimRow) -> Decimal:
    """What the payer still owes on the claim (0 for claims never sent, replaced or void)."""
    if row.status not in OUTSTANDING_STATUSES or row.frequency == "8":
        return ZERO
    owed = row.total_charge - row.paid - row.patient_responsibility - row.written_down
    return max(owed, ZERO)


def claim_age(row: ClaimRow, *, as_of: dt.date, basis: str) -> int:
    start = row.submitted_on if basis == "submission" and row.submitted_on else \
        row.date_of_service
    return (as_of - start).days


@dataclass(frozen=True)
class AgingRow:
    payer: str
    amounts: tuple[Decimal, ...]  # one per bucket, in BUCKETS order
    claims: int

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass(frozen=True)
class Aging:
    as_of: dt.date
    basis: str
    rows: tuple[AgingRow, ...]  # one per payer with a balance, by name
    totals: tuple[Decimal, ...]  # per bucket
    placed: tuple[tuple[int, str], ...]  # (claim id, bucket key) for every claim with a balance

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO)

    @property
    def claims(self) -> int:
        return len(self.placed)

    @property
    def basis_label(self) -> str:
        return BASES[self.basis]


def ar_aging(rows: Iterable[ClaimRow], *, as_of: dt.date, basis: str = "service") -> Aging:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {sorted(BASES)}")
    index = {bucket.key: n for n, bucket in enumerate(BUCKETS)}
    per_payer: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(BUCKETS))
    counts: dict[str, int] = defaultdict(int)
    placed: list[tuple[int, str]] = []
    for row in rows:
        balance = claim_balance(row)
        if balance <= 0:
            continue
        bucket = bucket_for(claim_age(row, as_of=as_of, basis=basis))
        per_payer[row.payer][index[bucket.key]] += balance
        counts[row.payer] += 1
        placed.append((row.claim_id, bucket.key))
    table = tuple(AgingRow(payer, tuple(amounts), counts[payer])
                  for payer, amounts in sorted(per_payer.items(), key=lambda kv: kv[0].lower()))
    totals = tuple(sum((r.amounts[n] for r in table), ZERO) for n in range(len(BUCKETS)))
    return Aging(as_of, basis, table, totals, tuple(placed))


# --- collections --------------------------------------------------------------------------

PAYER, PATIENT = "payer", "patient"


@dataclass(frozen=True)
class PaymentRow:
    """Money received: from a payer (an 835's payment) or a patient (at the desk)."""

    source: str  # PAYER or PATIENT
    received_on: dt.date
    amount: Decimal
    modality: str | None = None  # of the visit it pays for; None: not tied to one


@dataclass(frozen=True)
class MonthCollections:
    year: int
    month: int
    payer: Decimal
    patient: Decimal

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def total(self) -> Decimal:
        return self.payer + self.patient


@dataclass(frozen=True)
class Collections:
    period: Period
    months: tuple[MonthCollections, ...]

    @property
    def payer(self) -> Decimal:
        return sum((m.payer for m in self.months), ZERO)

    @property
    def patient(self) -> Decimal:
        return sum((m.patient for m in self.months), ZERO)

    @property
    def total(self) -> Decimal:
        return self.payer + self.patient


def collections_by_month(payments: Iterable[PaymentRow], *, period: Period) -> Collections:
    """Every month of the period (months without money show zero); payments outside the
    period are left out."""
    sums: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    for payment in payments:
        if payment.received_on in period:
            day = payment.received_on
            sums[(day.year, day.month, payment.source)] += payment.amount
    return Collections(period, tuple(
        MonthCollections(y, m, sums[(y, m, PAYER)], sums[(y, m, PATIENT)])
        for y, m in period.months))


# --- revenue by modality ------------------------------------------------------------------

@dataclass(frozen=True)
class ChargeRow:
    modality: str
    date_of_service: dt.date
    amount: Decimal


@dataclass(frozen=True)
class ModalityRevenue:
    key: str
    label: str
    visits: int
    charges: Decimal
    collections: Decimal


@dataclass(frozen=True)
class ModalityReport:
    period: Period
    rows: tuple[ModalityRevenue, ...]  # video, audio only, in person (always all three)
    unattributed: Decimal  # collections not tied to a visit

    @property
    def charges(self) -> Decimal:
        return sum((r.charges for r in self.rows), ZERO)

    @property
    def collections(self) -> Decimal:
        return sum((r.collections for r in self.rows), self.unattributed)

    @property
    def telehealth_charges(self) -> Decimal:
        return sum((r.charges for r in self.rows if r.key in TELEHEALTH), ZERO)

    @property
    def telehealth_share(self) -> str:
        return percent(self.telehealth_charges, self.charges)


def revenue_by_modality(charges: Iterable[ChargeRow], payments: Iterable[PaymentRow], *,
                        period: Period) -> ModalityReport:
    """Charges by date of service in the period, collections received in the period, per
    modality. A modality the catalogue does not know is refused (ValueError)."""
    known = dict(MODALITIES)
    visits: dict[str, int] = defaultdict(int)
    billed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    received: dict[str, Decimal] = defaultdict(lambda: ZERO)
    unattributed = ZERO
    for charge in charges:
        if charge.modality not in known:
            raise ValueError(f"unknown modality {charge.modality!r}")
        if charge.date_of_service in period:
            visits[charge.modality] += 1
            billed[charge.modality] += charge.amount
    for payment in payments:
        if payment.received_on not in period:
            continue
        if payment.modality in known:
            received[payment.modality] += payment.amount
        else:
            unattributed += payment.amount
    return ModalityReport(period, tuple(
        ModalityRevenue(key, label, visits[key], billed[key], received[key])
        for key, label in MODALITIES), unattributed)


# --- bar charts ---------------------------------------------------------------------------

# Colours that keep 3:1 contrast with white and with each other's neighbours.
PALETTE = ("#1f5fa8", "#d9730d", "#3d7d2a", "#7a4fa0", "#b03a48")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str  # "Nov 2026, payers: $1,234.56" (the bar's own <title>)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class GroupLabel:
    x: float
    label: str
    sublabel: str = ""


@dataclass(frozen=True)
class LegendItem:
    x: float
    label: str
    fill: str


@dataclass(frozen=True)
class BarChart:
    title: str
    desc: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    groups: tuple[GroupLabel, ...]
    legend: tuple[LegendItem, ...]
    empty: bool

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


def nice_ceiling(value: Decimal) -> Decimal:
    """The chart's top line: the smallest 1, 2, 4, 6 or 8 times a power of ten at or above
    value (1 for nothing), so that its quarters (the grid lines) are round figures."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()  # 10^exponent <= value < 10^(exponent + 1)
    for step in ("1", "2", "4", "6", "8"):
        candidate = Decimal(step).scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(1).scaleb(exponent + 1)


@dataclass(frozen=True)
class Group:
    """One group of bars: its axis label (and a second line), the name its bars' titles
    use ("Nov 2026"), and one value per series."""

    label: str
    values: Sequence[Decimal]
    sublabel: str = ""
    name: str = ""


def bar_chart(*, title: str, desc: str, series: Sequence[str], groups: Sequence[Group],
              width: int = 400, height: int = 240, tick_count: int = 4) -> BarChart:
    """Grouped bars: one bar per series value in each group. Negative values are drawn as
    zero-height bars (the table beside shows the figure)."""
    left, right, top, bottom = 72.0, width - 12.0, 34.0, height - 40.0
    values = [v for group in groups for v in group.values]
    ceiling = nice_ceiling(max(values, default=ZERO))
    scale = (bottom - top) / float(ceiling)
    ticks = tuple(Tick(bottom - float(ceiling * n / tick_count) * scale,
                       money_whole(ceiling * n / tick_count)) for n in range(tick_count + 1))
    slot = (right - left) / max(len(groups), 1)
    bar_width = slot * 0.8 / max(len(series), 1)
    bars: list[Bar] = []
    labels: list[GroupLabel] = []
    for g, group in enumerate(groups):
        x0 = left + g * slot + slot * 0.1
        labels.append(GroupLabel(left + g * slot + slot / 2, group.label, group.sublabel))
        name = group.name or group.label
        for s, value in enumerate(group.values):
            h = max(float(value), 0.0) * scale
            bars.append(Bar(round(x0 + s * bar_width, 1), round(bottom - h, 1),
                            round(max(bar_width - 1, 1), 1), round(h, 1),
                            PALETTE[s % len(PALETTE)],
                            f"{name}, {series[s].lower()}: {money(value)}"
                            if len(series) > 1 else f"{name}: {money(value)}"))
    legend = tuple(LegendItem(left + n * 150, name, PALETTE[n % len(PALETTE)])
                   for n, name in enumerate(series)) if len(series) > 1 else ()
    return BarChart(title, desc, width, height, left, right, top, bottom, tuple(bars), ticks,
                    tuple(labels), legend, empty=not any(v > 0 for v in values))


def aging_chart(aging: Aging) -> BarChart:
    desc = "; ".join(f"{b.label}: {money(t)}" for b, t in zip(BUCKETS, aging.totals,
                                                                strict=True))
    return bar_chart(
        title=f"A/R by age from the {aging.basis_label}, all payers",
        desc=f"Outstanding {money(aging.total)} on {aging.claims} claims. {desc}.",
        series=["Outstanding"],
        groups=[Group(b.label.removesuffix(" days"), [t], "days", b.label)
                for b, t in zip(BUCKETS, aging.totals, strict=True)])


def collections_chart(collections: Collections) -> BarChart:
    months = collections.months
    desc = "; ".join(f"{m.label}: payers {money(m.payer)}, patients {money(m.patient)}"
                     for m in months)
    return bar_chart(
        title=f"Collections by month, {months[0].label} to {months[-1].label}" if months
        else "Collections by month",
        desc=f"Total {money(collections.total)}. {desc}.", series=["Payers", "Patients"],
        groups=[_month_group(n, m, crowded=len(months) > 12) for n, m in enumerate(months)])


def _month_group(n: int, month: MonthCollections, *, crowded: bool) -> Group:
    """"Nov" under its bars, the year under the first month and each January; with more
    than 12 months only every third month is labelled (the labels would overlap)."""
    shown = not crowded or n == 0 or month.month in (1, 4, 7, 10)
    return Group(MONTHS[month.month - 1] if shown else "", [month.payer, month.patient],
                 str(month.year) if n == 0 or month.month == 1 else "", month.label)


def modality_chart(report: ModalityReport) -> BarChart:
    desc = "; ".join(f"{r.label}: charges {money(r.charges)}, collections "
                     f"{money(r.collections)}" for r in report.rows)
    return bar_chart(
        title="Charges and collections by visit modality",
        desc=f"Telehealth is {report.telehealth_share} of charges. {desc}.",
        series=["Charges", "Collections"],
        groups=[Group(r.label, [r.charges, r.collections]) for r in report.rows])
