"""Attendance notes: after a group class, a draft daily note per attendee (Issue 12 item 5).

A class is billed like a 1:1 visit, from each patient's own signed note: the note belongs to
the patient's seat appointment, records a 97150 intervention (group therapeutic procedures,
untimed: billing makes it one unit whatever the minutes) with the minutes that patient
attended, and says in its objective section which class, how long and how (video or audio
only). Signing it goes through clinical's usual path, so billing captures the charge with
the telehealth modifier of the seat appointment's modality (95 video, 93 audio only); an
attendee who was audio only for most of their time has their seat appointment's modality
set to audio first, because billing reads the modality from the note's appointment.

What must hold:
- only a PT or PTA of the class's practice writes them (a patient, the front desk or another
  practice is refused); the author is that clinician;
- one note per attendee: pressing again writes none for a seat appointment that already has
  a daily note (draft or signed); the class's host appointment is locked meanwhile, so two
  presses at once cannot both write;
- someone with no attended minutes (never in while a host was) gets no note;
- not while the class may still run: after End, or once its booked time is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import dateformat, timezone

from telept.accounts.actor import Actor
from telept.accounts.roles import CLINICAL_ROLES
from telept.audit.services import audit_record
from telept.clinical import note_templates
from telept.clinical.models import Note, NoteKind
from telept.clinical.rules.interventions import MAX_MINUTES
from telept.clinical.services import notes as clinical_notes
from telept.groupvideo import services
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.scheduling.models import Appointment, Modality
from telept.visits.models import Participant, Visit

GROUP_CODE = "97150"
MODALITY_WORDS = {"video": "by video", "audio": "audio only (by telephone or without video)"}
LOCATION_WORDS = {"home": "at home", "elsewhere": "somewhere other than home"}


@dataclass(frozen=True, kw_only=True)
class AttendanceNote:
    patient_id: int
    appointment_id: int
    note_id: int
    minutes: int
    modality: str
    written: bool  # False: the seat appointment had its note already


def _class_host(actor: Actor, appointment_id: int, *, lock: bool) -> Appointment:
    if actor.role not in CLINICAL_ROLES:
        raise PermissionDenied("Only a therapist (PT or PTA) writes attendance notes.")
    found = Appointment.objects.filter(pk=appointment_id, practice_id=actor.practice_id,
                                       patient__isnull=True, group_host__isnull=True)
    if lock:
        found = found.select_for_update(of=("self",))
    host = found.select_related("visit_type", "practice").first()
    if host is None or not services.is_class(host):
        raise NotFound("class")
    return host


def class_over(host: Appointment) -> bool:
    visit = Visit.objects.filter(appointment=host).only("status").first()
    return bool(visit and visit.status == Visit.Status.ENDED) or host.end <= timezone.now()


def objective_text(*, class_name: str, day: str, row: dict[str, Any]) -> str:
    """The objective section's account of the class (what the reviewer of the claim reads)."""
    how = MODALITY_WORDS.get(row["modality"], row["modality"])
    text = (f"Group class: {class_name}, {day} ({GROUP_CODE} group therapeutic procedures, "
            f"1 unit). Attended {row['minutes']} min {how}: video {row['video_minutes']} min, "
            f"audio only {row['audio_only_minutes']} min.")
    where = LOCATION_WORDS.get(row.get("located_at") or "")
    return f"{text} Patient {where} (pre-join)." if where else text


def _existing(appointment_ids: list[int]) -> dict[int, int]:
    """Seat appointment -> its daily note (the first one written)."""
    found: dict[int, int] = {}
    for appointment_id, note_id in (Note.objects.filter(appointment_id__in=appointment_ids,
                                                        kind=NoteKind.DAILY)
                                    .order_by("id").values_list("appointment_id", "id")):
        found.setdefault(appointment_id, note_id)
    return found


