"""The FHIR routes' own permission matrix (the page matrix in telept/tests/
test_permission_matrix.py skips the "fhir" namespace: bearer tokens, no pages).

Every route of the namespace is declared here (the SMART / bulk routes, from
`telept.fhir.bulk.urlpatterns`, in their own tests), and every source of the registry is read
by every cast role with a personal token: a role that may see the patient's row gets 200,
any other role -- the outsider practice's above all -- 404 (never 403: no existence oracle).
"""

from __future__ import annotations

import importlib

import pytest
from django.urls import URLResolver, get_resolver

from telept.fhir import registry
from telept.fhir.tests.records import care_record

ROLES = ["admin", "pt", "pta", "front_desk", "billing", "patient", "outsider_admin",
         "outsider_pt", "outsider_patient"]
STAFF = {"admin", "pt", "pta", "front_desk", "billing"}
# name -> who may use it ("public": no token; "token": any valid token, rows scoped).
ROUTES = {"metadata": "public", "read": "token", "search": "token", "everything": "token",
          "not_supported": "public"}
# Who reads the acting patient's row of each source (the selectors' rules).
EXERCISE_READERS = {"admin", "pt", "pta", "patient"}
NOTE_READERS = {"admin", "pt", "pta", "billing", "patient"}
WHO_READS = {key: STAFF | {"patient"} for key in registry.TYPES}
WHO_READS.update({
    "Observation:pain": EXERCISE_READERS, "Observation:homerom": EXERCISE_READERS,
    "CarePlan:hep": EXERCISE_READERS,
    "DocumentReference": NOTE_READERS, "Binary": NOTE_READERS,
    "Consent:rtm": {"admin", "pt", "pta", "billing", "patient"},
    # billing.selectors.claim_scope: admin, billing, front desk, and the rendering PT
    "Claim": {"admin", "billing", "front_desk", "pt"},
    "ExplanationOfBenefit": {"admin", "billing", "front_desk", "pt"},
})
# Not the patient's: the practice's own records, readable by every member of it.
PRACTICE_KEYS = {key for key, t in registry.TYPES.items() if not t.patient_ids_field}


def _fhir_names() -> set[str]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "fhir":
            return {p.name for p in entry.url_patterns if getattr(p, "name", None)}
    raise AssertionError("the fhir namespace is not mounted")


def test_every_fhir_route_is_declared():
    try:
        theirs = {p.name for p in importlib.import_module("telept.fhir.bulk").urlpatterns}
    except ImportError:
        theirs = set()
    assert _fhir_names() - theirs == set(ROUTES)
    assert set(WHO_READS) == set(registry.TYPES)


@pytest.fixture
def record(cast):
    return care_record(cast.patient, cast.users["pt"], visits=2, measures=2, pain_logs=1,
                       home_rom=1, visit_rom=1)


def _row_id(cast, key: str) -> str:
    source = registry.TYPES[key]
    qs = source.queryset(cast.actor("admin"))
    if source.patient_ids_field:
        qs = qs.filter(**{source.patient_ids_field: cast.patient.pk})
    obj = qs.first()
    assert obj is not None, key
    return str(source.to_fhir(obj)["id"])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_exactly_what_it_may(cast, record, fhir, role):
    client = fhir(role)
    anonymous = fhir(None)
    assert anonymous.get("metadata").status_code == 200
    for key, source in registry.TYPES.items():
        rid = _row_id(cast, key)
        readers = STAFF | {"patient"} if key in PRACTICE_KEYS else WHO_READS[key]
        allowed = role in readers
        resp = client.get(f"{source.name}/{rid}",
                          **({} if source.name != "Binary" else {"_format": "json"}))
        assert resp.status_code == (200 if allowed else 404), (role, key, rid)
        assert anonymous.get(f"{source.name}/{rid}").status_code == 401
        if not source.export:
            continue
        param = {} if key in PRACTICE_KEYS else (
            {"_id": rid} if source.name == "Patient" else {"patient": str(cast.patient.pk)})
        body = client.get_json(source.name, _count=1000, **param)
        ids = {e["resource"]["id"] for e in body.get("entry", [])}
        assert (rid in ids) == allowed, (role, key)
    everything = client.get(f"Patient/{cast.patient.pk}/$everything")
    assert everything.status_code == (200 if role in STAFF | {"patient"} else 404)
