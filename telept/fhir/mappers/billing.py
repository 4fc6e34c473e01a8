"""Claim (what we sent the payer, from billing.Claim and its charge lines) and
ExplanationOfBenefit (what the payer answered: paid, partly paid or denied, from the 835)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telept.fhir.mappers.common import CPT, ICD10CM, concept, day, instant, prune, ref

CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
CLAIM_STATUS = {"to_review": "draft", "ready": "draft", "rejected": "draft",
                "submitted": "active", "denied": "active", "paid": "active",
                "partial": "active", "replaced": "cancelled"}
EOB_OUTCOME = {"paid": "complete", "partial": "partial", "denied": "complete"}
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"


def _money(value: Decimal | float) -> dict[str, Any]:
    return {"value": float(value), "currency": "USD"}


def _dx(charge: Any) -> list[dict[str, Any]]:
    from telept.fhir.mappers.people import _icd_dotted

    return [{"sequence": i + 1,
             "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM,
                                                      "code": _icd_dotted(str(code))}]}}
            for i, code in enumerate(charge.diagnoses or [])]


def _items(charge: Any, *, with_adjudication: bool = False,
           claim: Any = None) -> list[dict[str, Any]]:
    lines = list(charge.lines.all())
    total = sum((line.amount for line in lines), Decimal(0)) or Decimal(1)
    items = []
    for line in lines:
        item: dict[str, Any] = {
            "sequence": line.number,
            "productOrService": {"coding": [{"system": CPT, "code": line.code}]},
            "modifier": [{"coding": [{"system": CPT, "code": m}]} for m in line.modifiers],
            "servicedDate": day(charge.date_of_service),
            "locationCodeableConcept": concept(POS_SYSTEM, line.pos or charge.pos)
            if (line.pos or charge.pos) else None,
            "quantity": {"value": line.units},
            "unitPrice": _money(line.unit_charge),
            "net": _money(line.amount),
            "diagnosisSequence": [int(p) for p in line.dx_pointers] if line.dx_pointers
            else [],
        }
        if with_adjudication and claim is not None:
            share = line.amount / total
            item["adjudication"] = [
                {"category": concept(ADJUDICATION, "submitted"), "amount": _money(line.amount)},
                {"category": concept(ADJUDICATION, "benefit"),
                 "amount": _money((claim.paid_amount * share).quantize(Decimal("0.01")))}]
            item.pop("diagnosisSequence", None)
            item.pop("unitPrice", None)
        items.append(item)
    return items


def _insurance(c: Any, *, sequence: bool = True) -> list[dict[str, Any]]:
    """Claim.insurance has a sequence; ExplanationOfBenefit.insurance has none."""
    coverage = ref("Coverage", c.coverage_id) if c.coverage_id else {
        "display": c.payer.name}
    return [{"sequence": 1, "focal": True, "coverage": coverage} if sequence
            else {"focal": True, "coverage": coverage}]


def _insurer(c: Any) -> dict[str, Any]:
    return {"identifier": {"system": "urn:telept:x12-payer-id", "value": c.payer.payer_id},
            "display": c.payer.name}


def claim(c: Any) -> dict[str, Any]:
    charge = c.charge
    return prune({
        "resourceType": "Claim",
        "id": str(c.pk),
        "identifier": [{"system": "urn:telept:claim-number", "value": c.number}],
        "status": CLAIM_STATUS.get(c.status, "active"),
        "type": concept(CLAIM_TYPE, "professional", "Professional"),
        "use": "claim",
        "patient": ref("Patient", c.patient_id),
        "billablePeriod": {"start": day(charge.date_of_service),
                           "end": day(charge.date_of_service)},
        "created": instant(c.created_at),
        "insurer": _insurer(c),
        "provider": ref("Organization", c.practice_id),
        "priority": concept("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
        "related": [{"claim": ref("Claim", c.original_id),
                     "relationship": concept(
                         "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship",
                         "prior")}] if c.original_id else [],
        "careTeam": [{"sequence": 1, "provider": ref("Practitioner", charge.rendering_id),
                      "role": concept(
                          "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                          "primary")}],
        "diagnosis": _dx(charge),
        "insurance": _insurance(c),
        "item": _items(charge),
        "total": _money(c.total_charge),
    })


def explanation_of_benefit(c: Any) -> dict[str, Any]:
    charge = c.charge
    return prune({
        "resourceType": "ExplanationOfBenefit",
        "id": str(c.pk),
        "identifier": [{"system": "urn:telept:claim-number", "value": c.number},
                       {"system": "urn:telept:payer-claim-number",
                        "value": c.payer_claim_number}],
        "status": "active",
        "type": concept(CLAIM_TYPE, "professional", "Professional"),
        "use": "claim",
        "patient": ref("Patient", c.patient_id),
        "billablePeriod": {"start": day(charge.date_of_service),
                           "end": day(charge.date_of_service)},
        "created": instant(c.updated_at),
        "insurer": _insurer(c),
        "provider": ref("Organization", c.practice_id),
        "claim": ref("Claim", c.pk),
        "outcome": EOB_OUTCOME.get(c.status, "complete"),
        "disposition": c.denial_reason or ("Paid" if c.status == "paid" else
                                           "Partly paid" if c.status == "partial" else None),
        "insurance": _insurance(c, sequence=False),
        "item": _items(charge, with_adjudication=True, claim=c),
        "total": [
            {"category": concept(ADJUDICATION, "submitted"), "amount": _money(c.total_charge)},
            {"category": concept(ADJUDICATION, "benefit"), "amount": _money(c.paid_amount)}],
        "payment": {"amount": _money(c.paid_amount)},
    })
