"""The named cast every test can use, with someone who must always be refused.

Riverside is the acting practice: admin, pt, pta, front_desk, billing, patient and
other_patient (a second patient of the same practice). Lakeside is the outsider practice:
outsider_pt and outsider_patient. Each has a membership; staff have a confirmed TOTP device.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from telept.accounts.actor import Actor, actor_for
from telept.accounts.middleware import SESSION_MFA_OK
from telept.accounts.models import User
from telept.patients.models import Patient
from telept.practices.models import Payer, Practice
from telept.tests import factories

STAFF = ("admin", "pt", "pta", "front_desk", "billing")


@dataclass
class Cast:
    practice: Practice
    outsider_practice: Practice
    payer: Payer
    users: dict[str, User] = field(default_factory=dict)
    patients: dict[str, Patient] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name])

    def client(self, name: str | None) -> Client:
        """A test client signed in as `name` with MFA satisfied (None: anonymous)."""
        client = Client()
        if name is None:
            return client
        client.force_login(self.users[name], backend="telept.accounts.backends.EmailBackend")
        session = client.session
        session[SESSION_MFA_OK] = True
        session.save()
        return client

    @property
    def patient(self) -> Patient:
        return self.patients["patient"]

    @property
    def other_patient(self) -> Patient:
        return self.patients["other_patient"]

    @property
    def outsider_patient(self) -> Patient:
        return self.patients["outsider_patient"]


def _member(practice: Practice, role: str, name: str, *, totp: bool = True) -> User:
    user = factories.UserFactory(email=f"{name}@{practice.slug}.test")
    factories.MembershipFactory(user=user, practice=practice, role=role)
    if totp:
        factories.TOTPDeviceFactory(user=user)
    return user


@pytest.fixture
def cast(db: Any) -> Cast:
    riverside = factories.PracticeFactory(name="Riverside", slug="riverside-test")
    lakeside = factories.PracticeFactory(name="Lakeside", slug="lakeside-test",
                                         time_zone="America/Chicago")
    cast = Cast(practice=riverside, outsider_practice=lakeside,
                payer=factories.PayerFactory(practice=riverside, name="Medicare",
                                             is_medicare=True))
    for role in STAFF:
        cast.users[role] = _member(riverside, role, role)
    cast.users["outsider_pt"] = _member(lakeside, "pt", "outsider_pt")
    factories.ProviderFactory(practice=riverside, user=cast.users["pt"], slug="riverside-pt")
    factories.ProviderFactory(practice=lakeside, user=cast.users["outsider_pt"],
                              slug="lakeside-pt", licensed_states=["IL"])
    for name, practice in (("patient", riverside), ("other_patient", riverside),
                           ("outsider_patient", lakeside)):
        user = _member(practice, "patient", name, totp=False)
        patient = factories.PatientFactory(practice=practice, user=user)
        factories.CoverageFactory(patient=patient, payer=factories.PayerFactory(
            practice=practice))
        cast.users[name] = user
        cast.patients[name] = patient
    return cast


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require_system(path: str, why: str) -> None:
    """Skip loudly when a system program is missing on a newcomer's machine; fail instead
    when TELEPT_REQUIRE_SYSTEM is set (CI), so CI never skips silently."""
    if shutil.which(path) or os.path.exists(path):
        return
    message = f"MISSING SYSTEM PART {path}: {why}. Install it (make test does, as root)."
    if os.environ.get("TELEPT_REQUIRE_SYSTEM"):
        pytest.fail(message)
    pytest.skip(message)
