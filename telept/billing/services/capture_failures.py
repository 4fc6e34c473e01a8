"""Charge capture that failed on signing, surfaced to billing staff (Issue 10 item 2).

Capture runs after the signature committed (clinical's `note_finalised`, on commit, robust),
so a failure can never block or undo the clinician's signing. What must hold instead:
- a failure is never only logged: it becomes a `CaptureFailure` (one open per note) that the
  billing work queue shows ("Charges could not be made for <patient>'s visit of <date>:
  <reason>") until it is resolved;
- the retry re-runs the same capture (the signal's reason and any addendum's corrected
  interventions are kept) once the cause is fixed; it resolves the failure when a charge is
  made and otherwise records the new reason and leaves it open;
- a later capture of the same note that succeeds (another signal) resolves it too, unless
  the open failure carried an addendum's corrections that capture did not apply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import dateformat, timezone

from telept.audit.services import AuditActor, audit_record
from telept.billing.models import CaptureFailure, Charge
from telept.billing.services.capture import BILLING_WRITERS, charge_capture
from telept.clinical.models import Note
from telept.lib.errors import DomainError, NotFound, PermissionDenied

log = logging.getLogger(__name__)


def failure_reason(exc: BaseException) -> str:
    """The sentence billing staff read: a domain error's own message, or what broke."""
    if isinstance(exc, DomainError):
        return exc.message[:500]
    return (f"an unexpected error in charge capture ({type(exc).__name__}: {exc}). "
            "Retry; if it happens again, tell the practice admin.")[:500]


def capture_on_signal(*, note_id: int, reason: str, actor: AuditActor | None = None,
                      interventions: Iterable[Mapping[str, Any]] | None = None) -> None:
    """The `note_finalised` receiver's body: capture, and on any failure keep it in the
    work queue (never raise: the note is signed whatever billing does)."""
    rows = [dict(row) for row in interventions] if interventions is not None else None
    try:
        charge = charge_capture(note_id=note_id, reason=reason, actor=actor, interventions=rows)
    except Exception as exc:  # any failure must reach billing staff, never the signer
        log.exception("charge capture failed for note %s (%s)", note_id, reason)
        try:
            capture_failure_record(note_id=note_id, reason=reason, interventions=rows,
                                   error=failure_reason(exc), actor=actor)
        except Exception:  # the failure could not even be recorded: the log keeps it
            log.exception("could not record the capture failure of note %s", note_id)
        return
    if charge is not None:
        _resolve_open(note_id=note_id, corrected=rows is not None, actor=actor)


@transaction.atomic
def capture_failure_record(*, note_id: int, reason: str,
                           interventions: list[dict[str, Any]] | None, error: str,
                           actor: AuditActor | None = None) -> CaptureFailure | None:
    """Open (or update the open) failure of the note."""
    note = Note.objects.filter(pk=note_id).first()
    if note is None:
        return None
    failure = (CaptureFailure.objects.select_for_update(of=("self",))
               .filter(note=note, resolved_at__isnull=True).first())
    if failure is None:
        failure = CaptureFailure.objects.create(
            practice_id=note.practice_id, patient_id=note.patient_id, note=note,
            reason=reason[:10], interventions=interventions, error=error[:500])
    else:
        failure.attempts += 1
        failure.error = error[:500]
        if interventions is not None:  # an addendum's corrections replace the earlier
            failure.reason, failure.interventions = reason[:10], interventions
        failure.save()
    audit_record(actor=actor, action="create", object_type="CaptureFailure",
                 object_id=failure.pk, patient_id=note.patient_id,
                 practice_id=note.practice_id,
                 detail={"note": note.pk, "reason": reason, "error": error[:200]})
    return failure


def _resolve_open(*, note_id: int, corrected: bool, actor: AuditActor | None) -> None:
    open_ = CaptureFailure.objects.filter(note_id=note_id, resolved_at__isnull=True)
    if not corrected:
        open_ = open_.filter(interventions__isnull=True)
    for failure in open_:
        _resolve(failure, actor)


def _resolve(failure: CaptureFailure, actor: Any) -> None:
    failure.resolved_at = timezone.now()
    user = getattr(actor, "user", None)
    failure.resolved_by = user if getattr(user, "pk", None) else None
    failure.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    audit_record(actor=actor, action="update", object_type="CaptureFailure",
                 object_id=failure.pk, patient_id=failure.patient_id,
                 practice_id=failure.practice_id, detail={"resolved": True})


@dataclass(frozen=True)
class RetryResult:
    ok: bool
    message: str
    charge: Charge | None = None


def capture_failure_retry(*, actor: Any, failure_id: int) -> RetryResult:
    """Billing staff fixed the cause (a code added to the catalogue, ...): capture again.
    Made: the failure is resolved. Still failing: it stays open with the new reason. A
    failure already resolved (by someone else, or by a later signal) says so."""
    if actor.role not in BILLING_WRITERS:
        raise PermissionDenied("Only billing staff and practice admins retry charge capture.")
    failure = (CaptureFailure.objects.select_related("patient", "note")
               .filter(pk=failure_id, practice_id=actor.practice_id).first())
    if failure is None:
        raise NotFound("capture failure")
    visit = (f"{failure.patient}'s visit of "
             f"{dateformat.format(failure.note.date_of_service, 'D j M Y')}")
    if failure.resolved_at is not None:
        return RetryResult(True, f"The charges of {visit} were made already.")
    try:
        charge = charge_capture(note_id=failure.note_id, reason=failure.reason, actor=actor,
                                interventions=failure.interventions)
        if charge is None:
            raise DomainError("note_not_final", "the note is no longer final.")
    except Exception as exc:  # the reason goes to the queue, like on signing
        log.exception("charge capture retry failed for note %s", failure.note_id)
        error = failure_reason(exc)
        capture_failure_record(note_id=failure.note_id, reason=failure.reason,
                               interventions=failure.interventions, error=error, actor=actor)
        return RetryResult(False, f"Charges could still not be made for {visit}: {error}")
    with transaction.atomic():
        locked = CaptureFailure.objects.select_for_update(of=("self",)).get(pk=failure.pk)
        if locked.resolved_at is None:
            _resolve(locked, actor)
    return RetryResult(True, f"Charges made for {visit}: ${charge.total_charge:,.2f}.",
                       charge)
