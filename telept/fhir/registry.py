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
(TYPES["Observation:pain"]). Use `sources(name)` for all sources of one type, `names()` for
the resource type names that are searched and exported. Ids never collide: a secondary
source prefixes its ids ("pain-12"); `FhirType.id_prefix` says which, and
`find_source(name, id)` resolves one.

`FhirType.export` is False for sources that are read-only and left out of $everything and
bulk export (Binary, the PDF behind a DocumentReference): skip them when exporting.
Questionnaire is not in TYPES: its resources are the static instrument definitions
(`STATIC["Questionnaire"]`, no rows, no patient data).

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
from telept.fhir.mappers import billing as billing_map
from telept.fhir.mappers import clinical, people, practice
from telept.fhir.mappers import scheduling as scheduling_map
from telept.fhir.mappers.common import ICD10CM, LOINC, NPI, OBS_CATEGORY, V3_ACT
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
    # Stable order of search results and pages.
    order_by: tuple[str, ...] = ("pk",)
    # False: not part of $everything or a bulk export (Binary: the PDF of a note is reached
    # from its DocumentReference), and no search-type (read only).
    export: bool = True

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
    """The resource types that are searched and exported (Binary, read by id only, is not)."""
    return sorted({t.name for t in TYPES.values() if t.export})


def served_names() -> list[str]:
    """Every resource type served from TYPES, read-only ones included."""
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
            "category": s.choice_token("kind", {**{k: [k] for k in Consent.Kind.values},
                                                "rtm": []},
                                       system="urn:telept:consent-kind",
                                       doc="telehealth | treatment | privacy | rtm")},
))


# --- scheduling and visits -------------------------------------------------------------------

def _appointments(actor: Actor) -> QuerySet[Any]:
    from telept.scheduling.selectors import appointment_scope

    return appointment_scope(actor=actor).select_related("provider", "visit_type")


def _appointment_status() -> s.Param:
    mapping: dict[str, list[str]] = {}
    for ours, theirs in scheduling_map.APPOINTMENT_STATUS.items():
        mapping.setdefault(theirs, []).append(ours)
    for code in ("arrived", "entered-in-error", "checked-in", "waitlist"):
        mapping.setdefault(code, [])
    return s.choice_token("status", mapping, system="http://hl7.org/fhir/appointmentstatus",
                          doc="proposed | pending | booked | fulfilled | cancelled | noshow")


def _practitioner() -> s.Param:
    return s.reference_param("provider_id", "Practitioner", doc="The treating clinician")


def _class_q(system: str | None, code: str) -> Q:
    if system not in (None, V3_ACT):
        return Q(pk__in=[])
    modalities = [m for m, (c, _) in scheduling_map.MODALITY_CLASS.items() if c == code]
    return Q(modality__in=modalities)


register(FhirType(
    name="Appointment",
    queryset=_appointments,
    to_fhir=scheduling_map.appointment,
    patient_ids_field="patient_id",
    order_by=("start", "id"),
    search={"patient": patient_ref_param("patient_id"),
            "actor": s.reference_param("patient_id", "Patient", doc="Patient (actor)"),
            "practitioner": _practitioner(),
            "date": s.date_param("start", doc="Start"),
            "status": _appointment_status(),
            "appointment-type": s.token_param(_class_q, doc="VR (virtual) | AMB")},
))


def _encounters(actor: Actor) -> QuerySet[Any]:
    return (_appointments(actor)
            .filter(Q(status="completed") | Q(visit__started_at__isnull=False))
            .select_related("visit").prefetch_related("visit__events", "visit__participants"))


register(FhirType(
    name="Encounter",
    queryset=_encounters,
    to_fhir=scheduling_map.encounter,
    patient_ids_field="patient_id",
    profile="us-core-encounter",
    order_by=("start", "id"),
    search={"patient": patient_ref_param("patient_id"),
            "subject": patient_ref_param("patient_id"),
            "practitioner": _practitioner(),
            "participant": _practitioner(),
            "date": s.date_param("start", doc="Start of the visit"),
            "status": s.choice_token("status", {"finished": ["completed"],
                                                "in-progress": ["booked", "held"],
                                                "planned": [], "cancelled": []},
                                     system="http://hl7.org/fhir/encounter-status",
                                     doc="finished | in-progress"),
            "class": s.token_param(_class_q, doc="VR (virtual) | AMB (in person)"),
            "identifier": s.token_param(lambda sys, code: Q(pk=s.int_id(code) or 0),
                                        doc="Appointment id")},
))


# --- Observation: four sources --------------------------------------------------------------

def _clinical_patients(actor: Actor) -> QuerySet[Patient]:
    return _scoped_patients(actor)


