"""Issue 16 item 11: the practice's audit trail holds its people's sign-in, MFA, logout and
token events; the table shows the request id, names objects as people say them and filters
by patient name."""

from __future__ import annotations

import csv
import datetime as dt
import io
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from telept.audit.models import AuditEvent
from telept.audit.services import audit_record
from telept.clinical.models import Note
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment
from telept.tests.factories import TEST_PASSWORD, MembershipFactory, PatientFactory

pytestmark = pytest.mark.django_db


class _Before:
    """Who signs in, before any practice is chosen (as accounts audits it)."""

    def __init__(self, user) -> None:  # type: ignore[no-untyped-def]
        self.user_id, self.email, self.role, self.practice_id = user.pk, user.email, "", None


class _Rows(HTMLParser):
    """The audit table's body rows, as lists of cell texts (whitespace collapsed)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.header: list[str] = []
        self._in_body = self._in_head = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and (self._in_body or self._in_head):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.rows[-1] if self._in_body else self.header).append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _table(client: Client, **query: object) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(reverse("audit:list"), query)
    assert response.status_code == 200
    parser = _Rows()
    parser.feed(response.content.decode())
    rows = [dict(zip(parser.header, row, strict=False)) for row in parser.rows
            if len(row) == len(parser.header)]
    return parser.header, rows


def _column(header: list[str], starts: str) -> str:
    [name] = [h for h in header if h.startswith(starts)]
    return name


def _sign_in_as_staff_with_a_wrong_code_first(cast, name: str) -> Client:
    """Wrong password, right password, wrong TOTP code, right code, an API token made and
    revoked, sign out: everything a security review looks for."""
    user = cast.users[name]
    client = Client()
    client.post(reverse("accounts:login"), {"email": user.email, "password": "wrong"},
                HTTP_X_REQUEST_ID="req-bad-password")
    client.post(reverse("accounts:login"), {"email": user.email, "password": TEST_PASSWORD})
    client.post(reverse("accounts:mfa_verify"), {"code": "000000"},
                HTTP_X_REQUEST_ID="req-guess")
    code = pyotp.TOTP(user.totp.secret).now()
    assert client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:tokens"), {"name": "Reporting"})
    token = user.api_tokens.get()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    client.post(reverse("accounts:logout"))
    return client


def test_an_admin_sees_their_staffs_sign_in_mfa_failure_logout_and_token_events(cast):
    _sign_in_as_staff_with_a_wrong_code_first(cast, "pt")
    header, rows = _table(cast.client("admin"), actor_email="pt@")
    who, action = _column(header, "Who"), _column(header, "Action")
    seen = [(r[action], r[_column(header, "Object")]) for r in rows if r[who] == cast.users[
        "pt"].email]
    pt_name = cast.users["pt"].full_name
    for expected in (("Sign-in failed", f"Account of {pt_name}"),
                     ("Wrong MFA code", f"Account of {pt_name}"),
                     ("Passed MFA", f"Account of {pt_name}"),
                     ("Signed in", f"Account of {pt_name}"),
                     ("Granted", "API token “Reporting”"),
                     ("Revoked", "API token “Reporting”"),
                     ("Signed out", f"Account of {pt_name}")):
        assert expected in seen, (expected, seen)
    guess = next(r for r in rows if r[action] == "Wrong MFA code")
    assert guess[_column(header, "Request")] == "req-guess"
    assert guess[_column(header, "Role")] == "Physical therapist (PT)"


def test_an_admin_of_another_practice_sees_none_of_them(cast):
    _sign_in_as_staff_with_a_wrong_code_first(cast, "pt")
    header, rows = _table(cast.client("outsider_admin"))
    assert cast.users["pt"].email not in {r[_column(header, "Who")] for r in rows}
    events = AuditEvent.objects.filter(practice_id=cast.outsider_practice.pk)
    assert not events.filter(actor_email=cast.users["pt"].email).exists()


def test_a_member_of_two_practices_is_in_both_trails_and_only_theirs(cast):
    MembershipFactory(user=cast.users["pt"], practice=cast.outsider_practice, role="pt")
    _sign_in_as_staff_with_a_wrong_code_first(cast, "pt")
    for practice in (cast.practice, cast.outsider_practice):
        mfa = AuditEvent.objects.filter(practice_id=practice.pk, action="mfa",
                                        actor_id=cast.users["pt"].pk)
        assert mfa.filter(detail__ok=False).count() == 1
    _, rows = _table(cast.client("outsider_admin"), actor_email="pt@")
    assert any(r for r in rows if r.get("Action") == "Wrong MFA code")


def test_a_failed_sign_in_for_an_unknown_email_stays_out_of_every_practice(cast):
    Client().post(reverse("accounts:login"), {"email": "nobody@example.test",
                                              "password": "wrong"})
    [event] = AuditEvent.objects.filter(actor_email="nobody@example.test")
    assert event.practice_id is None and event.action == "login_failed"


def test_the_table_shows_the_request_id(cast):
    cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]),
                          HTTP_X_REQUEST_ID="req-chart-42")
    header, rows = _table(cast.client("admin"), action="read")
    request_id = _column(header, "Request")
    assert "req-chart-42" in {r[request_id] for r in rows}


@pytest.fixture
def maria(cast):
    return PatientFactory(practice=cast.practice, first_name="Maria", last_name="Garcia",
                          mrn="R0001")


def _year() -> int:
    return timezone.localtime(timezone.now(), ZoneInfo("America/New_York")).year


def test_objects_are_labelled_as_people_say_them(cast, maria):
    provider = cast.users["pt"].provider
    year = _year()
    note = Note.objects.create(practice=cast.practice, patient=maria, kind="daily",
                               provider=provider, author=cast.users["pt"],
                               date_of_service=dt.date(year, 12, 3))
    old_note = Note.objects.create(practice=cast.practice, patient=maria, kind="initial_eval",
                                   provider=provider, author=cast.users["pt"],
                                   date_of_service=dt.date(year - 1, 11, 20))
    # The Tuesday of the second week of December (8 Dec in 2026), 9:00 in the practice's zone.
    day = dt.date(year, 12, 8)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    start = dt.datetime.combine(day, dt.time(9), ZoneInfo("America/New_York"))
    visit_type = _visit_types(cast.practice)["follow_up"]
    appointment = Appointment.objects.create(
        practice=cast.practice, provider=provider, patient=maria, visit_type=visit_type,
        modality="video", start=start, end=start + dt.timedelta(minutes=45),
        busy_end=start + dt.timedelta(minutes=45))
    actor = cast.actor("pt")
    for object_type, object_id in (("Note", note.pk), ("Note", old_note.pk),
                                   ("Appointment", appointment.pk), ("Patient", maria.pk),
                                   ("EducationAssignment", 987654), ("Note", 987655)):
        audit_record(actor=actor, action="read", object_type=object_type, object_id=object_id,
                     patient_id=maria.pk)
    header, rows = _table(cast.client("admin"), action="read")
    labels = [r[_column(header, "Object")] for r in rows]
    assert "Daily note of 3 Dec for Maria Garcia" in labels
    assert f"Initial evaluation of 20 Nov {year - 1} for Maria Garcia" in labels
    assert f"Appointment of Tue {day.day} Dec, 9:00 AM for Maria Garcia" in labels
    assert "Patient Maria Garcia (MRN R0001)" in labels
    # Gone or never seen: still words, never a class name.
    assert "Education assignment #987654" in labels and "Note #987655" in labels
    assert not any("EducationAssignment" in label for label in labels)
    assert {r[_column(header, "Patient")] for r in rows} == {"Maria Garcia"}


def test_labels_are_batched_per_object_type(cast, maria, django_assert_max_num_queries):
    provider = cast.users["pt"].provider
    actor = cast.actor("pt")
    for n in range(20):
        note = Note.objects.create(practice=cast.practice, patient=maria, kind="daily",
                                   provider=provider, author=cast.users["pt"],
                                   date_of_service=dt.date(2026, 1, 1) + dt.timedelta(days=n))
        audit_record(actor=actor, action="read", object_type="Note", object_id=note.pk,
                     patient_id=maria.pk)
    client = cast.client("admin")
    client.get(reverse("audit:list"))  # warm the session and caches
    with django_assert_max_num_queries(15):
        client.get(reverse("audit:list"))


def test_an_object_of_another_practice_is_not_named(cast):
    """An event row never reveals another practice's record, even if an id points at it."""
    other = cast.outsider_patient
    audit_record(actor=cast.actor("pt"), action="read", object_type="Patient",
                 object_id=other.pk)
    _, rows = _table(cast.client("admin"), action="read")
    body = " ".join(" ".join(r.values()) for r in rows)
    assert other.last_name not in body and f"Patient #{other.pk}" in body


