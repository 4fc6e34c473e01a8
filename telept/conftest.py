"""The named cast every test can use, with someone who must always be refused.

Riverside is the acting practice: admin, pt, pta, front_desk, billing, patient and
other_patient (a second patient of the same practice). Lakeside is the outsider practice:
outsider_admin, outsider_pt and outsider_patient. Each has a membership; staff have a
confirmed TOTP device.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
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
    # Issue 16 item 24: admin-only pages need an outsider who passes the role check.
    cast.users["outsider_admin"] = _member(lakeside, "admin", "outsider_admin")
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


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channel layer instance. A Redis layer keeps asyncio locks made
    in the event loop that first used it; pytest-asyncio gives every async test a new loop,
    so a layer cached by an earlier test failed later ones with "Lock ... is bound to a
    different event loop" (the PostgreSQL + Redis pass of CI)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _recordings_in_tmp(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test touches the developer's var/recordings: the worker's orphan sweep (Issue 16
    item 15) would find the real videos there without rows in the test database."""
    settings.RECORDINGS_ROOT = str(tmp_path_factory.mktemp("recordings"))


def require_system(path: str, why: str) -> None:
    """Skip loudly when a system program is missing on a newcomer's machine; fail instead
    when TELEPT_REQUIRE_SYSTEM is set (CI), so CI never skips silently."""
    if shutil.which(path) or os.path.exists(path):
        return
    message = f"MISSING SYSTEM PART {path}: {why}. Install it (make test does, as root)."
    if os.environ.get("TELEPT_REQUIRE_SYSTEM"):
        pytest.fail(message)
    pytest.skip(message, allow_module_level=True)


def require_module(name: str, why: str) -> Any:
    """The imported module ``name``; when it is missing, skip loudly (a newcomer's machine)
    or fail when TELEPT_REQUIRE_SYSTEM is set (CI), like `require_system`. Works at module
    level (``cv2 = require_module("cv2", ...)``) and inside a test. Issue 16 item 25."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = (f"MISSING PYTHON MODULE {name}: {why} ({exc}). Install the dependencies "
                   "(make test does).")
        if os.environ.get("TELEPT_REQUIRE_SYSTEM"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)


# The second CI pass (.ci/run: PostgreSQL + Redis) repeats only the tests those backends can
# change: anything with a database, a live server, a browser, or a module that speaks of the
# channel layer, Redis or a subprocess. Pure rules ran in the first pass and cannot differ.
BACKEND_PASS = os.environ.get("TELEPT_BACKEND_PASS") == "1"
_BACKEND_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}
_BACKEND_WORDS = ("redis", "channel_layer", "channels", "live_server_proc", "subprocess",
                  "database", "connection", "psycopg", "DATABASE_URL")


def _touches_a_backend(item: pytest.Item, module_text: dict[str, str]) -> bool:
    if any(item.get_closest_marker(name) for name in ("django_db", "browser", "live")):
        return True
    if _BACKEND_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    path = str(item.path)
    if path not in module_text:
        module_text[path] = item.path.read_text(encoding="utf-8", errors="replace")
    return any(word in module_text[path] for word in _BACKEND_WORDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not BACKEND_PASS:
        return
    module_text: dict[str, str] = {}
    keep = [item for item in items if _touches_a_backend(item, module_text)]
    if len(keep) < len(items):
        kept = set(keep)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str | None:
    if BACKEND_PASS:
        return ("TELEPT_BACKEND_PASS=1: only tests that touch a database, the channel layer, "
                "a live server or a browser run (pure tests ran in the first pass)")
    return None
