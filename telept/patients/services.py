"""Writes of patient data: validated, scoped, and audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, fields

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.accounts.models import Membership, User
from telept.accounts.roles import PATIENT_EDITORS, Role
from telept.audit.services import audit_record
from telept.lib.errors import Conflict, DomainError, PermissionDenied
from telept.lib.states import US_STATES
from telept.patients.models import Consent, Coverage, Diagnosis, Patient
from telept.patients.rules import icd10cm_normalise, phone_e164
from telept.patients.selectors import patient_get
from telept.practices.models import Payer


@dataclass(frozen=True, kw_only=True)
class PatientInput:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str = "U"  # Patient.Sex.UNKNOWN
    preferred_name: str = ""
    email: str = ""
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    preferred_language: str = "en"
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    emergency_contact_relation: str = ""


EDITABLE_FIELDS = tuple(f.name for f in fields(PatientInput))


def _require_editor(actor: Actor) -> None:
    if actor.role not in PATIENT_EDITORS:
        raise PermissionDenied("Your role cannot change patient records.")


def patient_clean(values: dict[str, object]) -> dict[str, object]:
    """Normalise and check field values; DomainError names the first bad field."""
    cleaned = dict(values)
    for name in ("first_name", "last_name"):
        if name in cleaned and not str(cleaned[name] or "").strip():
            raise DomainError("required", f"{name.replace('_', ' ').capitalize()} is required.",
                              field=name)
    for name in ("phone", "emergency_contact_phone"):
        if cleaned.get(name):
            try:
                cleaned[name] = phone_e164(str(cleaned[name]))
            except ValueError as exc:
                raise DomainError("invalid_phone", str(exc), field=name) from exc
    if cleaned.get("state"):
        state = str(cleaned["state"]).upper()
        if state not in US_STATES:
            raise DomainError("invalid_state", f"{cleaned['state']!r} is not a US state code.",
                              field="state")
        cleaned["state"] = state
    if "sex" in cleaned and cleaned["sex"] not in Patient.Sex.values:
        raise DomainError("invalid_choice", "Sex must be one of F, M, O, U.", field="sex")
    dob = cleaned.get("date_of_birth")
    earliest_zone = dt.timezone(dt.timedelta(hours=14))  # a birth today anywhere is not future
    if isinstance(dob, dt.date) and (dob > timezone.localdate(timezone=earliest_zone)
                                     or dob.year < 1900):
        raise DomainError("invalid_date", "Date of birth must be a past date after 1900.",
                          field="date_of_birth")
    if "email" in cleaned:
        cleaned["email"] = str(cleaned["email"] or "").strip().lower()
    return cleaned


def _next_mrn(practice_id: int) -> str:
    return f"P{secrets.randbelow(10**8):08d}"


@transaction.atomic
def patient_create(*, actor: Actor, data: PatientInput, mrn: str | None = None) -> Patient:
    """Create a patient; the MRN is drawn unless given (an import keeps the old system's)."""
    _require_editor(actor)
    values = patient_clean(asdict(data))
    for _ in range(1 if mrn else 5):
        try:
            with transaction.atomic():
                patient = Patient.objects.create(practice_id=actor.practice_id,
                                                 mrn=mrn or _next_mrn(actor.practice_id),
                                                 **values)
            break
        except IntegrityError:  # an MRN collision; draw again
            if mrn:
                raise DomainError("mrn_taken", f"MRN {mrn} is already in use.",
                                  field="mrn") from None
            continue
    else:  # pragma: no cover - 5 collisions in 10^8 do not happen
        raise DomainError("mrn_exhausted", "Could not allocate a medical record number.")
    audit_record(actor=actor, action="create", object_type="Patient", object_id=patient.pk,
                 patient_id=patient.pk)
    return patient


class PatientChanged(Conflict):
    """The record was saved by someone else since this edit began (Issue 16 item 13)."""

    def __init__(self, patient: Patient) -> None:
        super().__init__("patient_changed", "Someone else saved this patient's details since "
                         "you opened them; nothing was overwritten. Compare the two versions "
                         "and save again with the current version.",
                         extra={"version": patient.version})
        self.patient = patient


@transaction.atomic
def patient_update(*, actor: Actor, patient_id: int, changes: dict[str, object],
                   expected_version: int | None = None) -> Patient:
    """Apply a partial update of demographic fields; the audit names the changed fields.

    Optimistic concurrency: callers pass `expected_version`, the version their edit started
    from (the page always does; the API when the client sends one). A save that another one
    overtook is refused with `PatientChanged`, carrying the record as saved, instead of
    silently putting back the values the other person had just changed. The write is a
    compare-and-set on the version (`UPDATE ... WHERE version = n`), so two saves of one
    version cannot both pass, on SQLite as on PostgreSQL. Each save that changes a field
    bumps the version.
    """
    _require_editor(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError("unknown_field", f"Cannot change: {', '.join(sorted(unknown))}.")
    patient = patient_get(actor=actor, patient_id=patient_id, purpose="update")
    if expected_version is not None and expected_version != patient.version:
        raise PatientChanged(patient)
    values = patient_clean(changes)
    changed = sorted(k for k, v in values.items() if getattr(patient, k) != v)
    if changed:
        now = timezone.now()
        written = Patient.objects.filter(pk=patient.pk, version=patient.version).update(
            **{k: values[k] for k in changed}, version=F("version") + 1, updated_at=now)
        if not written:  # another save committed between our read and our write
            patient.refresh_from_db()
            raise PatientChanged(patient)
        for key in changed:
            setattr(patient, key, values[key])
        patient.version += 1
        patient.updated_at = now
    audit_record(actor=actor, action="update", object_type="Patient", object_id=patient.pk,
                 patient_id=patient.pk, detail={"fields": changed})
    return patient


@transaction.atomic
def coverage_add(*, actor: Actor, patient_id: int, payer_id: int, member_id: str,
                 subscriber_relation: str = "self", group_number: str = "",
                 subscriber_name: str = "", priority: int = 1) -> Coverage:
    if actor.role not in PATIENT_EDITORS | {Role.BILLING}:
        raise PermissionDenied("Your role cannot change coverage.")
    patient = patient_get(actor=actor, patient_id=patient_id, purpose="update")
    payer = Payer.objects.filter(pk=payer_id, practice_id=actor.practice_id).first()
    if payer is None:
        raise DomainError("invalid_payer", "Choose one of the practice's payers.", field="payer")
    if not member_id.strip():
        raise DomainError("required", "Member id is required.", field="member_id")
    coverage = Coverage.objects.create(
        patient=patient, payer=payer, member_id=member_id.strip(), group_number=group_number,
        subscriber_relation=subscriber_relation, subscriber_name=subscriber_name,
        priority=priority)
    audit_record(actor=actor, action="create", object_type="Coverage", object_id=coverage.pk,
                 patient_id=patient.pk)
    return coverage


@transaction.atomic
def consent_record(*, actor: Actor, patient_id: int, kind: str, version: str, signed_by: str,
                   signer_relation: str = "self", signed_at: dt.datetime | None = None
                   ) -> Consent:
    """Record a signed consent. Patients sign their own; editors record paper consents."""
    if not (actor.is_patient or actor.role in PATIENT_EDITORS):
        raise PermissionDenied("Your role cannot record consents.")
    patient = patient_get(actor=actor, patient_id=patient_id, purpose="update")
    if kind not in Consent.Kind.values:
        raise DomainError("invalid_choice", "Unknown consent kind.", field="kind")
    if kind == Consent.Kind.VIDEO_CLIP:
        raise DomainError("invalid_choice", "A video clip is agreed to in the visit, for that "
                          "clip only; it cannot be recorded here.", field="kind")
    if not signed_by.strip() or not version.strip():
        raise DomainError("required", "Signer name and form version are required.")
    consent = Consent.objects.create(
        patient=patient, kind=kind, version=version.strip(), signed_by=signed_by.strip(),
        signer_relation=signer_relation, signed_at=signed_at or timezone.now(),
        recorded_by=actor.user)
    audit_record(actor=actor, action="create", object_type="Consent", object_id=consent.pk,
                 patient_id=patient.pk, detail={"kind": kind, "version": version})
    return consent


@transaction.atomic
def diagnosis_add(*, actor: Actor, patient_id: int, code: str, description: str,
                  is_primary: bool = False, onset_date: dt.date | None = None) -> Diagnosis:
    if actor.role not in {Role.ADMIN, Role.PT, Role.PTA}:
        raise PermissionDenied("Only clinicians can add diagnoses.")
    patient = patient_get(actor=actor, patient_id=patient_id, purpose="update")
    try:
        normalised = icd10cm_normalise(code)
    except ValueError as exc:
        raise DomainError("invalid_icd10", str(exc), field="code") from exc
    if is_primary:
        patient.diagnoses.filter(is_primary=True).update(is_primary=False)
    diagnosis = Diagnosis.objects.create(patient=patient, code=normalised,
                                         description=description.strip()[:200],
                                         is_primary=is_primary, onset_date=onset_date)
    audit_record(actor=actor, action="create", object_type="Diagnosis", object_id=diagnosis.pk,
                 patient_id=patient.pk, detail={"code": normalised})
    return diagnosis


@dataclass(frozen=True, kw_only=True)
class PortalInvite:
    """What `patient_portal_invite` did: `linked` False means an existing account was asked
    to accept, and nothing is linked yet."""

    user: User
    linked: bool


@transaction.atomic
def patient_portal_invite(*, actor: Actor, patient_id: int) -> PortalInvite:
    """Give a patient a portal account (magic-link sign-in) linked to their record.

    A record already linked keeps its account (the caller sends a new sign-in link). An
    e-mail with no account gets a new one, linked at once. An e-mail that already has an
    account (perhaps another practice's patient, or staff) is only invited: no link and no
    membership until that person, signed in as themselves, accepts (Issue 16 item 17).
    """
    from telept.accounts.services import portal_invitation_create

    _require_editor(actor)
    patient = patient_get(actor=actor, patient_id=patient_id, purpose="update")
    if not patient.email:
        raise DomainError("email_required", "Add the patient's e-mail before inviting them.")
    if patient.user is not None:
        return PortalInvite(user=patient.user, linked=True)
    existing = User.objects.filter(email__iexact=patient.email).first()
    if existing is not None:
        portal_invitation_create(actor=actor, patient_id=patient.pk, user=existing)
        return PortalInvite(user=existing, linked=False)
    user = User.objects.create_user(patient.email, full_name=patient.full_name,
                                    phone=patient.phone)
    Membership.objects.create(user=user, practice_id=patient.practice_id, role=Role.PATIENT)
    patient.user = user
    patient.save(update_fields=["user"])
    audit_record(actor=actor, action="grant", object_type="PortalAccess", object_id=user.pk,
                 patient_id=patient.pk)
    return PortalInvite(user=user, linked=True)