def _measures(actor: Actor) -> QuerySet[Any]:
    from telept.clinical.models import MeasureResponse

    return MeasureResponse.objects.filter(practice_id=actor.practice_id,
                                          patient__in=_clinical_patients(actor))


def _measure_code_q(system: str | None, code: str) -> Q:
    if system in (None, LOINC):
        loincs = {**clinical.MEASURE_LOINC, **clinical.PROMIS_LOINC}
        q = Q(code__in=[c for c, loinc in loincs.items() if loinc == code]) | Q(loinc=code)
        return q | Q(code=code.upper()) if system is None else q
    if system == clinical.MEASURE_SYSTEM:
        return Q(code=code.upper())
    return Q(pk__in=[])


def _constant_token(value: str, system: str | None = None) -> s.Param:
    def resolve(sys: str | None, code: str) -> Q:
        ok = code == value and sys in (None, system) if system else code == value
        return Q() if ok else Q(pk__in=[])

    return s.token_param(resolve, doc=value)


def _observation_search(*, patient: str, date: str, code: s.Param, category: str,
                        status: s.Param | None = None) -> dict[str, s.Param]:
    return {"patient": patient_ref_param(patient), "subject": patient_ref_param(patient),
            "date": s.date_param(date, doc="When observed"), "code": code,
            "category": _constant_token(category, OBS_CATEGORY),
            "status": status or _constant_token("final")}


register(FhirType(
    name="Observation",
    queryset=_measures,
    to_fhir=clinical.measure_observation,
    patient_ids_field="patient_id",
    updated_field="completed_at",
    profile="us-core-observation-screening-assessment",
    order_by=("completed_at", "id"),
    search=_observation_search(
        patient="patient_id", date="completed_at", category="survey",
        code=s.token_param(_measure_code_q, doc="LOINC (KOOS JR 82324-5, HOOS JR 82316-1, "
                                                 "ODI 97908-8, NDI 82226-2, pain 72514-3)"),
        status=s.choice_token("scorable", {"final": [True], "cancelled": [False]},
                              doc="final | cancelled")),
))


def _loinc_only(value: str) -> s.Param:
    return s.token_param(lambda sys, code: Q() if code == value and sys in (None, LOINC)
                         else Q(pk__in=[]), doc=f"LOINC {value}")


def _home_logs(actor: Actor) -> QuerySet[Any]:
    from telept.exercises.models import ExerciseLog
    from telept.exercises.selectors import program_scope

    return (ExerciseLog.objects.filter(session__program__in=program_scope(actor=actor))
            .select_related("session", "exercise"))


register(FhirType(
    name="Observation",
    key="Observation:pain",
    id_prefix="pain-",
    queryset=lambda actor: _home_logs(actor).filter(pain__isnull=False),
    to_fhir=clinical.pain_observation,
    patient_ids_field="session__patient_id",
    updated_field="session__completed_at",
    order_by=("session__completed_at", "id"),
    search=_observation_search(patient="session__patient_id", date="session__completed_at",
                               category="survey", code=_loinc_only(clinical.NPRS_LOINC)),
))


def _motion_q(field_name: str) -> s.Param:
    def resolve(system: str | None, code: str) -> Q:
        if system not in (None, clinical.MOTION_SYSTEM):
            return Q(pk__in=[])
        return Q(**{field_name: code})

    return s.token_param(resolve, doc="urn:telept:motion|<movement>")


def _visit_measurements(actor: Actor) -> QuerySet[Any]:
    from django.db.models.functions import Coalesce

    from telept.visits.models import MovementMeasurement

    return (MovementMeasurement.objects
            .annotate(patient_ref=Coalesce("participant__patient_id",
                                           "visit__appointment__patient_id"))
            .filter(visit__practice_id=actor.practice_id,
                    patient_ref__in=_clinical_patients(actor).values("pk"))
            .select_related("visit"))


register(FhirType(
    name="Observation",
    key="Observation:rom",
    id_prefix="rom-",
    queryset=_visit_measurements,
    to_fhir=clinical.visit_rom_observation,
    patient_ids_field="patient_ref",
    updated_field="captured_at",
    order_by=("captured_at", "id"),
    search=_observation_search(patient="patient_ref", date="captured_at", category="exam",
                               code=_motion_q("exercise")),
))

register(FhirType(
    name="Observation",
    key="Observation:homerom",
    id_prefix="homerom-",
    queryset=lambda actor: _home_logs(actor).filter(camera_peak_deg__isnull=False),
    to_fhir=clinical.home_rom_observation,
    patient_ids_field="session__patient_id",
    updated_field="session__completed_at",
    order_by=("session__completed_at", "id"),
    search=_observation_search(patient="session__patient_id", date="session__completed_at",
                               category="exam", code=_motion_q("camera_exercise")),
))


