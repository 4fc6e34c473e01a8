"""SMART Backend Services and App Launch through the real views (Django test client).

The live-server script test (only requests + cryptography/jwt) is test_backend_client.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from telept.audit.models import AuditEvent
from telept.fhir.smart import app_register, backend_client_register
from telept.fhir.smart_models import SmartClient
from telept.fhir.tests.smart_keys import assertion, ec_key, jwks_of, rsa_key, token_form

pytestmark = pytest.mark.django_db
TOKEN_URL = "http://testserver/fhir/R4/auth/token"
FHIR = "http://testserver/fhir/R4"
REDIRECT = "https://app.example/callback"


@pytest.fixture
def key():
    return rsa_key()


@pytest.fixture
def backend(cast, key):
    return backend_client_register(practice_id=cast.practice.pk, name="Warehouse",
                                   jwks=jwks_of((key, "k1")))


def _token(client_id: str, key, kid: str = "k1", scope: str = "system/*.rs", **kw):
    signed = assertion(client_id=client_id, token_url=TOKEN_URL, key=key, kid=kid, **kw)
    return Client().post("/fhir/R4/auth/token", token_form(signed, scope))


def _read(token: str, path: str, **params):
    return Client().get("/fhir/R4/" + path, params or None,
                        headers={"Authorization": f"Bearer {token}"})


# --- discovery -----------------------------------------------------------------------------

def test_smart_configuration_and_the_capability_statement_say_what_is_supported(client):
    conf = client.get("/fhir/R4/.well-known/smart-configuration").json()
    assert conf["token_endpoint"] == TOKEN_URL
    assert conf["authorization_endpoint"] == "http://testserver/fhir/R4/auth/authorize"
    assert "private_key_jwt" in conf["token_endpoint_auth_methods_supported"]
    assert set(conf["token_endpoint_auth_signing_alg_values_supported"]) == {"RS384", "ES384"}
    assert {"client_credentials", "authorization_code"} <= set(conf["grant_types_supported"])
    assert conf["code_challenge_methods_supported"] == ["S256"]
    assert {"launch-standalone", "permission-v2", "client-confidential-asymmetric"} \
        <= set(conf["capabilities"])
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/R4/metadata").content)
    security = statement.rest[0].security
    assert security.service[0].coding[0].code == "SMART-on-FHIR"
    uris = {e.url: e.valueUri for e in security.extension[0].extension}
    assert uris == {"authorize": conf["authorization_endpoint"], "token": TOKEN_URL}
    assert "export" in {op.name for op in statement.rest[0].operation}


# --- backend services ----------------------------------------------------------------------

def test_a_backend_client_gets_a_token_with_a_signed_jwt_and_reads_its_practice(
        cast, backend, key):
    response = _token(backend.client_id, key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "system/*.rs"
    assert 0 < body["expires_in"] <= 300 and "refresh_token" not in body
    assert response["Cache-Control"] == "no-store"
    bundle = _read(body["access_token"], "Patient")
    assert bundle.status_code == 200, bundle.content
    ids = {e.resource.id for e in Bundle.model_validate_json(bundle.content).entry}
    assert ids == {str(cast.patient.pk), str(cast.other_patient.pk)}
    # Outside its practice: 404, like a missing record.
    outside = _read(body["access_token"], f"Patient/{cast.outsider_patient.pk}")
    assert outside.status_code == 404
    assert outside.json()["resourceType"] == "OperationOutcome"
    # Its reads are audited with the client id; its token issue too.
    reads = AuditEvent.objects.filter(object_type="Patient", detail__via="fhir",
                                      detail__client_id=backend.client_id)
    assert set(reads.values_list("patient_id", flat=True)) == \
        {cast.patient.pk, cast.other_patient.pk}
    assert AuditEvent.objects.filter(action="login", object_type="SmartClient",
                                     object_id=backend.client_id,
                                     practice_id=cast.practice.pk).exists()


def test_es384_keys_work_too(cast):
    key = ec_key()
    client = backend_client_register(practice_id=cast.practice.pk, name="EC client",
                                     jwks=jwks_of((key, "ec1")))
    response = _token(client.client_id, key, kid="ec1")
    assert response.status_code == 200, response.content


def _refused(response, error: str = "invalid_client", words: str = ""):
    assert response.status_code in (400, 401), (response.status_code, response.content)
    body = response.json()
    assert body["error"] == error, body
    assert words.lower() in body.get("error_description", "").lower(), body
    return body


def test_a_wrong_key_an_expired_or_replayed_assertion_are_refused(cast, backend, key):
    _refused(_token(backend.client_id, rsa_key()), words="signature")
    _refused(_token(backend.client_id, key, exp_in=-120), words="expired")
    _refused(_token(backend.client_id, key, exp_in=3600), words="5 minutes")
    signed = assertion(client_id=backend.client_id, token_url=TOKEN_URL, key=key, kid="k1")
    assert Client().post("/fhir/R4/auth/token", token_form(signed)).status_code == 200
    _refused(Client().post("/fhir/R4/auth/token", token_form(signed)), words="already used")
    _refused(_token(backend.client_id, key, aud="https://elsewhere.example/token"),
             words="audience")
    _refused(_token(backend.client_id, key, kid="other"), words="kid")
    _refused(_token(backend.client_id, key, sub="someone-else"), words="iss and sub")
    hs = jwt.encode({"iss": backend.client_id, "sub": backend.client_id, "aud": TOKEN_URL,
                     "exp": 9_999_999_999, "jti": "x"}, "a-shared-secret-of-enough-length!",
                    algorithm="HS256")
    _refused(Client().post("/fhir/R4/auth/token", token_form(hs)), words="RS384")
    _refused(Client().post("/fhir/R4/auth/token", token_form("not-a-jwt")), words="not a jwt")
    # The secret DOT generated for the application is never a way in.
    _refused(Client().post("/fhir/R4/auth/token", {
        "grant_type": "client_credentials", "scope": "system/*.rs",
        "client_id": backend.client_id, "client_secret": "guess"}))
    failures = AuditEvent.objects.filter(action="login_failed", object_id=backend.client_id)
    assert failures.count() >= 5 and set(failures.values_list("practice_id", flat=True)) == \
        {cast.practice.pk}


def test_scopes_are_narrowed_to_the_client_s_allowed_scopes(cast, key):
    client = backend_client_register(practice_id=cast.practice.pk, name="Demographics only",
                                     jwks=jwks_of((key, "k1")),
                                     allowed_scopes="system/Patient.rs system/Coverage.r")
    body = _token(client.client_id, key, scope="system/*.rs").json()
    assert set(body["scope"].split()) == {"system/Patient.rs", "system/Coverage.r"}
    assert _read(body["access_token"], "Patient").status_code == 200
    refused = _read(body["access_token"], "Condition")
    assert refused.status_code == 403
    assert refused.json()["issue"][0]["code"] == "forbidden"
    # A scope it may not have at all: invalid_scope, no token.
    _refused(_token(client.client_id, key, scope="system/Observation.rs"), "invalid_scope")
    _refused(_token(client.client_id, key, scope="patient/*.rs"), "invalid_scope")


def test_a_disabled_client_s_tokens_stop_working(cast, backend, key):
    token = _token(backend.client_id, key).json()["access_token"]
    SmartClient.objects.filter(pk=backend.pk).update(is_active=False)
    assert _read(token, "Patient").status_code == 401
    _refused(_token(backend.client_id, key))


def test_the_token_endpoint_is_throttled_per_address(cast, backend, key, settings):
    settings.SMART_TOKEN_MAX_FAILURES = 3
    for _ in range(3):
        _refused(_token(backend.client_id, rsa_key()))
    response = _token(backend.client_id, key)  # even the right key waits now
    assert response.status_code == 429 and response.json()["error"] == "invalid_request"
    assert response["Retry-After"]


def test_registration_refuses_a_private_key_or_junk(cast, key):
    from telept.fhir.smart import BadRegistration

    private = jwks_of((key, "k1"))
    private["keys"][0]["d"] = "secret"
    for jwks in (private, {}, {"keys": []}, {"keys": [{"kty": "oct", "k": "abc"}]}):
        with pytest.raises(BadRegistration):
            backend_client_register(practice_id=cast.practice.pk, name="x", jwks=jwks)
    with pytest.raises(BadRegistration):
        backend_client_register(practice_id=cast.practice.pk, name="x",
                                jwks=jwks_of((key, "k1")), role="patient")


# --- App Launch: a patient authorises an app -------------------------------------------------

def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    return verifier, challenge


@pytest.fixture
def app():
    client, _ = app_register(name="My Knee Tracker", redirect_uris=[REDIRECT])
    return client


def _authorize_url(app, challenge: str, **over) -> str:
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT,
              "scope": "launch/patient openid fhirUser patient/*.rs", "state": "st-42",
              "aud": FHIR, "code_challenge": challenge, "code_challenge_method": "S256",
              **over}
    return "/fhir/R4/auth/authorize?" + urlencode({k: v for k, v in params.items() if v})


def _consent(browser: Client, url: str, allow: bool = True):
    page = browser.get(url)
    assert page.status_code == 200, page.content[:400]
    html = page.content.decode()
    key = html.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    return page, browser.post("/fhir/R4/auth/authorize",
                              {"request_key": key, "allow": "1" if allow else "0"})


def test_a_patient_authorises_an_app_whose_token_reads_only_their_own_record(cast, app):
    verifier, challenge = _pkce()
    browser = cast.client("patient")
    page, answer = _consent(browser, _authorize_url(app, challenge))
    html = page.content.decode()
    assert "My Knee Tracker" in html and "Read and search your whole record" in html
    assert answer.status_code == 302
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st-42"]
    code = query["code"][0]
    assert AuditEvent.objects.filter(action="grant", object_id=app.client_id,
                                     actor_id=cast.users["patient"].pk).exists()

    wrong = Client().post("/fhir/R4/auth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": app.client_id, "code_verifier": "not-the-verifier-" + "x" * 40})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # (a failed PKCE check burns nothing: the right verifier still works once)
    response = Client().post("/fhir/R4/auth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": app.client_id, "code_verifier": verifier})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["patient"] == str(cast.patient.pk)
    assert set(body["scope"].split()) == {"launch/patient", "openid", "fhirUser",
                                          "patient/*.rs"}
    token = body["access_token"]
    own = Bundle.model_validate_json(_read(token, "Patient").content)
    assert [e.resource.id for e in own.entry] == [str(cast.patient.pk)]
    assert _read(token, f"Patient/{cast.patient.pk}").status_code == 200
    for stranger in (cast.other_patient, cast.outsider_patient):
        assert _read(token, f"Patient/{stranger.pk}").status_code == 404
    coverage = Bundle.model_validate_json(_read(token, "Coverage").content)
    assert {e.resource.beneficiary.reference for e in coverage.entry} == \
        {f"Patient/{cast.patient.pk}"}
    again = Client().post("/fhir/R4/auth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": app.client_id, "code_verifier": verifier})
    assert again.status_code == 400  # a code works once
    assert AuditEvent.objects.filter(object_type="Patient", detail__client_id=app.client_id,
                                     patient_id=cast.patient.pk).exists()


def test_the_consent_page_needs_sign_in_pkce_and_our_aud(cast, app):
    _, challenge = _pkce()
    anonymous = Client().get(_authorize_url(app, challenge))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    browser = cast.client("patient")
    no_pkce = browser.get(_authorize_url(app, "", code_challenge_method=""))
    assert no_pkce.status_code == 302 and "error=invalid_request" in no_pkce["Location"]
    bad_aud = browser.get(_authorize_url(app, challenge, aud="https://other.example/fhir"))
    assert bad_aud.status_code == 400 and "aud" in bad_aud.content.decode()
    bad_redirect = browser.get(_authorize_url(app, challenge,
                                              redirect_uri="https://evil.example/cb"))
    assert bad_redirect.status_code == 400  # never redirected to an unregistered URI
    system = browser.get(_authorize_url(app, challenge, scope="system/*.rs"))
    assert system.status_code == 302 and "error=invalid_scope" in system["Location"]


def test_a_patient_can_deny(cast, app):
    _, challenge = _pkce()
    _, answer = _consent(cast.client("patient"), _authorize_url(app, challenge), allow=False)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer["Location"]).query)["error"] == ["access_denied"]


def test_staff_authorise_user_scopes_not_patient_ones(cast, app):
    verifier, challenge = _pkce()
    browser = cast.client("pt")
    _, answer = _consent(browser, _authorize_url(
        app, challenge, scope="launch/patient patient/*.rs user/*.rs"))
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
    body = Client().post("/fhir/R4/auth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": app.client_id, "code_verifier": verifier}).json()
    assert body["scope"] == "user/*.rs" and "patient" not in body
    ids = {e.resource.id for e in Bundle.model_validate_json(
        _read(body["access_token"], "Patient").content).entry}
    assert ids == {str(cast.patient.pk), str(cast.other_patient.pk)}


def test_json_answers_from_the_token_endpoint_for_junk(client):
    for data in ({}, {"grant_type": "password", "username": "a", "password": "b"},
                 {"grant_type": "client_credentials"}):
        response = client.post("/fhir/R4/auth/token", data)
        assert 400 <= response.status_code < 500
        assert "error" in json.loads(response.content)
    assert client.get("/fhir/R4/auth/token").status_code == 405


def test_a_refresh_token_only_with_offline_access(cast, app):
    def code_for(scope: str) -> tuple[str, str]:
        verifier, challenge = _pkce()
        page, answer = _consent(cast.client("patient"), _authorize_url(app, challenge,
                                                                        scope=scope))
        return parse_qs(urlsplit(answer["Location"]).query)["code"][0], verifier

    def exchange(code: str, verifier: str) -> dict:
        return Client().post("/fhir/R4/auth/token", {
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": app.client_id, "code_verifier": verifier}).json()

    assert "refresh_token" not in exchange(*code_for("patient/*.rs"))
    body = exchange(*code_for("patient/*.rs offline_access"))
    refreshed = Client().post("/fhir/R4/auth/token", {
        "grant_type": "refresh_token", "refresh_token": body["refresh_token"],
        "client_id": app.client_id})
    assert refreshed.status_code == 200, refreshed.content
    token = refreshed.json()["access_token"]
    own = Bundle.model_validate_json(_read(token, "Patient").content)
    assert [e.resource.id for e in own.entry] == [str(cast.patient.pk)]
