"""The billing reports page (billing staff and admins) and a therapist's own charges page
(Issue 10 item 10): figures worked out by hand from charges made by real note signing,
charts as inline SVG with a table beside, date filters that keep their errors, the
practice's zone, and nobody sees another practice's or another provider's money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.audit.models import AuditEvent
from telept.billing.models import (
    Charge,
    Claim,
    ClaimBatch,
    ClaimPayment,
    PatientPayment,
    Remittance,
)
from telept.billing.reports import Period
from telept.billing.selectors_reports import billing_reports, own_charges
from telept.billing.services.claims import claim_build
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.clinical.tests.helpers import second_pt, supervised_pta
from telept.clinical.tests.matrix import pta
from telept.lib.errors import PermissionDenied

pytestmark = pytest.mark.django_db
D = Decimal


def _today(cast: Any) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(cast.practice.time_zone)).date()


def _bill(cast: Any, note: Any, *, status: str, paid: str = "0", pr: str = "0") -> Claim:
    """The note's charge on a claim, submitted in a batch and moved to `status`."""
    charge = Charge.objects.get(note=note, is_current=True)
    claim = claim_build(actor=cast.actor("billing"), charge_id=charge.pk)
    batch = ClaimBatch.objects.create(practice=cast.practice, payer=cast.payer,
                                      control_number=claim.pk)
    Claim.objects.filter(pk=claim.pk).update(
        status=status, batch=batch, submitted_at=timezone.now(), paid_amount=D(paid),
        patient_responsibility=D(pr), rejected_by="")
    claim.refresh_from_db()
    return claim


def _pay(cast: Any, claim: Claim, paid: str, pr: str = "0", *,
         on: dt.date | None = None) -> ClaimPayment:
    remittance = Remittance.objects.create(
        practice=cast.practice, file_hash=f"h{claim.pk}", text="ISA*...", payment_date=on,
        payment_amount=D(paid))
    return ClaimPayment.objects.create(remittance=remittance, claim=claim, clp_key=f"k{claim.pk}",
                                       clp_status="1", charge=claim.total_charge, paid=D(paid),
                                       patient_responsibility=D(pr))


