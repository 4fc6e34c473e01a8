"""Our own 837P 005010X222A1 builder: a ClaimBatch in, the X12 text out.

No PyPI generator produces a valid 837P here (TECH-NOTES, "Claims"), so this writes the
segments itself, in the order of pyx12's X222A1 map (RULES §4.1). Every file it writes is
meant to pass `validate_837p`; the test matrix in telept/billing/tests/test_x12_build.py
holds it to that.

One batch = one payer = one interchange (ISA..IEA) holding one functional group (GS..GE)
holding one transaction set (ST..SE). The caller passes a control number that is unique per
sender (the claims service draws it from a database sequence); it becomes ISA13 (9 digits),
GS06 and ST02 (at least 4 digits) and BHT03 unless the batch names its own reference.

What the builder refuses (BuildError, naming the claim and the field): what X12 cannot
express or X222A1 forbids outright — no lines, more than 50 lines, more than 12 diagnoses,
more than 4 modifiers, a pointer to a diagnosis that is not there, units below one, a corrected
or void claim without the payer's claim number. Whether a code is billable, an NPI's check
digit and the other trade rules are the scrubber's (telept/billing/rules/scrubber.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from telept.billing.x12.model import (
    RELATIONSHIP_SELF,
    Address,
    Adjustment,
    Claim,
    ClaimBatch,
    OtherCoverage,
    Patient,
    ServiceLine,
    Subscriber,
)
from telept.lib.errors import DomainError

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
VERSION = "005010X222A1"

MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_MODIFIERS = 4
MAX_POINTERS = 4
MAX_OTHER_COVERAGE = 10
MAX_CLAIMS_PER_HL = 100

# Characters outside the X12 extended character set, and our own delimiters, are dropped
# from free text; runs of spaces are collapsed.
_UNSAFE = re.compile(r"[^A-Za-z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]")
_SPACES = re.compile(r"\s+")


class BuildError(DomainError):
    """A batch the builder cannot write. `claim_id` and `field` say which part."""

    def __init__(self, message: str, *, claim_id: str = "", field: str = "") -> None:
        super().__init__("claim_unbuildable", message, field=field or None)
        self.claim_id = claim_id


def build_837p(batch: ClaimBatch, control_number: int, *, newlines: bool = True) -> str:
    """The 837P text for one payer's batch. `newlines` puts each segment on its own line
    (after the terminator), which receivers ignore and people can read."""
    if not 1 <= control_number <= 999_999_999:
        raise BuildError("The control number must be between 1 and 999999999.",
                         field="control_number")
    if not batch.claims:
        raise BuildError("A batch needs at least one claim.", field="claims")
    for claim in batch.claims:
        _check_claim(claim)

    out = _Writer()
    ctl9 = f"{control_number:09d}"
    ctl_st = f"{control_number:04d}"
    when = batch.created_at
    sender = _id(batch.submitter.submitter_id, 15)
    receiver = _id(batch.receiver.receiver_id, 15)

    # ISA is fixed width: every element padded to its exact size.
    out.seg(
        "ISA", "00", " " * 10, "00", " " * 10,
        "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
        when.strftime("%y%m%d"), when.strftime("%H%M"), REPETITION, "00501", ctl9,
        "0", batch.usage, COMPONENT,
    )
    out.seg("GS", "HC", sender, receiver, when.strftime("%Y%m%d"), when.strftime("%H%M"),
            str(control_number), "X", VERSION)
    st_start = out.count
    out.seg("ST", "837", ctl_st, VERSION)
    out.seg("BHT", "0019", "00", _text(batch.reference or ctl_st, 30),
            when.strftime("%Y%m%d"), when.strftime("%H%M"), "CH")

    # 1000A submitter, 1000B receiver.
    sub = batch.submitter
    out.seg("NM1", "41", "2", _text(sub.name, 60), "", "", "", "", "46", _id(sub.submitter_id, 80))
    per = ["PER", "IC", _text(sub.contact_name, 60), "TE", _digits(sub.phone)]
    if sub.email:
        per += ["EM", _text(sub.email, 256)]
    out.seg(*per)
    rec = batch.receiver
    out.seg("NM1", "40", "2", _text(rec.name, 60), "", "", "", "", "46", _id(rec.receiver_id, 80))

    # 2000A billing provider.
    bp = batch.billing_provider
    hl = 1
    out.seg("HL", str(hl), "", "20", "1")
    out.seg("PRV", "BI", "PXC", _id(bp.taxonomy, 50))
    out.seg("NM1", "85", "2", _text(bp.name, 60), "", "", "", "", "XX", _digits(bp.npi))
    _address(out, bp.address)
    out.seg("REF", "EI", _digits(bp.tax_id))
    if bp.phone:
        out.seg("PER", "IC", _text(bp.contact_name or bp.name, 60), "TE", _digits(bp.phone))
    billing_hl = hl

    # 2000B per (subscriber, patient): claims of the subscriber themself sit in 2000B; a
    # dependant's claims sit in a 2000C under their subscriber.
    for (subscriber, patient), claims in _groups(batch.claims):
        hl += 1
        subscriber_hl = hl
        out.seg("HL", str(hl), str(billing_hl), "22", "0" if patient is None else "1")
        _sbr(out, subscriber, patient)
        name = ["NM1", "IL", "1", _text(subscriber.last_name, 60), _text(subscriber.first_name, 35),
                _text(subscriber.middle_name, 25), "", "", "MI", _id(subscriber.member_id, 80)]
        out.seg(*name)
        _address(out, subscriber.address)
        out.seg("DMG", "D8", _date(subscriber.birth_date), subscriber.sex)
        payer = batch.payer
        out.seg("NM1", "PR", "2", _text(payer.name, 60), "", "", "", "", "PI",
                _id(payer.payer_id, 80))
        if payer.address is not None:
            _address(out, payer.address)
        if patient is not None:
            hl += 1
            out.seg("HL", str(hl), str(subscriber_hl), "23", "0")
            out.seg("PAT", patient.relationship)
            out.seg("NM1", "QC", "1", _text(patient.last_name, 60), _text(patient.first_name, 35),
                    _text(patient.middle_name, 25))
            _address(out, patient.address)
            out.seg("DMG", "D8", _date(patient.birth_date), patient.sex)
        for claim in claims:
            _claim(out, claim)

    out.seg("SE", str(out.count - st_start + 1), ctl_st)
    out.seg("GE", "1", str(control_number))
    out.seg("IEA", "1", ctl9)
    return out.text(newlines=newlines)


# --- parts -------------------------------------------------------------------------------


def _sbr(out: _Writer, subscriber: Subscriber, patient: Patient | None) -> None:
    out.seg(
        "SBR", subscriber.responsibility, RELATIONSHIP_SELF if patient is None else "",
        _text(subscriber.group_number, 50), _text(subscriber.group_name, 60),
        subscriber.insurance_type, "", "", "", subscriber.claim_filing,
    )


def _claim(out: _Writer, claim: Claim) -> None:
    out.seg(
        "CLM", _text(claim.claim_id, 38), _money(claim.total_charge), "", "",
        COMPONENT.join((claim.pos, "B", claim.frequency)),
        "Y" if claim.provider_signature else "N", claim.assignment,
        "Y" if claim.benefits_assigned else "N", claim.release_of_information,
    )
    if claim.prior_authorization:
        out.seg("REF", "G1", _text(claim.prior_authorization, 50))
    if claim.frequency in ("7", "8"):
        out.seg("REF", "F8", _text(claim.original_claim_number, 50))
    codes = [icd10(code) for code in claim.diagnoses]
    out.seg("HI", *(COMPONENT.join(("ABK" if i == 0 else "ABF", code))
                    for i, code in enumerate(codes)))
    if claim.rendering is not None:
        r = claim.rendering
        out.seg("NM1", "82", "1", _text(r.last_name, 60), _text(r.first_name, 35),
                _text(r.middle_name, 25), "", "", "XX", _digits(r.npi))
        if r.taxonomy:
            out.seg("PRV", "PE", "PXC", _id(r.taxonomy, 50))
    for other in claim.other_coverage:
        _other(out, other)
    for n, line in enumerate(claim.lines, start=1):
        _line(out, n, line)


def _other(out: _Writer, other: OtherCoverage) -> None:
    out.seg("SBR", other.responsibility, other.relationship, _text(other.group_number, 50),
            "", "", "", "", "", other.claim_filing)
    _cas(out, other.adjustments)
    if other.paid is not None:
        out.seg("AMT", "D", _money(other.paid))
    out.seg("OI", "", "", "Y", "", "", "Y")
    s = other.subscriber
    out.seg("NM1", "IL", "1", _text(s.last_name, 60), _text(s.first_name, 35), "", "", "",
            "MI", _id(s.member_id, 80))
    if s.address is not None:
        _address(out, s.address)
    p = other.payer
    out.seg("NM1", "PR", "2", _text(p.name, 60), "", "", "", "", "PI", _id(p.payer_id, 80))
    if p.address is not None:
        _address(out, p.address)
    if other.adjudicated_on is not None:
        out.seg("DTP", "573", "D8", _date(other.adjudicated_on))


def _line(out: _Writer, n: int, line: ServiceLine) -> None:
    out.seg("LX", str(n))
    procedure = COMPONENT.join(("HC", _id(line.code, 48), *(_id(m, 2) for m in line.modifiers)))
    out.seg("SV1", procedure, _money(line.charge), "UN", str(line.units), line.pos, "",
            COMPONENT.join(str(p) for p in line.dx_pointers))
    out.seg("DTP", "472", "D8", _date(line.service_date))
    if line.line_id:
        out.seg("REF", "6R", _text(line.line_id, 50))
    for adj in line.adjudications:
        procedure = COMPONENT.join(("HC", _id(line.code, 48),
                                    *(_id(m, 2) for m in line.modifiers)))
        out.seg("SVD", _id(adj.payer_id, 80), _money(adj.paid), procedure, "", str(line.units))
        _cas(out, adj.adjustments)
        out.seg("DTP", "573", "D8", _date(adj.adjudicated_on))


def _cas(out: _Writer, adjustments: Sequence[Adjustment]) -> None:
    """CAS segments: one per group, up to 6 reason/amount pairs each (CAS02..CAS19)."""
    by_group: dict[str, list[Adjustment]] = {}
    for adj in adjustments:
        by_group.setdefault(adj.group, []).append(adj)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements = [group]
            for adj in items[start:start + 6]:
                elements += [adj.reason, _money(adj.amount), ""]
            while elements and elements[-1] == "":
                elements.pop()
            out.seg("CAS", *elements)


def _address(out: _Writer, address: Address) -> None:
    out.seg("N3", _text(address.line1, 55), _text(address.line2, 55))
    out.seg("N4", _text(address.city, 30), address.state.strip().upper(),
            _digits(address.postal_code))


def _groups(
    claims: Iterable[Claim],
) -> list[tuple[tuple[Subscriber, Patient | None], list[Claim]]]:
    """Claims grouped by (subscriber, patient) in first-seen order, at most 100 a group."""
    groups: dict[tuple[Subscriber, Patient | None], list[list[Claim]]] = {}
    for claim in claims:
        chunks = groups.setdefault((claim.subscriber, claim.patient), [[]])
        if len(chunks[-1]) == MAX_CLAIMS_PER_HL:
            chunks.append([])
        chunks[-1].append(claim)
    return [(key, chunk) for key, chunks in groups.items() for chunk in chunks]


# --- checks ------------------------------------------------------------------------------


def _check_claim(claim: Claim) -> None:
    def fail(message: str, field: str) -> BuildError:
        return BuildError(f"Claim {claim.claim_id}: {message}", claim_id=claim.claim_id,
                          field=field)

    if not claim.claim_id.strip():
        raise fail("the claim has no id (CLM01).", "claim_id")
    if not claim.lines:
        raise fail("a claim needs at least one service line.", "lines")
    if len(claim.lines) > MAX_LINES:
        raise fail(f"a claim holds at most {MAX_LINES} service lines.", "lines")
    if not claim.diagnoses:
        raise fail("a claim needs at least one diagnosis.", "diagnoses")
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        raise fail(f"a claim holds at most {MAX_DIAGNOSES} diagnoses.", "diagnoses")
    if claim.frequency in ("7", "8") and not claim.original_claim_number.strip():
        kind = "A corrected" if claim.frequency == "7" else "A void"
        raise fail(f"{kind} claim needs the payer's original claim number.",
                   "original_claim_number")
    if len(claim.other_coverage) > MAX_OTHER_COVERAGE:
        raise fail(f"a claim names at most {MAX_OTHER_COVERAGE} other payers.", "other_coverage")
    if claim.patient is not None and claim.patient.relationship == RELATIONSHIP_SELF:
        raise fail("a patient who is the subscriber is given as patient=None.", "patient")
    for n, line in enumerate(claim.lines, start=1):
        where = f"line {n} ({line.code})"
        if len(line.modifiers) > MAX_MODIFIERS:
            raise fail(f"{where} has more than {MAX_MODIFIERS} modifiers.", "modifiers")
        if line.units < 1:
            raise fail(f"{where} has no units.", "units")
        if line.charge < 0:
            raise fail(f"{where} has a negative charge.", "charge")
        if not 1 <= len(line.dx_pointers) <= MAX_POINTERS:
            raise fail(f"{where} needs 1 to {MAX_POINTERS} diagnosis pointers.", "dx_pointers")
        for pointer in line.dx_pointers:
            if not 1 <= pointer <= len(claim.diagnoses):
                raise fail(f"{where} points at diagnosis {pointer}, which the claim does not "
                           f"have.", "dx_pointers")


# --- formatting --------------------------------------------------------------------------


def icd10(code: str) -> str:
    """An ICD-10-CM code as X12 carries it: upper case, no dot ("M54.50" -> "M5450")."""
    return code.replace(".", "").strip().upper()


def _money(amount: Decimal) -> str:
    """An X12 R value: two decimals at most, trailing zeros after the point dropped."""
    text = f"{amount.quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _text(value: str, limit: int) -> str:
    cleaned = _SPACES.sub(" ", _UNSAFE.sub("", value)).strip()
    return cleaned[:limit].rstrip().upper()


def _id(value: str, limit: int) -> str:
    return _text(value, limit).replace(" ", "")


class _Writer:
    """Collects segments; drops trailing empty elements (X12 forbids them)."""

    def __init__(self) -> None:
        self.segments: list[str] = []

    @property
    def count(self) -> int:
        return len(self.segments)

    def seg(self, seg_id: str, *elements: str) -> None:
        values = list(elements)
        if seg_id != "ISA":
            while values and values[-1] == "":
                values.pop()
        self.segments.append(ELEMENT.join((seg_id, *values)))

    def text(self, *, newlines: bool) -> str:
        end = SEGMENT + ("\n" if newlines else "")
        return end.join(self.segments) + end
