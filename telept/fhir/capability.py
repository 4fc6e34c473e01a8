"""The CapabilityStatement at /fhir/R4/metadata, built from the registry (what we really do).

Hooks for the SMART / bulk helper: if `telept.fhir.smart` defines
`capability_security(base_url) -> dict` its result replaces `rest[0].security`; if
`telept.fhir.bulk` defines `capability_operations(base_url) -> list[dict]` those are added to
`rest[0].operation` (system level $export) — so the statement says what is supported.
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import ModuleType
from typing import Any

from telept.fhir import registry

FHIR_VERSION = "4.0.1"
COMMON_PARAMS = [
    {"name": "_id", "type": "token", "documentation": "Logical id"},
    {"name": "_count", "type": "number", "documentation": "Page size (default 50, max 1000)"},
]


def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _security(base_url: str) -> dict[str, Any]:
    smart = _optional("telept.fhir.smart")
    if smart is not None and hasattr(smart, "capability_security"):
        return dict(smart.capability_security(base_url))
    return {
        "cors": False,
        "service": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
            "code": "SMART-on-FHIR"}]}],
        "description": "Bearer tokens: a TelePT personal API token (tpt_...) reads with its "
                       "user's scope; SMART tokens per /.well-known/smart-configuration.",
    }


def _operations(base_url: str) -> list[dict[str, Any]]:
    bulk = _optional("telept.fhir.bulk")
    if bulk is not None and hasattr(bulk, "capability_operations"):
        return list(bulk.capability_operations(base_url))
    return []


def capability_statement(base_url: str) -> dict[str, Any]:
    resources = []
    for name in registry.served_names():
        srcs = registry.sources(name)
        params: dict[str, dict[str, Any]] = {}
        for src in srcs:
            for pname, param in src.search.items():
                params.setdefault(pname, {"name": pname, "type": param.type,
                                          "documentation": param.doc or pname})
        searchable = any(src.export for src in srcs)
        entry: dict[str, Any] = {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}] if searchable
            else [{"code": "read"}],
        }
        if searchable:
            entry["searchParam"] = COMMON_PARAMS + sorted(params.values(),
                                                          key=lambda p: p["name"])
        profile = next((src.profile for src in srcs if src.profile), None)
        if profile:
            entry["supportedProfile"] = [
                profile if profile.startswith("http")
                else f"http://hl7.org/fhir/us/core/StructureDefinition/{profile}"]
        if searchable and any(src.patient_ids_field for src in srcs) and name != "Patient":
            entry["searchInclude"] = [f"{name}:patient"]
        if name == "Patient":
            entry["operation"] = [{
                "name": "everything",
                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}]
        resources.append(entry)
    for static in registry.STATIC.values():
        resources.append({
            "type": static.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [COMMON_PARAMS[0]] + [
                {"name": n, "type": "token" if n in ("code", "status") else
                 "uri" if n == "url" else "string"} for n in sorted(static.search)]})
    resources.sort(key=lambda r: r["type"])
    rest: dict[str, Any] = {"mode": "server", "security": _security(base_url),
                            "resource": resources}
    operations = _operations(base_url)
    if operations:
        rest["operation"] = operations
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": dt.date.today().isoformat(),
        "publisher": "TelePT",
        "kind": "instance",
        "software": {"name": "TelePT"},
        "implementation": {"description": "TelePT FHIR R4 API", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "implementationGuide": ["http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core"],
        "rest": [rest],
    }
