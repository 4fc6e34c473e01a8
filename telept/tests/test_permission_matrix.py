"""Walk every URL pattern and every API route with every role of the cast.

A new URL without an entry in ACCESS fails this test: whoever adds a page decides who may see
it. Anonymous users are sent to sign in (pages) or get 401 (API); a patient never reaches
staff pages; the outsider practice and the other patient get 404 on records not theirs.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from telept.api import api
from telept.clinical.tests.matrix import CLINICAL_RECORD_KWARGS, clinical_kwargs
from telept.exercises.tests.matrix import EXERCISE_RECORD_KWARGS, exercise_kwargs

PUBLIC, MEMBER, STAFF, ADMIN = "public", "member", "staff", "admin"
# A provider's webhook: nobody gets in without the provider's signature (403 for all).
WEBHOOK = "webhook"
OWN_SCHEDULE = "own schedule"
EDITORS, BILLING_EDITORS, CLINICIANS, PATIENT = "editors", "billing+editors", "clinicians", \
    "patient"
WHO = {
    MEMBER: {"admin", "pt", "pta", "front_desk", "billing", "patient"},
    STAFF: {"admin", "pt", "pta", "front_desk", "billing"},
    ADMIN: {"admin"},
    EDITORS: {"admin", "pt", "pta", "front_desk"},
    BILLING_EDITORS: {"admin", "pt", "pta", "front_desk", "billing"},
    CLINICIANS: {"admin", "pt", "pta"},
    PATIENT: {"patient"},
    # The kwargs name the cast PT's own schedule: an admin or that PT may change it.
    OWN_SCHEDULE: {"admin", "pt"},
}
# Clinical record: who writes notes and care plans, who talks with patients.
THERAPISTS, PT_ONLY, CARE_AND_PATIENT = "therapists", "pt only", "care team+patient"
WHO.update({THERAPISTS: {"pt", "pta"}, PT_ONLY: {"pt"},
            CARE_AND_PATIENT: {"admin", "pt", "pta", "front_desk", "patient"}})
# Home exercise programs: clinicians, and the patient whose program it is.
CLINICIANS_AND_PATIENT = "clinicians+patient"
WHO[CLINICIANS_AND_PATIENT] = {"admin", "pt", "pta", "patient"}
ROLES = ["admin", "pt", "pta", "front_desk", "billing", "patient", "outsider_pt"]

# name -> (who may use it, the method that does its work).
ACCESS: dict[str, tuple[str, str]] = {
    "home": (MEMBER, "GET"),
    "dashboard": (STAFF, "GET"),
    "healthz": (PUBLIC, "GET"),
    "portal": (PATIENT, "GET"),
    "accounts:login": (PUBLIC, "GET"),
    "accounts:logout": (PUBLIC, "POST"),
    "accounts:mfa_verify": ("login", "GET"),
    "accounts:mfa_setup": ("login", "GET"),
    "accounts:magic_request": (PUBLIC, "GET"),
    "accounts:magic_consume": (PUBLIC, "GET"),
    "accounts:password_set": ("login", "GET"),
    "accounts:tokens": (MEMBER, "GET"),
    "accounts:token_revoke": (MEMBER, "POST"),
    "accounts:invitation_accept": (PUBLIC, "GET"),
    "accounts:password_reset": (PUBLIC, "GET"),
    "accounts:password_reset_done": (PUBLIC, "GET"),
    "accounts:password_reset_confirm": (PUBLIC, "GET"),
    "accounts:password_reset_complete": (PUBLIC, "GET"),
    "patients:list": (STAFF, "GET"),
    "patients:create": (EDITORS, "GET"),
    "patients:chart": (STAFF, "GET"),
    "patients:edit": (EDITORS, "GET"),
    "patients:coverage_add": (BILLING_EDITORS, "POST"),
    "patients:consent_add": (EDITORS, "POST"),
    "patients:diagnosis_add": (CLINICIANS, "POST"),
    "patients:portal_invite": (EDITORS, "POST"),
    "practices:staff": (ADMIN, "GET"),
    "practices:member_role": (ADMIN, "POST"),
    "audit:list": (ADMIN, "GET"),
    "notifications:templates": (ADMIN, "GET"),
    "notifications:sms_inbound_twilio": (WEBHOOK, "POST"),
    "audit:export": (ADMIN, "GET"),
    "scheduling:join": (PUBLIC, "GET"),
    "scheduling:calendar": (STAFF, "GET"),
    "scheduling:book": (EDITORS, "GET"),
    "scheduling:appointment": (STAFF, "GET"),
    "scheduling:appointment_cancel": (EDITORS, "POST"),
    "scheduling:appointment_reschedule": (EDITORS, "GET"),
    "scheduling:appointment_outcome": (EDITORS, "POST"),
    "scheduling:appointment_provider_link": (EDITORS, "POST"),
    "scheduling:appointment_revoke_links": (EDITORS, "POST"),
    "scheduling:care_plan": (EDITORS, "GET"),
    "scheduling:request_handled": (EDITORS, "POST"),
    "scheduling:portal_appointments": (PATIENT, "GET"),
    "scheduling:portal_join": (PATIENT, "POST"),
    "scheduling:portal_cancel": (PATIENT, "POST"),
    "scheduling:portal_confirm": (PATIENT, "POST"),
    "scheduling:portal_book": (PATIENT, "GET"),
    "scheduling:portal_waitlist": (PATIENT, "POST"),
    "scheduling:public_book": (PUBLIC, "GET"),
    "scheduling:public_book_thanks": (PUBLIC, "GET"),
    "scheduling:settings": (EDITORS, "GET"),
    "scheduling:settings_availability": (EDITORS, "GET"),
    "scheduling:settings_availability_delete": (OWN_SCHEDULE, "POST"),
    "scheduling:settings_time_off": (EDITORS, "GET"),
    "scheduling:settings_time_off_delete": (OWN_SCHEDULE, "POST"),
    "scheduling:settings_holidays": (ADMIN, "GET"),
    "scheduling:settings_holiday_delete": (ADMIN, "POST"),
    "scheduling:settings_visit_types": (ADMIN, "GET"),
    "scheduling:settings_visit_type": (ADMIN, "GET"),
    # Clinical record (telept/clinical/urls.py)
    "clinical:measure_schedule_add": (THERAPISTS, "POST"),
    "clinical:measure_schedule_stop": (THERAPISTS, "POST"),
    "clinical:measure_enter": (THERAPISTS, "GET"),
    "clinical:goal_new": (PT_ONLY, "GET"),
    "clinical:goal_edit": (PT_ONLY, "GET"),
    "clinical:note_new": (THERAPISTS, "POST"),
    "clinical:visit_note": (THERAPISTS, "GET"),
    "clinical:note": (STAFF, "GET"),
    "clinical:note_edit": (THERAPISTS, "GET"),
    "clinical:note_sign": (THERAPISTS, "POST"),
    "clinical:note_cosign": (PT_ONLY, "POST"),
    "clinical:note_addendum": (THERAPISTS, "POST"),
    "clinical:note_discard": (THERAPISTS, "POST"),
    "clinical:cosign_queue": (PT_ONLY, "GET"),
    "clinical:note_templates": (ADMIN, "GET"),
    "clinical:note_template_edit": (ADMIN, "GET"),
    "clinical:portal_notes": (PATIENT, "GET"),
    "clinical:portal_note": (PATIENT, "GET"),
    "clinical:library": (STAFF, "GET"),
    "clinical:article": (STAFF, "GET"),
    "clinical:education_assign": (THERAPISTS, "POST"),
    "clinical:portal_education": (PATIENT, "GET"),
    "clinical:portal_article": (PATIENT, "GET"),
    "clinical:portal_article_read": (PATIENT, "POST"),
    "clinical:inbox": (EDITORS, "GET"),
    "clinical:thread": (EDITORS, "GET"),
    "clinical:thread_new": (EDITORS, "GET"),
    "clinical:attachment": (CARE_AND_PATIENT, "GET"),
    "clinical:portal_messages": (PATIENT, "GET"),
    "clinical:portal_thread_new": (PATIENT, "GET"),
    "clinical:portal_thread": (PATIENT, "GET"),
    "clinical:feedback_dashboard": (ADMIN, "GET"),
    "clinical:portal_feedback": (PATIENT, "GET"),
    "clinical:portal_measures": (PATIENT, "GET"),
    "clinical:portal_measure": (PATIENT, "GET"),
    # Exercise care (telept/exercises/urls.py)
    "exercises:library": (STAFF, "GET"),
    "exercises:create": (CLINICIANS, "GET"),
    "exercises:detail": (STAFF, "GET"),
    "exercises:edit": (CLINICIANS, "GET"),
    "exercises:media": (MEMBER, "GET"),
    "exercises:program": (CLINICIANS, "GET"),
    "exercises:program_add": (CLINICIANS, "POST"),
    "exercises:program_status": (CLINICIANS, "POST"),
    "exercises:progress": (CLINICIANS, "GET"),
    "exercises:follow_up": (CLINICIANS, "GET"),
    "exercises:task_done": (CLINICIANS, "POST"),
    "exercises:program_print": (CLINICIANS_AND_PATIENT, "GET"),
    "exercises:portal": (PATIENT, "GET"),
    "exercises:session": (PATIENT, "GET"),
    "exercises:recording_new": (PATIENT, "GET"),
    "exercises:portal_recordings": (PATIENT, "GET"),
    "exercises:portal_recording": (PATIENT, "GET"),
    "exercises:recordings": (CLINICIANS, "GET"),
    "exercises:recording_review": (CLINICIANS, "GET"),
    "exercises:recording_reanalyse": (CLINICIANS, "POST"),
    "exercises:recording_landmarks": (CLINICIANS, "GET"),
    # The video shows the patient's body: clinicians and that patient only.
    "exercises:recording_video": (CLINICIANS_AND_PATIENT, "GET"),
    "visits:record": (STAFF, "GET"),
    "visits:open": (EDITORS, "GET"),
    "visits:guest_invite": (EDITORS, "POST"),
    "visits:room_host": (CLINICIANS, "GET"),
    "visits:ticket": (PUBLIC, "POST"),
    "visits:ready": (PUBLIC, "POST"),
    "visits:guests": (PUBLIC, "POST"),
    "visits:whiteboard": (PUBLIC, "POST"),
    "visits:measurement_capture": (PUBLIC, "POST"),
    "visits:text_link": (PUBLIC, "POST"),
    "visits:probe": (PUBLIC, "GET"),
    "visits:demo_sign_in": (PUBLIC, "GET"),
    "visits:room": (PUBLIC, "GET"),
    "visits:room_visit": (PUBLIC, "GET"),
}
# URL kwargs naming a record of the acting practice: the outsider practice must get 404.
RECORD_KWARGS = {"patient_id", "appointment_id", "request_id", "provider_id", "window_id",
                 "time_off_id", "holiday_id", "visit_type_id"}
RECORD_KWARGS |= CLINICAL_RECORD_KWARGS
RECORD_KWARGS |= EXERCISE_RECORD_KWARGS


def _named_patterns(patterns: list, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in {"admin", "api"}:
                continue  # the admin is tested on its own; the API by its OpenAPI routes
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _named_patterns(entry.url_patterns, inner)
        elif entry.name:
            found.append((f"{namespace}{entry.name}", entry))
    return found


def _appointment(cast, target: str) -> int:
    """A video visit of `target` in three days (made once, reused by every role)."""
    import datetime as dt

    from django.utils import timezone

    from telept.scheduling.demo import _visit_types
    from telept.scheduling.models import Appointment

    patient = cast.patients[target]
    found = Appointment.objects.filter(patient=patient).first()
    if found:
        return found.pk
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    return Appointment.objects.create(
        practice=patient.practice, provider=cast.users["pt"].provider, patient=patient,
        visit_type=_visit_types(patient.practice)["follow_up"], modality="video", start=start,
        end=start + dt.timedelta(minutes=30), busy_end=start + dt.timedelta(minutes=40),
        patient_state="NY").pk


def _booking_request(cast) -> int:
    from telept.scheduling.models import BookingRequest

    found = BookingRequest.objects.filter(practice=cast.practice).first()
    return (found or BookingRequest.objects.create(
        practice=cast.practice, provider=cast.users["pt"].provider, name="Pat New",
        email="pat@mail.test", phone="+12125550199", state="NY", reason="knee pain")).pk


def _schedule_row(cast, kind: str) -> int:
    """A row of the cast PT's schedule or practice settings; made again if a role deleted it."""
    import datetime as dt

    from django.utils import timezone

    from telept.scheduling.demo import _visit_types
    from telept.scheduling.models import Availability, Holiday, TimeOff

    provider = cast.users["pt"].provider
    if kind == "window":
        return (Availability.objects.filter(provider=provider).first()
                or Availability.objects.create(provider=provider, weekday=0,
                                               start_time=dt.time(8), end_time=dt.time(9))).pk
    if kind == "time_off":
        start = timezone.now() + dt.timedelta(days=30)
        return (TimeOff.objects.filter(provider=provider).first() or TimeOff.objects.create(
            provider=provider, start=start, end=start + dt.timedelta(hours=2))).pk
    if kind == "holiday":
        return Holiday.objects.get_or_create(practice=cast.practice, date=dt.date(2030, 1, 1),
                                             defaults={"name": "New Year"})[0].pk
    return _visit_types(cast.practice)["follow_up"].pk


