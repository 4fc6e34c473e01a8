"""The dry run: what importing records would do, checked against the practice's data now.

`plan_build` is used twice: for the dry run shown after the upload, and again inside the
apply transaction, whose plan must equal the one shown (else nothing is applied and the new
dry run is shown). `plan_execute` then carries out exactly that plan through the patients
services, so what was shown is what happens.

A record is refused whole, with every reason found, when anything in it is wrong; so a bad
row never leaves half its data behind. The patient checks are `patient_clean`'s (the same as
the patient form), the coverage and diagnosis rules are the services'.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import fields
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from telept.accounts.actor import Actor
from telept.accounts.roles import Role
from telept.imports.records import COLUMNS, Record
from telept.lib.errors import DomainError
from telept.patients import services as patient_services
from telept.patients.models import Patient
from telept.patients.selectors import patient_scope
from telept.practices.models import Payer

# Diagnoses are added with `patients.services.diagnosis_add`, which admits these roles.
DIAGNOSIS_ROLES = frozenset({Role.ADMIN, Role.PT, Role.PTA})
_LABELS = {c.name: c.label if c.label.isupper() else c.label.lower() for c in COLUMNS}
_DEFAULTS = {f.name: f.default for f in fields(patient_services.PatientInput)
             if isinstance(f.default, str)}


def _label(name: str) -> str:
    return str(_LABELS.get(name, name.replace("_", " ")))


def _typed(values: dict[str, str]) -> dict[str, object]:
    typed: dict[str, object] = dict(values)
    if "date_of_birth" in typed:
        typed["date_of_birth"] = dt.date.fromisoformat(values["date_of_birth"])
    return typed


def _jsonable(values: dict[str, object]) -> dict[str, str]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in values.items()}


def _patient_problems(values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The values cleaned by the patients service's own rules, and a sentence per problem
    (all of them, not only the first: each field is cleaned on its own)."""
    problems: list[str] = []
    cleaned: dict[str, object] = {}
    typed = _typed(values)
    for name, value in typed.items():
        max_length = getattr(Patient._meta.get_field(name), "max_length", None)
        if max_length and len(str(value)) > max_length:
            problems.append(f"the {_label(name)} is longer than {max_length} characters")
            continue
        try:
            cleaned.update(patient_services.patient_clean({name: value}))
        except DomainError as exc:
            problems.append(_sentence(name, exc.message))
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            problems.append(f"e-mail {values['email']!r} is not an e-mail address")
    return _jsonable(cleaned), problems


def _sentence(name: str, message: str) -> str:
    """A service message fitted after "Row 4: ": "'555' is not a valid phone number" says
    which field when it names only the value."""
    text = message.rstrip(".")
    if name in ("phone", "state") or text.startswith("'"):
        return f"{_label(name)} {text}"
    return text[0].lower() + text[1:]


def _payers(actor: Actor) -> dict[str, Payer]:
    found: dict[str, Payer] = {}
    for payer in Payer.objects.filter(practice_id=actor.practice_id).order_by("id"):
        found.setdefault(payer.payer_id.strip().lower(), payer)
        found.setdefault(payer.name.strip().lower(), payer)
    return found


def plan_build(*, actor: Actor, records: list[Record]) -> dict[str, Any]:
    """The plan as a JSON-able dict: an entry per record with its action (create, update,
    unchanged, refused), and the counts. Reads the practice's patients through the scoped
    selector; the caller audits the read."""
    mrn_lines: dict[str, list[str]] = {}
    for record in records:
        if record.mrn:
            mrn_lines.setdefault(record.mrn.upper(), []).append(record.line)
    existing = {p.mrn.upper(): p for p in patient_scope(actor=actor).filter(
        mrn__in=[r.mrn for r in records if r.mrn]).prefetch_related("coverages", "diagnoses")}
    payers = _payers(actor)
    entries = [_entry(actor, record, existing.get(record.mrn.upper()), payers, mrn_lines)
               for record in records]
    counts = Counter(e["action"] for e in entries)
    return {"entries": entries,
            "counts": {k: counts.get(k, 0) for k in ("create", "update", "unchanged",
                                                      "refused")},
            "matched": sum(1 for e in entries if e["patient_id"])}