# --- QuestionnaireResponse, Goal, CarePlan ----------------------------------------------------

def _questionnaire_q(raw: str, modifier: str | None) -> Q:
    code = raw.rsplit(":", 1)[-1].rsplit("/", 1)[-1].upper()
    return Q(code=code)


register(FhirType(
    name="QuestionnaireResponse",
    queryset=_measures,
    to_fhir=clinical.questionnaire_response,
    patient_ids_field="patient_id",
    updated_field="completed_at",
    profile="us-core-questionnaireresponse",
    order_by=("completed_at", "id"),
    search={"patient": patient_ref_param("patient_id"),
            "subject": patient_ref_param("patient_id"),
            "authored": s.date_param("completed_at", doc="When answered"),
            "questionnaire": s.Param("reference", _questionnaire_q,
                                     doc="Questionnaire (url or id, e.g. koosjr)"),
            "status": _constant_token("completed")},
))


def _goals(actor: Actor) -> QuerySet[Any]:
    from telept.clinical.models import Goal

    return Goal.objects.filter(practice_id=actor.practice_id,
                               patient__in=_clinical_patients(actor))


def _goal_lifecycle() -> s.Param:
    mapping: dict[str, list[str]] = {}
    for ours, (lifecycle, _) in clinical.GOAL_LIFECYCLE.items():
        mapping.setdefault(lifecycle, []).append(ours)
    for code in ("proposed", "planned", "accepted", "on-hold", "entered-in-error",
                 "rejected"):
        mapping.setdefault(code, [])
    return s.choice_token("status", mapping, system="http://hl7.org/fhir/goal-status",
                          doc="active | completed | cancelled")


register(FhirType(
    name="Goal",
    queryset=_goals,
    to_fhir=clinical.goal,
    patient_ids_field="patient_id",
    updated_field="updated_at",
    profile="us-core-goal",
    search={"patient": patient_ref_param("patient_id"),
            "subject": patient_ref_param("patient_id"),
            "lifecycle-status": _goal_lifecycle(),
            "target-date": s.date_param("target_date", is_date_column=True,
                                        doc="Target date")},
))


def _plans(actor: Actor) -> QuerySet[Any]:
    from telept.scheduling.models import CarePlan

    return CarePlan.objects.filter(practice_id=actor.practice_id,
                                   patient__in=_clinical_patients(actor))


def _careplan_search(patient: str, date: str) -> dict[str, s.Param]:
    return {"patient": patient_ref_param(patient), "subject": patient_ref_param(patient),
            "category": _constant_token("assess-plan"),
            "date": s.date_param(date, is_date_column=True, doc="Start date")}


register(FhirType(
    name="CarePlan",
    queryset=_plans,
    to_fhir=clinical.plan_of_care,
    patient_ids_field="patient_id",
    profile="us-core-careplan",
    search=_careplan_search("patient_id", "start_date"),
))


def _programs(actor: Actor) -> QuerySet[Any]:
    from telept.exercises.selectors import program_scope

    return program_scope(actor=actor).prefetch_related("items__exercise")


register(FhirType(
    name="CarePlan",
    key="CarePlan:hep",
    id_prefix="hep-",
    queryset=_programs,
    to_fhir=clinical.home_program,
    patient_ids_field="patient_id",
    updated_field="updated_at",
    search=_careplan_search("patient_id", "start_date"),
))


# --- DocumentReference and its Binary -------------------------------------------------------

def _signed_notes(actor: Actor) -> QuerySet[Any]:
    from telept.clinical.selectors.notes import note_content_scope

    return (note_content_scope(actor=actor).filter(signed_at__isnull=False)
            .select_related("provider", "signed_by", "cosigned_by"))


def _note_type_q(system: str | None, code: str) -> Q:
    if system not in (None, LOINC):
        return Q(pk__in=[])
    kinds = [k for k, (loinc, _) in clinical.NOTE_LOINC.items() if loinc == code]
    return Q(kind__in=kinds)


register(FhirType(
    name="DocumentReference",
    queryset=_signed_notes,
    to_fhir=clinical.document_reference,
    patient_ids_field="patient_id",
    updated_field="signed_at",
    profile="us-core-documentreference",
    deleted_object_type="Note",
    order_by=("date_of_service", "id"),
    search={"patient": patient_ref_param("patient_id"),
            "subject": patient_ref_param("patient_id"),
            "category": _constant_token("clinical-note"),
            "type": s.token_param(_note_type_q, doc="LOINC 11488-4 (evaluation) | 11506-3"),
            "date": s.date_param("signed_at", doc="When signed"),
            "period": s.date_param("date_of_service", is_date_column=True,
                                   doc="Date of service"),
            "status": _constant_token("current")},
))

