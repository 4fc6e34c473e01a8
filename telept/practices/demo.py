"""Demo data: Riverside Physical Therapy (the demo practice) and Lakeside Rehab (the outsider).

Idempotent: every row is found by a natural key before it is created, so `make run` can call
it on every start. Demo accounts share one password and one TOTP secret, printed by the
command; the command refuses to run unless TELEPT_DEMO is on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from telept.accounts.models import Membership, TOTPDevice, User
from telept.accounts.roles import Role
from telept.patients.models import Consent, Coverage, Diagnosis, Patient
from telept.practices.models import Location, Payer, Practice, Provider
from telept.practices.rules import npi_check_digit

DEMO_PASSWORD = "telept-demo-2026"  # noqa: S105 - demo only, printed on purpose
DEMO_TOTP_SECRET = "TELEPTDEMOTOTPSECRETBASE32AAAAAA"  # noqa: S105 - demo only


@dataclass(frozen=True)
class StaffSeed:
    email: str
    name: str
    role: Role
    npi_stem: str = ""
    credentials: str = ""
    states: tuple[str, ...] = ()


RIVERSIDE_STAFF = (
    StaffSeed("admin@riverside.example", "Alex Morgan", Role.ADMIN),
    StaffSeed("pt@riverside.example", "Dana Lopez", Role.PT, "123456789", "PT, DPT", ("NY", "NJ")),
    StaffSeed("pt2@riverside.example", "Sam Chen", Role.PT, "234567891", "PT, DPT", ("NY",)),
    StaffSeed("pt3@riverside.example", "Priya Patel", Role.PT, "345678912", "PT, DPT, OCS",
              ("NY", "CT")),
    StaffSeed("pta@riverside.example", "Jordan Rivera", Role.PTA, "456789123", "PTA", ("NY",)),
    StaffSeed("frontdesk@riverside.example", "Casey Brooks", Role.FRONT_DESK),
    StaffSeed("billing@riverside.example", "Robin Hayes", Role.BILLING),
)
LAKESIDE_STAFF = (
    StaffSeed("admin@lakeside.example", "Lee Park", Role.ADMIN),
    StaffSeed("pt@lakeside.example", "Morgan Blake", Role.PT, "567891234", "PT, DPT", ("IL",)),
)

# (first, last, dob, sex, phone, city, state, payer index, member id, diagnosis, description)
RIVERSIDE_PATIENTS = (
    ("Maria", "Garcia", "1968-04-12", "F", "+12125550111", "New York", "NY", 0, "1EG4TE5MK72",
     "M17.11", "Unilateral primary osteoarthritis, right knee"),
    ("James", "Walker", "1975-09-03", "M", "+12125550112", "Brooklyn", "NY", 1, "XQB771203",
     "M54.50", "Low back pain, unspecified"),
    ("Aisha", "Khan", "1990-01-22", "F", "+12125550113", "Queens", "NY", 2, "UHC5512093",
     "S83.511A", "Sprain of ACL of right knee, initial encounter"),
    ("Robert", "Nguyen", "1952-11-30", "M", "+12125550114", "Bronx", "NY", 0, "2RT6YU8LP33",
     "M75.101", "Rotator cuff tear, right shoulder"),
    ("Linda", "Okafor", "1983-06-18", "F", "+12125550115", "Hoboken", "NJ", 3, "AET88120045",
     "M25.561", "Pain in right knee"),
    ("David", "Kowalski", "1960-02-08", "M", "+12125550116", "Yonkers", "NY", 1, "XQB990112",
     "M54.2", "Cervicalgia"),
    ("Sofia", "Rossi", "1998-12-01", "F", "+12125550117", "New York", "NY", 2, "UHC7734001",
     "S93.401A", "Sprain of right ankle, initial encounter"),
    ("Michael", "Brown", "1971-07-27", "M", "+12125550118", "Stamford", "CT", 3, "AET55120988",
     "M16.11", "Unilateral primary osteoarthritis, right hip"),
    ("Grace", "Lee", "1945-03-15", "F", "+12125550119", "New York", "NY", 0, "3HN7KL2PQ55",
     "R26.81", "Unsteadiness on feet"),
    ("Omar", "Haddad", "1987-10-09", "M", "+12125550120", "Brooklyn", "NY", 1, "XQB440981",
     "M77.11", "Lateral epicondylitis, right elbow"),
    ("Emily", "Stone", "2001-05-25", "F", "+12125550121", "Queens", "NY", 2, "UHC2209311",
     "M22.41", "Chondromalacia patellae, right knee"),
    ("Henry", "Adams", "1958-08-14", "M", "+12125550122", "Jersey City", "NJ", 0, "4JK9MN3RS77",
     "Z96.651", "Presence of right artificial knee joint"),
)
LAKESIDE_PATIENTS = (
    ("Nora", "Quinn", "1979-04-04", "F", "+13125550131", "Chicago", "IL", 0, "5LM2NP4TU99",
     "M54.50", "Low back pain, unspecified"),
    ("Victor", "Hale", "1966-01-19", "M", "+13125550132", "Evanston", "IL", 0, "6NP3QR5VW11",
     "M17.12", "Unilateral primary osteoarthritis, left knee"),
    ("Ivy", "Moreno", "1993-09-09", "F", "+13125550133", "Chicago", "IL", 0, "7QR4ST6XY22",
     "S43.401A", "Sprain of right shoulder joint, initial encounter"),
)
# Patients with a portal login: (practice slug, MRN, e-mail).
PORTAL_USERS = (
    ("riverside", "R0001", "patient@riverside.example"),
    ("riverside", "R0002", "patient2@riverside.example"),
    # Omar Haddad reads TelePT in Spanish (preferred language es): the Spanish walk-through.
    ("riverside", "R0010", "paciente@riverside.example"),
    ("lakeside", "L0001", "patient@lakeside.example"),
)


def _user(email: str, name: str, *, phone: str = "", staff: bool = True) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, phone=phone)
    if staff and not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, secret=DEMO_TOTP_SECRET,
                                  confirmed_at=timezone.now())
    return user


def _practice(slug: str, name: str, tz: str, phone: str, location: tuple[str, ...],
              payers: tuple[tuple[str, str, dict[str, object]], ...]) -> Practice:
    practice, _ = Practice.objects.get_or_create(
        slug=slug, defaults={"name": name, "time_zone": tz, "phone": phone})
    name_, line1, city, state, postal = location
    Location.objects.get_or_create(practice=practice, name=name_, defaults={
        "line1": line1, "city": city, "state": state, "postal_code": postal, "phone": phone})
    for payer_name, payer_id, policy in payers:
        Payer.objects.get_or_create(practice=practice, payer_id=payer_id,
                                    defaults={"name": payer_name, **policy})
    return practice


def _staff(practice: Practice, seeds: tuple[StaffSeed, ...]) -> None:
    for seed in seeds:
        user = _user(seed.email, seed.name)
        Membership.objects.get_or_create(user=user, practice=practice,
                                         defaults={"role": seed.role})
        if seed.npi_stem:
            npi = seed.npi_stem + str(npi_check_digit(seed.npi_stem))
            Provider.objects.get_or_create(user=user, defaults={
                "practice": practice, "slug": f"{practice.slug}-{seed.name.split()[0].lower()}",
                "display_name": seed.name, "credentials": seed.credentials, "npi": npi,
                "taxonomy": "225200000X" if seed.role == Role.PTA else "225100000X",
                "licensed_states": list(seed.states)})


def _patients(practice: Practice, prefix: str, rows: tuple[tuple, ...]) -> None:  # type: ignore[type-arg]
    payers = list(practice.payers.order_by("id"))
    for index, row in enumerate(rows, start=1):
        (first, last, dob, sex, phone, city, state, payer_index, member_id, code, desc) = row
        mrn = f"{prefix}{index:04d}"
        patient, created = Patient.objects.get_or_create(practice=practice, mrn=mrn, defaults={
            "first_name": first, "last_name": last, "date_of_birth": dt.date.fromisoformat(dob),
            "sex": sex, "phone": phone, "email": f"{first}.{last}@mail.example".lower(),
            "address_line1": f"{100 + index} Main Street", "city": city, "state": state,
            "postal_code": "10001", "preferred_language": "es" if index % 5 == 0 else "en",
            "emergency_contact_name": f"Pat {last}", "emergency_contact_relation": "spouse",
            "emergency_contact_phone": "+12125550199"})
        if not created:
            continue
        Coverage.objects.create(patient=patient, payer=payers[payer_index % len(payers)],
                                member_id=member_id, subscriber_relation="self")
        Diagnosis.objects.create(patient=patient, code=code, description=desc, is_primary=True)
        Consent.objects.create(patient=patient, kind=Consent.Kind.TELEHEALTH, version="2026-01",
                               signed_by=f"{first} {last}", signed_at=timezone.now())


@transaction.atomic
def seed_demo() -> dict[str, object]:
    riverside = _practice(
        "riverside", "Riverside Physical Therapy", "America/New_York", "+12125550100",
        ("Riverside Main Clinic", "200 Riverside Drive", "New York", "NY", "10025"),
        (("Medicare Part B", "MCRNY", {"is_medicare": True, "audio_only_allowed": True}),
         ("Blue Cross Blue Shield", "BCBS1", {"billing_method": "ama"}),
         ("UnitedHealthcare", "87726", {"billing_method": "ama"}),
         ("Aetna", "60054", {"billing_method": "ama", "requires_in_person_initial_eval": True})))
    lakeside = _practice(
        "lakeside", "Lakeside Rehab", "America/Chicago", "+13125550100",
        ("Lakeside Clinic", "50 Lake Shore Drive", "Chicago", "IL", "60611"),
        (("Medicare Part B", "MCRIL", {"is_medicare": True}),))
    _staff(riverside, RIVERSIDE_STAFF)
    _staff(lakeside, LAKESIDE_STAFF)
    _patients(riverside, "R", RIVERSIDE_PATIENTS)
    _patients(lakeside, "L", LAKESIDE_PATIENTS)
    for slug, mrn, email in PORTAL_USERS:
        patient = Patient.objects.get(practice__slug=slug, mrn=mrn)
        user = _user(email, patient.full_name, phone=patient.phone, staff=False)
        Membership.objects.get_or_create(user=user, practice=patient.practice,
                                         defaults={"role": Role.PATIENT})
        if patient.user_id != user.pk:
            patient.user = user
            patient.save(update_fields=["user"])
    # The superuser signs in like staff, with the demo TOTP secret the README gives (an
    # existing superuser without a device gets one too, so README and demo agree).
    root = User.objects.filter(email="root@telept.localhost").first()
    if root is None:
        root = User.objects.create_superuser("root@telept.localhost", DEMO_PASSWORD,
                                             full_name="System administrator")
    _user(root.email, root.full_name)
    from telept.billing.demo import seed_billing  # local: billing sits above practices

    seed_billing()
    return {"practices": [riverside.name, lakeside.name]}
