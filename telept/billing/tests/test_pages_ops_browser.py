"""Issue 10's "done when", as the demo billing user in headless Chromium on a 360 px phone
against a live server (telept.tests.live): submit a payer's ready claims from the work
queue, download the batch's 837P and check it with pyx12, upload an 835 for those claims
(made here from the downloaded file) that posts a payment and a denial, the same file again
posts nothing, and the patient's page shows the balance and records a payment. No page
scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from telept.billing.x12.model import Adjustment as Cas
from telept.billing.x12.model import ServiceLine
from telept.billing.x12.testing import ClaimPayment as Pay
from telept.billing.x12.testing import LinePayment, Remit, build_835_for, sample_claim
from telept.billing.x12.validate import validate_837p
from telept.tests.factories import local_today
from telept.tests.live import (  # noqa: F401
    LiveServer,
    launch_chromium,
    live_server_proc,
    staff_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

PHONE = {"width": 360, "height": 640}
BILLING = "billing@riverside.example"


@pytest.fixture(scope="module")
def billing_page(live_server_proc: LiveServer  # noqa: F811
                 ) -> Iterator[tuple[Page, LiveServer]]:
    with staff_page(live_server_proc, BILLING, viewport=PHONE) as page:
        yield page, live_server_proc


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _claims_of(text: str) -> list[tuple[str, list[tuple[str, Decimal, int]]]]:
    """(CLM01, [(code, charge, units)]) of each claim in an 837P."""
    claims: list[tuple[str, list[tuple[str, Decimal, int]]]] = []
    for seg in (s.strip() for s in text.split("~") if s.strip()):
        parts = seg.split("*")
        if parts[0] == "CLM":
            claims.append((parts[1], []))
        elif parts[0] == "SV1" and claims:
            claims[-1][1].append((parts[1].split(":")[1], Decimal(parts[2]), int(parts[4])))
    return claims


def test_submit_download_post_an_835_and_record_a_payment_on_a_phone(
        billing_page: tuple[Page, LiveServer], tmp_path: Path) -> None:
    page, server = billing_page
    page.goto(server.base_url + "/billing/")
    _fits(page)
    # Last week's signed visits are in the queue, as charges to review and as claims.
    charges = page.get_by_test_id("lane-charges").locator("tbody tr")
    expect(charges.first).to_contain_text("97110")  # a signed visit's charge, with its units
    expect(page.get_by_test_id("lane-submitted").locator("tbody tr").first).to_contain_text("$")
    claim_id = server.shell(
        "from telept.billing.models import Claim\n"
        "print(Claim.objects.filter(practice__slug='riverside', charge__modality='video',"
        " charge__pos='10').order_by('id').values_list('pk', flat=True).first())")
    page.goto(f"{server.base_url}/billing/claims/{claim_id.strip()}/")
    expect(page.get_by_test_id("claim-pos")).to_contain_text("10")
    lines = page.get_by_test_id("claim-lines")
    for modifier in ("GP", "95"):  # each with the sentence of the rule that set it
        expect(lines.locator("li", has_text=f"{modifier}:").first).to_contain_text(" ")
    expect(lines).to_contain_text("plan of care")
    expect(lines).to_contain_text("video")
    page.goto(server.base_url + "/billing/")
    submit = page.locator("[data-testid=lane-ready] form[data-testid^=submit-] button").first
    expect(submit).to_contain_text("ready claim")
    submit.click()
    page.wait_for_url("**/billing/batches/*/")
    expect(page.locator(".messages")).to_contain_text("pyx12 accepted the file")
    expect(page.get_by_test_id("batch-999")).to_contain_text("Accepted")
    _fits(page)

    with page.expect_download() as info:
        page.get_by_test_id("download-837p").click()
    download = info.value
    assert download.suggested_filename.startswith("837P-")
    assert download.suggested_filename.endswith(".x12")
    text = Path(download.path()).read_text(encoding="ascii")
    assert validate_837p(text).ok
    claims = _claims_of(text)
    assert claims and all(lines for _, lines in claims), text

    day = local_today()
    x12 = [sample_claim(number, lines=tuple(ServiceLine(code=code, charge=charge, units=units,
                                                        service_date=day)
                                            for code, charge, units in lines))
           for number, lines in claims]
    paid = x12[0]
    denied = x12[1] if len(x12) > 1 else None
    payments = {paid.claim_id: Pay(lines=tuple(
        LinePayment(paid=line.charge - Decimal("5.00"),
                    adjustments=(Cas("PR", "2", Decimal("5.00")),)) for line in paid.lines))}
    if denied is not None:
        payments[denied.claim_id] = Pay(status="4", lines=tuple(
            LinePayment(paid=Decimal("0"), adjustments=(Cas("CO", "50", line.charge),),
                        remarks=("N115",)) for line in denied.lines))
    era = tmp_path / "era.835"
    era.write_text(build_835_for(x12, payments, remit=Remit(check_number="EFTBROWSER1")))

    page.goto(server.base_url + "/billing/remittances/upload/")
    _fits(page)
    page.set_input_files("input[type=file]", str(era))
    page.get_by_role("button", name="Upload and post").click()
    page.wait_for_url("**/billing/remittances/*/")
    expect(page.locator(".messages")).to_contain_text(f"Posted {len(x12)} claim payment(s).")
    expect(page.get_by_test_id("payment-paid")).to_contain_text("PR-2")
    if denied is not None:
        denial = page.get_by_test_id("payment-denied")
        expect(denial).to_contain_text("CO-50")
        expect(denial).to_contain_text("medical necessity")
        expect(denial.get_by_test_id("next-step")).to_contain_text("Appeal")
    _fits(page)

    page.goto(server.base_url + "/billing/remittances/upload/")
    page.set_input_files("input[type=file]", str(era))
    page.get_by_role("button", name="Upload and post").click()
    expect(page.get_by_test_id("upload-notice")).to_contain_text("nothing was posted again")

    page.goto(server.base_url + "/billing/remittances/")
    expect(page.get_by_test_id("remittances")).to_contain_text("EFTBROWSER1")
    page.get_by_test_id("remittances").get_by_role("link").first.click()
    page.get_by_test_id("payment-paid").get_by_role("link").nth(1).click()  # the patient
    page.wait_for_url("**/billing/patients/*/money/")
    expect(page.get_by_test_id("balance-amount")).to_contain_text("$")
    _fits(page)
    page.fill("input[name=amount]", "5.00")
    page.select_option("select[name=method]", "cash")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".messages")).to_contain_text("Recorded $5.00 (cash)")
    # A patient with a portal account: their own statement page shows the balance the
    # staff page shows.
    pk, email = server.shell(
        "from telept.billing.models import Claim\n"
        "c = Claim.objects.filter(practice__slug='riverside', patient__user__isnull=False)"
        ".exclude(status='replaced').select_related('patient__user').order_by('id').first()\n"
        "print(c.patient_id, c.patient.user.email)").split()
    page.goto(f"{server.base_url}/billing/patients/{pk}/money/")
    owed = page.get_by_test_id("balance-amount").inner_text()
    amount = owed.replace(" owed", "").replace("Credit of ", "")
    portal = page.context.browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        mine = portal.new_page()
        mine.goto(server.base_url + server.magic_link_path(email))
        mine.click("[data-testid=magic-sign-in]")
        mine.wait_for_url("**/portal/")
        mine.goto(server.base_url + "/portal/statements/")
        expect(mine.get_by_test_id("balance")).to_contain_text(amount)
        _fits(mine)
    finally:
        portal.close()
    page.screenshot(path="/tmp/billing-ops-360.png", full_page=True)
