"""Fee schedules: one payer's charge per unit per code, and which codes it covers by
telehealth, edited by billing staff and practice admins (Issue 10 items 1 and 10); and the
practice's self-pay schedule (no payer), which prices visits of patients without coverage.

What must hold: two people saving the same schedule never silently overwrite each other.
The page carries the schedule's stamp (a digest of every row as it was shown,
`selectors_ops.fees_stamp`); a save whose stamp is no longer the schedule's is refused with
`FeeScheduleChanged`, nothing written. The check and the writes run under a lock of the payer
row (select_for_update on PostgreSQL; SQLite's IMMEDIATE transactions serialize writers), so
two saves of one stamp cannot both pass. Charges already rated keep their own unit charge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from telept.audit.services import audit_record
from telept.billing.models import BillingCode, FeeSchedule
from telept.billing.selectors_ops import fee_rows, stamp_of
from telept.billing.services.capture import BILLING_WRITERS
from telept.lib.errors import Conflict, DomainError, NotFound, PermissionDenied
from telept.practices.models import Payer, Practice

MAX_UNIT_CHARGE = Decimal("100000")


@dataclass(frozen=True)
class FeeInput:
    unit_charge: Decimal
    telehealth_covered: bool = False


class FeeScheduleChanged(Conflict):
    """Someone saved the schedule since this edit began."""

    def __init__(self, fees: dict[str, FeeSchedule], stamp: str) -> None:
        super().__init__("fee_schedule_changed", "Someone else saved this fee schedule since "
                         "you opened it, so nothing was saved and nothing was overwritten. "
                         "Your values are still in the form and the saved ones are shown "
                         "beside them: check them, then save again to keep yours.",
                         extra={"stamp": stamp})
        self.fees = fees
        self.stamp = stamp


@transaction.atomic
def fee_schedule_save(*, actor: Any, payer_id: int | None, stamp: str,
                      fees: Mapping[str, FeeInput | None]) -> dict[str, Any]:
    """Set the payer's schedule to `fees` (code -> charge and telehealth cover; None takes the
    code off the schedule). `payer_id` None is the practice's self-pay schedule (locked on the
    practice row; telehealth cover means nothing there and is kept off). Returns what
    changed: {"added", "changed", "removed"} codes."""
    if actor.role not in BILLING_WRITERS:
        raise PermissionDenied("Only billing staff and practice admins edit fee schedules.")
    payer: Payer | None = None
    if payer_id is None:
        Practice.objects.select_for_update(of=("self",)).filter(pk=actor.practice_id).first()
    else:
        payer = (Payer.objects.select_for_update(of=("self",))
                 .filter(pk=payer_id, practice_id=actor.practice_id).first())
        if payer is None:
            raise NotFound("payer")
    current = fee_rows(payer.pk if payer else None, actor.practice_id)
    if stamp != stamp_of(current):
        raise FeeScheduleChanged(current, stamp_of(current))
    known = set(BillingCode.objects.filter(code__in=list(fees)).values_list("code", flat=True))
    unknown = sorted(set(fees) - known)
    if unknown:
        raise DomainError("unknown_code", f"Not in the code catalogue: {', '.join(unknown)}.")
    added, changed, removed = [], [], []
    for code, value in sorted(fees.items()):
        row = current.get(code)
        if value is None:
            if row is not None:
                row.delete()
                removed.append(code)
            continue
        charge = value.unit_charge.quantize(Decimal("0.01"))
        if not charge.is_finite() or charge < 0 or charge > MAX_UNIT_CHARGE:
            raise DomainError("invalid_charge", f"{code}: the charge per unit must be $0 to "
                              f"${MAX_UNIT_CHARGE:,}.", field=code)
        covered = value.telehealth_covered and payer is not None
        if row is None:
            FeeSchedule.objects.create(payer=payer, practice_id=None if payer else
                                       actor.practice_id, code_id=code, unit_charge=charge,
                                       telehealth_covered=covered)
            added.append(code)
        elif (row.unit_charge, row.telehealth_covered) != (charge, covered):
            row.unit_charge, row.telehealth_covered = charge, covered
            row.save(update_fields=["unit_charge", "telehealth_covered"])
            changed.append(code)
    result = {"added": added, "changed": changed, "removed": removed}
    audit_record(actor=actor, action="update", object_type="FeeSchedule",
                 object_id=payer.pk if payer else "self-pay",
                 detail={**result, "payer": payer.pk if payer else None})
    return result
