"""Billing over JSON (Issue 10 item 11; the paths are kept stable): charges, claims, a claim's
837P file, submitting a claim, and posting an 835.

Scoped and audited like patient data (claims are PHI) by `telept.billing.selectors`; who may
call what is decided here once, before any read:
- billing staff and practice admins: everything of their practice;
- a PT: the charges of visits they rendered or wrote (not claims);
- everybody else: 403; a record of another practice: 404, like a missing one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from telept.accounts.roles import Role
from telept.billing import selectors, uploads
from telept.billing.models import Charge, Claim
from telept.billing.services.batches import batch_create
from telept.billing.services.remittance import MAX_835_BYTES, RemittanceTooLarge, remittance_post
from telept.lib.errors import Conflict, DomainError, PermissionDenied

router = Router(tags=["billing"])

BILLING = frozenset({Role.ADMIN, Role.BILLING})
CHARGE_READERS = BILLING | {Role.PT}


class ErrorOut(Schema):
    code: str
    message: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          413: ErrorOut, 422: ErrorOut}


class RuleOut(Schema):
    rule: str
    value: str
    why: str


class LineOut(Schema):
    number: int
    code: str
    minutes: int
    pta_minutes: int
    units: int
    modifiers: list[str]
    pos: str
    dx_pointers: list[int]
    unit_charge: Decimal
    amount: Decimal
    why: list[RuleOut]


class ChargeOut(Schema):
    id: int
    patient_id: int
    note_id: int
    rendering_id: int
    payer_id: int | None
    date_of_service: dt.date
    modality: str
    patient_location: str
    pos: str
    pos_why: str
    diagnoses: list[str]
    units_method: str
    total_charge: Decimal
    status: str
    status_label: str
    revision: int
    lines: list[LineOut]


class ChargesOut(Schema):
    items: list[ChargeOut]


class ChargeParams(Schema):
    status: Literal["open", "on_claim", "billed", "replaced", "nothing"] | None = None


class ClaimSummaryOut(Schema):
    id: int
    number: str
    patient_id: int
    payer_id: int
    charge_id: int
    date_of_service: dt.date
    status: str
    status_label: str
    rejected_by: str
    frequency: str
    total_charge: Decimal
    paid_amount: Decimal
    patient_responsibility: Decimal
    submitted_at: dt.datetime | None


class ClaimsOut(Schema):
    items: list[ClaimSummaryOut]


class ClaimParams(Schema):
    status: Literal["to_review", "ready", "rejected", "submitted", "denied", "paid",
                    "partial", "replaced"] | None = None


class AdjustmentOut(Schema):
    line_code: str
    group: str
    reason: str
    description: str
    remarks: list[dict[str, str]]
    amount: Decimal


class PaymentOut(Schema):
    remittance_id: int
    clp_status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str
    adjustments: list[AdjustmentOut]


class ClaimOut(ClaimSummaryOut):
    original_id: int | None
    payer_claim_number: str
    review_reason: str
    denial_reason: str
    next_step: str
    batch_id: int | None
    scrub_results: list[dict[str, Any]]
    x12_errors: list[dict[str, Any]]
    pos: str
    pos_why: str
    diagnoses: list[str]
    lines: list[LineOut]
    payments: list[PaymentOut]


class SubmitOut(Schema):
    claim: ClaimOut
    batch_id: int
    control_number: int
    valid: bool
    transport_status: str
    message: str


class RemittanceOut(Schema):
    remittance_id: int | None
    duplicate_file: bool
    posted: list[str]
    already_posted: list[str]
    unknown: list[str]
    message: str


def _require(actor: Any, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(f"Your role does not allow {what}.")


def _lines(charge: Charge) -> list[dict[str, Any]]:
    return [{"number": line.number, "code": line.code, "minutes": line.minutes,
             "pta_minutes": line.pta_minutes, "units": line.units,
             "modifiers": list(line.modifiers), "pos": line.pos,
             "dx_pointers": list(line.dx_pointers), "unit_charge": line.unit_charge,
             "amount": line.amount,
             "why": [{"rule": str(w.get("rule", "")), "value": str(w.get("value", "")),
                      "why": str(w.get("why", ""))} for w in line.why if isinstance(w, dict)]}
            for line in charge.lines.all()]


def _charge(charge: Charge) -> dict[str, Any]:
    return {"id": charge.pk, "patient_id": charge.patient_id, "note_id": charge.note_id,
            "rendering_id": charge.rendering_id, "payer_id": charge.payer_id,
            "date_of_service": charge.date_of_service, "modality": charge.modality,
            "patient_location": charge.patient_location, "pos": charge.pos,
            "pos_why": charge.pos_why, "diagnoses": [str(d) for d in charge.diagnoses],
            "units_method": charge.units_method, "total_charge": charge.total_charge,
            "status": charge.status, "status_label": charge.get_status_display(),
            "revision": charge.revision, "lines": _lines(charge)}


def _claim_summary(claim: Claim) -> dict[str, Any]:
    return {"id": claim.pk, "number": claim.number, "patient_id": claim.patient_id,
            "payer_id": claim.payer_id, "charge_id": claim.charge_id,
            "date_of_service": claim.charge.date_of_service, "status": claim.status,
            "status_label": claim.get_status_display(), "rejected_by": claim.rejected_by,
            "frequency": claim.frequency, "total_charge": claim.total_charge,
            "paid_amount": claim.paid_amount,
            "patient_responsibility": claim.patient_responsibility,
            "submitted_at": claim.submitted_at}


def _claim(claim: Claim) -> dict[str, Any]:
    charge = claim.charge
    return {**_claim_summary(claim), "original_id": claim.original_id,
            "payer_claim_number": claim.payer_claim_number,
            "review_reason": claim.review_reason, "denial_reason": claim.denial_reason,
            "next_step": claim.next_step, "batch_id": claim.batch_id,
            "scrub_results": list(claim.scrub_results), "x12_errors": list(claim.x12_errors),
            "pos": charge.pos, "pos_why": charge.pos_why,
            "diagnoses": [str(d) for d in charge.diagnoses], "lines": _lines(charge),
            "payments": [{"remittance_id": p.remittance_id, "clp_status": p.clp_status,
                          "charge": p.charge, "paid": p.paid,
                          "patient_responsibility": p.patient_responsibility,
                          "payer_claim_number": p.payer_claim_number,
                          "adjustments": [{"line_code": a.line_code, "group": a.group,
                                           "reason": a.reason, "description": a.description,
                                           "remarks": list(a.remarks), "amount": a.amount}
                                          for a in p.adjustments.all()]}
                         for p in claim.payments.all()]}


@router.get("/charges", response={200: ChargesOut, **ERRORS},
            summary="List charges (current revisions; a PT: their own visits)")
def list_charges(request: HttpRequest, params: Query[ChargeParams]) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    _require(actor, CHARGE_READERS, "reading charges")
    return {"items": [_charge(c) for c in selectors.charges_list(actor=actor,
                                                                  status=params.status)]}


@router.get("/claims", response={200: ClaimsOut, **ERRORS}, summary="List claims")
def list_claims(request: HttpRequest, params: Query[ClaimParams]) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    _require(actor, BILLING, "reading claims")
    return {"items": [_claim_summary(c) for c in selectors.claims_list(actor=actor,
                                                                        status=params.status)]}


@router.get("/claims/{int:claim_id}", response={200: ClaimOut, **ERRORS},
            summary="Read one claim: lines with units, modifiers, POS and each rule's why")
def read_claim(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    _require(actor, BILLING, "reading claims")
    return _claim(selectors.claim_get(actor=actor, claim_id=claim_id))


@router.post("/claims/{int:claim_id}/submit", response={200: SubmitOut, **ERRORS},
             summary="Submit a ready claim: an 837P batch of its own, validated by pyx12 "
                     "(409 claim_not_ready unless the claim is ready)")
def submit_claim(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    _require(actor, BILLING, "submitting claims")
    claim = selectors.claim_get(actor=actor, claim_id=claim_id)
    if claim.status != Claim.Status.READY:
        raise Conflict("claim_not_ready",
                       f"Claim {claim.number} is {claim.get_status_display().lower()}, not "
                       "ready: only a ready claim (scrubbed without errors) can be submitted.",
                       extra={"claim_id": claim.pk, "claim_status": claim.status})
    batch = batch_create(actor=actor, payer_id=claim.payer_id, claim_ids=[claim.pk])
    claim = selectors.claim_get(actor=actor, claim_id=claim.pk)
    if batch.valid:
        message = f"Claim {claim.number} was submitted in batch {batch.control_number:09d}."
    else:
        message = (f"Claim {claim.number} was not submitted: the 837P failed validation "
                   "(see x12_errors); the file is not offered.")
    return {"claim": _claim(claim), "batch_id": batch.pk,
            "control_number": batch.control_number, "valid": batch.valid,
            "transport_status": batch.transport_status, "message": message}


@router.get("/claims/{int:claim_id}/x12", response={200: str, **ERRORS},
            summary="The 837P file the claim went in (text/plain; 404 if it has none)")
def claim_x12(request: HttpRequest, claim_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    _require(actor, BILLING, "reading claim files")
    text = selectors.claim_x12(actor=actor, claim_id=claim_id)
    return HttpResponse(text, content_type="text/plain; charset=us-ascii")


UPLOAD_835 = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"],
               "properties": {"file": {"type": "string", "format": "binary",
                                       "description": f"The 835, at most {MAX_835_BYTES:,} "
                                                      "bytes."}}}}}}}


@router.post("/remittances", response={200: RemittanceOut, **ERRORS}, openapi_extra=UPLOAD_835,
             summary="Post an 835 (multipart field `file`); the same file twice posts nothing")
def post_remittance(request: HttpRequest) -> dict[str, Any]:
    """The file is read here, not by a File parameter, so a request that is too large is
    refused before it is spooled: by its Content-Length before the body is read, or past the
    limit while reading (telept/billing/uploads.py); both answer 413, nothing posted."""
    actor = request.actor  # type: ignore[attr-defined]
    _require(actor, BILLING, "posting remittances")
    if uploads.declared_too_large(request):
        raise RemittanceTooLarge(uploads.declared_size(request), what="upload")
    uploads.install(request)
    file = request.FILES.get("file")
    if uploads.too_large_while_reading(request):
        raise RemittanceTooLarge()
    if file is None:
        raise DomainError("remittance_missing", "Send the 835 as a multipart form upload in "
                          "the field 'file'. Nothing was posted.")
    if (file.size or 0) > MAX_835_BYTES:
        raise RemittanceTooLarge(int(file.size or 0))
    data = file.read(MAX_835_BYTES + 1)
    if not data.strip():
        raise DomainError("remittance_malformed", "The file is empty. Nothing was posted.")
    result = remittance_post(actor=actor, text=data, file_name=file.name or "")
    return {"remittance_id": result.remittance.pk if result.remittance else None,
            "duplicate_file": result.duplicate_file, "posted": result.posted,
            "already_posted": result.already_posted, "unknown": result.unknown,
            "message": result.message}
