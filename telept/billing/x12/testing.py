"""Helpers for tests and the demo: a sample batch, and an 835 made for claims we built.

`build_835_for(claims, payments=...)` writes a valid 005010X221A1 remittance for claims from
a ClaimBatch: one CLP per claim (CLP01 = our CLM01), one SVC per line, the CAS adjustments
and remark codes you ask for. `parse_835` reads it back (test_x12_835.py holds the round trip).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from telept.billing.x12.build import COMPONENT, ELEMENT, REPETITION, SEGMENT, _money
from telept.billing.x12.model import (
    Address,
    Adjustment,
    BillingProvider,
    Claim,
    ClaimBatch,
    Payer,
    Receiver,
    RenderingProvider,
    ServiceLine,
    Submitter,
    Subscriber,
)

ZERO = Decimal("0")

# A valid NPI (Luhn over 80840 + the first nine digits) for samples: 1234567893.
SAMPLE_NPI = "1234567893"
SAMPLE_RENDERING_NPI = "1245319599"


def sample_batch(claims: Sequence[Claim] = (), *, payer: Payer | None = None,
                 created_at: dt.datetime | None = None) -> ClaimBatch:
    """A batch from a made-up practice to a made-up clearinghouse (claims default: one)."""
    return ClaimBatch(
        submitter=Submitter(name="Riverside Physical Therapy", submitter_id="RIVERSIDEPT",
                            contact_name="Billing Office", phone="5551234567",
                            email="billing@riverside.example"),
        receiver=Receiver(name="Example Clearinghouse", receiver_id="CLEARINGHOUSE"),
        billing_provider=BillingProvider(
            name="Riverside Physical Therapy", npi=SAMPLE_NPI, taxonomy="225100000X",
            tax_id="12-3456789",
            address=Address(line1="100 Main Street", city="Springfield", state="IL",
                            postal_code="62701-1234"),
        ),
        payer=payer or Payer(name="Medicare Part B", payer_id="00952"),
        claims=tuple(claims) or (sample_claim(),),
        created_at=created_at or dt.datetime(2026, 3, 2, 9, 30),
    )


def sample_subscriber(**overrides: object) -> Subscriber:
    values: dict[str, object] = dict(
        last_name="Doe", first_name="Jane", member_id="1EG4TE5MK73",
        birth_date=dt.date(1958, 4, 12), sex="F",
        address=Address(line1="12 Elm Street", city="Springfield", state="IL",
                        postal_code="62704"),
        claim_filing="MB",
    )
    values.update(overrides)
    return Subscriber(**values)  # type: ignore[arg-type]


def sample_claim(claim_id: str = "TPT-1", **overrides: object) -> Claim:
    day = dt.date(2026, 2, 26)
    values: dict[str, object] = dict(
        claim_id=claim_id,
        subscriber=sample_subscriber(),
        pos="10",
        diagnoses=("M54.50",),
        lines=(
            ServiceLine(code="97110", charge=Decimal("120.00"), units=2, service_date=day,
                        modifiers=("GP", "95")),
            ServiceLine(code="97140", charge=Decimal("55.00"), units=1, service_date=day,
                        modifiers=("GP", "95")),
        ),
        rendering=RenderingProvider(last_name="Smith", first_name="Alex",
                                    npi=SAMPLE_RENDERING_NPI, taxonomy="225100000X"),
    )
    values.update(overrides)
    return Claim(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LinePayment:
    """What the payer did with one line: paid, adjustments, remark codes."""

    paid: Decimal
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimPayment:
    """What the payer did with one claim. `lines` aligns with claim.lines; a line with no
    entry is paid in full. `status`: CLP02 (1 primary, 2 secondary, 4 denied, 22 reversal)."""

    lines: tuple[LinePayment, ...] = ()
    status: str = "1"
    payer_claim_number: str = ""
    claim_adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()  # MOA remark codes on the claim


@dataclass(frozen=True)
class Remit:
    """The 835's header facts."""

    check_number: str = "EFT0001"
    paid_on: dt.date = dt.date(2026, 3, 16)
    method: str = "ACH"  # BPR04: ACH (EFT), CHK (check), NON (no payment)
    payer_name: str = "Medicare Part B"
    payer_id: str = "00952"
    payee_name: str = "Riverside Physical Therapy"
    payee_npi: str = SAMPLE_NPI


