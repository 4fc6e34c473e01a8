"""Attendance notes: a class's attendees each get a draft daily note with 97150 and their own
minutes; signing one captures that patient's charge (97150 x1, 95 video or 93 audio only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from telept.billing.models import Charge
from telept.billing.tests.helpers import DAILY, certified_evaluation, setup_billing
from telept.clinical.models import Note
from telept.clinical.services import notes as clinical_notes
from telept.clinical.tests.helpers import supervised_pta
from telept.groupvideo.notes import attendance_notes_write
from telept.groupvideo.tests.helpers import GroupClass, group_class
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.scheduling.models import Appointment
from telept.tests import factories
from telept.visits.access import visit_for_appointment
from telept.visits.models import Participant, Visit, VisitEvent

pytestmark = pytest.mark.django_db


class Held:
    """A class that took place: the PT hosted; `patient` was in 45 min by video (at home),
    `other_patient` 45 min of which 40 audio only; `absent` only waited before the host came
    (no minutes)."""

    def __init__(self, cast: Any, *, ended: bool = True) -> None:
        self.absent = factories.PatientFactory(practice=cast.practice)
        start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=90)
        self.group: GroupClass = group_class(
            cast.practice, cast.users["pt"].provider,
            [cast.patient, cast.other_patient, self.absent], start=start)
        self.visit = visit_for_appointment(self.group.host)
        host = self._seat(None, is_host=True, user=cast.users["pt"])
        one = self._seat(cast.patient, located_at="home")
        two = self._seat(cast.other_patient, located_at="home")
        away = self._seat(self.absent)

        def at(minutes: int) -> dt.datetime:
            return start + dt.timedelta(minutes=minutes)

        for minute, kind, seat in [
                (0, "join", away), (3, "leave", away),
                (5, "join", host), (5, "admit", one), (5, "admit", two),
                (10, "audio_only_start", two), (50, "leave", one)]:
            VisitEvent.objects.create(visit=self.visit, participant=seat, kind=kind,
                                      at=at(minute))
        if ended:
            VisitEvent.objects.create(visit=self.visit, participant=host, kind="end", at=at(50))
            Visit.objects.filter(pk=self.visit.pk).update(status=Visit.Status.ENDED,
                                                          ended_at=at(50))

    def _seat(self, patient: Any, *, is_host: bool = False, user: Any = None,
              located_at: str = "") -> Participant:
        return Participant.objects.create(
            visit=self.visit, role="provider" if is_host else "patient", is_host=is_host,
            user=user if is_host else patient.user, patient=patient,
            display_name="Host" if is_host else patient.first_name,
            located_state="" if is_host else "NY", located_at=located_at,
            status=Participant.Status.ADMITTED)

    def seat_of(self, patient: Any) -> int:
        return self.group.seats[patient.pk].pk


@pytest.fixture
def billing(cast: Any) -> Any:
    setup_billing(cast)
    return cast


def _notes(held: Held, patient: Any) -> list[Note]:
    return list(Note.objects.filter(appointment_id=held.seat_of(patient)))


def _complete_and_sign(cast: Any, capture: Any, note: Note, author: str = "pt") -> Note:
    """What the PT does on the note page: fill the other sections, keep the 97150 line."""
    actor = cast.actor(author)
    content = {**DAILY, "objective": note.content["objective"]}
    rows = tuple(clinical_notes.InterventionInput(cpt_code=i.cpt_code, minutes=i.minutes,
                                                  provider_id=i.provider_id)
                 for i in note.interventions.all())
    with capture(execute=True):
        clinical_notes.note_update(actor=actor, note_id=note.pk, data=clinical_notes.NoteInput(
            date_of_service=note.date_of_service, content=content,
            appointment_id=note.appointment_id, interventions=rows))
        clinical_notes.note_sign(actor=actor, note_id=note.pk)
    note.refresh_from_db()
    return note


def test_each_attendee_gets_a_draft_with_97150_and_their_own_minutes(billing: Any) -> None:
    held = Held(billing)
    done = attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    assert {d.patient_id: (d.minutes, d.modality) for d in done} == {
        billing.patient.pk: (45, "video"), billing.other_patient.pk: (45, "audio")}
    for patient in (billing.patient, billing.other_patient):
        [note] = _notes(held, patient)
        assert note.status == Note.Status.DRAFT and note.kind == "daily"
        assert note.patient_id == patient.pk and note.author == billing.users["pt"]
        assert [(i.cpt_code, i.minutes) for i in note.interventions.all()] == [("97150", 45)]
        assert "Balance class" in note.content["objective"]
        assert "Attended 45 min" in note.content["objective"]
    audio = _notes(held, billing.other_patient)[0].content["objective"]
    assert "audio only" in audio and "audio only 40 min" in audio


def test_signing_a_video_attendees_note_charges_97150_once_with_95(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    certified_evaluation(billing, django_capture_on_commit_callbacks)
    held = Held(billing)
    attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    note = _complete_and_sign(billing, django_capture_on_commit_callbacks,
                              _notes(held, billing.patient)[0])
    charge = Charge.objects.get(note=note)
    assert charge.patient_id == billing.patient.pk and charge.modality == "video"
    assert [(li.code, li.units, li.modifiers) for li in charge.lines.all()] == [
        ("97150", 1, ["GP", "95"])]
    assert charge.appointment_id == held.seat_of(billing.patient)
    assert not Charge.objects.filter(patient=billing.other_patient).exists()


def test_an_audio_only_attendee_is_charged_with_93_not_95(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    certified_evaluation(billing, django_capture_on_commit_callbacks,
                         patient=billing.other_patient)
    held = Held(billing)
    attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    assert Appointment.objects.get(pk=held.seat_of(billing.other_patient)).modality == "audio"
    note = _complete_and_sign(billing, django_capture_on_commit_callbacks,
                              _notes(held, billing.other_patient)[0])
    charge = Charge.objects.get(note=note)
    assert charge.modality == "audio"
    assert [(li.code, li.units, li.modifiers) for li in charge.lines.all()] == [
        ("97150", 1, ["GP", "93"])]


def test_an_attendee_at_home_is_billed_pos_10(
        billing: Any, django_capture_on_commit_callbacks: Any) -> None:
    held = Held(billing)
    attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    note = _complete_and_sign(billing, django_capture_on_commit_callbacks,
                              _notes(held, billing.patient)[0])
    assert Charge.objects.get(note=note).pos == "10"


def test_someone_who_did_not_attend_gets_no_note(billing: Any) -> None:
    held = Held(billing)
    done = attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    assert held.absent.pk not in {d.patient_id for d in done}
    assert _notes(held, held.absent) == []


def test_pressing_twice_writes_no_second_note(billing: Any) -> None:
    held = Held(billing)
    first = attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    again = attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    assert all(d.written for d in first) and not any(d.written for d in again)
    assert {d.note_id for d in again} == {d.note_id for d in first}
    assert Note.objects.filter(appointment__group_host=held.group.host).count() == 2


def test_a_pta_may_write_them_and_is_the_author(billing: Any) -> None:
    supervised_pta(billing)
    held = Held(billing)
    attendance_notes_write(actor=billing.actor("pta"), appointment_id=held.group.host.pk)
    [note] = _notes(held, billing.patient)
    assert note.author == billing.users["pta"]
    assert note.interventions.get().provider.user == billing.users["pta"]


@pytest.mark.parametrize("who, refusal", [("patient", PermissionDenied),
                                          ("front_desk", PermissionDenied),
                                          ("billing", PermissionDenied),
                                          ("outsider_pt", NotFound)])
def test_only_a_therapist_of_the_practice_writes_them(billing: Any, who: str,
                                                      refusal: type[Exception]) -> None:
    held = Held(billing)
    with pytest.raises(refusal):
        attendance_notes_write(actor=billing.actor(who), appointment_id=held.group.host.pk)
    assert not Note.objects.filter(appointment__group_host=held.group.host).exists()


def test_not_while_the_class_may_still_run(billing: Any) -> None:
    held = Held(billing, ended=False)
    later = timezone.now() + dt.timedelta(minutes=30)
    Appointment.objects.filter(pk=held.group.host.pk).update(end=later,
                                                                       busy_end=later)
    with pytest.raises(DomainError) as refused:
        attendance_notes_write(actor=billing.actor("pt"), appointment_id=held.group.host.pk)
    assert refused.value.code == "class_not_over"


def test_the_page_writes_them_for_the_pt_and_refuses_others(billing: Any) -> None:
    held = Held(billing)
    url = reverse("groupvideo:attendance", args=[held.group.host.pk])
    detail = billing.client("pt").get(reverse("scheduling:appointment",
                                              args=[held.group.host.pk]))
    assert url.encode() in detail.content
    page = billing.client("pt").get(url)
    assert page.status_code == 200 and b"Write attendance notes" in page.content
    assert billing.client("pt").post(url).status_code == 302
    assert Note.objects.filter(appointment__group_host=held.group.host).count() == 2
    again = billing.client("pt").get(url)
    assert b"Write attendance notes" not in again.content
    assert again.content.count(b"Daily note</a>") == 2
    for who, status in (("patient", 403), ("front_desk", 403), ("outsider_pt", 404)):
        assert billing.client(who).post(url).status_code == status, who
    assert Note.objects.filter(appointment__group_host=held.group.host).count() == 2
