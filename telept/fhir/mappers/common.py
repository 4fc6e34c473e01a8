"""Small helpers shared by the mappers (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
NUCC = "http://nucc.org/provider-taxonomy"
BCP47 = "urn:ietf:bcp:47"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def mrn_system(practice_slug: str) -> str:
    """Our identifier namespace for a practice's MRNs."""
    return f"urn:telept:{practice_slug}:mrn"


def ref(resource_type: str, pk: object, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{resource_type}/{pk}"}
    if display:
        out["display"] = display
    return out


def instant(value: dt.datetime | None) -> str | None:
    """A FHIR dateTime/instant (with zone) or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="seconds")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None,
            text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def meta(profile: str | None = None, updated: dt.datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if profile:
        out["profile"] = [profile if profile.startswith("http") else US_CORE + profile]
    if updated is not None:
        out["lastUpdated"] = instant(updated)
    return out


def prune(value: Any) -> Any:
    """Drop None, empty strings, empty lists and empty dicts (FHIR forbids empty elements)."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [prune(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value