@pytest.fixture
def money(cast: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Three visits of the cast PT, billed to Medicare at $40 a unit of 97110:
    - video 10 days ago, 38 min = 3 units = $120.00, paid $96.00 + $24.00 patient share (owes 0);
      the patient paid $10.00 at the desk today for it;
    - audio only 45 days ago, 23 min = 2 units = $80.00, submitted, nothing back (31-60 days);
    - in person 100 days ago, 38 min = $120.00, denied (stays in A/R: 91-120 days)."""
    setup_billing(cast)
    capture = django_capture_on_commit_callbacks
    video = sign_note(cast, capture, minutes=(("97110", 38),), modality="video", days_ago=10)
    audio = sign_note(cast, capture, minutes=(("97110", 23),), modality="audio", days_ago=45)
    office = sign_note(cast, capture, minutes=(("97110", 38),), modality="in_person",
                       days_ago=100)
    totals = [Charge.objects.get(note=n, is_current=True).total_charge
              for n in (video, audio, office)]
    assert totals == [D("120.00"), D("80.00"), D("120.00")]  # the fixture's own arithmetic
    today = _today(cast)
    paid = _bill(cast, video, status="paid", paid="96.00", pr="24.00")
    _pay(cast, paid, "96.00", "24.00", on=today)
    submitted = _bill(cast, audio, status="submitted")
    denied = _bill(cast, office, status="denied")
    PatientPayment.objects.create(
        practice=cast.practice, patient=cast.patient, amount=D("10.00"), method="cash",
        received_on=today, date_of_service=paid.charge.date_of_service,
        recorded_by=cast.users["billing"])
    return {"paid": paid, "submitted": submitted, "denied": denied, "today": today}


def _section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


@pytest.mark.parametrize("role", ["billing", "admin"])
def test_billing_and_admins_read_the_three_reports_with_figures_worked_by_hand(
        cast: Any, money: dict[str, Any], role: str) -> None:
    page = cast.client(role).get(reverse("billing:reports"))
    assert page.status_code == 200
    html = page.content.decode()
    aging = _section(html, "aging")
    assert "aged from the <strong>date of service</strong>" in aging
    medicare = aging.split("<th scope=\"row\" class=\"nowrap\">Medicare</th>")[1].split("</tr>")[0]
    # 0-30: $0 (the video visit is settled), 31-60: $80, 61-90: $0, 91-120: $120, 120+: $0
    cells = [c.split("</td>")[0] for c in medicare.split('<td class="nowrap">')[1:]]
    assert cells == ["$0.00", "$80.00", "$0.00", "$120.00", "$0.00", "<strong>$200.00</strong>"]
    totals = aging.split('data-testid="aging-totals"')[1].split("</tr>")[0]
    assert "$200.00" in totals and "<td>2</td>" in totals
    month = money["today"].strftime("%b %Y")
    collections = _section(html, "collections")
    row = collections.split(f'<th scope="row" class="nowrap">{month}</th>')[1].split("</tr>")[0]
    assert row.count("$96.00") == 1 and "$10.00" in row and "$106.00" in row
    modality = _section(html, "modality")
    video = modality.split('<th scope="row" class="nowrap">Video</th>')[1].split("</tr>")[0]
    audio = modality.split('<th scope="row" class="nowrap">Audio only</th>')[1].split("</tr>")[0]
    office = modality.split('<th scope="row" class="nowrap">In person</th>')[1].split("</tr>")[0]
    assert "$120.00" in video and "$106.00" in video
    assert "$80.00" in audio and "$0.00" in audio and "$120.00" in office
    assert "<strong>63%</strong>" in modality  # telehealth (120 + 80) / 320 = 62.5%, rounded up


def test_each_chart_is_inline_svg_with_a_title_a_description_and_a_table_beside(
        cast: Any, money: dict[str, Any]) -> None:
    html = cast.client("billing").get(reverse("billing:reports")).content.decode()
    for name in ("aging", "collections", "modality"):
        section = _section(html, name)
        svg = section.split("<svg")[1].split("</svg>")[0]
        assert 'role="img"' in svg
        assert f'aria-labelledby="{name}-chart-title {name}-chart-desc"' in svg
        assert f'<title id="{name}-chart-title">' in svg
        assert f'<desc id="{name}-chart-desc">' in svg
        assert "<rect" in svg and f'data-testid="{name}-table"' in section
    aging_svg = _section(html, "aging").split("</svg>")[0]
    assert "31–60 days: $80.00" in aging_svg and "<title>91–120 days: $120.00</title>" in aging_svg
    # No script library and no outside asset: every src/href stays on our own origin.
    assert "cdn" not in html.lower() and 'src="http' not in html and "<link href=\"http" not in html


def test_aging_from_the_submission_day_says_so(cast: Any, money: dict[str, Any]) -> None:
    html = cast.client("billing").get(reverse("billing:reports"),
                                      {"basis": "submission"}).content.decode()
    aging = _section(html, "aging")
    assert "aged from the <strong>date submitted</strong>" in aging
    medicare = aging.split("<th scope=\"row\" class=\"nowrap\">Medicare</th>")[1].split("</tr>")[0]
    assert medicare.split('<td class="nowrap">')[1].startswith("$200.00")  # all sent today


def test_a_date_range_limits_every_report(cast: Any, money: dict[str, Any]) -> None:
    today = money["today"]
    start = today - dt.timedelta(days=60)
    html = cast.client("billing").get(reverse("billing:reports"), {
        "start": start.isoformat(), "end": today.isoformat()}).content.decode()
    aging = _section(html, "aging")
    assert (f"Only claims whose date of service is from {start.day} {start:%b %Y} to "
            f"{today.day} {today:%b %Y}.") in aging
    totals = aging.split('data-testid="aging-totals"')[1].split("</tr>")[0]
    assert "<strong>$80.00</strong>" in totals  # the visit 100 days ago is outside
    modality = _section(html, "modality")
    office = modality.split('<th scope="row" class="nowrap">In person</th>')[1].split("</tr>")[0]
    assert "<td>0</td>" in office and "$120.00" not in office
    months = _section(html, "collections").count('<th scope="row" class="nowrap">')
    assert months in (3, 4)  # the months the 60 days touch


@pytest.mark.parametrize("query, message", [
    ({"start": "2026-11-20", "end": "2026-11-01"}, "The end date is before the start date."),
    ({"start": "2026-13-40"}, "Enter a valid date."),
    ({"end": "2999-01-01"}, "to today"),
    ({"start": "1999-12-31"}, "Choose a day from 1 Jan 2000"),
    ({"start": "2020-01-01", "end": "2026-11-01"}, "Choose at most 36 months."),
    ({"basis": "posting"}, "Select a valid choice."),
])
def test_bad_filter_input_answers_400_with_the_error_and_keeps_the_dates_typed(
        cast: Any, query: dict[str, str], message: str) -> None:
    response = cast.client("billing").get(reverse("billing:reports"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'class="errorlist"' in html
    for key in ("start", "end"):
        if key in query:
            assert f'value="{query[key]}"' in html
    assert 'data-testid="aging-table"' in html  # the default reports still show


@pytest.mark.parametrize("role", ["front_desk", "pt", "pta", "patient"])
def test_other_roles_cannot_read_the_reports(cast: Any, role: str) -> None:
    assert cast.client(role).get(reverse("billing:reports")).status_code == 403
    with pytest.raises(PermissionDenied):
        billing_reports(actor=cast.actor(role))


def test_the_outsider_practice_sees_only_its_own_money(cast: Any, money: dict[str, Any]) -> None:
    html = cast.client("outsider_admin").get(reverse("billing:reports")).content.decode()
    assert "Nothing outstanding." in html and "$80.00" not in html and "$106.00" not in html
    assert "America/Chicago" in html


def test_reading_the_reports_is_audited_with_the_claims_in_ar(
        cast: Any, money: dict[str, Any]) -> None:
    cast.client("admin").get(reverse("billing:reports"))
    event = AuditEvent.objects.filter(object_type="BillingReport", action="read").latest("id")
    assert event.actor_role == "admin"
    assert sorted(event.detail["ar_claims"]) == sorted([money["submitted"].pk,
                                                         money["denied"].pk])


def test_a_payment_posted_late_in_the_evening_counts_in_the_practice_s_month(
        cast: Any, money: dict[str, Any]) -> None:
    """10:30 PM on 30 Nov in New York is 03:30 UTC on 1 Dec: a November collection there."""
    Remittance.objects.filter(payments__claim=money["paid"]).update(
        payment_date=dt.date(2026, 6, 1))  # the fixture's payment, out of the way
    payment = _pay(cast, money["submitted"], "50.00")  # no payment date on the 835
    ClaimPayment.objects.filter(pk=payment.pk).update(
        posted_at=dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.UTC))
    data = billing_reports(actor=cast.actor("billing"),
                           period=Period(dt.date(2026, 11, 1), dt.date(2026, 12, 31)))
    nov, dec = data.collections.months
    assert (nov.label, nov.payer) == ("Nov 2026", D("50.00"))
    assert (dec.label, dec.payer) == ("Dec 2026", D("0"))


# --- a therapist's own charges ------------------------------------------------------------

def test_a_pt_sees_their_own_charges_with_codes_units_and_claim_status(
        cast: Any, money: dict[str, Any]) -> None:
    page = cast.client("pt").get(reverse("billing:my_charges"))
    assert page.status_code == 200
    table = page.content.decode().split('data-testid="my-charges"')[1].split("</table>")[0]
    for claim, status in ((money["paid"], "Paid"), (money["submitted"], "Submitted"),
                          (money["denied"], "Denied")):
        row = table.split(f'data-charge="{claim.charge_id}"')[1].split("</tr>")[0]
        assert status in row and claim.number in row and str(cast.patient) in row
        assert claim.charge.date_of_service.strftime("%d %b %Y").lstrip("0") in row
    video = table.split(f'data-charge="{money["paid"].charge_id}"')[1].split("</tr>")[0]
    assert "97110 × 3 (GP, 95)" in video and "$120.00" in video and "Video" in video


def test_a_pt_never_sees_another_provider_s_charges(
        cast: Any, money: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    cast.users["pt2"] = second_pt(cast)
    theirs = sign_note(cast, django_capture_on_commit_callbacks, patient=cast.other_patient,
                       minutes=(("97112", 30),), author="pt2", days_ago=3)
    their_charge = Charge.objects.get(note=theirs, is_current=True)
    mine = cast.client("pt").get(reverse("billing:my_charges")).content.decode()
    assert f'data-charge="{their_charge.pk}"' not in mine and "97112" not in mine
    other = cast.client("pt2").get(reverse("billing:my_charges")).content.decode()
    assert f'data-charge="{their_charge.pk}"' in other
    assert f'data-charge="{money["paid"].charge_id}"' not in other
    pta(cast, "patient")
    assistant = cast.client("pta").get(reverse("billing:my_charges"))
    assert assistant.status_code == 200 and "No charges" in assistant.content.decode()


def test_a_pta_sees_the_visits_whose_note_they_wrote_with_the_pt_who_renders_them(
        cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    """A PTA's note is billed under the supervising PT (the claim names the PT) once it is
    co-signed; the PTA's own page lists it and says who renders it; the PT's lists it too."""
    from telept.clinical.services import notes

    setup_billing(cast)
    supervised_pta(cast)
    note = sign_note(cast, django_capture_on_commit_callbacks, author="pta",
                     minutes=(("97110", 25),))
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_cosign(actor=cast.actor("pt"), note_id=note.pk)
    charge = Charge.objects.get(note=note, is_current=True)
    html = cast.client("pta").get(reverse("billing:my_charges")).content.decode()
    row = html.split(f'data-charge="{charge.pk}"')[1].split("</tr>")[0]
    assert "97110 × 2 (GP, CQ, 95)" in row and "To review" in row
    assert cast.users["pt"].provider.display_name in row  # the rendering PT, not "You"
    assert "Rendering provider" in html
    mine = cast.client("pt").get(reverse("billing:my_charges")).content.decode()
    assert f'data-charge="{charge.pk}"' in mine and "Rendering provider" not in mine


def test_the_own_charges_list_is_audited(cast: Any, money: dict[str, Any]) -> None:
    rows = own_charges(actor=cast.actor("pt"))
    event = AuditEvent.objects.filter(object_type="Charge", action="list").latest("id")
    assert event.detail["shown"] == [row.charge.pk for row in rows] and len(rows) == 3


def test_my_charges_filters_by_date_and_keeps_a_bad_range(cast: Any,
                                                          money: dict[str, Any]) -> None:
    today = money["today"]
    start = today - dt.timedelta(days=20)
    html = cast.client("pt").get(reverse("billing:my_charges"), {
        "start": start.isoformat(), "end": today.isoformat()}).content.decode()
    assert f'data-charge="{money["paid"].charge_id}"' in html
    assert f'data-charge="{money["denied"].charge_id}"' not in html
    bad = cast.client("pt").get(reverse("billing:my_charges"),
                                {"start": "2026-11-20", "end": "2026-11-01"})
    assert bad.status_code == 400
    assert "The end date is before the start date." in bad.content.decode()
    assert 'value="2026-11-20"' in bad.content.decode()


@pytest.mark.parametrize("role", ["billing", "admin", "front_desk", "patient"])
def test_only_therapists_have_an_own_charges_page(cast: Any, role: str) -> None:
    assert cast.client(role).get(reverse("billing:my_charges")).status_code == 403


@pytest.mark.parametrize("role, charges, reports", [
    ("pt", True, False), ("pta", True, False), ("billing", False, True), ("admin", False, True),
    ("front_desk", False, False)])
def test_the_staff_menu_links_my_charges_and_reports(cast: Any, role: str, charges: bool,
                                                     reports: bool) -> None:
    html = cast.client(role).get(reverse("dashboard")).content.decode()
    assert (f'href="{reverse("billing:my_charges")}">My charges</a>' in html) is charges
    assert (f'href="{reverse("billing:reports")}">Reports</a>' in html) is reports


def test_the_demo_practice_s_reports_and_its_pt_s_charges(db: Any) -> None:
    """As the demo billing user: the Medicare 835's payments and the desk copay are this
    month's collections, and the denied and unpaid claims are in A/R; the demo PT sees the
    week's charges."""
    from telept.accounts.actor import actor_for
    from telept.accounts.models import User
    from telept.practices.demo import seed_demo

    seed_demo()
    billing = actor_for(User.objects.get(email="billing@riverside.example"))
    data = billing_reports(actor=billing)
    payer_paid = sum((p.paid for p in ClaimPayment.objects.all()), D(0))
    assert payer_paid > 0 and data.collections.payer == payer_paid
    assert data.collections.patient == D("10.00")  # the copay at the desk
    denied = Claim.objects.get(status="denied")
    assert denied.pk in dict(data.aging.placed) and data.aging.total > 0
    assert {r.payer for r in data.aging.rows} >= {denied.payer.name}
    assert data.modality.charges == sum(
        (c.total_charge for c in Charge.objects.filter(is_current=True)), D(0))
    dana = actor_for(User.objects.get(email="pt@riverside.example"))
    assert len(own_charges(actor=dana)) == Charge.objects.filter(
        is_current=True, rendering__user=dana.user).count() > 0
