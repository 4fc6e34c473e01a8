"""Billing pages (Issue 10 item 10): the work queue's lanes and a claim's lines with the rule
behind every unit, modifier and POS, for billing staff and admins only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from telept.billing.models import Claim
from telept.billing.tests.matrix import WHY, claim_of

pytestmark = pytest.mark.django_db
LANES = ["Charges to review", "Claims to review", "Ready to submit",
         "Rejected (scrubber or 999)", "Submitted", "Denied", "Partially paid", "Paid"]


@pytest.mark.parametrize("role", ["billing", "admin"])
def test_billing_and_admins_see_every_lane_and_the_claim_in_its_own(cast: Any,
                                                                    role: str) -> None:
    claim = Claim.objects.get(pk=claim_of(cast, "patient"))
    page = cast.client(role).get(reverse("billing:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    for label in LANES:
        assert label in html
    lane = html.split('data-testid="lane-to_review"')[1].split("</section>")[0]
    assert claim.number in lane and "First claim to this payer." in lane
    assert reverse("billing:claim", args=[claim.pk]) in lane


def test_the_claim_page_shows_each_line_s_units_modifiers_pos_and_the_rule_for_each(
        cast: Any) -> None:
    claim = Claim.objects.get(pk=claim_of(cast, "patient"))
    html = cast.client("billing").get(reverse("billing:claim", args=[claim.pk])).content.decode()
    lines = html.split('data-testid="claim-lines"')[1].split("</table>")[0]
    assert "97110" in lines and "GP, 95" in lines and ">2<" in lines and ">10<" in lines
    for rule in WHY:
        assert rule["why"] in lines
    assert "The patient was at home: POS 10." in html and "To review" in html


def test_times_show_in_the_practice_s_zone(cast: Any) -> None:
    claim = Claim.objects.get(pk=claim_of(cast, "outsider_patient"))  # Lakeside: Chicago
    Claim.objects.filter(pk=claim.pk).update(
        submitted_at=dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC))
    html = cast.client("outsider_admin").get(
        reverse("billing:claim", args=[claim.pk])).content.decode()
    assert "9:30 AM" in html and "America/Chicago" in html


@pytest.mark.parametrize("role", ["front_desk", "pt", "pta", "patient"])
def test_other_roles_are_refused(cast: Any, role: str) -> None:
    claim = claim_of(cast, "patient")
    for url in (reverse("billing:queue"), reverse("billing:claim", args=[claim])):
        assert cast.client(role).get(url).status_code == 403, f"{role} {url}"


def test_the_outsider_practice_gets_404_for_our_claim(cast: Any) -> None:
    claim = claim_of(cast, "patient")
    response = cast.client("outsider_admin").get(reverse("billing:claim", args=[claim]))
    assert response.status_code == 404
    queue = cast.client("outsider_admin").get(reverse("billing:queue")).content.decode()
    assert Claim.objects.get(pk=claim).number not in queue


@pytest.mark.parametrize("role, shown", [("billing", True), ("admin", True),
                                         ("front_desk", False), ("pt", False)])
def test_the_staff_menu_links_billing_for_billing_and_admins(cast: Any, role: str,
                                                             shown: bool) -> None:
    html = cast.client(role).get(reverse("dashboard")).content.decode()
    assert (f'href="{reverse("billing:queue")}">Billing</a>' in html) is shown
