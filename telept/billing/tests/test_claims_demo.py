"""The demo's billing: every work-queue lane has something, and seeding twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from telept.accounts.actor import actor_for
from telept.accounts.models import User
from telept.billing.models import Charge, Claim, ClaimBatch, ClaimPayment, Remittance
from telept.billing.selectors import work_queue
from telept.practices.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_lane_and_is_idempotent(db: Any) -> None:
    seed_demo()
    billing = actor_for(User.objects.get(email="billing@riverside.example"))
    lanes = {lane.key: lane.count for lane in work_queue(actor=billing)}
    assert lanes.pop("failed") == 0  # every demo note's charges were made
    assert all(lanes.values()), lanes
    batch = ClaimBatch.objects.get()
    assert batch.valid and batch.transport_status in ("ready", "sent")
    assert Remittance.objects.count() == 1 and ClaimPayment.objects.count() == 3
    home = Claim.objects.filter(charge__pos="10", status="paid").first()
    assert home is not None
    counts = (Charge.objects.count(), Claim.objects.count(), ClaimPayment.objects.count())
    seed_demo()
    assert (Charge.objects.count(), Claim.objects.count(),
            ClaimPayment.objects.count()) == counts
