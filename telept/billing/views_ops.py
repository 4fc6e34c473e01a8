"""The billing person's actions as pages (Issue 10 items 7, 8, 9 and 10), for billing staff
and practice admins: submit a payer's ready claims into a batch pyx12 validated and download
its 837P, upload an 835 and see what it posted, record a patient's payment beside their
balance, and edit payers' fee schedules without overwriting each other.

Each view parses, calls one service or selector (scoped and audited; writes audited by the
services) and renders; times show in the practice's zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.billing import selectors, selectors_ops, uploads
from telept.billing.forms_ops import FeeScheduleForm, PaymentForm, RemittanceUploadForm
from telept.billing.models import Claim
from telept.billing.services.batches import batch_create
from telept.billing.services.capture_failures import capture_failure_retry
from telept.billing.services.fees import FeeScheduleChanged, fee_schedule_save
from telept.billing.services.payments import patient_payment_record
from telept.billing.services.remittance import (
    MAX_835_BYTES,
    RemittanceTooLarge,
    money,
    remittance_post,
)
from telept.billing.x12.ack import ack_summary
from telept.lib.errors import DomainError

BILLING = (Role.ADMIN, Role.BILLING)


def _zone(actor: Any) -> str:
    return str(actor.membership.practice.time_zone)


def _today(actor: Any) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(_zone(actor))).date()


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.strip().isdigit()})


def _x12_fault(claim: Claim) -> str:
    """The segment and element pyx12 (or the builder) named, and why."""
    for e in claim.x12_errors or []:
        where = ", ".join(part for part in (
            f"segment {e.get('segment')}" if e.get("segment") else "",
            f"element {e.get('element')}" if e.get("element") else "") if part)
        text = str(e.get("message") or e.get("text") or "")
        return f"{where}: {text}" if where else text
    return "see the claim"


# --- charges that could not be made -----------------------------------------------------

@actor_required(*BILLING)
@require_POST
def capture_retry(request: HttpRequest, failure_id: int) -> HttpResponse:
    """Re-run the charge capture of a signed note that failed, once the cause is fixed; the
    work queue says what happened (the item stays there while it still fails)."""
    result = capture_failure_retry(actor=request.actor,  # type: ignore[attr-defined]
                                   failure_id=failure_id)
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect(reverse("billing:queue") + ("#lane-charges" if result.ok
                                                else "#lane-failed"))


# --- batches --------------------------------------------------------------------------------

@actor_required(*BILLING)
@require_http_methods(["GET", "POST"])
def batch_submit(request: HttpRequest, payer_id: int) -> HttpResponse:
    """GET: the payer's ready claims, to confirm. POST: batch the ones shown (`claim` ids;
    none sent: all ready), validated by pyx12; the batch page says what happened."""
    actor = request.actor  # type: ignore[attr-defined]
    ready = selectors_ops.ready_claims(actor=actor, payer_id=payer_id)
    if request.method == "GET":
        return render(request, "billing/batch_submit.html", {"ready": ready,
                                                             "zone": _zone(actor)})
    asked = _ids(request.POST.getlist("claim"))
    offered = [c.pk for c in ready.claims if not asked or c.pk in asked]
    if not offered:
        messages.error(request, f"No claim to {ready.payer.name} is ready to submit any more; "
                                "nothing was submitted.")
        return redirect(reverse("billing:queue") + "#lane-ready")
    try:
        batch = batch_create(actor=actor, payer_id=ready.payer.pk, claim_ids=offered)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect(reverse("billing:queue") + "#lane-ready")
    claims = selectors_ops.claims_after_submit(actor=actor, claim_ids=offered)
    sent = [c for c in claims if c.batch_id == batch.pk]
    refused = [c for c in claims if c.status == Claim.Status.REJECTED]
    if sent:
        messages.success(request, f"Submitted {len(sent)} claim{'s' if len(sent) != 1 else ''} "
                                  f"to {ready.payer.name} in batch {batch.control_number:09d}; "
                                  "pyx12 accepted the file. Download the 837P below.")
    for claim in refused:
        messages.error(request, f"Claim {claim.number} ({claim.patient}) was not submitted: "
                                f"{_x12_fault(claim)}.")
    return redirect("billing:batch", batch_id=batch.pk)


@actor_required(*BILLING)
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batches = [{"batch": b, "ack": ack_summary(b.ack_999)}
               for b in selectors_ops.batches_list(actor=actor)]
    ready = selectors.claims_list(actor=actor, status="ready")
    return render(request, "billing/batches.html", {"batches": batches, "ready": ready,
                                                    "zone": _zone(actor)})


@actor_required(*BILLING)
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    detail = selectors_ops.batch_detail(actor=actor, batch_id=batch_id)
    return render(request, "billing/batch.html", {
        "batch": detail.batch, "claims": detail.claims, "ack": ack_summary(detail.batch.ack_999),
        "offered": detail.batch.valid and detail.batch.transport_status != "held",
        "zone": _zone(actor)})


@actor_required(*BILLING)
@require_GET
def batch_download(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    name, text = selectors_ops.batch_file(actor=actor, batch_id=batch_id)
    response = HttpResponse(text, content_type="application/edi-x12; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- remittances ----------------------------------------------------------------------------

@csrf_exempt
def remittance_upload(request: HttpRequest) -> HttpResponse:
    """Post an 835. Any refusal (too large, empty, not X12, none of our claims) is said on the
    page beside the file field, and nothing is posted; the same file again posts nothing.
    Too large is refused before the body is read (Content-Length) or while reading it, never
    spooled (telept/billing/uploads.py): CSRF-exempt here so the upload handler is set
    before anything reads the body, CSRF-protected inside."""
    uploads.install(request)
    return _remittance_upload(request)


@actor_required(*BILLING)
@require_http_methods(["GET", "POST"])
def _remittance_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and uploads.declared_too_large(request):
        form = RemittanceUploadForm()  # the body is never read: nothing to keep but the form
        form.errors["file"] = form.error_class([RemittanceTooLarge(
            uploads.declared_size(request), what="upload").message])
        return _upload_page(request, form, "", 413)
    return _remittance_post(request)


def _upload_page(request: HttpRequest, form: RemittanceUploadForm, notice: str,
                 status: int) -> HttpResponse:
    return render(request, "billing/remittance_upload.html", {
        "form": form, "notice": notice, "max_mb": MAX_835_BYTES // 2**20}, status=status)


@csrf_protect
def _remittance_post(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = (RemittanceUploadForm(request.POST, request.FILES) if request.method == "POST"
            else RemittanceUploadForm())
    status, notice = 200, ""
    if request.method == "POST" and uploads.too_large_while_reading(request):
        form.is_valid()
        form.errors["file"] = form.error_class([RemittanceTooLarge().message])
        return _upload_page(request, form, "", 413)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(MAX_835_BYTES + 1)
            try:
                if b"\x00" in data or not data.strip():
                    raise DomainError("remittance_malformed", "The file is empty or is not "
                                      "X12 text. Nothing was posted.")
                result = remittance_post(actor=actor, text=data, file_name=upload.name or "")
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = exc.status
            else:
                if result.remittance is not None:
                    messages.success(request, result.message)
                    return redirect("billing:remittance", remittance_id=result.remittance.pk)
                status, notice = 200, result.message
                form = RemittanceUploadForm()
    return _upload_page(request, form, notice, status)


@actor_required(*BILLING)
@require_GET
def remittance_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "billing/remittances.html", {
        "remittances": selectors_ops.remittances_list(actor=actor), "zone": _zone(actor)})


@actor_required(*BILLING)
@require_GET
def remittance_detail(request: HttpRequest, remittance_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    detail = selectors_ops.remittance_detail(actor=actor, remittance_id=remittance_id)
    return render(request, "billing/remittance.html", {"detail": detail,
                                                       "r": detail.remittance,
                                                       "zone": _zone(actor)})


# --- a patient's money ----------------------------------------------------------------------

@actor_required(*BILLING, Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def patient_money(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's balance and statement lines, payments recorded, and the form to record
    one (cash, check, card terminal reference; no card processing). The front desk takes
    payments here too; only billing staff and admins see the claims."""
    actor = request.actor  # type: ignore[attr-defined]
    money_of = selectors_ops.patient_money(actor=actor, patient_id=patient_id)
    dates = sorted({line.date_of_service for line in money_of.statement.lines
                    if line.date_of_service} | {c.charge.date_of_service
                                                for c in money_of.claims}, reverse=True)
    form = PaymentForm(request.POST if request.method == "POST" else None, visit_dates=dates,
                       today=_today(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = patient_payment_record(
                actor=actor, patient_id=money_of.statement.patient.pk, amount=data["amount"],
                method=data["method"], reference=data["reference"],
                received_on=data["received_on"], date_of_service=data["date_of_service"],
                memo=data["memo"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Recorded {money(payment.amount)} "
                                      f"({payment.get_method_display().lower()}) from "
                                      f"{money_of.statement.patient}.")
            return redirect("billing:patient_money", patient_id=payment.patient_id)
    return render(request, "billing/patient_money.html", {
        "money": money_of, "patient": money_of.statement.patient, "form": form,
        "zone": _zone(actor)}, status=400 if form.errors else 200)


# --- fee schedules --------------------------------------------------------------------------

@actor_required(*BILLING)
@require_GET
def fee_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "billing/fees.html",
                  {"schedules": selectors_ops.fee_schedules_list(actor=actor),
                   "self_pay_codes": selectors_ops.self_pay_fee_count(actor=actor)})


@actor_required(*BILLING)
@require_http_methods(["GET", "POST"])
def fee_edit(request: HttpRequest, payer_id: int) -> HttpResponse:
    """Edit one payer's schedule. A save over a schedule someone else saved since the page
    was opened is refused (409): the typed values stay in the form, the saved ones beside
    them, at the new stamp, so saving again is a deliberate choice."""
    return _fee_edit(request, payer_id)


@actor_required(*BILLING)
@require_http_methods(["GET", "POST"])
def fee_edit_self_pay(request: HttpRequest) -> HttpResponse:
    """Edit the practice's self-pay schedule: what a visit without coverage costs the
    patient (no telehealth cover: no payer is asked)."""
    return _fee_edit(request, None)


def _fee_edit(request: HttpRequest, payer_id: int | None) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    view = selectors_ops.fee_schedule_get(actor=actor, payer_id=payer_id)
    telehealth = view.payer is not None
    form = FeeScheduleForm(request.POST if request.method == "POST" else None, codes=view.codes,
                           fees=view.fees, stamp=view.stamp, telehealth=telehealth)
    conflict: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changed = fee_schedule_save(actor=actor, payer_id=payer_id,
                                            stamp=form.cleaned_data["stamp"], fees=form.fees())
            except FeeScheduleChanged as exc:
                data = request.POST.copy()
                data["stamp"] = exc.stamp
                form = FeeScheduleForm(data, codes=view.codes, fees=exc.fees, stamp=exc.stamp,
                                       telehealth=telehealth)
                form.is_valid()
                conflict, status = {"message": exc.message, "saved": exc.fees}, 409
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                count = sum(len(v) for v in changed.values())
                messages.success(request, f"Saved the fee schedule of {view.name}: "
                                          f"{count} code{'s' if count != 1 else ''} changed.")
                return redirect("billing:fees")
    rows = form.rows()
    if conflict:
        for row in rows:
            row["saved"] = conflict["saved"].get(row["code"].code)
    return render(request, "billing/fee_edit.html", {
        "form": form, "rows": rows, "payer": view.payer, "schedule_name": view.name,
        "conflict": conflict},
        status=status)
