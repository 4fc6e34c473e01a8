"""Which FHIR resource types we serve, where their rows come from, and how they map.

Interface (shared with bulk.py, the "fhirsmart" helper's export):

    TYPES: dict[str, FhirType]       # key -> FhirType; see "sources" below
    FhirType.name: str               # the FHIR resource type, e.g. "Observation"
    FhirType.queryset(actor) -> QuerySet
                                     # rows the actor may see, practice- and patient-scoped
                                     # through the existing scoped selectors (patient_scope...)
                                     # with the select_related/prefetch to_fhir needs
    FhirType.patient_ids_field: str | None
                                     # ORM path to the patient id ("patient_id", "id" for
                                     # Patient); None for Organization, Practitioner, ...
    FhirType.updated_field: str | None
                                     # ORM path of a last-changed timestamp (for `_since`)
    FhirType.to_fhir(obj) -> dict    # pure mapper: JSON-ready FHIR R4 resource dict

Sources: one resource type may be built from several of our models (Observation comes from
outcome-measure totals, exercise-session pain, visit and home range of motion). Each source
is its own FhirType with the same `name`; TYPES is keyed by `key`, which is the resource type
name for the first source (TYPES["Observation"]) and "<Name>:<source>" for the others
(TYPES["Observation:pain"]). Use `sources(name)` for all sources of one type, `NAMES` for
the resource type names. Ids never collide: a secondary source prefixes its ids
("pain-12"); `FhirType.id_prefix` says which, and `find_source(name, id)` resolves one.

Reading through the registry does not audit: the router (views.py) and the exporter audit
what they return (`audit_record`, one event per interaction, patient ids named).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from telept.accounts.actor import Actor
from telept.fhir import search as s
from telept.fhir.mappers import people, practice
from telept.fhir.mappers.common import ICD10CM, NPI
from telept.patients.models import Consent, Coverage, Diagnosis, Patient
from telept.patients.selectors import patient_scope
from telept.practices.models import Location, Practice
from telept.practices.selectors import provider_list


@dataclass(frozen=True)
class FhirType:
    name: str
    queryset: Callable[[Actor], QuerySet[Any]]
    to_fhir: Callable[[Any], dict[str, Any]]
    patient_ids_field: str | None
    updated_field: str | None = None
    key: str = ""
    id_prefix: str = ""
    search: Mapping[str, s.Param] = field(default_factory=dict)
    profile: str | None = None
    # The audit trail's object_type of deletions of this source (-> 410 Gone on read).
    deleted_object_type: str | None = None
    # Column that `date` / `_lastUpdated`-like default sorting uses (newest last = stable).
    order_by: tuple[str, ...] = ("pk",)

    def pk_of(self, rid: str) -> int | None:
        """Our primary key for a FHIR id of this source, None if it is not one of ours."""
        if self.id_prefix:
            if not rid.startswith(self.id_prefix):
                return None
            rid = rid[len(self.id_prefix):]
        return s.int_id(rid)


TYPES: dict[str, FhirType] = {}


def register(t: FhirType) -> FhirType:
    key = t.key or t.name
    if key in TYPES:
        raise ValueError(f"FHIR source {key} registered twice")
    if key != t.name and not t.id_prefix:
        raise ValueError(f"secondary source {key} needs an id prefix")
    TYPES[key] = t if t.key else FhirType(**{**t.__dict__, "key": key})
    return TYPES[key]


def sources(name: str) -> list[FhirType]:
    return [t for t in TYPES.values() if t.name == name]


def names() -> list[str]:
    return sorted({t.name for t in TYPES.values()})


def find_source(name: str, rid: str) -> tuple[FhirType, int] | None:
    for t in sources(name):
        pk = t.pk_of(rid)
        if pk is not None:
            return t, pk
    return None


# --- shared search helpers ----------------------------------------------------------------

def _scoped_patients(actor: Actor) -> QuerySet[Patient]:
    return patient_scope(actor=actor)


def patient_ref_param(path: str) -> s.Param:
    return s.reference_param(path, "Patient", doc="The patient (Patient/<id> or <id>)")


def _identifier_patient(system: str | None, code: str) -> Q:
    # Our MRN system is urn:telept:<slug>:mrn; any other non-empty system matches nothing.
    if system and not (system.startswith("urn:telept:") and system.endswith(":mrn")):
        return Q(pk__in=[])
    q = Q(mrn__iexact=code)
    if system:
        q &= Q(practice__slug=system[len("urn:telept:"):-len(":mrn")])
    return q


def _gender_q() -> s.Param:
    mapping = {v: [k] for k, v in people.GENDER.items()}
    return s.choice_token("sex", mapping, system="http://hl7.org/fhir/administrative-gender",
                          doc="female | male | other | unknown")


def _npi(system: str | None, code: str) -> Q:
    if system not in (None, NPI):
        return Q(pk__in=[])
    return Q(npi=code)


# --- the people and the practice -------------------------------------------------------------

register(FhirType(
    name="Patient",
    queryset=lambda actor: _scoped_patients(actor).select_related("practice"),
    to_fhir=people.patient,
    patient_ids_field="id",
    updated_field="updated_at",
    profile="us-core-patient",
    order_by=("last_name", "first_name", "id"),
    search={
        "identifier": s.token_param(_identifier_patient, doc="MRN (system|value)"),
        "name": s.string_param("first_name", "last_name", "preferred_name",
                               doc="Any part of the name (starts with)"),
        "family": s.string_param("last_name", doc="Family name"),
        "given": s.string_param("first_name", "preferred_name", doc="Given name"),
        "birthdate": s.date_param("date_of_birth", is_date_column=True, doc="Date of birth"),
        "gender": _gender_q(),
        "email": s.string_param("email", doc="E-mail"),
        "phone": s.string_param("phone", doc="Phone (E.164)"),
    },
))

register(FhirType(
    name="Organization",
    queryset=lambda actor: Practice.objects.filter(pk=actor.practice_id),
    to_fhir=practice.organization,
    patient_ids_field=None,
    profile="us-core-organization",
    search={"name": s.string_param("name", doc="Practice name"),
            "identifier": s.token_param(lambda sys, code: Q(slug=code), doc="Practice slug")},
))

register(FhirType(
    name="Location",
    queryset=lambda actor: Location.objects.filter(practice_id=actor.practice_id),
    to_fhir=practice.location,
    patient_ids_field=None,
    profile="us-core-location",
    search={"name": s.string_param("name", doc="Location name"),
            "address-state": s.string_param("state", doc="State (USPS)"),
            "address-city": s.string_param("city", doc="City")},
))

_provider_search = {
    "identifier": s.token_param(_npi, doc="NPI"),
    "name": s.string_param("display_name", doc="Name"),
}

register(FhirType(
    name="Practitioner",
    queryset=lambda actor: provider_list(actor=actor),
    to_fhir=practice.practitioner,
    patient_ids_field=None,
    profile="us-core-practitioner",
    search=_provider_search,
))

register(FhirType(
    name="PractitionerRole",
    queryset=lambda actor: provider_list(actor=actor),
    to_fhir=practice.practitioner_role,
    patient_ids_field=None,
    profile="us-core-practitionerrole",
    search={"practitioner": s.reference_param("pk", "Practitioner", doc="Practitioner"),
            "specialty": s.token_param(lambda sys, code: Q(taxonomy=code),
                                       doc="NUCC taxonomy code")},
))

# --- the patient's record ---------------------------------------------------------------------

register(FhirType(
    name="Coverage",
    queryset=lambda actor: Coverage.objects.filter(patient__in=_scoped_patients(actor))
    .select_related("payer"),
    to_fhir=people.coverage,
    patient_ids_field="patient_id",
    search={"patient": patient_ref_param("patient_id"),
            "beneficiary": patient_ref_param("patient_id"),
            "identifier": s.token_param(lambda sys, code: Q(member_id=code),
                                        doc="Member id")},
))


def _icd(system: str | None, code: str) -> Q:
    if system not in (None, ICD10CM):
        return Q(pk__in=[])
    return Q(code__iexact=code.replace(".", ""))


register(FhirType(
    name="Condition",
    queryset=lambda actor: Diagnosis.objects.filter(patient__in=_scoped_patients(actor)),
    to_fhir=people.condition,
    patient_ids_field="patient_id",
    updated_field="added_at",
    profile="us-core-condition-problems-health-concerns",
    search={"patient": patient_ref_param("patient_id"),
            "subject": patient_ref_param("patient_id"),
            "code": s.token_param(_icd, doc="ICD-10-CM code (M17.11 or M1711)"),
            "category": s.token_param(
                lambda sys, code: Q() if code == "problem-list-item" else Q(pk__in=[]),
                doc="problem-list-item"),
            "clinical-status": s.token_param(
                lambda sys, code: Q() if code == "active" else Q(pk__in=[]), doc="active"),
            "onset-date": s.date_param("onset_date", is_date_column=True, doc="Onset date")},
))

register(FhirType(
    name="Consent",
    queryset=lambda actor: Consent.objects.filter(patient__in=_scoped_patients(actor)),
    to_fhir=people.consent,
    patient_ids_field="patient_id",
    search={"patient": patient_ref_param("patient_id"),
            "status": s.choice_token("revoked_at__isnull", {"active": [True],
                                                            "inactive": [False]},
                                     doc="active | inactive"),
            "date": s.date_param("signed_at", doc="When signed"),
            "category": s.choice_token("kind", {k: [k] for k in Consent.Kind.values},
                                       system="urn:telept:consent-kind",
                                       doc="telehealth | treatment | privacy")},
))
