"""The billing person's actions as pages (Issue 10 items 7, 8, 9, 10), through the test
client: submit a payer's ready claims from the work queue and download the 837P pyx12
accepted, upload an 835 and see what it posted (once), record a payment beside the balance,
and edit a fee schedule without silently overwriting someone else's save."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telept.audit.models import AuditEvent
from telept.billing.models import (
    Claim,
    ClaimBatch,
    ClaimPayment,
    FeeSchedule,
    PatientPayment,
    Remittance,
)
from telept.billing.services.batches import x12_claim
from telept.billing.services.remittance import MAX_835_BYTES
from telept.billing.tests.helpers import certified_evaluation, setup_billing
from telept.billing.tests.test_claims import ready_claim
from telept.billing.x12.model import Adjustment as Cas
from telept.billing.x12.testing import ClaimPayment as Pay
from telept.billing.x12.testing import LinePayment, build_835_for
from telept.billing.x12.validate import validate_837p
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ready(cast: Any, django_capture_on_commit_callbacks: Any) -> list[Claim]:
    """Two claims to the Medicare payer, ready (scrubbed without errors)."""
    setup_billing(cast)
    certified_evaluation(cast, django_capture_on_commit_callbacks, days_ago=10)
    claims = [ready_claim(cast, django_capture_on_commit_callbacks, days_ago=d) for d in (1, 2)]
    assert [c.status for c in claims] == ["ready", "ready"], [c.scrub_results for c in claims]
    return claims


def _form(html: str, testid: str) -> str:
    match = re.search(rf'<form[^>]*data-testid="{testid}".*?</form>', html, re.S)
    assert match, f"no form {testid}"
    return match.group(0)


def _submit(cast: Any, claims: list[Claim], capture: Any, role: str = "billing") -> Any:
    with capture(execute=True):
        return cast.client(role).post(reverse("billing:batch_submit", args=[cast.payer.pk]),
                                      {"claim": [str(c.pk) for c in claims]}, follow=True)


@pytest.fixture
def submitted(cast: Any, ready: list[Claim], django_capture_on_commit_callbacks: Any
              ) -> list[Claim]:
    _submit(cast, ready, django_capture_on_commit_callbacks)
    for claim in ready:
        claim.refresh_from_db()
        assert claim.status == "submitted"
    return ready


# --- item 7: submit, batches, download ------------------------------------------------------

@pytest.mark.parametrize("role", ["billing", "admin"])
def test_the_queue_submits_a_payer_s_ready_claims_and_the_download_passes_pyx12(
        cast: Any, ready: list[Claim], django_capture_on_commit_callbacks: Any,
        role: str) -> None:
    queue = cast.client(role).get(reverse("billing:queue")).content.decode()
    form = _form(queue, f"submit-{cast.payer.pk}")
    assert "Submit 2 ready claims to Medicare" in form and "csrfmiddlewaretoken" in form
    assert f'action="{reverse("billing:batch_submit", args=[cast.payer.pk])}"' in form
    for claim in ready:
        assert f'name="claim" value="{claim.pk}"' in form

    page = _submit(cast, ready, django_capture_on_commit_callbacks, role)
    batch = ClaimBatch.objects.get()
    assert page.redirect_chain[-1][0] == reverse("billing:batch", args=[batch.pk])
    html = page.content.decode()
    assert f"Submitted 2 claims to Medicare in batch {batch.control_number:09d}" in html
    assert "Accepted" in html and "AK9*A" in html  # the 999 pyx12 wrote, shown
    for claim in ready:
        assert claim.number in html

    download = cast.client(role).get(reverse("billing:batch_download", args=[batch.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/edi-x12")
    assert download["Content-Disposition"] == \
        f'attachment; filename="837P-{cast.practice.pk}-{batch.control_number:09d}.x12"'
    text = download.content.decode("ascii")
    assert validate_837p(text).ok
    assert all(f"CLM*{claim.number}*" in text for claim in ready)
    assert AuditEvent.objects.filter(action="export", object_type="Claim",
                                     object_id=str(ready[0].pk)).exists()


def test_the_batches_page_lists_payer_control_number_claims_time_in_zone_and_999(
        cast: Any, submitted: list[Claim]) -> None:
    batch = ClaimBatch.objects.get()
    ClaimBatch.objects.filter(pk=batch.pk).update(
        created_at=dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC))
    cast.practice.time_zone = "America/Denver"
    cast.practice.save()
    html = cast.client("billing").get(reverse("billing:batches")).content.decode()
    table = html.split('data-testid="batches"')[1].split("</table>")[0]
    row = next(tr for tr in table.split("<tr>") if f"{batch.control_number:09d}</a>" in tr)
    assert "Medicare" in row and "<td>2</td>" in row
    assert "Mon 2 Mar 2026, 8:30 AM" in row and "America/Denver" in html
    assert "Accepted" in row and "Download 837P" in row
    assert reverse("billing:batch_download", args=[batch.pk]) in row


def test_the_confirm_page_lists_only_ready_claims_and_a_second_submit_submits_nothing(
        cast: Any, ready: list[Claim], django_capture_on_commit_callbacks: Any) -> None:
    Claim.objects.filter(pk=ready[1].pk).update(status="to_review")
    page = cast.client("billing").get(reverse("billing:batch_submit", args=[cast.payer.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and ready[0].number in html and ready[1].number not in html
    _submit(cast, ready, django_capture_on_commit_callbacks)
    assert Claim.objects.get(pk=ready[1].pk).status == "to_review"  # not ready: not sent
    again = _submit(cast, ready, django_capture_on_commit_callbacks)
    assert "nothing was submitted" in again.content.decode()
    assert ClaimBatch.objects.count() == 1


def test_a_claim_pyx12_refuses_is_not_offered_and_names_the_segment_and_element(
        cast: Any, ready: list[Claim], django_capture_on_commit_callbacks: Any) -> None:
    cast.patient.state = "XX"  # our scrubber is silent, pyx12 refuses N402
    cast.patient.save()
    page = _submit(cast, ready, django_capture_on_commit_callbacks)
    html = page.content.decode()
    batch = ClaimBatch.objects.get()
    assert not batch.valid and batch.transport_status == "held"
    assert f"Claim {ready[0].number}" in html and "segment N4, element N402" in html
    assert "Refused: the file is not offered" in html and "Download 837P</a>" not in html
    assert "AK9*R" in html
    response = cast.client("billing").get(reverse("billing:batch_download", args=[batch.pk]))
    assert response.status_code == 404
    queue = cast.client("billing").get(reverse("billing:queue")).content.decode()
    rejected = queue.split('data-testid="lane-rejected"')[1].split("</section>")[0]
    assert ready[0].number in rejected


# --- item 8: 835 upload ---------------------------------------------------------------------

def _upload(cast: Any, data: bytes, name: str = "era.835", role: str = "billing") -> Any:
    return cast.client(role).post(reverse("billing:remittance_upload"),
                                  {"file": SimpleUploadedFile(name, data, "text/plain")},
                                  follow=True)


def _paid_and_denied(claims: list[Claim]) -> bytes:
    paid, denied = claims
    return build_835_for([x12_claim(c) for c in claims], {
        paid.number: Pay(lines=(
            LinePayment(paid=D("60.00"), adjustments=(Cas("CO", "45", D("4.00")),
                                                      Cas("PR", "2", D("16.00")))),
            LinePayment(paid=D("42.00")))),
        denied.number: Pay(status="4", lines=(
            LinePayment(paid=D("0"), adjustments=(Cas("CO", "50", D("80.00")),),
                        remarks=("N115",)),
            LinePayment(paid=D("0"), adjustments=(Cas("CO", "50", D("42.00")),))))}).encode()


def test_an_835_upload_posts_a_payment_and_a_denial_and_shows_what_it_posted(
        cast: Any, submitted: list[Claim]) -> None:
    upload = cast.client("billing").get(reverse("billing:remittance_upload")).content.decode()
    form = _form(upload, "upload-form")
    assert 'enctype="multipart/form-data"' in form and "csrfmiddlewaretoken" in form
    assert 'type="file"' in form

    page = _upload(cast, _paid_and_denied(submitted))
    remittance = Remittance.objects.get()
    assert page.redirect_chain[-1][0] == reverse("billing:remittance", args=[remittance.pk])
    html = page.content.decode()
    assert "Posted 2 claim payment(s)." in html and "1 paid, 1 denied" in html
    paid = html.split('data-testid="payment-paid"')[1].split("</section>")[0]
    assert submitted[0].number in paid and "$102.00" in paid and "$16.00" in paid
    assert "PR-2" in paid and "Coinsurance" in paid
    denied = html.split('data-testid="payment-denied"')[1].split("</section>")[0]
    assert submitted[1].number in denied and "CO-50" in denied and "N115" in denied
    assert "medical necessity" in denied and "Local Coverage Determination" in denied
    assert "Next step:</strong> Appeal with the plan of care" in denied
    assert Claim.objects.get(pk=submitted[1].pk).status == "denied"

    listing = cast.client("billing").get(reverse("billing:remittances")).content.decode()
    assert reverse("billing:remittance", args=[remittance.pk]) in listing
    assert "EFT0001" in listing and "$102.00" in listing and "(1 denied)" in listing


def test_the_same_835_uploaded_twice_posts_nothing_twice(cast: Any,
                                                         submitted: list[Claim]) -> None:
    data = _paid_and_denied(submitted)
    _upload(cast, data)
    again = _upload(cast, data)
    assert again.status_code == 200
    assert "This 835 was posted before; nothing was posted again." in again.content.decode()
    assert Remittance.objects.count() == 1 and ClaimPayment.objects.count() == 2
    assert Claim.objects.get(pk=submitted[0].pk).paid_amount == D("102.00")


@pytest.mark.parametrize("data, status, says", [
    (b"ISA*this is not an 835~", 422, ""),
    (b"   ", 422, "empty"),
    ("ISA*é".encode(), 422, "outside ASCII"),
    (b"ISA*00\x00~", 422, "not X12 text"),
])
def test_a_malformed_upload_says_so_on_the_page_and_posts_nothing(
        cast: Any, data: bytes, status: int, says: str) -> None:
    response = _upload(cast, data)
    html = response.content.decode()
    assert response.status_code in (400, status), response.status_code
    assert 'data-testid="upload-error"' in html and "Nothing was posted" in html
    assert says in html
    assert 'type="file"' in html  # the form is there to try again
    assert not Remittance.objects.exists() and not ClaimPayment.objects.exists()


def test_an_upload_without_a_file_keeps_the_field_error(cast: Any) -> None:
    response = cast.client("billing").post(reverse("billing:remittance_upload"), {})
    assert response.status_code == 400
    assert "Choose the 835 file to upload." in response.content.decode()


def test_an_835_for_claims_that_are_not_ours_names_them_and_posts_nothing(
        cast: Any, ready: list[Claim]) -> None:
    data = build_835_for([x12_claim(ready[0])], {}).encode()  # never submitted
    response = _upload(cast, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert ready[0].number in html and "Nothing was posted" in html
    assert not Remittance.objects.exists()


def test_an_oversized_835_is_refused_on_the_page_before_it_is_posted(cast: Any) -> None:
    response = _upload(cast, b"ISA" + b" " * MAX_835_BYTES)
    html = response.content.decode()
    assert response.status_code == 413  # refused while reading (test_uploads.py)
    assert "an 835 may be at most 5,242,880 bytes" in html and "Nothing was posted" in html
    assert not Remittance.objects.exists()


# --- item 9: a payment at the desk ----------------------------------------------------------

def _money(cast: Any, role: str = "billing", patient: Any = None) -> Any:
    return reverse("billing:patient_money", args=[(patient or cast.patient).pk])


def test_staff_record_a_check_payment_and_the_balance_follows(
        cast: Any, submitted: list[Claim]) -> None:
    _upload(cast, _paid_and_denied(submitted))  # the patient owes $16.00 coinsurance
    page = cast.client("billing").get(_money(cast)).content.decode()
    assert "$16.00 owed" in page
    form = _form(page, "payment-form")
    assert "csrfmiddlewaretoken" in form and 'value="check"' in form and 'value="card"' in form
    day = submitted[0].charge.date_of_service.isoformat()
    assert f'value="{day}"' in form  # the visit it pays for can be chosen

    response = cast.client("billing").post(_money(cast), {
        "amount": "10.00", "method": "check", "reference": "1042",
        "received_on": local_today().isoformat(), "date_of_service": day}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == _money(cast)
    assert "Recorded $10.00 (check)" in html and "$6.00 owed" in html and "1042" in html
    payment = PatientPayment.objects.get()
    assert payment.reference == "1042" and payment.date_of_service.isoformat() == day
    assert AuditEvent.objects.filter(action="create", object_type="PatientPayment",
                                     object_id=str(payment.pk)).exists()


def test_a_card_payment_without_its_terminal_reference_keeps_what_was_typed(
        cast: Any) -> None:
    response = cast.client("admin").post(_money(cast), {
        "amount": "1234.5", "method": "card", "reference": "",
        "received_on": local_today().isoformat(), "memo": "Front desk, visit 3"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the check number or the card terminal" in html
    assert 'value="1234.5"' in html and "Front desk, visit 3" in html
    assert not PatientPayment.objects.exists()


@pytest.mark.parametrize("amount, says", [("0", "greater than or equal to 0.01"),
                                          ("abc", "Enter a number"),
                                          ("100000.01", "less than or equal to 100000")])
def test_a_bad_amount_is_a_field_error(cast: Any, amount: str, says: str) -> None:
    response = cast.client("billing").post(_money(cast), {
        "amount": amount, "method": "cash", "received_on": local_today().isoformat()})
    assert response.status_code == 400 and says in response.content.decode()
    assert not PatientPayment.objects.exists()


def test_money_shows_with_thousands_and_cents(cast: Any) -> None:
    PatientPayment.objects.create(practice=cast.practice, patient=cast.patient,
                                  amount=D("1234.56"), method="cash",
                                  received_on=dt.date(2026, 3, 2),
                                  recorded_by=cast.users["billing"])
    html = cast.client("billing").get(_money(cast)).content.decode()
    assert "$1,234.56" in html and "Credit of $1,234.56" in html


# --- item 10: fee schedules -----------------------------------------------------------------

def _fee_form(cast: Any, role: str = "billing") -> dict[str, str]:
    """What the edit page's form sends as it is (hidden stamp, charges, boxes ticked)."""
    html = cast.client(role).get(reverse("billing:fee_edit", args=[cast.payer.pk])).content
    form = _form(html.decode(), "fee-form")
    data = {m.group(1): m.group(2) for m in re.finditer(
        r'<input type="(?:hidden|number)" name="([^"]+)" value="([^"]*)"', form)}
    data.update({m.group(1): "on" for m in re.finditer(
        r'<input type="checkbox" name="([^"]+)"[^>]* checked', form)})
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_the_fee_schedules_list_every_payer_and_edit_saves_charges_and_telehealth(
        cast: Any) -> None:
    setup_billing(cast)
    listing = cast.client("admin").get(reverse("billing:fees")).content.decode()
    assert "Medicare" in listing and reverse("billing:fee_edit", args=[cast.payer.pk]) in listing
    data = _fee_form(cast, "admin")
    assert data["charge_97110"] == "40.00" and data["telehealth_97110"] == "on"
    data["charge_97110"] = "45.50"
    data.pop("telehealth_97112")
    data.pop("charge_97035")  # off the schedule
    data["charge_97116"] = "1234.00"
    response = cast.client("admin").post(reverse("billing:fee_edit", args=[cast.payer.pk]),
                                         data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("billing:fees")
    assert "Saved the fee schedule of Medicare: 4 codes changed." in response.content.decode()
    fees = {f.code_id: f for f in FeeSchedule.objects.filter(payer=cast.payer)}
    assert fees["97110"].unit_charge == D("45.50") and fees["97110"].telehealth_covered
    assert not fees["97112"].telehealth_covered and "97035" not in fees
    assert fees["97116"].unit_charge == D("1234.00")
    event = AuditEvent.objects.filter(action="update", object_type="FeeSchedule").get()
    assert event.detail["changed"] == ["97110", "97112", "97116"]
    assert event.detail["removed"] == ["97035"]


def test_a_stale_fee_schedule_save_is_refused_and_keeps_what_was_typed(cast: Any) -> None:
    setup_billing(cast)
    mine = _fee_form(cast, "billing")
    theirs = _fee_form(cast, "admin")
    theirs["charge_97110"] = "41.00"
    url = reverse("billing:fee_edit", args=[cast.payer.pk])
    assert cast.client("admin").post(url, theirs).status_code == 302
    mine["charge_97110"] = "47.25"
    mine["charge_97140"] = "39.99"
    response = cast.client("billing").post(url, mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this fee schedule since you opened it" in html
    assert 'value="47.25"' in html and 'value="39.99"' in html  # what I typed, still there
    assert "$41.00" in html.split('data-testid="saved-97110"')[1].split("</p>")[0]
    assert FeeSchedule.objects.get(payer=cast.payer, code_id="97110").unit_charge == D("41.00")
    assert FeeSchedule.objects.get(payer=cast.payer, code_id="97140").unit_charge == D("39.00")

    again = _form(html, "fee-form")  # the refused page carries the new stamp: a choice
    stamp = re.search(r'name="stamp" value="([^"]+)"', again)
    assert stamp and stamp.group(1) != mine["stamp"]
    assert cast.client("billing").post(url, {**mine, "stamp": stamp.group(1)}).status_code == 302
    assert FeeSchedule.objects.get(payer=cast.payer, code_id="97110").unit_charge == D("47.25")


def test_a_bad_charge_is_a_field_error_and_nothing_is_saved(cast: Any) -> None:
    setup_billing(cast)
    data = _fee_form(cast)
    data["charge_97110"] = "-5"
    data["telehealth_97750"] = "on"  # telehealth without a charge
    response = cast.client("billing").post(reverse("billing:fee_edit", args=[cast.payer.pk]),
                                           data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "greater than or equal to 0" in html and "Enter a charge for 97750" in html
    assert 'value="-5"' in html
    assert FeeSchedule.objects.get(payer=cast.payer, code_id="97110").unit_charge == D("40.00")


# --- who may ---------------------------------------------------------------------------------

def _urls(cast: Any) -> list[tuple[str, str]]:
    batch = ClaimBatch.objects.create(practice=cast.practice, payer=cast.payer,
                                      control_number=77, x12="ISA*00~", valid=True,
                                      transport_status="ready")
    remittance = Remittance.objects.create(practice=cast.practice, file_hash="x", text="ISA~")
    return [("get", reverse("billing:batches")),
            ("post", reverse("billing:batch_submit", args=[cast.payer.pk])),
            ("get", reverse("billing:batch", args=[batch.pk])),
            ("get", reverse("billing:batch_download", args=[batch.pk])),
            ("post", reverse("billing:remittance_upload")),
            ("get", reverse("billing:remittances")),
            ("get", reverse("billing:remittance", args=[remittance.pk])),
            ("post", reverse("billing:patient_money", args=[cast.patient.pk])),
            ("get", reverse("billing:fees")),
            ("post", reverse("billing:fee_edit", args=[cast.payer.pk]))]


@pytest.mark.parametrize("role", ["pt", "pta", "front_desk", "patient"])
def test_other_roles_are_refused_every_action(cast: Any, role: str) -> None:
    """The front desk takes payments at the desk (test_money_access.py), nothing else here."""
    money = reverse("billing:patient_money", args=[cast.patient.pk])
    for method, url in _urls(cast):
        if role == "front_desk" and url == money:
            continue
        response = getattr(cast.client(role), method)(url, {"amount": "5", "method": "cash"})
        assert response.status_code == 403, f"{role} {method} {url}"
    assert not PatientPayment.objects.exists() and not FeeSchedule.objects.exists()


def test_the_outsider_practice_gets_404_for_our_records(cast: Any) -> None:
    setup_billing(cast)
    for method, url in _urls(cast):
        response = getattr(cast.client("outsider_admin"), method)(url)
        if url in (reverse("billing:batches"), reverse("billing:remittances"),
                   reverse("billing:fees"), reverse("billing:remittance_upload")):
            continue  # pages of their own practice
        assert response.status_code == 404, f"{method} {url}"
    listing = cast.client("outsider_admin").get(reverse("billing:batches")).content.decode()
    assert "000000077" not in listing
    fees = cast.client("outsider_admin").get(reverse("billing:fees")).content.decode()
    assert "Medicare" not in fees
