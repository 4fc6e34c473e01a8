"""Fixtures of the FHIR tests: bearer clients for the cast, and an R4B parse of every answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from telept.accounts.services import api_token_create
from telept.conftest import Cast


class FhirClient:
    """GETs with a personal API token; `.get_json` checks the content type."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def get(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if not path.startswith("/"):
            path = "/fhir/R4/" + path
        return self.client.get(path, params or None, headers=headers)

    def get_json(self, path: str, expect: int = 200, **params: Any) -> dict[str, Any]:
        resp = self.get(path, **params)
        assert resp.status_code == expect, (resp.status_code, resp.content[:500])
        assert resp["Content-Type"].startswith("application/fhir+json")
        body: dict[str, Any] = json.loads(resp.content)
        return body


@pytest.fixture
def fhir(cast: Cast) -> Any:
    """fhir("pt") -> a FhirClient holding a fresh personal token of that cast member."""
    def make(name: str | None) -> FhirClient:
        if name is None:
            return FhirClient(None)
        _, raw = api_token_create(user=cast.users[name], name=f"fhir-{name}")
        return FhirClient(raw)

    return make
