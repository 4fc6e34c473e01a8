"""Who reaches a patient's money (Issue 10 item 9): the front desk reads the balance and
records a payment at the desk, but sees no claims or remittances; the chart links to the
money page for billing staff, the front desk and admins, not for clinicians."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from telept.billing.models import Claim, PatientPayment
from telept.billing.tests.helpers import setup_billing
from telept.billing.tests.matrix import claim_of
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db


def _money(cast: Any) -> str:
    return reverse("billing:patient_money", args=[cast.patient.pk])


def test_the_front_desk_reads_the_balance_and_records_a_payment_but_sees_no_claims(
        cast: Any) -> None:
    setup_billing(cast)
    claim = Claim.objects.get(pk=claim_of(cast, "patient"))
    desk = cast.client("front_desk")
    page = desk.get(_money(cast)).content.decode()
    assert 'data-testid="balance-amount"' in page and 'data-testid="payment-form"' in page
    assert claim.number not in page and 'data-testid="claims"' not in page
    assert reverse("billing:claim", args=[claim.pk]) not in page
    assert reverse("billing:remittances") not in page and reverse("billing:batches") not in page
    response = desk.post(_money(cast), {
        "amount": "25.00", "method": "card", "reference": "TERM-0042",
        "received_on": local_today().isoformat()}, follow=True)
    assert response.redirect_chain[-1][0] == _money(cast)
    assert "Recorded $25.00 (card (terminal))" in response.content.decode()
    payment = PatientPayment.objects.get()
    assert (payment.amount, payment.recorded_by) == (Decimal("25.00"),
                                                     cast.users["front_desk"])
    # Billing staff still see the claims on the same page.
    assert claim.number in cast.client("billing").get(_money(cast)).content.decode()
    # Claims and remittances stay closed to the front desk.
    assert desk.get(reverse("billing:claim", args=[claim.pk])).status_code == 403
    assert desk.get(reverse("billing:remittance_upload")).status_code == 403


def test_clinicians_and_patients_do_not_reach_the_money_page(cast: Any) -> None:
    for role in ("pt", "pta", "patient"):
        assert cast.client(role).get(_money(cast)).status_code in (403, 404), role


def test_the_chart_links_to_the_money_page_for_the_roles_that_may_see_it(cast: Any) -> None:
    chart = reverse("patients:chart", args=[cast.patient.pk])
    for role in ("billing", "front_desk", "admin"):
        page = cast.client(role).get(chart).content.decode()
        assert f'href="{_money(cast)}" data-testid="chart-money"' in page, role
    for role in ("pt", "pta"):
        page = cast.client(role).get(chart).content.decode()
        assert 'data-testid="chart-money"' not in page and _money(cast) not in page, role
