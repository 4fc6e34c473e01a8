"""The skeleton interfaces other FHIR modules build on: metadata, caller_for, registry."""

from __future__ import annotations

from django.test import RequestFactory
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.patient import Patient as FhirPatient

from telept.fhir import registry
from telept.fhir.access import FhirCaller, caller_for
from telept.fhir.errors import Unauthorized


def test_metadata_is_a_capability_statement_without_a_token(client):
    resp = client.get("/fhir/R4/metadata")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate_json(resp.content)
    assert statement.fhirVersion == "4.0.1"
    served = {r.type for r in statement.rest[0].resource}
    assert {"Patient", "Practitioner", "Organization", "Coverage", "Condition"} <= served


def test_caller_for_personal_tokens(cast, fhir):
    rf = RequestFactory()
    staff = fhir("pt")
    caller = caller_for(rf.get("/fhir/R4/Patient", HTTP_AUTHORIZATION=f"Bearer {staff.token}"))
    assert isinstance(caller, FhirCaller)
    assert caller.scopes == frozenset({"user/*.rs"}) and caller.client_id is None
    patient = fhir("patient")
    caller = caller_for(rf.get("/", HTTP_AUTHORIZATION=f"Bearer {patient.token}"))
    assert caller.scopes == frozenset({"patient/*.rs"})
    assert caller.actor.patient_id == cast.patient.pk
    for header in ("", "Bearer ", "Bearer tpt_nope_nope", "Basic abc", "Bearer not-a-token"):
        try:
            caller_for(rf.get("/", HTTP_AUTHORIZATION=header))
        except Unauthorized:
            continue
        raise AssertionError(f"{header!r} accepted")


def test_registry_interface(cast):
    actor = cast.actor("pt")
    for key, t in registry.TYPES.items():
        assert t.key == key and t.name
        qs = t.queryset(actor)
        for obj in qs[:3]:
            resource = t.to_fhir(obj)
            assert resource["resourceType"] == t.name
    patient = registry.TYPES["Patient"]
    assert patient.patient_ids_field == "id" and patient.updated_field == "updated_at"
    assert registry.TYPES["Organization"].patient_ids_field is None
    FhirPatient.model_validate(patient.to_fhir(cast.patient))


def test_read_patient_with_a_personal_token(cast, fhir):
    body = fhir("pt").get_json(f"Patient/{cast.patient.pk}")
    assert body["resourceType"] == "Patient" and body["id"] == str(cast.patient.pk)
    fhir("outsider_pt").get_json(f"Patient/{cast.patient.pk}", expect=404)
    assert fhir(None).get_json(f"Patient/{cast.patient.pk}", expect=401)[
        "resourceType"] == "OperationOutcome"
