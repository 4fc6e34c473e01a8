"""Read an 835 (005010X221A1) remittance into plain data.

`parse_835(text) -> Remittance` for a file with one payment (one ST..SE), `parse_835_all`
for files that carry several. Anything malformed — not X12, another transaction or version,
a truncated file, a segment terminator that cannot be right, a count that does not add up, an
amount that is not a number — raises `Malformed835`, a DomainError whose message names what
is wrong and where ("segment 14 (CLP), element CLP03: '12x' is not an amount"); never a bare
exception.

What it reads (X221A1 loops): BPR payment (amount, method ACH/CHK/NON..., date), TRN check or
EFT trace number, DTM*405 production date, 1000A payer N1 (+ REF*2U/PER), 1000B payee N1;
per 2100 claim: CLP (CLP01 = our claim id, status, charge, paid, patient responsibility,
payer claim control number), CAS, NM1*QC patient, MOA/MIA remark codes, DTM statement
dates; per 2110 line: SVC, DTM, CAS, REF*6R, AMT*B6 allowed, LQ*HE remark codes; PLB
provider adjustments.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from telept.billing.x12.carc import carc_description, rarc_description
from telept.lib.errors import DomainError

VERSION = "005010X221A1"
ZERO = Decimal("0")

CLAIM_STATUS = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "3": "Processed as tertiary",
    "4": "Denied",
    "19": "Processed as primary, forwarded to additional payer(s)",
    "20": "Processed as secondary, forwarded to additional payer(s)",
    "21": "Processed as tertiary, forwarded to additional payer(s)",
    "22": "Reversal of previous payment",
    "23": "Not our claim, forwarded to additional payer(s)",
    "25": "Predetermination pricing only, no payment",
}

PAYMENT_METHOD = {
    "ACH": "Electronic funds transfer (ACH)",
    "BOP": "Financial institution option",
    "CHK": "Check",
    "FWT": "Federal Reserve wire transfer",
    "NON": "No payment",
}

ADJUSTMENT_GROUP = {
    "CO": "Contractual obligation",
    "CR": "Correction and reversal",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "PR": "Patient responsibility",
}


class Malformed835(DomainError):
    """An 835 we cannot read. `segment` is the 1-based segment ordinal (0: the file)."""

    def __init__(self, message: str, *, segment: int = 0, segment_id: str = "",
                 element: str = "") -> None:
        where = ""
        if segment:
            where = f"segment {segment}" + (f" ({segment_id})" if segment_id else "")
            if element:
                where += f", element {element}"
            where += ": "
        super().__init__("remittance_malformed", f"{where}{message}")
        self.segment = segment
        self.segment_id = segment_id
        self.element = element


@dataclass(frozen=True)
class CasAdjustment:
    group: str  # CAS01: CO, PR, OA, PI, CR
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None

    @property
    def description(self) -> str:
        return carc_description(self.reason)

    @property
    def group_label(self) -> str:
        return ADJUSTMENT_GROUP.get(self.group, self.group)


@dataclass(frozen=True)
class Remark:
    code: str  # RARC, e.g. N130, M15, MA130

    @property
    def description(self) -> str:
        return rarc_description(self.code)


@dataclass(frozen=True)
class RemitLine:
    code: str  # SVC01-2 (the code as adjudicated)
    modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units: Decimal  # SVC05 (1 when absent)
    submitted_code: str = ""  # SVC06-2 when the payer changed the code
    service_date: dt.date | None = None  # DTM*472 (or 150)
    adjustments: tuple[CasAdjustment, ...] = ()
    remarks: tuple[Remark, ...] = ()  # LQ*HE
    line_id: str = ""  # REF*6R, our line item control number when we sent one
    allowed: Decimal | None = None  # AMT*B6


@dataclass(frozen=True)
class RemitClaim:
    claim_id: str  # CLP01 = our CLM01
    status: str  # CLP02
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05 (0 when absent)
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07, needed for a corrected (7) or void (8) claim
    frequency: str = ""  # CLP09
    adjustments: tuple[CasAdjustment, ...] = ()  # claim-level CAS
    remarks: tuple[Remark, ...] = ()  # MOA/MIA
    patient_name: str = ""  # NM1*QC "LAST, FIRST"
    member_id: str = ""  # NM1*QC NM109
    statement_from: dt.date | None = None  # DTM*232
    statement_to: dt.date | None = None  # DTM*233
    received_on: dt.date | None = None  # DTM*050
    lines: tuple[RemitLine, ...] = ()

    @property
    def status_label(self) -> str:
        return CLAIM_STATUS.get(self.status, f"Status {self.status}")

    @property
    def denied(self) -> bool:
        return self.status == "4"

    @property
    def reversal(self) -> bool:
        return self.status == "22"

    def all_adjustments(self) -> tuple[CasAdjustment, ...]:
        """Claim-level and line-level adjustments together."""
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)


@dataclass(frozen=True)
class ProviderAdjustment:
    reason: str  # PLB03-1 (e.g. WO overpayment recovery, L6 interest)
    reference: str  # PLB03-2
    amount: Decimal  # positive: taken from the payment


@dataclass(frozen=True)
class Remittance:
    interchange_control: str  # ISA13
    transaction_control: str  # ST02
    handling: str  # BPR01 (I remittance with payment, H notification only, ...)
    payment_amount: Decimal  # BPR02
    credit_debit: str  # BPR03
    payment_method: str  # BPR04: ACH, CHK, NON, ...
    payment_date: dt.date | None  # BPR16
    trace_number: str  # TRN02: the check number or EFT trace number
    originator: str  # TRN03
    payer_name: str  # N1*PR N102
    payer_id: str  # REF*2U, else N1*PR N104, else TRN03
    payee_name: str  # N1*PE N102
    payee_id: str  # N1*PE N104 (NPI with XX)
    production_date: dt.date | None = None  # DTM*405
    claims: tuple[RemitClaim, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()

    @property
    def payment_method_label(self) -> str:
        return PAYMENT_METHOD.get(self.payment_method, self.payment_method)


# --- reading -------------------------------------------------------------------------------


def parse_835(text: str) -> Remittance:
    """The one payment an 835 file carries (Malformed835 if there are several)."""
    found = parse_835_all(text)
    if len(found) != 1:
        raise Malformed835(f"The file holds {len(found)} payments (ST..SE transaction sets); "
                           "import them one at a time.")
    return found[0]


def parse_835_all(text: str) -> list[Remittance]:
    """Every payment (ST..SE) of an 835 file, in file order."""
    segments = _split(text)
    return _Reader(segments).read()


_ISA_LENGTH = 106


def _split(text: str) -> list[list[str]]:
    if not isinstance(text, str):
        raise Malformed835("The file is not text.")
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise Malformed835("The file is empty.")
    if not body.startswith("ISA"):
        raise Malformed835("This is not an X12 file: it does not start with an ISA segment.")
    if len(body) < _ISA_LENGTH:
        raise Malformed835("The file ends inside its ISA header (an ISA segment is 106 "
                           "characters): it is truncated.")
    element = body[3]
    terminator = body[105]
    component = body[104]
    if element in string.ascii_letters + string.digits + " ":
        raise Malformed835(f"The ISA element separator {element!r} cannot be right.")
    if terminator in string.ascii_letters + string.digits + " " + element + component:
        raise Malformed835(
            f"The segment terminator {terminator!r} (character 106, after ISA16) cannot be "
            "right: the ISA header is not 106 characters, or the terminator is a letter, a "
            "digit or another separator.")
    isa = body[:105].split(element)
    if len(isa) != 17:
        raise Malformed835(f"The ISA segment has {len(isa) - 1} elements instead of 16.",
                           segment=1, segment_id="ISA")
    if terminator not in body[106:] and len(body.rstrip()) > _ISA_LENGTH:
        raise Malformed835(f"No segment after ISA ends with the terminator {terminator!r}.")
    segments = []
    for raw in body.split(terminator):
        raw = raw.strip("\r\n\t ")
        if raw:
            segments.append(raw.split(element))
    return segments


class _Reader:
    def __init__(self, segments: list[list[str]]) -> None:
        self.segs = segments
        self.i = 0

    # -- cursor --

    def peek(self) -> str:
        return self.segs[self.i][0] if self.i < len(self.segs) else ""

    def take(self, seg_id: str | None = None) -> list[str]:
        if self.i >= len(self.segs):
            raise Malformed835(f"The file ends before {seg_id or 'its trailer'}: it is "
                               "truncated.")
        seg = self.segs[self.i]
        if seg_id is not None and seg[0] != seg_id:
            raise Malformed835(f"Expected {seg_id} here, found {seg[0]}.", segment=self.i + 1,
                               segment_id=seg[0])
        self.i += 1
        return seg

    def fail(self, message: str, seg: list[str], pos: int | None = None) -> Malformed835:
        n = self.i  # the segment just taken
        element = f"{seg[0]}{pos:02d}" if pos is not None else ""
        return Malformed835(message, segment=n, segment_id=seg[0], element=element)

    def el(self, seg: list[str], pos: int, *, required: bool = False) -> str:
        value = seg[pos].strip() if pos < len(seg) else ""
        if required and not value:
            raise self.fail("a required element is missing.", seg, pos)
        return value

    def amount(self, seg: list[str], pos: int, *, required: bool = True) -> Decimal:
        value = self.el(seg, pos, required=required)
        if not value:
            return ZERO
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise self.fail(f"{value!r} is not an amount.", seg, pos) from None
        if not amount.is_finite():
            raise self.fail(f"{value!r} is not an amount.", seg, pos)
        return amount

    def date(self, seg: list[str], pos: int) -> dt.date | None:
        value = self.el(seg, pos)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            raise self.fail(f"{value!r} is not a date (CCYYMMDD).", seg, pos) from None

    def composite(self, value: str) -> list[str]:
        return value.split(self.component)

    # -- structure --

    def read(self) -> list[Remittance]:
        isa = self.take("ISA")
        self.component = isa[16][:1] if len(isa) > 16 and isa[16] else ":"
        if self.el(isa, 12) != "00501":
            raise self.fail(f"version {self.el(isa, 12)!r} is not 00501 (X12 5010).", isa, 12)
        isa13 = self.el(isa, 13)
        out: list[Remittance] = []
        groups = 0
        while self.peek() == "GS":
            out += self.group()
            groups += 1
        if self.peek() != "IEA":
            if self.i >= len(self.segs):
                raise Malformed835("The file ends without its IEA trailer: it is truncated.")
            seg = self.take()
            raise self.fail(f"expected GS or IEA here, found {seg[0]}.", seg)
        iea = self.take("IEA")
        if self.el(iea, 2) != isa13:
            raise self.fail(f"IEA02 {self.el(iea, 2)!r} does not match ISA13 {isa13!r}.", iea, 2)
        if self.el(iea, 1) != str(groups):
            raise self.fail(f"IEA01 says {self.el(iea, 1)} groups, the file has {groups}.",
                            iea, 1)
        if self.i < len(self.segs):
            extra = self.take()
            raise self.fail("there is data after the IEA trailer.", extra)
        if not out:
            raise Malformed835("The file holds no 835 transaction.")
        return out

    def group(self) -> list[Remittance]:
        gs = self.take("GS")
        if self.el(gs, 1) != "HP":
            raise self.fail(f"functional group {self.el(gs, 1)!r} is not HP (health care claim "
                            "payment): this is not an 835.", gs, 1)
        if self.el(gs, 8) != VERSION:
            raise self.fail(f"version {self.el(gs, 8)!r} is not {VERSION}.", gs, 8)
        gs06 = self.el(gs, 6)
        out = []
        while self.peek() == "ST":
            out.append(self.transaction())
        if self.i >= len(self.segs):
            raise Malformed835("The file ends without its GE trailer: it is truncated.")
        ge = self.take("GE")
        if self.el(ge, 2) != gs06:
            raise self.fail(f"GE02 {self.el(ge, 2)!r} does not match GS06 {gs06!r}.", ge, 2)
        if self.el(ge, 1) != str(len(out)):
            raise self.fail(f"GE01 says {self.el(ge, 1)} transactions, the group has "
                            f"{len(out)}.", ge, 1)
        return out

    def transaction(self) -> Remittance:
        start = self.i
        st = self.take("ST")
        if self.el(st, 1) != "835":
            raise self.fail(f"transaction {self.el(st, 1)!r} is not an 835.", st, 1)
        if self.el(st, 3) and self.el(st, 3) != VERSION:
            raise self.fail(f"version {self.el(st, 3)!r} is not {VERSION}.", st, 3)
        st02 = self.el(st, 2, required=True)
        isa13 = self.el(self.segs[0], 13)

        bpr = self.take("BPR")
        handling = self.el(bpr, 1, required=True)
        payment = self.amount(bpr, 2)
        credit = self.el(bpr, 3, required=True)
        method = self.el(bpr, 4, required=True)
        paid_on = self.date(bpr, 16)
        trn = self.take("TRN")
        trace = self.el(trn, 2, required=True)
        originator = self.el(trn, 3)
        production = None
        payer_name = payer_id = payee_name = payee_id = ""
        payer_ref = ""
        while self.peek() in ("CUR", "REF", "DTM"):
            seg = self.take()
            if seg[0] == "DTM" and self.el(seg, 1) == "405":
                production = self.date(seg, 2)
        while self.peek() == "N1":
            n1 = self.take("N1")
            if self.el(n1, 1) == "PR":
                payer_name = self.el(n1, 2)
                payer_id = self.el(n1, 4)
            elif self.el(n1, 1) == "PE":
                payee_name = self.el(n1, 2)
                payee_id = self.el(n1, 4)
            while self.peek() in ("N3", "N4", "REF", "PER", "RDM"):
                seg = self.take()
                if seg[0] == "REF" and self.el(seg, 1) == "2U" and self.el(n1, 1) == "PR":
                    payer_ref = self.el(seg, 2)
        if not payer_name:
            raise Malformed835("The file names no payer (N1*PR is missing).")

        claims: list[RemitClaim] = []
        while self.peek() == "LX":
            self.take("LX")
            while self.peek() in ("TS3", "TS2"):
                self.take()
            if self.peek() != "CLP":
                seg = self.take() if self.i < len(self.segs) else ["(end)"]
                raise self.fail("a header number (LX) must be followed by a claim (CLP).", seg)
            while self.peek() == "CLP":
                claims.append(self.claim())
        plb: list[ProviderAdjustment] = []
        while self.peek() == "PLB":
            plb += self.provider_adjustments(self.take("PLB"))
        if self.i >= len(self.segs):
            raise Malformed835("The file ends without its SE trailer: it is truncated.")
        if self.peek() != "SE":
            seg = self.take()
            raise self.fail(f"{seg[0]} is not expected here (is a segment missing or out of "
                            "order?).", seg)
        se = self.take("SE")
        count = self.i - start
        if self.el(se, 1) != str(count):
            raise self.fail(f"SE01 says {self.el(se, 1)} segments, the transaction has {count}: "
                            "the file is truncated or altered.", se, 1)
        if self.el(se, 2) != st02:
            raise self.fail(f"SE02 {self.el(se, 2)!r} does not match ST02 {st02!r}.", se, 2)
        return Remittance(
            interchange_control=isa13, transaction_control=st02, handling=handling,
            payment_amount=payment, credit_debit=credit, payment_method=method,
            payment_date=paid_on, trace_number=trace, originator=originator,
            payer_name=payer_name, payer_id=payer_ref or payer_id or originator,
            payee_name=payee_name, payee_id=payee_id, production_date=production,
            claims=tuple(claims), provider_adjustments=tuple(plb),
        )

    def claim(self) -> RemitClaim:
        clp = self.take("CLP")
        claim_id = self.el(clp, 1, required=True)
        status = self.el(clp, 2, required=True)
        charge = self.amount(clp, 3)
        paid = self.amount(clp, 4)
        patient = self.amount(clp, 5, required=False)
        filing = self.el(clp, 6)
        pcn = self.el(clp, 7)
        frequency = self.el(clp, 9)
        adjustments: list[CasAdjustment] = []
        remarks: list[Remark] = []
        name = member = ""
        dates: dict[str, dt.date | None] = {}
        while self.peek() in ("CAS", "NM1", "MIA", "MOA", "REF", "DTM", "PER", "AMT", "QTY"):
            seg = self.take()
            if seg[0] == "CAS":
                adjustments += self.cas(seg)
            elif seg[0] == "NM1" and self.el(seg, 1) == "QC":
                last, first = self.el(seg, 3), self.el(seg, 4)
                name = f"{last}, {first}" if first else last
                member = self.el(seg, 9)
            elif seg[0] == "MOA":
                remarks += [Remark(c) for c in (self.el(seg, p) for p in range(3, 8)) if c]
            elif seg[0] == "MIA":
                remarks += [Remark(c) for c in (self.el(seg, p) for p in (5, 20, 21, 22, 23)) if c]
            elif seg[0] == "DTM":
                dates[self.el(seg, 1)] = self.date(seg, 2)
        lines: list[RemitLine] = []
        while self.peek() == "SVC":
            lines.append(self.line())
        return RemitClaim(
            claim_id=claim_id, status=status, charge=charge, paid=paid,
            patient_responsibility=patient, filing_indicator=filing, payer_claim_number=pcn,
            frequency=frequency, adjustments=tuple(adjustments), remarks=tuple(remarks),
            patient_name=name, member_id=member, statement_from=dates.get("232"),
            statement_to=dates.get("233"), received_on=dates.get("050"), lines=tuple(lines),
        )

    def line(self) -> RemitLine:
        svc = self.take("SVC")
        procedure = self.composite(self.el(svc, 1, required=True))
        if len(procedure) < 2 or not procedure[1]:
            raise self.fail(f"{self.el(svc, 1)!r} is not a procedure (qualifier:code).", svc, 1)
        charge = self.amount(svc, 2)
        paid = self.amount(svc, 3)
        units = self.amount(svc, 5, required=False) or Decimal("1")
        submitted = self.composite(self.el(svc, 6)) if self.el(svc, 6) else []
        service_date = None
        adjustments: list[CasAdjustment] = []
        remarks: list[Remark] = []
        line_id = ""
        allowed = None
        while self.peek() in ("DTM", "CAS", "REF", "AMT", "QTY", "LQ"):
            seg = self.take()
            if seg[0] == "DTM" and self.el(seg, 1) in ("472", "150"):
                service_date = self.date(seg, 2)
            elif seg[0] == "CAS":
                adjustments += self.cas(seg)
            elif seg[0] == "REF" and self.el(seg, 1) == "6R":
                line_id = self.el(seg, 2)
            elif seg[0] == "AMT" and self.el(seg, 1) == "B6":
                allowed = self.amount(seg, 2)
            elif seg[0] == "LQ" and self.el(seg, 1) == "HE":
                remarks.append(Remark(self.el(seg, 2, required=True)))
        return RemitLine(
            code=procedure[1], modifiers=tuple(m for m in procedure[2:6] if m), charge=charge,
            paid=paid, units=units, submitted_code=submitted[1] if len(submitted) > 1 else "",
            service_date=service_date, adjustments=tuple(adjustments), remarks=tuple(remarks),
            line_id=line_id, allowed=allowed,
        )

    def cas(self, seg: list[str]) -> list[CasAdjustment]:
        group = self.el(seg, 1, required=True)
        if group not in ADJUSTMENT_GROUP:
            raise self.fail(f"{group!r} is not an adjustment group (CO, CR, OA, PI, PR).",
                            seg, 1)
        found = []
        for pos in range(2, 20, 3):
            reason = self.el(seg, pos)
            if not reason:
                if pos == 2:
                    raise self.fail("a required element is missing.", seg, 2)
                continue
            amount = self.amount(seg, pos + 1)
            quantity = self.el(seg, pos + 2)
            found.append(CasAdjustment(group, reason, amount,
                                       self.amount(seg, pos + 2) if quantity else None))
        return found

    def provider_adjustments(self, seg: list[str]) -> list[ProviderAdjustment]:
        found = []
        for pos in range(3, 15, 2):
            value = self.el(seg, pos)
            if not value:
                continue
            parts = self.composite(value)
            found.append(ProviderAdjustment(parts[0], parts[1] if len(parts) > 1 else "",
                                            self.amount(seg, pos + 1)))
        return found
