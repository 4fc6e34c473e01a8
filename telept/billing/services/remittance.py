"""Posting an 835: each CLP to its claim, paid amounts, CAS adjustments with CARC/RARC and
their descriptions, patient responsibility; denials to the work queue with the next step.

What must hold (Issue 10 item 8 and the bad-input tests):
- one transaction: a malformed file raises before anything is written, and any failure
  while posting undoes the whole file;
- the same file twice posts nothing the second time (its SHA-256 is unique per practice),
  and the same payment in another file posts once (`ClaimPayment.clp_key` is unique);
- an 835 none of whose claims are ours posts nothing and names them; in a mixed file the
  known claims post and the unknown ones are listed on the remittance;
- an oversized upload is refused before it is read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from telept.audit.services import audit_record
from telept.billing.models import ZERO, Adjustment, Claim, ClaimPayment, Remittance
from telept.billing.services.capture import BILLING_WRITERS
from telept.billing.x12.carc import carc_description, next_step, rarc_description
from telept.billing.x12.parse835 import CasAdjustment, RemitClaim, parse_835
from telept.lib.errors import DomainError, PermissionDenied

MAX_835_BYTES = 5 * 1024 * 1024
POSTABLE = (Claim.Status.SUBMITTED, Claim.Status.DENIED, Claim.Status.PAID,
            Claim.Status.PARTIALLY_PAID, Claim.Status.REPLACED)
NORMAL_ADJUSTMENTS = {"45", "253"}  # contractual write-down, sequestration: not a denial


class RemittanceTooLarge(DomainError):
    status = 413

    def __init__(self, size: int | None = None, *, what: str = "file") -> None:
        said = (f"is {size:,} bytes" if size is not None
                else f"is larger than {MAX_835_BYTES:,} bytes")
        super().__init__("remittance_too_large",
                         f"The {what} {said}; an 835 may be at most {MAX_835_BYTES:,} "
                         "bytes. Split it into one file per payment. Nothing was posted.")


@dataclass
class PostResult:
    remittance: Remittance | None
    posted: list[str] = field(default_factory=list)  # claim numbers posted now
    already_posted: list[str] = field(default_factory=list)  # this payment was posted before
    unknown: list[str] = field(default_factory=list)  # CLP01 values that are not our claims
    duplicate_file: bool = False

    @property
    def message(self) -> str:
        if self.duplicate_file:
            return "This 835 was posted before; nothing was posted again."
        parts = [f"Posted {len(self.posted)} claim payment(s)."]
        if self.already_posted:
            parts.append(f"Already posted, skipped: {', '.join(self.already_posted)}.")
        if self.unknown:
            parts.append(f"Not our claims (nothing posted for them): {', '.join(self.unknown)}.")
        return " ".join(parts)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _clp_key(practice_id: int, payer_id: str, trace: str, clp: RemitClaim) -> str:
    raw = "|".join([str(practice_id), payer_id, trace, clp.claim_id, clp.payer_claim_number,
                    clp.status, str(clp.charge), str(clp.paid), str(clp.patient_responsibility)])
    return hashlib.sha256(raw.encode()).hexdigest()


def _remarks(codes: Any) -> list[dict[str, str]]:
    return [{"code": r.code, "description": rarc_description(r.code)} for r in codes]


def _adjust(payment: ClaimPayment, adjustments: tuple[CasAdjustment, ...], line_code: str,
            remarks: list[dict[str, str]]) -> list[Adjustment]:
    return [Adjustment.objects.create(
        payment=payment, line_code=line_code[:5], group=a.group[:2], reason=a.reason[:5],
        description=carc_description(a.reason)[:500], remarks=remarks, amount=a.amount)
        for a in adjustments]


def _lane(claim: Claim, clp: RemitClaim, adjustments: list[Adjustment]) -> None:
    """Move the claim to paid, partially paid or denied, with the reason and next step."""
    problems = [a for a in adjustments
                if a.group != "PR" and a.reason not in NORMAL_ADJUSTMENTS and a.amount > 0]
    unpaid_line = any(line.paid == 0 and line.charge > 0 for line in clp.lines)
    if clp.status == "22":  # a reversal: the claim awaits the payer's new decision
        claim.status = Claim.Status.SUBMITTED
        claim.denial_reason = claim.next_step = ""
        return
    if clp.status == "4" or (claim.paid_amount <= 0 and claim.patient_responsibility <= 0):
        claim.status = Claim.Status.DENIED
    elif problems or unpaid_line:
        claim.status = Claim.Status.PARTIALLY_PAID
    else:
        claim.status = Claim.Status.PAID
        claim.denial_reason = claim.next_step = ""
        return
    first = problems[0] if problems else (adjustments[0] if adjustments else None)
    if first is None:
        claim.denial_reason = "The payer paid nothing and gave no reason code."
        claim.next_step = "Call the payer or check its portal, then correct and resubmit."
        return
    remark = "; ".join(f"{r['code']}: {r['description']}" for r in first.remarks)
    claim.denial_reason = (f"{first.group}-{first.reason}: {first.description}"
                           + (f" ({remark})" if remark else ""))[:500]
    claim.next_step = next_step(first.group, first.reason)[:500]


def _post_clp(remittance: Remittance, claim: Claim, clp: RemitClaim, key: str) -> ClaimPayment:
    payment = ClaimPayment.objects.create(
        remittance=remittance, claim=claim, clp_key=key, clp_status=clp.status[:2],
        charge=clp.charge, paid=clp.paid, patient_responsibility=max(clp.patient_responsibility,
                                                                     ZERO),
        payer_claim_number=clp.payer_claim_number[:50])
    claim_remarks = _remarks(clp.remarks)
    adjustments = _adjust(payment, clp.adjustments, "", claim_remarks)
    for line in clp.lines:
        adjustments += _adjust(payment, line.adjustments, line.code,
                               _remarks(line.remarks) or claim_remarks)
    claim.paid_amount += clp.paid
    claim.patient_responsibility = max(claim.patient_responsibility
                                       + clp.patient_responsibility, ZERO)
    if clp.payer_claim_number:
        claim.payer_claim_number = clp.payer_claim_number[:50]
    if claim.status != Claim.Status.REPLACED:
        _lane(claim, clp, adjustments)
    claim.save()
    return payment


@transaction.atomic
def remittance_post(*, actor: Any, text: str | bytes, file_name: str = "") -> PostResult:
    """Import one 835 file (text as uploaded)."""
    if actor.role not in BILLING_WRITERS:
        raise PermissionDenied("Only billing staff and practice admins post remittances.")
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_835_BYTES:
        raise RemittanceTooLarge(size)
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise DomainError("remittance_malformed", "The file is not plain X12 text (it has "
                              "bytes outside ASCII). Nothing was posted.") from None
    digest = _hash(text)
    if Remittance.objects.filter(practice_id=actor.practice_id, file_hash=digest).exists():
        return PostResult(None, duplicate_file=True)
    remit = parse_835(text)  # Malformed835 (a DomainError): nothing written yet
    numbers = [clp.claim_id for clp in remit.claims]
    ours = {c.number: c for c in Claim.objects.select_for_update(of=("self",))
            .filter(practice_id=actor.practice_id, number__in=numbers, status__in=POSTABLE)}
    unknown = [n for n in numbers if n not in ours]
    if not ours:
        raise DomainError("remittance_unknown_claims",
                          "None of this 835's claims is one of ours (submitted by this "
                          f"practice): {', '.join(unknown) or 'it lists no claims'}. Nothing "
                          "was posted.", extra={"unknown": unknown})
    try:
        with transaction.atomic():
            remittance = Remittance.objects.create(
                practice_id=actor.practice_id, file_hash=digest, file_name=file_name[:200],
                text=text, payer_name=remit.payer_name[:120], payer_id=remit.payer_id[:50],
                trace_number=remit.trace_number[:50], payment_method=remit.payment_method[:3],
                payment_amount=remit.payment_amount, payment_date=remit.payment_date,
                unknown_claims=unknown, posted_by=actor.user)
    except IntegrityError:  # the same file, posted by someone else a moment ago
        return PostResult(None, duplicate_file=True)
    result = PostResult(remittance, unknown=unknown)
    for clp in remit.claims:
        claim = ours.get(clp.claim_id)
        if claim is None:
            continue
        key = _clp_key(actor.practice_id, remit.payer_id, remit.trace_number, clp)
        if ClaimPayment.objects.filter(clp_key=key).exists():
            result.already_posted.append(claim.number)
            continue
        _post_clp(remittance, claim, clp, key)
        result.posted.append(claim.number)
        audit_record(actor=actor, action="post", object_type="Claim", object_id=claim.pk,
                     patient_id=claim.patient_id,
                     detail={"remittance": remittance.pk, "paid": str(clp.paid),
                             "status": claim.status})
    audit_record(actor=actor, action="create", object_type="Remittance", object_id=remittance.pk,
                 detail={"posted": result.posted, "already_posted": result.already_posted,
                         "unknown": unknown, "trace": remit.trace_number})
    return result


def money(value: Decimal) -> str:
    return f"${value:,.2f}"
