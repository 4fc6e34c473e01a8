"""Organization (the practice), Location, Practitioner and PractitionerRole (a Provider)."""

from __future__ import annotations

from typing import Any

from telept.fhir.mappers.common import NPI, NUCC, concept, meta, prune, ref
from telept.practices.models import Location, Practice, Provider


def _phone(value: str) -> dict[str, Any] | None:
    return {"system": "phone", "value": value, "use": "work"} if value else None


def organization(practice: Practice) -> dict[str, Any]:
    return prune({
        "resourceType": "Organization",
        "id": str(practice.pk),
        "meta": meta("us-core-organization"),
        "identifier": [{"system": "urn:telept:practice", "value": practice.slug}],
        "active": True,
        "type": [concept("http://terminology.hl7.org/CodeSystem/organization-type", "prov",
                         "Healthcare Provider")],
        "name": practice.name,
        "telecom": [_phone(practice.phone)],
    })


def location(loc: Location) -> dict[str, Any]:
    return prune({
        "resourceType": "Location",
        "id": str(loc.pk),
        "meta": meta("us-core-location"),
        "status": "active",
        "name": loc.name,
        "telecom": [_phone(loc.phone)],
        "address": {"use": "work", "line": [loc.line1, loc.line2], "city": loc.city,
                    "state": loc.state, "postalCode": loc.postal_code, "country": "US"},
        "managingOrganization": ref("Organization", loc.practice_id),
    })


def _split_name(display: str) -> tuple[str, list[str]]:
    parts = display.replace("Dr. ", "").split()
    if not parts:
        return "", []
    return parts[-1], parts[:-1]


def practitioner(provider: Provider) -> dict[str, Any]:
    family, given = _split_name(provider.display_name)
    return prune({
        "resourceType": "Practitioner",
        "id": str(provider.pk),
        "meta": meta("us-core-practitioner"),
        "identifier": [{"system": NPI, "value": provider.npi}],
        "active": True,
        "name": [{"use": "official", "text": provider.display_name, "family": family,
                  "given": given, "suffix": [s.strip() for s in provider.credentials.split(",")
                                             if s.strip()]}],
        "qualification": [{"code": {"text": provider.credentials}}]
        if provider.credentials else [],
    })


def practitioner_role(provider: Provider) -> dict[str, Any]:
    role_code = "PTA" if "PTA" in provider.credentials.upper() else "PT"
    return prune({
        "resourceType": "PractitionerRole",
        "id": str(provider.pk),
        "meta": meta("us-core-practitionerrole"),
        "active": True,
        "practitioner": ref("Practitioner", provider.pk, provider.display_name),
        "organization": ref("Organization", provider.practice_id),
        "code": [{"coding": [{"system": NUCC, "code": provider.taxonomy}], "text": role_code}],
        "specialty": [concept(NUCC, provider.taxonomy)],
        "extension": [],
        "availableTime": [],
        "telecom": [],
        # Licensed states: where this provider may see patients (telehealth licensure).
        "location": [],
    })