def build_835_for(
    claims: Sequence[Claim],
    payments: Mapping[str, ClaimPayment] | None = None,
    *,
    remit: Remit | None = None,
    control_number: int = 1,
    newlines: bool = True,
) -> str:
    """An 835 paying `claims` as `payments` (by claim id) says; unlisted claims paid in full."""
    payments = payments or {}
    remit = remit or Remit()
    segs: list[list[str]] = []

    def seg(*elements: str) -> None:
        values = list(elements)
        while values and values[-1] == "":
            values.pop()
        segs.append(values)

    body: list[list[str]] = []
    total = ZERO
    for claim in claims:
        payment = payments.get(claim.claim_id, ClaimPayment())
        claim_segs, paid = _clp(claim, payment, remit)
        body += claim_segs
        total += paid

    ctl9 = f"{control_number:09d}"
    ctl_st = f"{control_number:04d}"
    stamp = dt.datetime.combine(remit.paid_on, dt.time(8, 0))
    seg("ISA", "00", " " * 10, "00", " " * 10, "ZZ", remit.payer_id.ljust(15), "ZZ",
        "RIVERSIDEPT".ljust(15), stamp.strftime("%y%m%d"), stamp.strftime("%H%M"), REPETITION,
        "00501", ctl9, "0", "P", COMPONENT)
    seg("GS", "HP", remit.payer_id, "RIVERSIDEPT", stamp.strftime("%Y%m%d"),
        stamp.strftime("%H%M"), str(control_number), "X", "005010X221A1")
    start = len(segs)
    seg("ST", "835", ctl_st)  # X221A1 marks ST03 "not used"
    method = remit.method if total > 0 else "NON"
    bpr = ["BPR", "I" if method != "NON" else "H", _money(total), "C", method]
    if method == "ACH":
        bpr += ["CCP", "01", "999999999", "DA", "123456", "1512345678", "", "01", "999988880",
                "DA", "98765", remit.paid_on.strftime("%Y%m%d")]
    else:
        bpr += ["", "", "", "", "", "", "", "", "", "", "", remit.paid_on.strftime("%Y%m%d")]
    seg(*bpr)
    seg("TRN", "1", remit.check_number, "1512345678")
    seg("DTM", "405", remit.paid_on.strftime("%Y%m%d"))
    seg("N1", "PR", remit.payer_name.upper())
    seg("N3", "PO BOX 1000")
    seg("N4", "SPRINGFIELD", "IL", "627010000")
    seg("REF", "2U", remit.payer_id)
    seg("PER", "BL", "PROVIDER SERVICES", "TE", "8005551234")
    seg("N1", "PE", remit.payee_name.upper(), "XX", remit.payee_npi)
    seg("LX", "1")
    segs.extend(body)
    seg("SE", str(len(segs) - start + 1), ctl_st)
    seg("GE", "1", str(control_number))
    seg("IEA", "1", ctl9)
    end = SEGMENT + ("\n" if newlines else "")
    return end.join(ELEMENT.join(s) for s in segs) + end


def _clp(claim: Claim, payment: ClaimPayment, remit: Remit) -> tuple[list[list[str]], Decimal]:
    segs: list[list[str]] = []

    def seg(*elements: str) -> None:
        values = list(elements)
        while values and values[-1] == "":
            values.pop()
        segs.append(values)

    lines = list(payment.lines) + [LinePayment(paid=line.charge)
                                   for line in claim.lines[len(payment.lines):]]
    paid = sum((lp.paid for lp in lines), ZERO)
    patient_resp = sum((a.amount for lp in lines for a in lp.adjustments if a.group == "PR"),
                       ZERO) + sum((a.amount for a in payment.claim_adjustments
                                    if a.group == "PR"), ZERO)
    paid -= sum((a.amount for a in payment.claim_adjustments), ZERO)
    status = payment.status
    seg("CLP", claim.claim_id, status, _money(claim.total_charge), _money(paid),
        _money(patient_resp) if patient_resp else "", "MB" if claim.subscriber.claim_filing == "MB"
        else "12", payment.payer_claim_number or f"PCN{claim.claim_id}", "11", claim.frequency)
    for cas in _cas_groups(payment.claim_adjustments):
        seg(*cas)
    seg("NM1", "QC", "1", claim.subscriber.last_name.upper(), claim.subscriber.first_name.upper(),
        "", "", "", "MI", claim.subscriber.member_id)
    if payment.remarks:
        seg("MOA", "", "", *payment.remarks[:5])
    first_day = min(line.service_date for line in claim.lines)
    last_day = max(line.service_date for line in claim.lines)
    seg("DTM", "232", first_day.strftime("%Y%m%d"))
    seg("DTM", "233", last_day.strftime("%Y%m%d"))
    for line, lp in zip(claim.lines, lines, strict=True):
        _svc(seg, line, lp)
    return segs, paid


def _svc(seg: Callable[..., None], line: ServiceLine, lp: LinePayment) -> None:
    procedure = COMPONENT.join(("HC", line.code, *line.modifiers))
    seg("SVC", procedure, _money(line.charge), _money(lp.paid), "", str(line.units))
    seg("DTM", "472", line.service_date.strftime("%Y%m%d"))
    for cas in _cas_groups(lp.adjustments):
        seg(*cas)
    if line.line_id:
        seg("REF", "6R", line.line_id)
    for remark in lp.remarks:
        seg("LQ", "HE", remark)


def _cas_groups(adjustments: Sequence[Adjustment]) -> list[list[str]]:
    by_group: dict[str, list[Adjustment]] = {}
    for adj in adjustments:
        by_group.setdefault(adj.group, []).append(adj)
    out = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements = ["CAS", group]
            for adj in items[start:start + 6]:
                elements += [adj.reason, _money(adj.amount), ""]
            while elements[-1] == "":
                elements.pop()
            out.append(elements)
    return out