def _entry(actor: Actor, record: Record, patient: Patient | None, payers: dict[str, Payer],
           mrn_lines: dict[str, list[str]]) -> dict[str, Any]:
    reasons = list(record.problems)
    same_mrn = mrn_lines.get(record.mrn.upper(), [])
    if len(same_mrn) > 1:
        others = [line for line in same_mrn if line != record.line]
        reasons.append(f"MRN {record.mrn} is also on {', '.join(others)}: a file may name "
                       "each patient once, so none of these rows is imported")
    values, problems = _patient_problems(record.patient)
    reasons += problems
    entry: dict[str, Any] = {
        "line": record.line, "mrn": record.mrn,
        "name": " ".join(filter(None, [record.patient.get("first_name"),
                                       record.patient.get("last_name")])),
        "patient_id": patient.pk if patient else None,
        "version": patient.version if patient else None,
        "values": values, "changes": [], "coverages": [], "diagnoses": [], "warnings": [],
    }
    if patient is not None:
        current = {k: getattr(patient, k) for k in values}
        changed = sorted(k for k, v in _typed(values).items() if current[k] != v)
        entry["changes"] = [{"field": k, "label": _label(k), "old": _jsonable(current)[k],
                             "new": values[k]} for k in changed]
    entry["coverages"] = _coverages(record, patient, payers, reasons, entry["warnings"])
    entry["diagnoses"] = _diagnoses(record, patient)
    adding_dx = any(d["action"] == "add" for d in entry["diagnoses"])
    if adding_dx and actor.role not in DIAGNOSIS_ROLES:
        reasons.append("only a practice admin or a clinician may add diagnoses; remove the "
                       "diagnosis codes or ask the practice admin to import this file")
    if reasons:
        entry["action"], entry["reasons"] = "refused", reasons
    elif patient is None:
        entry["action"], entry["reasons"] = "create", []
    elif entry["changes"] or any(c["action"] == "add" for c in entry["coverages"]) \
            or adding_dx:
        entry["action"], entry["reasons"] = "update", []
    else:
        entry["action"], entry["reasons"] = "unchanged", []
    return entry


def _coverages(record: Record, patient: Patient | None, payers: dict[str, Payer],
               reasons: list[str], warnings: list[str]) -> list[dict[str, Any]]:
    held = list(patient.coverages.all()) if patient else []
    priority = max((c.priority for c in held), default=0)
    planned: list[dict[str, Any]] = []
    for coverage in record.coverages:
        payer = payers.get(coverage.payer.strip().lower())
        if payer is None:
            reasons.append(f"payer {coverage.payer!r} is not one of the practice's payers "
                           f"({', '.join(sorted({p.name for p in payers.values()})) or 'none'})")
            continue
        if len(coverage.member_id) > 40 or len(coverage.group_number) > 40:
            reasons.append("the member id and group number may have at most 40 characters")
            continue
        same = next((c for c in held if c.payer_id == payer.pk
                     and c.member_id == coverage.member_id), None)
        item = {"payer_id": payer.pk, "payer": payer.name, "member_id": coverage.member_id,
                "group_number": coverage.group_number, "priority": None,
                "action": "unchanged" if same else "add"}
        if same is None and any(p["payer_id"] == payer.pk and p["member_id"] ==
                                coverage.member_id for p in planned):
            continue  # the same coverage twice in one record
        if same is None:
            priority += 1
            item["priority"] = priority
        elif coverage.group_number and same.group_number != coverage.group_number:
            warnings.append(f"the chart's {payer.name} coverage has group number "
                            f"{same.group_number or '(none)'}, the file "
                            f"{coverage.group_number}; the chart's is kept (edit it there)")
        planned.append(item)
    return planned


def _diagnoses(record: Record, patient: Patient | None) -> list[dict[str, Any]]:
    held = {d.code for d in patient.diagnoses.all()} if patient else set()
    has_primary = bool(patient and any(d.is_primary for d in patient.diagnoses.all()))
    planned = []
    for diagnosis in record.diagnoses:
        add = diagnosis.code not in held
        primary = add and not has_primary
        has_primary = has_primary or primary
        planned.append({"code": diagnosis.code, "description": diagnosis.description,
                        "primary": primary, "action": "add" if add else "unchanged"})
    return planned


def plan_execute(*, actor: Actor, plan: dict[str, Any]) -> None:
    """Carry out a plan just built in this transaction, through the patients services (each
    audits its own create or update). The caller holds the transaction."""
    for entry in plan["entries"]:
        if entry["action"] not in ("create", "update"):
            continue
        if entry["action"] == "create":
            values = {**_DEFAULTS, **_typed(entry["values"])}
            created = patient_services.patient_create(
                actor=actor, data=patient_services.PatientInput(**values),  # type: ignore[arg-type]
                mrn=entry["mrn"])  # an imported patient keeps the old system's MRN
            patient_id = created.pk
        else:
            patient_id = entry["patient_id"]
            if entry["changes"]:
                changes = {c["field"]: c["new"] for c in entry["changes"]}
                patient_services.patient_update(actor=actor, patient_id=patient_id,
                                                changes=_typed(changes),
                                                expected_version=entry["version"])
        for coverage in entry["coverages"]:
            if coverage["action"] == "add":
                patient_services.coverage_add(
                    actor=actor, patient_id=patient_id, payer_id=coverage["payer_id"],
                    member_id=coverage["member_id"], group_number=coverage["group_number"],
                    priority=coverage["priority"])
        for diagnosis in entry["diagnoses"]:
            if diagnosis["action"] == "add":
                patient_services.diagnosis_add(
                    actor=actor, patient_id=patient_id, code=diagnosis["code"],
                    description=diagnosis["description"], is_primary=diagnosis["primary"])
