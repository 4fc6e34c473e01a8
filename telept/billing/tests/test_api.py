"""The billing API (Issue 10 item 11): who gets in, a real submission and its 837P, and 835
uploads (good, twice, malformed, for unknown claims, oversized) with nothing posted on error."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from telept.accounts.services import api_token_create
from telept.billing.models import Claim, ClaimPayment, Remittance
from telept.billing.services.batches import x12_claim
from telept.billing.services.remittance import MAX_835_BYTES
from telept.billing.tests.helpers import certified_evaluation, setup_billing
from telept.billing.tests.matrix import charge_of, claim_of
from telept.billing.tests.test_claims import ready_claim
from telept.billing.x12.testing import build_835_for
from telept.billing.x12.validate import validate_837p

pytestmark = pytest.mark.django_db
API = "/api/v1"


def client(cast: Any, role: str) -> Client:
    token = api_token_create(user=cast.users[role], name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def ready(cast: Any, django_capture_on_commit_callbacks: Any) -> Claim:
    setup_billing(cast)
    certified_evaluation(cast, django_capture_on_commit_callbacks, days_ago=10)
    claim = ready_claim(cast, django_capture_on_commit_callbacks, days_ago=1)
    assert claim.status == "ready", claim.scrub_results
    return claim


def _submit(cast: Any, claim: Claim, capture: Any) -> Any:
    with capture(execute=True):
        return client(cast, "billing").post(f"{API}/claims/{claim.pk}/submit")


def _upload(cast: Any, data: bytes, name: str = "era.835", role: str = "billing") -> Any:
    return client(cast, role).post(f"{API}/remittances",
                                   {"file": SimpleUploadedFile(name, data, "text/plain")})


def test_billing_reads_a_claim_with_each_line_s_units_modifiers_pos_and_rules(
        cast: Any, ready: Claim) -> None:
    for role in ("billing", "admin"):
        body = client(cast, role).get(f"{API}/claims/{ready.pk}").json()
        assert body["id"] == ready.pk and body["status"] == "ready"
        line = body["lines"][0]
        assert line["units"] >= 1 and "GP" in line["modifiers"] and line["pos"] == "10"
        assert all(rule["why"] for rule in line["why"])
        listed = client(cast, role).get(f"{API}/claims", {"status": "ready"}).json()
        assert [c["id"] for c in listed["items"]] == [ready.pk]


def test_a_pt_reads_own_charges_but_not_claims(cast: Any, ready: Claim) -> None:
    pt = client(cast, "pt")
    assert ready.charge_id in {c["id"] for c in pt.get(f"{API}/charges").json()["items"]}
    for path in ("/claims", f"/claims/{ready.pk}", f"/claims/{ready.pk}/x12"):
        response = pt.get(API + path)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", path


@pytest.mark.parametrize("role", ["front_desk", "patient", "pta"])
def test_other_roles_are_refused_with_403(cast: Any, role: str) -> None:
    claim = claim_of(cast, "patient")
    calls = [("get", "/charges"), ("get", "/claims"), ("get", f"/claims/{claim}"),
             ("post", f"/claims/{claim}/submit"), ("get", f"/claims/{claim}/x12"),
             ("post", "/remittances")]
    for method, path in calls:
        response = getattr(client(cast, role), method)(API + path)
        assert response.status_code == 403, f"{role} {method} {path}"
        assert set(response.json()) >= {"code", "message"}


def test_the_outsider_practice_gets_404_for_our_claim(cast: Any) -> None:
    claim = claim_of(cast, "patient")
    outsider = client(cast, "outsider_admin")
    for method, path in [("get", f"/claims/{claim}"), ("post", f"/claims/{claim}/submit"),
                         ("get", f"/claims/{claim}/x12")]:
        response = getattr(outsider, method)(API + path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client(cast, "outsider_admin").get(f"{API}/charges").json()["items"] == []
    assert charge_of(cast, "patient")  # it exists; the outsider just cannot see it


def test_a_claim_not_ready_is_not_submitted(cast: Any) -> None:
    claim = claim_of(cast, "patient")
    response = client(cast, "billing").post(f"{API}/claims/{claim}/submit")
    assert response.status_code == 409 and response.json()["code"] == "claim_not_ready"
    assert Claim.objects.get(pk=claim).status == "to_review"


def test_submitting_a_ready_claim_makes_an_837p_pyx12_accepts(
        cast: Any, ready: Claim, django_capture_on_commit_callbacks: Any) -> None:
    assert client(cast, "billing").get(f"{API}/claims/{ready.pk}/x12").status_code == 404
    response = _submit(cast, ready, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] and body["claim"]["status"] == "submitted"
    x12 = client(cast, "billing").get(f"{API}/claims/{ready.pk}/x12")
    assert x12.status_code == 200 and x12["Content-Type"].startswith("text/plain")
    text = x12.content.decode()
    assert f"CLM*{ready.number}*" in text and validate_837p(text).ok
    again = client(cast, "billing").post(f"{API}/claims/{ready.pk}/submit")
    assert again.status_code == 409 and again.json()["code"] == "claim_not_ready"


def test_an_835_upload_posts_once_and_twice_posts_nothing(
        cast: Any, ready: Claim, django_capture_on_commit_callbacks: Any) -> None:
    _submit(cast, ready, django_capture_on_commit_callbacks)
    ready.refresh_from_db()
    text = build_835_for([x12_claim(ready)], {}).encode()
    first = _upload(cast, text)
    assert first.status_code == 200, first.content
    assert first.json()["posted"] == [ready.number]
    second = _upload(cast, text)
    assert second.status_code == 200 and second.json()["duplicate_file"]
    assert ClaimPayment.objects.count() == 1 and Remittance.objects.count() == 1


@pytest.mark.parametrize("data, code", [
    (b"ISA*this is not an 835~", "remittance_malformed"),
    (b"", "remittance_malformed"),
    ("ISA*é".encode(), "remittance_malformed"),
])
def test_a_bad_835_upload_is_a_clear_4xx_and_posts_nothing(cast: Any, data: bytes,
                                                           code: str) -> None:
    response = _upload(cast, data)
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    assert not Remittance.objects.exists() and not ClaimPayment.objects.exists()


def test_an_835_for_claims_that_are_not_ours_posts_nothing(
        cast: Any, ready: Claim, django_capture_on_commit_callbacks: Any) -> None:
    text = build_835_for([x12_claim(ready)], {}).encode()  # never submitted: not postable
    response = _upload(cast, text)
    assert response.status_code == 422 and response.json()["code"] == "remittance_unknown_claims"
    assert ready.number in response.json()["message"]
    assert not Remittance.objects.exists()


def test_an_oversized_835_upload_is_refused_with_413_in_json(cast: Any) -> None:
    """Past DATA_UPLOAD_MAX_MEMORY_SIZE the API's NUL guard (telept/lib/middleware.py) could
    not read the body and Django answered an HTML 400; now a JSON 413."""
    response = _upload(cast, b"ISA" + b" " * MAX_835_BYTES)
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert response.json()["message"]
    assert not Remittance.objects.exists()


def test_an_upload_without_a_file_says_how_to_send_it(cast: Any) -> None:
    response = client(cast, "billing").post(f"{API}/remittances")
    assert response.status_code == 422 and response.json()["code"] == "remittance_missing"


def test_an_835_past_its_own_limit_is_refused_before_it_is_read(cast: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # only the 835's own limit applies
    response = _upload(cast, b"ISA" + b" " * MAX_835_BYTES)
    assert response.status_code == 413 and response.json()["code"] == "remittance_too_large"
    assert not Remittance.objects.exists()


@pytest.mark.parametrize("role, status", [("billing", 400), ("pt", 403), ("patient", 403)])
def test_a_multipart_upload_without_a_boundary_is_a_400_not_a_500(
        cast: Any, role: str, status: int) -> None:
    """The API fuzzer's ST102: `Content-Type: multipart/form-data` with no boundary made
    Django's multipart parser raise out of the request as a 500. The body is read after the
    role check now (so its size can be refused before it is spooled): others get a 403."""
    response = client(cast, role).post(f"{API}/remittances", b"file=x",
                                       content_type="multipart/form-data")
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["code"] == "malformed_upload" and "boundary" in \
            response.json()["message"]
    assert not Remittance.objects.exists()