def _kwargs(pattern: URLPattern, cast, target: str) -> dict[str, object]:
    from telept.accounts.models import Membership

    converters = pattern.pattern.converters
    values = {
        "patient_id": lambda: cast.patients[target].pk,
        "membership_id": lambda: Membership.objects.get(user=cast.users["pta"]).pk,
        "token_id": lambda: 999999,
        "token": lambda: "not-a-real-token",
        "uidb64": lambda: "MQ",
        "appointment_id": lambda: _appointment(cast, target),
        "request_id": lambda: _booking_request(cast),
        "provider_slug": lambda: cast.users["pt"].provider.slug,
        **clinical_kwargs(cast, target),
        **exercise_kwargs(cast, target),
        "provider_id": lambda: cast.users["pt"].provider.pk,
        "window_id": lambda: _schedule_row(cast, "window"),
        "time_off_id": lambda: _schedule_row(cast, "time_off"),
        "holiday_id": lambda: _schedule_row(cast, "holiday"),
        "visit_type_id": lambda: _schedule_row(cast, "visit_type"),
    }
    return {key: values[key]() for key in converters}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Exercise media made by `_kwargs` goes to a throwaway folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path)


def test_every_url_is_declared_in_the_access_table():
    names = {name for name, _ in _named_patterns(get_resolver().url_patterns)}
    assert names == set(ACCESS), (
        f"undeclared: {sorted(names - set(ACCESS))}, stale: {sorted(set(ACCESS) - names)}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_every_page_admits_exactly_the_roles_it_declares(cast, name):
    who, method = ACCESS[name]
    pattern = dict(_named_patterns(get_resolver().url_patterns))[name]
    for role in [None, *ROLES]:
        target = "patient"
        if role == "patient" and "patient_id" in pattern.pattern.converters:
            target = "other_patient"  # the patient tries a record that is not theirs
        url = reverse(name, kwargs=_kwargs(pattern, cast, target))
        client = cast.client(role)
        response = client.post(url) if method == "POST" else client.get(url)
        status = response.status_code
        label = f"{role or 'anonymous'} {method} {url}"
        if who == PUBLIC:
            assert status < 500 and status != 403, label
            continue
        if who == WEBHOOK:
            assert status == 403, label
            continue
        if role is None:
            assert status == 302 and "/accounts/login/" in response["Location"], label
            continue
        if who == "login":
            assert status in (200, 302), label
            continue
        effective_role = "pt" if role == "outsider_pt" else role
        if effective_role not in WHO[who]:
            assert status in (403, 404), label
            continue
        if role == "outsider_pt" and RECORD_KWARGS & set(pattern.pattern.converters):
            assert status == 404, label
            continue
        if name == "accounts:token_revoke":
            assert status == 404, label  # token 999999 is nobody's
        else:
            assert status in (200, 302), label


def _api_routes() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method.upper()) for path, ops in schema["paths"].items() for method in ops]


@pytest.mark.django_db
@pytest.mark.parametrize("path, method", _api_routes())
def test_every_api_route_refuses_strangers(cast, path, method):
    from django.test import Client

    from telept.accounts.services import api_token_create

    def call(client: Client, patient: str) -> int:
        url = path.replace("{patient_id}", str(cast.patients[patient].pk))
        url = re.sub(r"\{\w+\}", "999999", url)  # other ids: nobody's record
        body = {} if method in ("POST", "PATCH", "PUT") else None
        if body is None:
            return client.generic(method, url).status_code
        return client.generic(method, url, "{}", content_type="application/json").status_code

    assert call(Client(), "patient") == 401, f"anonymous {method} {path}"
    if "{patient_id}" not in path:
        return
    for role, target in (("outsider_pt", "patient"), ("patient", "other_patient"),
                         ("pt", "outsider_patient")):
        _, raw = api_token_create(user=cast.users[role], name="matrix")
        status = call(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), target)
        assert status == 404 or (role == "patient" and status == 403), \
            f"{role} {method} {path} on {target}: {status}"