register(FhirType(
    name="Binary",
    id_prefix="note-",
    queryset=lambda actor: _signed_notes(actor).select_related("practice", "patient")
    .prefetch_related("interventions", "addenda__author"),
    to_fhir=clinical.binary_note,
    patient_ids_field="patient_id",
    deleted_object_type="Note",
    export=False,
))


# --- RTM consent --------------------------------------------------------------------------------

def _rtm_consents(actor: Actor) -> QuerySet[Any]:
    from telept.lib.errors import DomainError
    from telept.rtm.models import Enrolment
    from telept.rtm.selectors import enrolment_scope

    try:
        rows = enrolment_scope(actor=actor)
    except DomainError:
        return Enrolment.objects.none()
    return rows.filter(consent_at__isnull=False, patient__in=_scoped_patients(actor))


register(FhirType(
    name="Consent",
    key="Consent:rtm",
    id_prefix="rtm-",
    queryset=_rtm_consents,
    to_fhir=people.rtm_consent,
    patient_ids_field="patient_id",
    search={"patient": patient_ref_param("patient_id"),
            "status": s.choice_token("unenrolled_at__isnull", {"active": [True],
                                                               "inactive": [False]},
                                     doc="active | inactive"),
            "date": s.date_param("consent_at", doc="When signed"),
            "category": s.choice_token("pk__gt", {"rtm": [0], **{
                k: [] for k in Consent.Kind.values}}, system="urn:telept:consent-kind",
                doc="rtm")},
))


# --- static definitions (no rows) --------------------------------------------------------------

@dataclass(frozen=True)
class StaticType:
    """A resource type served from definitions in code (Questionnaire: the instruments)."""

    name: str
    items: Callable[[], list[dict[str, Any]]]
    search: Mapping[str, Callable[[dict[str, Any], str], bool]]


def _questionnaires() -> list[dict[str, Any]]:
    from telept.clinical.measures import MEASURES

    return [clinical.questionnaire(code) for code in MEASURES]


def _q_code(resource: dict[str, Any], value: str) -> bool:
    system, code = s.split_token(value)
    return any(c["code"] == code and system in (None, c["system"])
               for c in resource.get("code", []))


STATIC: dict[str, StaticType] = {
    "Questionnaire": StaticType(
        name="Questionnaire", items=_questionnaires,
        search={"url": lambda r, v: r["url"] == v,
                "name": lambda r, v: r["name"].lower().startswith(v.lower())
                or r["title"].lower().startswith(v.lower()),
                "title": lambda r, v: r["title"].lower().startswith(v.lower()),
                "status": lambda r, v: s.split_token(v)[1] == r["status"],
                "code": _q_code}),
}


# --- billing: Claim and ExplanationOfBenefit ------------------------------------------------

def _claims(actor: Actor) -> QuerySet[Any]:
    from telept.billing.selectors import claim_scope

    return (claim_scope(actor=actor).filter(patient__in=_scoped_patients(actor))
            .select_related("payer", "charge").prefetch_related("charge__lines"))


_claim_search = {"patient": patient_ref_param("patient_id"),
                 "created": s.date_param("created_at", doc="When the claim was made"),
                 "identifier": s.token_param(lambda sys, code: Q(number=code),
                                             doc="Claim number (CLM01)")}

register(FhirType(
    name="Claim",
    queryset=_claims,
    to_fhir=billing_map.claim,
    patient_ids_field="patient_id",
    updated_field="updated_at",
    search={**_claim_search,
            "status": s.choice_token("status", {
                fhir: [k for k, v in billing_map.CLAIM_STATUS.items() if v == fhir]
                for fhir in ("active", "cancelled", "draft", "entered-in-error")},
                system="http://hl7.org/fhir/fm-status", doc="active | cancelled | draft"),
            "use": _constant_token("claim")},
))

register(FhirType(
    name="ExplanationOfBenefit",
    queryset=lambda actor: _claims(actor).filter(status__in=list(billing_map.EOB_OUTCOME)),
    to_fhir=billing_map.explanation_of_benefit,
    patient_ids_field="patient_id",
    updated_field="updated_at",
    search={**_claim_search, "status": _constant_token("active"),
            "outcome": s.choice_token("status", {"complete": ["paid", "denied"],
                                                 "partial": ["partial"], "queued": [],
                                                 "error": []},
                                      doc="complete | partial")},
))
