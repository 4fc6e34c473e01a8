"""The issue's "done when": a backend client that uses only `requests` and `cryptography`/`jwt`,
against a real server (telept/tests/live.py), gets a token with a signed JWT, reads the demo
patient's KOOS JR Observations by LOINC code, exports the practice, and every NDJSON line
parses with fhir.resources R4B as its resource type; a wrong key, an expired assertion, a
replayed jti and a scope that does not cover the type are refused.

`BackendClient` below is the script: nothing in it imports TelePT. The test only registers
the client's public key with `manage.py smart_client` and runs the worker, as an operator
would.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from telept.tests.live import live_server_proc  # noqa: F401

pytestmark = [pytest.mark.live]
KOOS_JR = "82324-5"


class BackendClient:
    """A SMART Backend Services client: discovery, a signed assertion, the token, reads."""

    def __init__(self, fhir_base: str, client_id: str, key: rsa.RSAPrivateKey, kid: str):
        self.base = fhir_base.rstrip("/")
        self.client_id = client_id
        self.key = key
        self.kid = kid
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never a proxy from the environment
        conf = self.http.get(f"{self.base}/.well-known/smart-configuration", timeout=10)
        conf.raise_for_status()
        self.token_url = conf.json()["token_endpoint"]
        self.token: str | None = None

    def assertion(self, *, exp_in: int = 240, jti: str | None = None,
                  key: rsa.RSAPrivateKey | None = None) -> str:
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
                  "exp": now + exp_in, "jti": jti or uuid.uuid4().hex}
        return jwt.encode(claims, key or self.key, algorithm="RS384",
                          headers={"kid": self.kid, "typ": "JWT"})

    def request_token(self, signed: str, scope: str = "system/*.rs") -> requests.Response:
        return self.http.post(self.token_url, data={
            "grant_type": "client_credentials", "scope": scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": signed}, timeout=10)

    def authenticate(self, scope: str = "system/*.rs") -> dict[str, Any]:
        response = self.request_token(self.assertion(), scope)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        self.token = body["access_token"]
        return body

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        if not url.startswith("http"):
            url = f"{self.base}/{url}"
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/fhir+json",
                   **kwargs.pop("headers", {})}
        return self.http.get(url, headers=headers, timeout=30, **kwargs)

    def kick_off(self, path: str = "$export", **params: str) -> str:
        response = self.get(path, params=params, headers={"Prefer": "respond-async"})
        assert response.status_code == 202, response.text
        return str(response.headers["Content-Location"])

    def poll(self, status_url: str, *, run_worker: Any, rounds: int = 10) -> dict[str, Any]:
        for _ in range(rounds):
            response = self.get(status_url)
            if response.status_code == 200:
                return dict(response.json())
            assert response.status_code == 202, response.text
            assert response.headers.get("X-Progress")
            run_worker()
        raise AssertionError("the export did not complete")


def _public_jwks(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, alg="RS384", use="sig")
    return {"keys": [jwk]}


def _register(server: Any, name: str, key: rsa.RSAPrivateKey, kid: str, scopes: str) -> str:
    path = server.tmp_dir / f"{kid}.jwks.json"
    path.write_text(json.dumps(_public_jwks(key, kid)))
    return server.manage("smart_client", "backend", "--practice", "riverside", "--name", name,
                         "--jwks", str(path), "--scopes", scopes).strip()


def _refused(response: requests.Response, words: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "invalid_client" and words in body["error_description"], body


def test_a_backend_client_reads_koos_jr_by_loinc_and_exports_the_practice(
        live_server_proc):  # noqa: F811
    server = live_server_proc
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_id = _register(server, "Warehouse", key, "wh-1", "system/*.rs")
    client = BackendClient(server.base_url + "/fhir/R4", client_id, key, "wh-1")

    # Refused: a wrong key, an expired assertion, a replayed jti.
    _refused(client.request_token(client.assertion(
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048))), "signature")
    _refused(client.request_token(client.assertion(exp_in=-300)), "expired")
    once = client.assertion()
    assert client.request_token(once).status_code == 200
    _refused(client.request_token(once), "already used")

    token = client.authenticate()
    assert token["scope"] == "system/*.rs" and token["token_type"] == "Bearer"

    # The demo patient (Maria Garcia) and her KOOS JR totals, by LOINC code.
    from fhir.resources.R4B import get_fhir_model_class

    patients = client.get("Patient", params={"family": "Garcia", "given": "Maria"})
    assert patients.status_code == 200, patients.text
    entries = patients.json()["entry"]
    assert len(entries) == 1
    maria = entries[0]["resource"]["id"]
    koos = client.get("Observation", params={"patient": maria,
                                             "code": f"http://loinc.org|{KOOS_JR}"})
    assert koos.status_code == 200, koos.text
    observations = [e["resource"] for e in koos.json().get("entry", [])
                    if e["resource"]["resourceType"] == "Observation"]
    assert len(observations) >= 2  # baseline and follow-up in the demo
    for obs in observations:
        get_fhir_model_class("Observation").model_validate(obs)
        assert {"system": "http://loinc.org", "code": KOOS_JR} in [
            {"system": c.get("system"), "code": c.get("code")} for c in obs["code"]["coding"]]
        assert obs["subject"]["reference"] == f"Patient/{maria}"

    # Export the practice, through the worker, and validate every line.
    def run_worker() -> None:
        server.manage("run_worker", "--max-loops", "1", "--interval", "0", "--due-every",
                      "3600", timeout=300)

    manifest = client.poll(client.kick_off("$export"), run_worker=run_worker)
    assert manifest["requiresAccessToken"] is True
    counts: dict[str, int] = {}
    for entry in manifest["output"]:
        response = client.get(entry["url"], headers={"Accept": "application/fhir+ndjson"})
        assert response.status_code == 200, response.text
        model = get_fhir_model_class(entry["type"])
        lines = response.text.splitlines()
        assert len(lines) == entry["count"]
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == entry["type"]
            model.model_validate(resource)
        counts[entry["type"]] = counts.get(entry["type"], 0) + len(lines)
        # Another token cannot fetch it.
        assert requests.get(entry["url"], timeout=10).status_code == 401
    assert counts["Patient"] >= 2 and counts.get("Observation", 0) >= len(observations)
    assert "Lakeside" not in json.dumps(counts)


def test_a_scope_that_does_not_cover_the_type_is_refused_with_an_operation_outcome(
        live_server_proc):  # noqa: F811
    server = live_server_proc
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_id = _register(server, "Demographics feed", key, "demo-1", "system/Patient.rs")
    client = BackendClient(server.base_url + "/fhir/R4", client_id, key, "demo-1")
    narrowed = client.authenticate("system/*.rs")
    assert narrowed["scope"] == "system/Patient.rs"
    assert client.get("Patient").status_code == 200
    for path, headers in (("Observation", {}), ("Condition", {}),
                          ("$export?_type=Observation", {"Prefer": "respond-async"})):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, (path, response.text)
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "forbidden"
    refused = client.request_token(client.assertion(), "system/Observation.rs")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
