"""A charge capture that fails on signing reaches billing staff (Issue 10 item 2): the note
stays signed, the work queue says "Charges could not be made for <patient>'s visit of
<date>: <reason>" until a retry (after the cause is fixed) makes the charge."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import dateformat

from telept.billing.models import BillingCode, CaptureFailure, Charge
from telept.billing.services.capture_failures import capture_failure_retry
from telept.billing.tests.helpers import setup_billing, sign_note
from telept.clinical.models import Note
from telept.clinical.services import notes
from telept.lib.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(cast: Any, django_capture_on_commit_callbacks: Any) -> Note:
    """An admin switched 97140 off in the catalogue; then a PT signs a note billing it."""
    setup_billing(cast)
    BillingCode.objects.filter(code="97140").update(active=False)
    return sign_note(cast, django_capture_on_commit_callbacks)


def _expected(cast: Any, note: Note) -> str:
    day = dateformat.format(note.date_of_service, "D j M Y")
    return f"Charges could not be made for {cast.patient}&#x27;s visit of {day}: 97140 is not " \
           "in the billing code catalogue"


def _queue(cast: Any, role: str = "billing") -> str:
    response = cast.client(role).get(reverse("billing:queue"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_failed_capture_never_blocks_signing_and_shows_in_the_work_queue(
        cast: Any, broken: Note) -> None:
    assert broken.status == Note.Status.FINAL  # the signature stands
    assert not Charge.objects.filter(note=broken).exists()
    failure = CaptureFailure.objects.get(note=broken, resolved_at__isnull=True)
    assert failure.reason == "signed" and "97140" in failure.error
    for role in ("billing", "admin"):
        page = _queue(cast, role)
        assert _expected(cast, broken) in page
        assert reverse("billing:capture_retry", args=[failure.pk]) in page


def test_it_stays_in_the_queue_while_the_cause_is_not_fixed(cast: Any, broken: Note) -> None:
    failure = CaptureFailure.objects.get(note=broken)
    response = cast.client("billing").post(reverse("billing:capture_retry",
                                                   args=[failure.pk]), follow=True)
    page = response.content.decode()
    assert "Charges could still not be made" in page
    assert _expected(cast, broken) in page
    failure.refresh_from_db()
    assert failure.resolved_at is None and failure.attempts == 2
    assert CaptureFailure.objects.filter(note=broken).count() == 1  # one open per note


def test_a_retry_after_the_fix_makes_the_charges_and_clears_the_item(
        cast: Any, broken: Note) -> None:
    BillingCode.objects.filter(code="97140").update(active=True)  # the admin fixed it
    failure = CaptureFailure.objects.get(note=broken)
    response = cast.client("billing").post(reverse("billing:capture_retry",
                                                   args=[failure.pk]), follow=True)
    page = response.content.decode()
    charge = Charge.objects.get(note=broken, is_current=True)
    assert {line.code: line.units for line in charge.lines.all()} == {"97110": 2, "97140": 1}
    assert "Charges made for" in page and _expected(cast, broken) not in page
    failure.refresh_from_db()
    assert failure.resolved_at is not None and failure.resolved_by == cast.users["billing"]
    # Retrying again (another tab) changes nothing and says so.
    again = capture_failure_retry(actor=cast.actor("billing"), failure_id=failure.pk)
    assert again.ok and "made already" in again.message
    assert Charge.objects.filter(note=broken).count() == 1


def test_an_addendum_that_fails_keeps_its_corrected_minutes_for_the_retry(
        cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    setup_billing(cast)
    note = sign_note(cast, django_capture_on_commit_callbacks,
                     minutes=(("97110", 33), ("97112", 7)))
    BillingCode.objects.filter(code="97140").update(active=False)
    provider = cast.users["pt"].provider
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_addendum_add(
            actor=cast.actor("pt"), note_id=note.pk, text="97140 was manual therapy.",
            corrected_interventions=(
                notes.InterventionInput(cpt_code="97110", minutes=33, provider_id=provider.pk),
                notes.InterventionInput(cpt_code="97140", minutes=20, provider_id=provider.pk)))
    failure = CaptureFailure.objects.get(note=note, resolved_at__isnull=True)
    assert failure.reason == "addendum" and failure.interventions
    BillingCode.objects.filter(code="97140").update(active=True)
    result = capture_failure_retry(actor=cast.actor("billing"), failure_id=failure.pk)
    assert result.ok, result.message
    charge = Charge.objects.get(note=note, is_current=True)  # re-rated from the addendum's
    assert {line.code: line.units for line in charge.lines.all()} == {"97110": 2, "97140": 2}


def test_only_billing_staff_and_admins_retry_and_see_failures(cast: Any, broken: Note) -> None:
    failure = CaptureFailure.objects.get(note=broken)
    with pytest.raises(PermissionDenied):
        capture_failure_retry(actor=cast.actor("front_desk"), failure_id=failure.pk)
    response = cast.client("pt").post(reverse("billing:capture_retry", args=[failure.pk]))
    assert response.status_code == 403
    assert CaptureFailure.objects.get(pk=failure.pk).resolved_at is None