def test_the_trail_filters_by_patient_name(cast, maria):
    cast.client("pt").get(reverse("patients:chart", args=[maria.pk]))
    cast.client("pt").get(reverse("patients:chart", args=[cast.patient.pk]))
    header, rows = _table(cast.client("admin"), patient="maria garc")
    patient = _column(header, "Patient")
    assert rows and {r[patient] for r in rows} == {"Maria Garcia"}
    _, by_last_name = _table(cast.client("admin"), patient="Garcia")
    assert len(by_last_name) == len(rows)
    _, nobody = _table(cast.client("admin"), patient="Zzyzx")
    assert nobody == []


def test_the_patient_filter_does_not_reach_into_another_practice(cast):
    outsider = cast.outsider_patient
    cast.client("outsider_pt").get(reverse("patients:chart", args=[outsider.pk]))
    _, rows = _table(cast.client("admin"), patient=outsider.last_name)
    assert rows == []


def test_an_event_about_a_patient_record_names_its_patient(cast):
    """A caller that names the patient record as the object but not as the patient still
    files the event under that patient (the patient filter finds it)."""
    event = audit_record(actor=cast.actor("pt"), action="read", object_type="Patient",
                         object_id=cast.other_patient.pk)
    assert event.patient_id == cast.other_patient.pk


