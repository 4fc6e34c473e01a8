"""What every resource the API returns must satisfy: it parses with fhir.resources.R4B (the
structure), plus our checks of what fhir.resources does not check: required code bindings
(gender, status and friends), US Core must-support elements, LOINC codes."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

LOINC = "http://loinc.org"
# Required bindings (FHIR R4 value sets) of the elements we fill.
REQUIRED = {
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected",
                                "cancelled", "entered-in-error", "unknown"},
    ("Encounter", "status"): {"planned", "arrived", "triaged", "in-progress", "onleave",
                              "finished", "cancelled", "entered-in-error", "unknown"},
    ("Appointment", "status"): {"proposed", "pending", "booked", "arrived", "fulfilled",
                                "cancelled", "noshow", "entered-in-error", "checked-in",
                                "waitlist"},
    ("Coverage", "status"): {"active", "cancelled", "draft", "entered-in-error"},
    ("Consent", "status"): {"draft", "proposed", "active", "rejected", "inactive",
                            "entered-in-error"},
    ("Goal", "lifecycleStatus"): {"proposed", "planned", "accepted", "active", "on-hold",
                                  "completed", "cancelled", "entered-in-error", "rejected"},
    ("CarePlan", "status"): {"draft", "active", "on-hold", "revoked", "completed",
                             "entered-in-error", "unknown"},
    ("CarePlan", "intent"): {"proposal", "plan", "order", "option"},
    ("DocumentReference", "status"): {"current", "superseded", "entered-in-error"},
    ("DocumentReference", "docStatus"): {"preliminary", "final", "amended",
                                         "entered-in-error"},
    ("QuestionnaireResponse", "status"): {"in-progress", "completed", "amended",
                                          "entered-in-error", "stopped"},
    ("Questionnaire", "status"): {"draft", "active", "retired", "unknown"},
    ("Location", "status"): {"active", "suspended", "inactive"},
}
# US Core must-support elements that must be present whenever we serve the type.
MUST = {
    "Patient": ("identifier", "name", "gender", "birthDate"),
    "Practitioner": ("identifier", "name"),
    "PractitionerRole": ("practitioner", "organization", "code"),
    "Organization": ("name", "active"),
    "Condition": ("clinicalStatus", "verificationStatus", "category", "code", "subject"),
    "Encounter": ("identifier", "status", "class", "type", "subject", "participant", "period"),
    "Observation": ("status", "category", "code", "subject", "effectiveDateTime"),
    "Goal": ("lifecycleStatus", "description", "subject", "target"),
    "CarePlan": ("text", "status", "intent", "category", "subject"),
    "DocumentReference": ("status", "type", "category", "subject", "date", "author",
                          "content"),
    "QuestionnaireResponse": ("questionnaire", "status", "subject", "authored"),
    "Coverage": ("status", "beneficiary", "payor", "relationship"),
    "Appointment": ("status", "participant", "start", "end"),
    "Consent": ("status", "scope", "category", "patient"),
}
# Outcome-measure totals: LOINC codes of RULES.md section 6.2.
MEASURE_LOINC = {"KOOS, JR.": "82324-5", "HOOS, JR.": "82316-1",
                 "Oswestry Disability Index 2.1a": "97908-8", "Neck Disability Index": "82226-2",
                 "Numeric Pain Rating Scale": "72514-3"}


def check(resource: dict[str, Any]) -> Any:
    """Parse with R4B and run our own checks; returns the parsed model."""
    rtype = resource["resourceType"]
    model = get_fhir_model_class(rtype).model_validate(resource)
    for (t, element), allowed in REQUIRED.items():
        if t == rtype and element in resource:
            assert resource[element] in allowed, (rtype, element, resource[element])
    for element in MUST.get(rtype, ()):
        assert resource.get(element) not in (None, "", [], {}), (rtype, element, resource)
    _no_empty(resource, rtype)
    if rtype == "Patient":
        ident = resource["identifier"][0]
        assert ident["type"]["coding"][0]["code"] == "MR"
        for c in resource.get("communication", []):
            assert c["language"]["coding"][0]["system"] == "urn:ietf:bcp:47"
    if rtype == "Encounter":
        cls = resource["class"]
        assert cls["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
        assert cls["code"] in {"VR", "AMB"}
    if rtype == "Observation":
        _check_observation(resource)
    if rtype == "Condition":
        assert resource["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
    return model


def _check_observation(obs: dict[str, Any]) -> None:
    categories = {c["code"] for cat in obs["category"] for c in cat.get("coding", [])}
    coding = obs["code"]["coding"][0]
    if "survey" in categories:
        name = coding.get("display", "")
        if coding["system"] == LOINC:
            for instrument, code in MEASURE_LOINC.items():
                if name == instrument:
                    assert coding["code"] == code, (name, coding)
            if coding["code"] == "72514-3":
                q = obs["valueQuantity"]
                assert 0 <= q["value"] <= 10 and q["code"] == "{score}"
    if "exam" in categories:
        assert obs["method"]["coding"][0]["code"] == "camera-pose-estimate"
        assert obs["valueQuantity"]["code"] == "deg"


def _no_empty(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert v not in (None, "", [], {}), f"empty {where}.{k}"
            _no_empty(v, f"{where}.{k}")
    elif isinstance(value, list):
        for v in value:
            _no_empty(v, where)


def check_bundle(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    get_fhir_model_class("Bundle").model_validate(bundle)
    resources = [e["resource"] for e in bundle.get("entry", [])]
    for r in resources:
        check(r)
    return resources
