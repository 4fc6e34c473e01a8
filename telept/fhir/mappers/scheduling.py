"""Appointment (with telehealth modality) and Encounter (a held visit: class VR when virtual,
period, participants, minutes)."""

from __future__ import annotations

from typing import Any

from telept.fhir.mappers.common import V3_ACT, concept, instant, meta, prune, ref
from telept.scheduling.models import Appointment
from telept.visits.rules.minutes import Event, visit_minutes

APPOINTMENT_STATUS = {"held": "pending", "booked": "booked", "requested": "proposed",
                      "completed": "fulfilled", "no_show": "noshow", "cancelled": "cancelled"}
MODALITY_CLASS = {"video": ("VR", "virtual"), "audio": ("VR", "virtual"),
                  "in_person": ("AMB", "ambulatory")}
MODALITY_TEXT = {"video": "Video visit (telehealth)", "audio": "Audio-only visit (telehealth)",
                 "in_person": "In-person visit"}
MODALITY_SYSTEM = "urn:telept:modality"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ENCOUNTER_TYPE = "urn:telept:visit-kind"


def _modality(a: Appointment) -> dict[str, Any]:
    code, display = MODALITY_CLASS.get(a.modality, ("AMB", "ambulatory"))
    return {"coding": [{"system": V3_ACT, "code": code, "display": display},
                       {"system": MODALITY_SYSTEM, "code": a.modality}],
            "text": MODALITY_TEXT.get(a.modality, a.modality)}


def appointment(a: Appointment) -> dict[str, Any]:
    participants: list[dict[str, Any]] = [{
        "actor": ref("Practitioner", a.provider_id, a.provider.display_name),
        "type": [concept(PARTICIPATION, "PPRF", "primary performer")],
        "required": "required", "status": "accepted"}]
    if a.patient_id:
        participants.append({"actor": ref("Patient", a.patient_id), "required": "required",
                             "status": "accepted" if a.status != "requested"
                             else "needs-action"})
    if a.location_id:
        participants.append({"actor": ref("Location", a.location_id), "required": "required",
                             "status": "accepted"})
    return prune({
        "resourceType": "Appointment",
        "id": str(a.pk),
        "status": APPOINTMENT_STATUS.get(a.status, "booked"),
        "cancelationReason": {"text": a.cancel_reason} if a.cancel_reason else None,
        "appointmentType": _modality(a),
        "serviceType": [{"coding": [{"system": ENCOUNTER_TYPE, "code": a.visit_type.kind}],
                         "text": a.visit_type.name}],
        "start": instant(a.start),
        "end": instant(a.end),
        "minutesDuration": max(1, int((a.end - a.start).total_seconds() // 60)),
        "created": instant(a.created_at),
        "participant": participants,
        "basedOn": [ref("CarePlan", a.care_plan_id)] if a.care_plan_id else [],
    })


def visit_of(a: Appointment) -> Any:
    try:
        return a.visit  # reverse one-to-one (visits.Visit), None when no room was opened
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return None


def encounter(a: Appointment) -> dict[str, Any]:
    code, display = MODALITY_CLASS.get(a.modality, ("AMB", "ambulatory"))
    visit = visit_of(a)
    start, end = a.start, a.end
    participants: list[dict[str, Any]] = [{
        "type": [concept(PARTICIPATION, "PPRF", "primary performer")],
        "individual": ref("Practitioner", a.provider_id, a.provider.display_name)}]
    minutes = None
    video_minutes = audio_minutes = None
    status = "finished" if a.status == "completed" else "in-progress"
    if visit is not None:
        events = [Event(at=e.at, kind=e.kind, participant=e.participant_id)
                  for e in visit.events.all()]
        until = visit.ended_at or None
        m = visit_minutes(events=events, until=until)
        minutes, video_minutes, audio_minutes = (m.total_minutes, m.video_minutes,
                                                 m.audio_only_minutes)
        start = visit.started_at or start
        end = visit.ended_at or (end if a.status == "completed" else None)
        if visit.status == "ended" or a.status == "completed":
            status = "finished"
        for seat in visit.participants.all():
            if seat.role in ("guest", "staff"):
                participants.append({
                    "type": [concept(PARTICIPATION, "PART", "Participation")],
                    "individual": {"display": seat.display_name
                                   + (f" ({seat.guest_role})" if seat.guest_role else "")}})
    elif a.status == "completed" and a.modality != "in_person":
        minutes = max(1, int((a.end - a.start).total_seconds() // 60))
    if minutes is None and a.status == "completed":
        minutes = max(1, int((a.end - a.start).total_seconds() // 60))
    extension = []
    if video_minutes is not None:
        extension = [
            {"url": "urn:telept:fhir:encounter-video-minutes", "valueInteger": video_minutes},
            {"url": "urn:telept:fhir:encounter-audio-only-minutes",
             "valueInteger": audio_minutes}]
    return prune({
        "resourceType": "Encounter",
        "id": str(a.pk),
        "meta": meta("us-core-encounter"),
        "identifier": [{"system": "urn:telept:appointment", "value": str(a.pk)}],
        "status": status,
        "class": {"system": V3_ACT, "code": code, "display": display},
        "type": [{"coding": [{"system": ENCOUNTER_TYPE, "code": a.visit_type.kind}],
                  "text": a.visit_type.name}],
        "serviceType": {"coding": [{"system": MODALITY_SYSTEM, "code": a.modality}],
                        "text": MODALITY_TEXT.get(a.modality, a.modality)},
        "subject": ref("Patient", a.patient_id),
        "participant": participants,
        "appointment": [ref("Appointment", a.pk)],
        "period": {"start": instant(start), "end": instant(end)},
        "length": {"value": minutes, "unit": "min", "system": "http://unitsofmeasure.org",
                   "code": "min"} if minutes is not None else None,
        "location": [{"location": ref("Location", a.location_id)}] if a.location_id else [],
        "serviceProvider": ref("Organization", a.practice_id),
        "extension": extension,
    })