def test_a_patients_own_sign_in_is_filed_under_that_patient(cast):
    audit_record(actor=_Before(cast.users["patient"]), action="login",
                 object_type="User", object_id=cast.users["patient"].pk)
    [event] = AuditEvent.objects.filter(action="login", actor_id=cast.users["patient"].pk)
    assert (event.practice_id, event.patient_id, event.actor_role) == (
        cast.practice.pk, cast.patient.pk, "patient")


def test_reading_the_trail_is_itself_audited_with_the_patients_it_showed(cast, maria):
    cast.client("pt").get(reverse("patients:chart", args=[maria.pk]))
    cast.client("admin").get(reverse("audit:list"), {"patient": "Garcia"})
    event = AuditEvent.objects.filter(action="list", object_type="AuditEvent").latest("id")
    assert event.actor_id == cast.users["admin"].pk and event.practice_id == cast.practice.pk
    assert event.detail["patients"] == [maria.pk]
    assert event.detail["filters"] == {"patient": "Garcia"}


def test_the_csv_export_carries_the_same_words_as_the_page(cast, maria):
    cast.client("pt").get(reverse("patients:chart", args=[maria.pk]))
    response = cast.client("admin").get(reverse("audit:export"), {"patient": "maria"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["object"], r["patient"]) for r in rows] == [
        ("Patient Maria Garcia (MRN R0001)", "Maria Garcia")]


@given(st.from_regex(r"[A-Z][a-z]{1,8}([A-Z][a-z]{1,8}){0,3}", fullmatch=True),
       st.integers(min_value=1, max_value=10**9))
def test_an_unknown_object_type_still_reads_as_words(object_type, object_id):
    from telept.audit.labels import KINDS, kind_of  # here: the rest runs on a tree without it

    if object_type in KINDS:
        return
    label = kind_of(object_type).fallback(str(object_id), "read")
    words, number = label.rsplit(" #", 1)
    assert number == str(object_id)
    assert words[0].isupper() and words[1:] == words[1:].lower()  # "Foo bar", not "FooBar"
    assert words.replace(" ", "").lower() == object_type.lower()
