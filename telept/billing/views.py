"""Billing pages for billing staff and practice admins (Issue 10 item 10): the work queue
in lanes, and a claim's detail with every line's units, modifiers, POS and the rule that set
each one. Reads go through the scoped, audited selectors; times show in the practice's zone.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from telept.accounts.roles import Role
from telept.accounts.web import actor_required
from telept.billing import selectors
from telept.billing.models import Claim

BILLING = (Role.ADMIN, Role.BILLING)
# Claim lanes shown with a status badge colour of the app's CSS.
BADGE = {"ready": "completed", "paid": "completed", "submitted": "held", "partial": "held",
         "rejected": "cancelled", "denied": "cancelled", "to_review": "no_show"}


def _zone(actor: Any) -> str:
    return str(actor.membership.practice.time_zone)


@actor_required(*BILLING)
def work_queue(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    lanes = [{"lane": lane, "claims": [(claim, BADGE.get(claim.status, ""))
                                       for claim in lane.claims]}
             for lane in selectors.work_queue(actor=actor)]
    return render(request, "billing/queue.html", {"lanes": lanes, "zone": _zone(actor)})


def _rules(line: Any) -> list[dict[str, str]]:
    return [{"rule": str(w.get("rule", "")), "value": str(w.get("value", "")),
             "why": str(w.get("why", ""))} for w in line.why if isinstance(w, dict)]


@actor_required(*BILLING)
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    claim: Claim = selectors.claim_get(actor=actor, claim_id=claim_id)
    lines = [{"line": line, "rules": _rules(line)} for line in claim.charge.lines.all()]
    return render(request, "billing/claim.html", {
        "claim": claim, "charge": claim.charge, "lines": lines, "zone": _zone(actor),
        "badge": BADGE.get(claim.status, ""), "payments": list(claim.payments.all())})
