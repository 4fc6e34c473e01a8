"""Import files for the tests: CSV rows in the template's columns, and FHIR Bundles."""

from __future__ import annotations

import csv
import io
from typing import Any

from telept.imports.records import COLUMN_NAMES


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMN_NAMES) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def patient_row(n: int, **overrides: str) -> dict[str, str]:
    row = {"mrn": f"OLD{n:04d}", "first_name": f"Ana{n}", "last_name": f"Lopez{n}",
           "date_of_birth": f"19{50 + n % 50:02d}-0{1 + n % 9}-1{n % 10}", "sex": "F",
           "phone": f"(212) 555-{1000 + n:04d}", "email": f"ana{n}@example.test",
           "address_line1": f"{n} Main St", "city": "New York", "state": "NY",
           "postal_code": "10001", "preferred_language": "es" if n % 3 == 0 else "en",
           "payer_name": "Medicare", "member_id": f"MBI{n:05d}", "group_number": "",
           "diagnosis_codes": "M54.50 Low back pain; M17.11" if n % 2 else "S83.511A"}
    row.update(overrides)
    return row


def bundle(patients: list[dict[str, Any]], extra: list[dict[str, Any]] | None = None
           ) -> dict[str, Any]:
    entries = [{"fullUrl": f"urn:uuid:patient-{i}", "resource": p}
               for i, p in enumerate(patients)]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": entries + [{"resource": r} for r in (extra or [])]}


def fhir_patient(mrn: str, family: str, given: str, birth: str = "1970-05-06",
                 **more: Any) -> dict[str, Any]:
    return {"resourceType": "Patient",
            "identifier": [{"type": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                "value": mrn}],
            "name": [{"use": "official", "family": family, "given": [given]}],
            "birthDate": birth, "gender": "female", **more}


def fhir_coverage(patient_ref: str, payer: str, member: str, group: str = "") -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Coverage", "status": "active",
        "beneficiary": {"reference": patient_ref}, "payor": [{"display": payer}],
        "subscriberId": member}
    if group:
        resource["class"] = [{"type": {"coding": [{"code": "group"}]}, "value": group}]
    return resource


def fhir_condition(patient_ref: str, code: str, display: str = "",
                   system: str = "http://hl7.org/fhir/sid/icd-10-cm") -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"resourceType": "Condition", "subject": {"reference": patient_ref},
            "code": {"coding": [coding]}}
