"""Patient (US Core), Coverage, Condition (ICD-10-CM diagnoses) and Consent."""

from __future__ import annotations

from typing import Any

from telept.fhir.mappers.common import (
    BCP47,
    ICD10CM,
    V2_0203,
    concept,
    day,
    instant,
    meta,
    mrn_system,
    prune,
    ref,
)
from telept.patients.models import Consent, Coverage, Diagnosis, Patient

GENDER = {"F": "female", "M": "male", "O": "other", "U": "unknown"}
SUBSCRIBER_RELATION = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY_LOINC = "59284-0"  # LOINC "Consent Document"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_KIND_TEXT = {"telehealth": "Consent to telehealth services",
                     "treatment": "Consent to treatment",
                     "privacy": "Acknowledgement of the notice of privacy practices",
                     "rtm": "Consent to remote therapeutic monitoring",
                     "video_clip": "Consent to keep a video clip of a movement"}


def patient(p: Patient) -> dict[str, Any]:
    name: list[dict[str, Any]] = [{"use": "official", "family": p.last_name,
                                   "given": [p.first_name]}]
    if p.preferred_name:
        name.append({"use": "usual", "family": p.last_name, "given": [p.preferred_name]})
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone, "use": "mobile"})
    if p.email:
        telecom.append({"system": "email", "value": p.email, "use": "home"})
    address = []
    if p.address_line1 or p.city or p.state or p.postal_code:
        address.append({"use": "home", "line": [p.address_line1, p.address_line2],
                        "city": p.city, "state": p.state, "postalCode": p.postal_code,
                        "country": "US"})
    contact = []
    if p.emergency_contact_name:
        contact.append({
            "relationship": [{"coding": [{"system": V2_0203.replace("0203", "0131"),
                                          "code": "C", "display": "Emergency Contact"}],
                              "text": p.emergency_contact_relation}],
            "name": {"text": p.emergency_contact_name},
            "telecom": [{"system": "phone", "value": p.emergency_contact_phone}]
            if p.emergency_contact_phone else [],
        })
    return prune({
        "resourceType": "Patient",
        "id": str(p.pk),
        "meta": meta("us-core-patient", p.updated_at),
        "identifier": [{
            "use": "usual",
            "type": concept(V2_0203, "MR", "Medical record number"),
            "system": mrn_system(p.practice.slug),
            "value": p.mrn,
        }],
        "active": True,
        "name": name,
        "telecom": telecom,
        "gender": GENDER.get(p.sex, "unknown"),
        "birthDate": day(p.date_of_birth),
        "address": address,
        "contact": contact,
        "communication": [{"language": {"coding": [{"system": BCP47,
                                                     "code": p.preferred_language}]},
                           "preferred": True}] if p.preferred_language else [],
        "managingOrganization": ref("Organization", p.practice_id, p.practice.name),
    })


def coverage(c: Coverage) -> dict[str, Any]:
    today_active = c.end_date is None or c.end_date >= _today()
    return prune({
        "resourceType": "Coverage",
        "id": str(c.pk),
        "status": "active" if today_active else "cancelled",
        "subscriberId": c.member_id,
        "beneficiary": ref("Patient", c.patient_id),
        "relationship": concept(SUBSCRIBER_RELATION, c.subscriber_relation),
        "period": {"start": day(c.start_date), "end": day(c.end_date)},
        "payor": [{"identifier": {"system": "urn:telept:x12-payer-id",
                                  "value": c.payer.payer_id},
                   "display": c.payer.name}],
        "class": [{"type": concept("http://terminology.hl7.org/CodeSystem/coverage-class",
                                   "group"),
                   "value": c.group_number}] if c.group_number else [],
        "order": c.priority,
        "identifier": [{"system": "urn:telept:member-id", "value": c.member_id}],
    })


def _today() -> Any:
    import datetime as dt

    return dt.date.today()


def condition(d: Diagnosis) -> dict[str, Any]:
    return prune({
        "resourceType": "Condition",
        "id": str(d.pk),
        "meta": meta("us-core-condition-problems-health-concerns"),
        "clinicalStatus": concept(CONDITION_CLINICAL, "active", "Active"),
        "verificationStatus": concept(CONDITION_VERIFICATION, "confirmed", "Confirmed"),
        "category": [concept(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
        "code": {"coding": [{"system": ICD10CM, "code": _icd_dotted(d.code),
                             "display": d.description}], "text": d.description},
        "subject": ref("Patient", d.patient_id),
        "onsetDateTime": day(d.onset_date),
        "recordedDate": instant(d.added_at),
        "extension": [],
    })


def _icd_dotted(code: str) -> str:
    """ICD-10-CM in FHIR is written with its dot (M17.11), our claims store it without."""
    code = code.strip().upper()
    if "." in code or len(code) <= 3:
        return code
    return f"{code[:3]}.{code[3:]}"


def consent(c: Consent) -> dict[str, Any]:
    return consent_dict(pk=str(c.pk), patient_id=c.patient_id, kind=c.kind, version=c.version,
                        signed_at=c.signed_at, revoked_at=c.revoked_at, signed_by=c.signed_by)


def consent_dict(*, pk: str, patient_id: int, kind: str, version: str, signed_at: Any,
                 revoked_at: Any, signed_by: str) -> dict[str, Any]:
    scope_code = "patient-privacy" if kind == "privacy" else "treatment"
    return prune({
        "resourceType": "Consent",
        "id": pk,
        "status": "inactive" if revoked_at else "active",
        "scope": concept(CONSENT_SCOPE, scope_code),
        "category": [concept("http://loinc.org", CONSENT_CATEGORY_LOINC, "Consent Document"),
                     {"coding": [{"system": "urn:telept:consent-kind", "code": kind}],
                      "text": CONSENT_KIND_TEXT.get(kind, kind)}],
        "patient": ref("Patient", patient_id),
        "dateTime": instant(signed_at),
        "performer": [{"display": signed_by}] if signed_by else [],
        "policyRule": concept(ACT_CODE, "OPTIN", "opt-in"),
        "provision": {"type": "deny" if revoked_at else "permit",
                      "period": {"start": instant(signed_at), "end": instant(revoked_at)}},
        "identifier": [{"system": "urn:telept:consent-version", "value": version}]
        if version else [],
    })


def rtm_consent(e: Any) -> dict[str, Any]:
    """The patient's consent to remote therapeutic monitoring (rtm.Enrolment)."""
    return consent_dict(pk=f"rtm-{e.pk}", patient_id=e.patient_id, kind="rtm",
                        version=e.consent_version, signed_at=e.consent_at,
                        revoked_at=e.unenrolled_at, signed_by=e.consent_signer)
