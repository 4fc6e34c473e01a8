"""Booking, cancelling, rescheduling, group classes, waitlist and care plans: the services,
their database guarantees and their API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from telept.accounts.services import api_token_create
from telept.audit.models import AuditEvent
from telept.lib.errors import Conflict, DomainError, NotFound
from telept.scheduling import services
from telept.scheduling.models import Appointment, WaitlistEntry
from telept.scheduling.rules.care_plan import PlanSpec
from telept.scheduling.tests.conftest import at, next_weekday
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0)


def _book(cast, clinic, *, who="front_desk", patient="patient", start=None, modality="video",
          kind="follow_up", **extra):
    return services.appointment_book(actor=cast.actor(who), data=services.BookingInput(
        provider_id=clinic.provider.pk, visit_type=kind, start=start or at(MONDAY, 9),
        modality=modality, patient_id=cast.patients[patient].pk, **extra))


def _api(cast, name):
    _, raw = api_token_create(user=cast.users[name], name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_staff_book_a_free_slot_and_it_is_audited(cast, clinic):
    appointment = _book(cast, clinic)
    assert appointment.end - appointment.start == dt.timedelta(minutes=30)
    assert appointment.busy_end - appointment.end == dt.timedelta(minutes=10)
    assert AuditEvent.objects.filter(action="create", object_type="Appointment",
                                     patient_id=cast.patient.pk).exists()


def test_a_second_booking_of_the_same_time_is_refused_with_next_slots(cast, clinic):
    _book(cast, clinic)
    with pytest.raises(Conflict) as refused:
        _book(cast, clinic, patient="other_patient")
    assert refused.value.code == "slot_taken"
    offered = refused.value.extra["next_slots"]
    assert offered and all(dt.datetime.fromisoformat(s["start"]) >= at(MONDAY, 9, 40)
                           for s in offered)


def test_the_buffer_keeps_the_next_visit_off_and_back_to_back_after_it_is_fine(cast, clinic):
    _book(cast, clinic)
    with pytest.raises(Conflict):
        _book(cast, clinic, patient="other_patient", start=at(MONDAY, 9, 30))
    assert _book(cast, clinic, patient="other_patient", start=at(MONDAY, 9, 45))


def test_the_database_itself_refuses_overlapping_live_rows(cast, clinic):
    first = _book(cast, clinic)
    clash = Appointment(practice=first.practice, provider=first.provider,
                        patient=cast.other_patient, visit_type=first.visit_type,
                        modality="video", start=first.start + dt.timedelta(minutes=5),
                        end=first.end + dt.timedelta(minutes=5), busy_end=first.busy_end)
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()
    clash.cancelled, clash.status = True, "cancelled"
    clash.save()  # cancelled rows may overlap anything


def test_a_patient_cannot_hold_two_overlapping_visits(cast, clinic):
    _book(cast, clinic)
    other = type(clinic.provider).objects.create(
        practice=cast.practice, user=cast.users["pta"], slug="pta-x", display_name="PTA",
        npi="1245319599", licensed_states=["NY"])
    from telept.scheduling.models import Availability

    Availability.objects.create(provider=other, weekday=0, start_time=dt.time(8),
                                end_time=dt.time(12), telehealth=True)
    with pytest.raises(Conflict, match="already has a visit"):
        services.appointment_book(actor=cast.actor("front_desk"), data=services.BookingInput(
            provider_id=other.pk, visit_type="follow_up", start=at(MONDAY, 9, 15),
            modality="video", patient_id=cast.patient.pk))


def test_cancelling_frees_the_slot(cast, clinic):
    first = _book(cast, clinic)
    services.appointment_cancel(actor=cast.actor("front_desk"), appointment_id=first.pk,
                                reason="patient sick")
    assert _book(cast, clinic, patient="other_patient")


@pytest.mark.parametrize("changes, code", [
    ({"start": None, "kind": "nonsense"}, "unknown_visit_type"),
    ({"modality": "telepathy"}, "invalid_modality"),
    ({"start": "past"}, "start_in_past"),
    ({"start": "night"}, "outside_availability"),
    ({"start": "saturday"}, "outside_availability"),
    ({"start": "off-grid"}, "outside_availability"),
    ({"modality": "in_person"}, "location_required"),
    ({"kind": "initial_eval", "modality": "audio"}, "modality_not_offered"),
])
def test_bad_bookings_are_refused_with_a_code_and_nothing_is_written(cast, clinic, changes,
                                                                     code):
    starts = {None: at(MONDAY, 9), "past": at(local_today() - dt.timedelta(days=2), 9),
              "night": at(MONDAY, 22), "saturday": at(MONDAY + dt.timedelta(days=5), 9),
              "off-grid": at(MONDAY, 9, 7)}
    count = Appointment.objects.count()
    with pytest.raises(DomainError) as refused:
        _book(cast, clinic, start=starts[changes.get("start")],
              modality=changes.get("modality", "video"), kind=changes.get("kind", "follow_up"))
    assert refused.value.code == code and refused.value.message
    assert Appointment.objects.count() == count


def test_an_in_person_visit_needs_an_in_person_window_at_that_location(cast, clinic):
    tuesday = MONDAY + dt.timedelta(days=1)
    booked = _book(cast, clinic, start=at(tuesday, 9), modality="in_person",
                   location_id=clinic.location.pk)
    assert booked.location == clinic.location
    with pytest.raises(DomainError, match="not available"):
        _book(cast, clinic, patient="other_patient", start=at(MONDAY, 9), modality="in_person",
              location_id=clinic.location.pk)


def test_a_provider_not_licensed_where_the_patient_will_be_is_refused(cast, clinic):
    with pytest.raises(DomainError) as refused:
        _book(cast, clinic, patient_state="CA")
    assert refused.value.code == "provider_not_licensed_in_state"
    assert "California" in refused.value.message


def test_a_payer_that_requires_an_in_person_evaluation_first_refuses_video(cast, clinic):
    payer = cast.patient.coverages.first().payer
    payer.requires_in_person_initial_eval = True
    payer.save()
    with pytest.raises(DomainError) as refused:
        _book(cast, clinic)
    assert refused.value.code == "in_person_initial_eval_required"
    assert "in-person evaluation" in refused.value.message


def test_a_payer_without_audio_only_refuses_an_audio_visit(cast, clinic):
    payer = cast.patient.coverages.first().payer
    payer.audio_only_allowed = False
    payer.save()
    with pytest.raises(DomainError) as refused:
        _book(cast, clinic, modality="audio")
    assert refused.value.code in {"audio_only_not_covered", "modality_not_covered"}


def test_patients_book_only_for_themselves(cast, clinic):
    mine = _book(cast, clinic, who="patient")
    assert mine.patient == cast.patient
    with pytest.raises(NotFound):
        _book(cast, clinic, who="patient", patient="other_patient", start=at(MONDAY, 10))


def test_patients_cannot_cancel_inside_the_cutoff_but_staff_can_late(cast, clinic):
    soon = Appointment.objects.create(
        practice=cast.practice, provider=clinic.provider, patient=cast.patient,
        visit_type=clinic.types["follow_up"], modality="video",
        start=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3),
        end=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3, minutes=30),
        busy_end=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3, minutes=40))
    with pytest.raises(DomainError):
        services.appointment_cancel(actor=cast.actor("patient"), appointment_id=soon.pk,
                                    reason="busy")
    cancelled = services.appointment_cancel(actor=cast.actor("front_desk"),
                                            appointment_id=soon.pk, reason="called in")
    assert cancelled.late_cancellation and cancelled.cancel_reason == "called in"


def test_reschedule_moves_the_visit_or_leaves_it_alone(cast, clinic):
    original = _book(cast, clinic)
    _book(cast, clinic, patient="other_patient", start=at(MONDAY, 10))
    with pytest.raises(Conflict):
        services.appointment_reschedule(actor=cast.actor("front_desk"),
                                        appointment_id=original.pk, start=at(MONDAY, 10))
    original.refresh_from_db()
    assert original.status == "booked"
    moved = services.appointment_reschedule(actor=cast.actor("front_desk"),
                                            appointment_id=original.pk, start=at(MONDAY, 11))
    original.refresh_from_db()
    assert original.status == "cancelled" and moved.start == at(MONDAY, 11)


def test_a_group_class_never_exceeds_its_capacity(cast, clinic):
    clinic.types["group_class"].capacity = 2
    clinic.types["group_class"].save()
    host = services.group_class_schedule(actor=cast.actor("pt"), provider_id=clinic.provider.pk,
                                         start=at(MONDAY, 14), modality="video")
    services.group_class_join(actor=cast.actor("front_desk"), host_id=host.pk,
                              patient_id=cast.patient.pk)
    services.group_class_join(actor=cast.actor("front_desk"), host_id=host.pk,
                              patient_id=cast.other_patient.pk)
    from telept.tests.factories import PatientFactory

    third = PatientFactory(practice=cast.practice, state="NY")
    with pytest.raises(Conflict, match="full"):
        services.group_class_join(actor=cast.actor("front_desk"), host_id=host.pk,
                                  patient_id=third.pk)
    extra = Appointment(practice=cast.practice, provider=clinic.provider, patient=third,
                        visit_type=host.visit_type, modality="video", start=host.start,
                        end=host.end, busy_end=host.end, group_host=host)
    with pytest.raises(IntegrityError), transaction.atomic():
        extra.save()  # the database refuses it too, not just the service


def test_a_freed_slot_is_held_for_the_waitlist_first(cast, clinic):
    booked = _book(cast, clinic)
    entry = services.waitlist_join(actor=cast.actor("front_desk"),
                                   patient_id=cast.other_patient.pk, visit_type="follow_up",
                                   modality="video", earliest=at(MONDAY, 8),
                                   latest=at(MONDAY, 17))
    services.appointment_cancel(actor=cast.actor("front_desk"), appointment_id=booked.pk,
                                reason="moved away")
    entry.refresh_from_db()
    hold = entry.offered
    assert hold.status == "held" and hold.patient == cast.other_patient
    assert hold.start == booked.start
    from telept.tests.factories import PatientFactory

    stranger = PatientFactory(practice=cast.practice, state="NY")
    with pytest.raises(Conflict):
        services.appointment_book(actor=cast.actor("front_desk"), data=services.BookingInput(
            provider_id=clinic.provider.pk, visit_type="follow_up", start=booked.start,
            modality="video", patient_id=stranger.pk))
    confirmed = services.waitlist_confirm(actor=cast.actor("other_patient"),
                                          appointment_id=hold.pk)
    assert confirmed.status == "booked"
    assert WaitlistEntry.objects.get(pk=entry.pk).fulfilled_at is not None


def test_an_expired_hold_is_released(cast, clinic):
    booked = _book(cast, clinic)
    services.waitlist_join(actor=cast.actor("front_desk"), patient_id=cast.other_patient.pk,
                           visit_type="follow_up", modality="video", earliest=at(MONDAY, 8),
                           latest=at(MONDAY, 17))
    services.appointment_cancel(actor=cast.actor("front_desk"), appointment_id=booked.pk,
                                reason="x")
    released = services.holds_expire(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3))
    assert released == 1
    assert _book(cast, clinic, patient="outsider_patient" if False else "patient")


def test_a_hybrid_care_plan_is_proposed_and_booked_all_at_once(cast, clinic):
    spec = PlanSpec(weeks=2, visits_per_week=2, follow_up_modality="video",
                    initial_eval_modality="in_person", re_eval_week=2, re_eval_modality="video")
    proposal = services.care_plan_propose(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                          provider_id=clinic.provider.pk, start_date=MONDAY,
                                          spec=spec)
    assert [p.kind for p in proposal] == ["initial_eval", "follow_up", "follow_up", "re_eval"]
    assert proposal[0].modality == "in_person" and proposal[0].location_id == clinic.location.pk
    assert all(a.start < b.start for a, b in zip(proposal, proposal[1:], strict=False))
    plan = services.care_plan_book(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                   provider_id=clinic.provider.pk, title="Knee rehab",
                                   start_date=MONDAY, weeks=2, visits=proposal)
    assert plan.appointments.count() == 4
    progress = services.care_plan_progress(plan=plan)
    assert progress == {"planned": 4, "done": 0, "upcoming": 4, "remaining": 0}


def test_a_care_plan_with_one_taken_slot_books_nothing(cast, clinic):
    spec = PlanSpec(weeks=1, visits_per_week=2, initial_eval_modality=None)
    proposal = services.care_plan_propose(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                          provider_id=clinic.provider.pk, start_date=MONDAY,
                                          spec=spec)
    _book(cast, clinic, patient="other_patient", start=proposal[1].start)  # someone is quicker
    before = Appointment.objects.count()
    with pytest.raises(Conflict, match="Nothing in the plan was booked"):
        services.care_plan_book(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                provider_id=clinic.provider.pk, title="x", start_date=MONDAY,
                                weeks=1, visits=proposal)
    assert Appointment.objects.count() == before
    from telept.scheduling.models import CarePlan

    assert not CarePlan.objects.exists()


# --- API ------------------------------------------------------------------------------

def test_the_api_lists_slots_books_lists_and_cancels(cast, clinic):
    api = _api(cast, "front_desk")
    slots = api.get(f"/api/v1/practitioners/{clinic.provider.pk}/slots",
                    {"start": MONDAY.isoformat(), "days": 1, "visit_type": "follow_up"}).json()
    assert slots["time_zone"] == "America/New_York" and slots["slots"]
    first = slots["slots"][0]["start"]
    created = api.post("/api/v1/appointments", {
        "practitioner_id": clinic.provider.pk, "patient_id": cast.patient.pk,
        "visit_type": "follow_up", "start": first, "modality": "video"},
        content_type="application/json")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/appointments", {
        "practitioner_id": clinic.provider.pk, "patient_id": cast.other_patient.pk,
        "visit_type": "follow_up", "start": first, "modality": "video"},
        content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "slot_taken"
    assert again.json()["next_slots"]
    listed = api.get("/api/v1/appointments", {"since": MONDAY.isoformat()}).json()
    assert [a["id"] for a in listed] == [created.json()["id"]]
    cancelled = api.post(f"/api/v1/appointments/{created.json()['id']}/cancel",
                         {"reason": "schedule change"}, content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize("payload, status, code", [
    ({"visit_type": "yoga"}, 422, "unknown_visit_type"),
    ({"start": "2001-01-01T09:00:00-05:00"}, 422, "start_in_past"),
    ({"start": "2030-13-45T09:00:00Z"}, 422, "invalid"),
    ({"start": "2030-01-01T09:00:00"}, 422, "invalid"),
    ({"modality": "fax"}, 422, "invalid"),
    ({"practitioner_id": "x"}, 422, "invalid"),
    ({"practitioner_id": 99999}, 404, "not_found"),
    ({"start": "2109-10-25T17:53:51+21:55"}, 422, "outside_availability"),
    ({"visit_type": "follow\u0000up"}, 400, "invalid_characters"),
])
def test_bad_booking_requests_get_a_4xx_with_a_code(cast, clinic, payload, status, code):
    body = {"practitioner_id": clinic.provider.pk, "patient_id": cast.patient.pk,
            "visit_type": "follow_up", "start": at(MONDAY, 9).isoformat(), "modality": "video",
            **payload}
    response = _api(cast, "front_desk").post("/api/v1/appointments", body,
                                             content_type="application/json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("query", ["start=2026-02-30", "start=tomorrow", "days=0", "days=999",
                                   "visit_type=yoga"])
def test_bad_slot_queries_get_a_4xx(cast, clinic, query):
    params = f"start={MONDAY.isoformat()}&days=1&visit_type=follow_up&{query}"
    response = _api(cast, "pt").get(f"/api/v1/practitioners/{clinic.provider.pk}/slots?{params}")
    assert 400 <= response.status_code < 500 and response.json()["code"]


def test_the_outsider_sees_no_slots_and_no_appointments_of_this_practice(cast, clinic):
    _book(cast, clinic)
    outsider = _api(cast, "outsider_pt")
    assert outsider.get(f"/api/v1/practitioners/{clinic.provider.pk}/slots",
                        {"start": MONDAY.isoformat()}).status_code == 404
    assert outsider.get("/api/v1/appointments").json() == []
    patient_view = _api(cast, "other_patient").get("/api/v1/appointments").json()
    assert patient_view == []


@pytest.mark.parametrize("ref", ["³", "٣", "99999999999999999999999", " 1 2 "])
def test_a_visit_type_that_only_looks_like_a_number_is_unknown_not_a_crash(cast, ref):
    """The API fuzzer sent visit_type "³" (isdigit() is True, int() raises): a 500 before."""
    from telept.scheduling.selectors import visit_type_get

    with pytest.raises(DomainError) as refused:
        visit_type_get(practice_id=cast.practice.pk, ref=ref)
    assert refused.value.code == "unknown_visit_type"


def test_the_booking_page_ignores_a_patient_parameter_that_only_looks_like_a_number(cast):
    assert cast.client("front_desk").get("/schedule/book/", {"patient": "³"}).status_code == 200


def test_a_note_for_an_appointment_that_only_looks_like_a_number_is_not_a_crash(cast):
    response = cast.client("pt").post(
        f"/clinical/patients/{cast.patient.pk}/notes/new/daily/", {"appointment": "³"})
    assert response.status_code < 500