def attendance_rows(*, actor: Actor, appointment_id: int
                    ) -> tuple[Appointment, list[dict[str, Any]]]:
    """The class and its attendees with minutes > 0 (audited per patient by
    `services.attendance`), each with the patient's name and their seat appointment's note
    if there is one."""
    host = _class_host(actor, appointment_id, lock=False)
    return host, _rows(actor, host)


def _rows(actor: Actor, host: Appointment) -> list[dict[str, Any]]:
    if not Visit.objects.filter(appointment=host).exists():
        return []  # nobody ever opened the class
    rows = [r for r in services.attendance(actor=actor, appointment_id=host.pk)
            if r["minutes"] > 0 and r["patient"] and r["appointment"]]
    notes = _existing([r["appointment"] for r in rows])
    names = {p.pk: p.patient.full_name if p.patient else p.display_name for p in
             Participant.objects.filter(pk__in=[r["participant"] for r in rows])
             .select_related("patient")}
    return [{**r, "name": names.get(r["participant"], ""), "note": notes.get(r["appointment"])}
            for r in rows]


@transaction.atomic
def attendance_notes_write(*, actor: Actor, appointment_id: int) -> list[AttendanceNote]:
    """A draft daily note for every attendee of the class who has none yet (see module)."""
    host = _class_host(actor, appointment_id, lock=True)
    if not class_over(host):
        raise DomainError("class_not_over", "Write the attendance notes once the class has "
                          "ended (press End class, or after its booked time).")
    provider = clinical_notes.author_provider(actor)
    class_name = host.visit_type.name
    day = dateformat.format(host.practice.local_date(host.start), "j M Y")
    key = note_templates.OBJECTIVE_SECTION[note_templates.DAILY]
    done: list[AttendanceNote] = []
    for row in _rows(actor, host):
        minutes = min(int(row["minutes"]), MAX_MINUTES)
        if row["note"]:
            done.append(AttendanceNote(patient_id=row["patient"], appointment_id=row["appointment"],
                                       note_id=row["note"], minutes=minutes,
                                       modality=row["modality"], written=False))
            continue
        _seat_modality(actor, row["appointment"], row["modality"])
        note = clinical_notes.note_create(actor=actor, patient_id=row["patient"],
                                          kind=NoteKind.DAILY, appointment_id=row["appointment"])
        content = dict(note.content)
        account = objective_text(class_name=class_name, day=day, row=row)
        content[key] = "\n\n".join(p for p in (account, content.get(key, "").strip()) if p)
        clinical_notes.note_update(actor=actor, note_id=note.pk, data=clinical_notes.NoteInput(
            date_of_service=note.date_of_service, content=content,
            appointment_id=row["appointment"],
            interventions=(clinical_notes.InterventionInput(
                cpt_code=GROUP_CODE, minutes=minutes, provider_id=provider.pk,
                description=f"Group class: {class_name}"[:200]),)))
        done.append(AttendanceNote(patient_id=row["patient"], appointment_id=row["appointment"],
                                   note_id=note.pk, minutes=minutes, modality=row["modality"],
                                   written=True))
    audit_record(actor=actor, action="create", object_type="ClassAttendanceNotes",
                 object_id=host.pk, detail={"written": sum(d.written for d in done),
                                            "already": sum(not d.written for d in done)})
    return done


def _seat_modality(actor: Actor, appointment_id: int, modality: str) -> None:
    """The encounter's modality on the seat appointment, which billing reads (95 or 93)."""
    wanted = Modality.AUDIO if modality == "audio" else Modality.VIDEO
    seat = Appointment.objects.get(pk=appointment_id)
    if seat.modality == wanted:
        return
    previous = seat.modality
    Appointment.objects.filter(pk=seat.pk).update(modality=wanted)
    audit_record(actor=actor, action="update", object_type="Appointment", object_id=seat.pk,
                 patient_id=seat.patient_id,
                 detail={"modality": [previous, wanted], "why": "class attendance"})
