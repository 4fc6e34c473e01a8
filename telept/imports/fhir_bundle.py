"""A FHIR R4 Bundle of Patients, Coverage and Conditions as import records.

Each entry's resource is parsed with `fhir.resources.R4B` on its own, so one malformed entry
refuses its patient (named by entry number) rather than the whole file. A Coverage joins its
patient by `beneficiary`, a Condition by `subject`, each a reference to the Patient entry's
`fullUrl` or to `Patient/<id>`. The MRN is the Patient identifier typed MR (v2-0203), else
its only identifier.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from telept.imports.records import (
    MAX_IMPORT_RECORDS,
    CoverageIn,
    DiagnosisIn,
    ImportFileError,
    Parsed,
    Record,
    language_tag,
    mrn_problem,
)
from telept.patients.rules import icd10cm_normalise

ICD10CM_SYSTEMS = {"http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90"}
_GENDER = {"female": "F", "male": "M", "other": "O", "unknown": "U"}
_RESOURCES: dict[str, Any] = {"Patient": Patient, "Coverage": Coverage,
                              "Condition": Condition, "Organization": Organization}


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"] if p != "__root__")
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def bundle_records(data: bytes) -> Parsed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError("This is not a FHIR Bundle: the file is not JSON.") from exc
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        raise ImportFileError("This is not a FHIR Bundle: its resourceType must be "
                              "\"Bundle\".")
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        raise ImportFileError("This Bundle's entry is not a list.")
    try:
        Bundle.model_validate({**document, "entry": []})
    except ValidationError as exc:
        raise ImportFileError(f"The Bundle is not valid FHIR R4 ({_first_error(exc)}).") \
            from exc
    parsed: list[tuple[str, str, Any, list[str]]] = []  # (line, fullUrl, resource, problems)
    notices: list[str] = []
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        line = f"Entry {number} ({kind or 'no resource'})"
        if kind not in _RESOURCES:
            notices.append(f"{line} was skipped: only Patient, Coverage and Condition "
                           "entries are imported.")
            continue
        full_url = str(entry.get("fullUrl") or "")
        try:
            parsed.append((line, full_url, _RESOURCES[kind].model_validate(resource), []))
        except ValidationError as exc:
            parsed.append((line, full_url, resource,
                           [f"it is not a valid FHIR R4 {kind} ({_first_error(exc)})"]))
    return _join(parsed, notices)


def _keys(full_url: str, resource: Any, kind: str) -> set[str]:
    rid = resource.get("id") if isinstance(resource, dict) else resource.id
    keys = {full_url} if full_url else set()
    if rid:
        keys.add(f"{kind}/{rid}")
    return keys


def _join(parsed: list[tuple[str, str, Any, list[str]]], notices: list[str]) -> Parsed:
    records: list[Record] = []
    by_ref: dict[str, Record] = {}
    organisations: dict[str, str] = {}
    for line, full_url, resource, problems in parsed:
        kind = line.split("(")[1].rstrip(")")
        if kind == "Organization" and not problems:
            for key in _keys(full_url, resource, kind):
                organisations[key] = resource.name or ""
        if kind != "Patient":
            continue
        record = (Record(line=line, mrn="", problems=problems) if problems
                  else _patient_record(line, resource))
        if len(records) >= MAX_IMPORT_RECORDS:
            raise ImportFileError(f"The Bundle has more than {MAX_IMPORT_RECORDS:,} patients; "
                                  "split it into smaller files.")
        records.append(record)
        for key in _keys(full_url, resource, kind):
            by_ref[key] = record
    for line, _full_url, resource, problems in parsed:
        kind = line.split("(")[1].rstrip(")")
        if kind not in ("Coverage", "Condition"):
            continue
        reference = _reference(resource, "beneficiary" if kind == "Coverage" else "subject")
        owner = by_ref.get(reference)
        if owner is None:
            records.append(Record(line=line, mrn="", problems=[
                f"its patient {reference or '(none given)'} is not a Patient entry of this "
                "Bundle"]))
            continue
        if problems:
            owner.problems += [f"{line}: {p}" for p in problems]
        elif kind == "Coverage":
            _add_coverage(owner, line, resource, organisations)
        else:
            _add_condition(owner, line, resource, notices)
    return Parsed(records=records, notices=notices)


def _reference(resource: Any, name: str) -> str:
    if isinstance(resource, dict):
        value = resource.get(name)
        return str(value.get("reference") or "") if isinstance(value, dict) else ""
    target = getattr(resource, name, None)
    return str(getattr(target, "reference", "") or "")


def _mrn(patient: Patient) -> str:
    identifiers = patient.identifier or []
    for identifier in identifiers:
        codes = {c.code for c in (identifier.type.coding or [])} if identifier.type else set()
        if "MR" in codes and identifier.value:
            return str(identifier.value).strip()
    if len(identifiers) == 1 and identifiers[0].value:
        return str(identifiers[0].value).strip()
    return ""


def _patient_record(line: str, patient: Patient) -> Record:
    mrn = _mrn(patient)
    record = Record(line=line, mrn=mrn)
    if (why := mrn_problem(mrn)) is not None:
        record.problems.append(why if mrn else "it has no MRN (an identifier typed MR)")
    values: dict[str, str] = {}
    names = patient.name or []
    official = next((n for n in names if n.use == "official"), names[0] if names else None)
    if official is not None:
        values["last_name"] = (official.family or "").strip()
        values["first_name"] = " ".join(g for g in official.given or [] if g).strip()
    nickname = next((n for n in names if n.use in ("usual", "nickname") and n.given), None)
    if nickname is not None:
        values["preferred_name"] = " ".join(g for g in nickname.given or [] if g).strip()
    for name in ("first_name", "last_name"):
        if not values.get(name):
            record.problems.append(f"the {name.replace('_', ' ')} is missing")
    birth = patient.birthDate
    if birth is None:
        record.problems.append("the birth date is missing")
    elif not isinstance(birth, dt.date):
        record.problems.append(f"birth date {birth!s} is not a full date (YYYY-MM-DD)")
    else:
        values["date_of_birth"] = birth.isoformat()
    if patient.gender:
        values["sex"] = _GENDER.get(str(patient.gender), "")
        if not values["sex"]:
            record.problems.append(f"gender {patient.gender!r} is not one of female, male, "
                                   "other, unknown")
    for point in patient.telecom or []:
        if point.system == "phone" and point.value and "phone" not in values:
            values["phone"] = str(point.value)
        elif point.system == "email" and point.value and "email" not in values:
            values["email"] = str(point.value)
    if patient.address:
        address = patient.address[0]
        lines = [line for line in address.line or [] if line]
        for key, value in (("address_line1", lines[0] if lines else ""),
                           ("address_line2", ", ".join(lines[1:])),
                           ("city", address.city), ("state", address.state),
                           ("postal_code", address.postalCode)):
            if value:
                values[key] = str(value).strip()
    languages = patient.communication or []
    chosen = next((c for c in languages if c.preferred), languages[0] if languages else None)
    if chosen is not None:
        coding = chosen.language.coding or []
        raw = str(coding[0].code if coding and coding[0].code else chosen.language.text or "")
        if (tag := language_tag(raw)) is None:
            record.problems.append(f"language {raw!r} is not a language tag")
        else:
            values["preferred_language"] = tag
    record.patient = {k: v for k, v in values.items() if v}
    return record


def _add_coverage(owner: Record, line: str, coverage: Coverage,
                  organisations: dict[str, str]) -> None:
    payer = ""
    for payor in coverage.payor or []:
        payer = (payor.display or organisations.get(str(payor.reference or ""), "")).strip()
        if payer:
            break
    member = (coverage.subscriberId or "").strip()
    if not member:
        member = next((str(i.value).strip() for i in coverage.identifier or [] if i.value), "")
    group = ""
    for item in coverage.class_fhir or []:
        if any(c.code == "group" for c in (item.type.coding or [])):
            group = str(item.value or "").strip()
    if not payer or not member:
        owner.problems.append(f"{line}: a coverage needs a payer (payor display or an "
                              "Organization in the Bundle) and a member id (subscriberId)")
        return
    owner.coverages.append(CoverageIn(payer=payer, member_id=member, group_number=group))


def _add_condition(owner: Record, line: str, condition: Condition,
                   notices: list[str]) -> None:
    status = condition.clinicalStatus.coding or [] if condition.clinicalStatus else []
    if any(c.code in ("inactive", "resolved", "remission") for c in status):
        notices.append(f"{line} was skipped: it is no longer active.")
        return
    codings = [c for c in (condition.code.coding or [] if condition.code else [])
               if c.system in ICD10CM_SYSTEMS]
    if not codings:
        owner.problems.append(f"{line}: it has no ICD-10-CM code (a coding with system "
                              "http://hl7.org/fhir/sid/icd-10-cm)")
        return
    coding = codings[0]
    try:
        code = icd10cm_normalise(str(coding.code or ""))
    except ValueError as exc:
        owner.problems.append(f"{line}: {str(exc).rstrip('.')}")
        return
    description = str(coding.display or (condition.code.text if condition.code else "") or "")
    if code not in {d.code for d in owner.diagnoses}:
        owner.diagnoses.append(DiagnosisIn(code=code, description=description.strip()))
