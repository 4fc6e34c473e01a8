"""Observation (outcome-measure totals, pain NPRS, range of motion in visits and at home),
Questionnaire / QuestionnaireResponse (the measures), Goal, CarePlan (plan of care and home
exercise program), DocumentReference (signed notes as PDF) and Binary (that PDF)."""

from __future__ import annotations

import base64
import html
from typing import Any

from telept.clinical.measures import MEASURES, hoosjr, koosjr
from telept.fhir.mappers.common import (
    LOINC,
    OBS_CATEGORY,
    UCUM,
    concept,
    day,
    instant,
    meta,
    prune,
    ref,
)

# Observation.code of an outcome-measure total: the codes of RULES.md section 6.2 (CMS
# ACCESS model IG). Instruments without a LOINC code use our own system with their code.
MEASURE_LOINC = {code: m.loinc for code, m in MEASURES.items() if m.loinc}
# PROMIS instruments of section 6.2 (no PROMIS instrument is scored in TelePT yet; a
# response stored under one of these codes is coded with its LOINC code).
PROMIS_LOINC = {"PROMIS_PF_6B": "76804-4", "PROMIS_PF_CAT": "91722-9",
                "PROMIS_PI_6A": "90973-9", "PROMIS_PI_CAT": "89923-7"}
MEASURE_SYSTEM = "urn:telept:measure"
ITEM_LOINC = {"KOOSJR": koosjr.ITEM_LOINC, "HOOSJR": hoosjr.ITEM_LOINC}
NPRS_LOINC = "72514-3"
MOTION_SYSTEM = "urn:telept:motion"
METHOD_SYSTEM = "urn:telept:observation-method"
CAMERA_METHOD = {"coding": [{"system": METHOD_SYSTEM, "code": "camera-pose-estimate",
                             "display": "Camera pose estimate"}],
                 "text": "Estimated from the camera by pose estimation (MediaPipe Pose), "
                         "not a goniometer"}
GOAL_LIFECYCLE = {"active": ("active", None), "met": ("completed", "achieved"),
                  "partially_met": ("active", "improving"),
                  "not_met": ("completed", "not-achieved"),
                  "discontinued": ("cancelled", None)}
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
NOTE_LOINC = {"initial_eval": ("11488-4", "Consult note"),
              "re_eval": ("11488-4", "Consult note"),
              "daily": ("11506-3", "Progress note")}
US_CORE_DOC_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"


def _quantity(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": round(float(value), 2), "unit": unit, "system": UCUM, "code": code}


def _score_quantity(value: float) -> dict[str, Any]:
    return _quantity(value, "score", "{score}")


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [concept(OBS_CATEGORY, code, display)]


def measure_code(code: str) -> dict[str, Any]:
    name = MEASURES[code].name if code in MEASURES else code
    loinc = MEASURE_LOINC.get(code) or PROMIS_LOINC.get(code)
    if loinc:
        return {"coding": [{"system": LOINC, "code": loinc, "display": name}], "text": name}
    return {"coding": [{"system": MEASURE_SYSTEM, "code": code, "display": name}], "text": name}


def _div(text: str) -> dict[str, Any]:
    return {"status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{html.escape(text)}</p></div>'}


# --- Observation ----------------------------------------------------------------------------

def measure_observation(r: Any) -> dict[str, Any]:
    """A MeasureResponse's total score (KOOS JR 82324-5, HOOS JR 82316-1, ODI, NDI, NPRS)."""
    code = measure_code(r.code)
    if r.loinc and not MEASURE_LOINC.get(r.code):
        code = {"coding": [{"system": LOINC, "code": r.loinc}], "text": code["text"]}
    performer = ref("Patient", r.patient_id) if r.source == "portal" else None
    return prune({
        "resourceType": "Observation",
        "id": str(r.pk),
        "meta": meta("us-core-observation-screening-assessment"),
        "status": "final" if r.scorable else "cancelled",
        "category": _category("survey", "Survey"),
        "code": code,
        "subject": ref("Patient", r.patient_id),
        "effectiveDateTime": instant(r.completed_at),
        "issued": instant(r.completed_at),
        "performer": [performer] if performer else [],
        "valueQuantity": _score_quantity(r.score) if r.score is not None else None,
        "dataAbsentReason": concept(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-performed",
            "Not Performed", text=r.reason) if r.score is None else None,
        "derivedFrom": [ref("QuestionnaireResponse", r.pk)],
    })


def pain_observation(log: Any) -> dict[str, Any]:
    """Pain (0-10 NPRS, LOINC 72514-3) the patient logged for one exercise at home."""
    session = log.session
    return prune({
        "resourceType": "Observation",
        "id": f"pain-{log.pk}",
        "meta": meta("us-core-observation-screening-assessment"),
        "status": "final",
        "category": _category("survey", "Survey"),
        "code": {"coding": [{"system": LOINC, "code": NPRS_LOINC,
                             "display": "Pain severity - 0-10 verbal numeric rating [Score] "
                                        "- Reported"}], "text": "Pain (0-10)"},
        "subject": ref("Patient", session.patient_id),
        "effectiveDateTime": instant(session.completed_at),
        "performer": [ref("Patient", session.patient_id)],
        "valueQuantity": _score_quantity(log.pain),
        "note": [{"text": f"During a home exercise session: {log.exercise.name}"}],
    })


def _rom(*, pk: str, patient_id: int, when: Any, motion: str, label: str, side: str,
         peak: float, arc: float | None, reps: int | None, setting: str,
         view_ok: bool | None) -> dict[str, Any]:
    components: list[dict[str, Any]] = []
    if arc is not None:
        components.append({"code": {"coding": [{"system": MOTION_SYSTEM, "code": "arc"}],
                                    "text": "Arc moved (peak minus start)"},
                           "valueQuantity": _quantity(arc, "degrees", "deg")})
    if reps is not None:
        components.append({"code": {"coding": [{"system": MOTION_SYSTEM, "code": "reps"}],
                                    "text": "Repetitions counted"},
                           "valueInteger": int(reps)})
    notes = [{"text": setting}]
    if view_ok is False:
        notes.append({"text": "The camera view was not good enough for a reliable angle."})
    return prune({
        "resourceType": "Observation",
        "id": pk,
        "meta": meta("us-core-simple-observation"),
        "status": "final",
        "category": _category("exam", "Exam"),
        "code": {"coding": [{"system": MOTION_SYSTEM, "code": motion}],
                 "text": f"Range of motion: {label}"},
        "subject": ref("Patient", patient_id),
        "effectiveDateTime": instant(when),
        "bodySite": {"text": f"{label} ({side})" if side else label},
        "method": CAMERA_METHOD,
        "valueQuantity": _quantity(peak, "degrees", "deg"),
        "component": components,
        "note": notes,
    })


def visit_rom_observation(m: Any) -> dict[str, Any]:
    """A movement measured live in a video visit (visits.MovementMeasurement)."""
    return _rom(pk=f"rom-{m.pk}", patient_id=m.patient_ref, when=m.captured_at,
                motion=m.exercise, label=m.label or m.exercise, side=m.side,
                peak=m.peak_deg, arc=m.rom_deg, reps=m.reps,
                setting="Measured live in a video visit", view_ok=m.view_ok) | (
        {"encounter": ref("Encounter", m.visit.appointment_id)}
        if m.visit.appointment_id else {})


def home_rom_observation(log: Any) -> dict[str, Any]:
    """A camera-measured set of a home exercise session (exercises.ExerciseLog)."""
    return _rom(pk=f"homerom-{log.pk}", patient_id=log.session.patient_id,
                when=log.session.completed_at, motion=log.camera_exercise,
                label=log.exercise.name, side=log.camera_side, peak=log.camera_peak_deg,
                arc=log.camera_rom_deg, reps=log.camera_reps,
                setting="Measured by the patient's camera during a home exercise session",
                view_ok=log.camera_view_ok)


# --- Questionnaire / QuestionnaireResponse --------------------------------------------------

def questionnaire_url(code: str) -> str:
    return f"urn:telept:questionnaire:{code.lower()}"


def _answer_coding(code: str, value: int) -> dict[str, Any]:
    scale = MEASURES[code].scale
    display = str(value)
    if value == scale.minimum:
        display = f"{value} ({scale.low_anchor})"
    elif value == scale.maximum:
        display = f"{value} ({scale.high_anchor})"
    return {"system": f"{MEASURE_SYSTEM}:{code.lower()}:answer", "code": str(value),
            "display": display}


def questionnaire(code: str) -> dict[str, Any]:
    """The instrument's definition (static, from telept.clinical.measures)."""
    m = MEASURES[code]
    item_codes = ITEM_LOINC.get(code, ())
    items = []
    for i, text in enumerate(m.items):
        item: dict[str, Any] = {"linkId": str(i + 1), "text": text, "type": "choice",
                                "required": m.max_missing == 0 and m.min_items is None,
                                "answerOption": [
                                    {"valueCoding": _answer_coding(code, v)}
                                    for v in range(m.scale.minimum, m.scale.maximum + 1)]}
        if i < len(item_codes):
            item["code"] = [{"system": LOINC, "code": item_codes[i]}]
        items.append(item)
    return prune({
        "resourceType": "Questionnaire",
        "id": code.lower(),
        "url": questionnaire_url(code),
        "name": "".join(ch for ch in code.title() if ch.isalnum()),
        "title": m.name,
        "status": "active",
        "subjectType": ["Patient"],
        "code": measure_code(code)["coding"],
        "item": items,
    })


def questionnaire_response(r: Any) -> dict[str, Any]:
    labels = list(r.item_labels or [])
    items = []
    for i, answer in enumerate(r.answers or []):
        item: dict[str, Any] = {"linkId": str(i + 1)}
        if i < len(labels) and labels[i]:
            item["text"] = str(labels[i])
        elif r.code in MEASURES and i < len(MEASURES[r.code].items):
            item["text"] = MEASURES[r.code].items[i]
        if answer is not None:
            if r.code in MEASURES:
                item["answer"] = [{"valueCoding": _answer_coding(r.code, int(answer))}]
            else:
                item["answer"] = [{"valueInteger": int(answer)}]
        items.append(item)
    source = ref("Patient", r.patient_id) if r.source == "portal" else None
    return prune({
        "resourceType": "QuestionnaireResponse",
        "id": str(r.pk),
        "meta": meta("us-core-questionnaireresponse"),
        "questionnaire": questionnaire_url(r.code),
        "status": "completed",
        "subject": ref("Patient", r.patient_id),
        "authored": instant(r.completed_at),
        "author": source or ({"display": "Entered by practice staff"}),
        "source": source,
        "item": items,
        "extension": [{"url": "urn:telept:fhir:score",
                       "valueDecimal": round(float(r.score), 3)}] if r.score is not None else [],
    })


# --- Goal / CarePlan ------------------------------------------------------------------------

def goal(g: Any) -> dict[str, Any]:
    lifecycle, achievement = GOAL_LIFECYCLE.get(g.status, ("active", None))
    if g.measure_code:
        measure = measure_code(g.measure_code)
        target_value = _score_quantity(g.target)
    else:
        measure = {"text": g.metric or g.description}
        target_value = ({"value": g.target, "unit": g.unit} if g.unit
                        else {"value": g.target})
    return prune({
        "resourceType": "Goal",
        "id": str(g.pk),
        "meta": meta("us-core-goal"),
        "lifecycleStatus": lifecycle,
        "achievementStatus": concept(GOAL_ACHIEVEMENT, achievement) if achievement else None,
        "category": [{"text": "Short-term goal" if g.term == "short" else "Long-term goal"}],
        "description": {"text": g.description},
        "subject": ref("Patient", g.patient_id),
        "startDate": day(g.created_at.date()) if g.created_at else None,
        "target": [{"measure": measure, "detailQuantity": target_value,
                    "dueDate": day(g.target_date)}],
        "statusDate": day(g.status_changed_at.date()) if g.status_changed_at else None,
        "note": [{"text": f"Baseline {g.baseline:g}{(' ' + g.unit) if g.unit else ''}"}],
    })


def plan_of_care(p: Any) -> dict[str, Any]:
    """A hybrid plan of care (scheduling.CarePlan): weeks, planned visits, its provider."""
    import datetime as dt

    end = p.start_date + dt.timedelta(weeks=p.weeks)
    summary = (f"{p.title}: {p.planned_visits} visits over {p.weeks} weeks from "
               f"{p.start_date.isoformat()}")
    return prune({
        "resourceType": "CarePlan",
        "id": str(p.pk),
        "meta": meta("us-core-careplan"),
        "text": _div(summary),
        "status": "active" if end >= _today() else "completed",
        "intent": "plan",
        "category": [concept(CAREPLAN_CATEGORY, "assess-plan",
                             "Assessment and Plan of Treatment"),
                     {"text": "Plan of care (physical therapy)"}],
        "title": p.title,
        "subject": ref("Patient", p.patient_id),
        "period": {"start": day(p.start_date), "end": day(end)},
        "created": instant(p.created_at),
        "author": ref("Practitioner", p.provider_id),
        "activity": [{"detail": {
            "kind": "Appointment", "status": "scheduled",
            "description": f"{p.planned_visits} physical therapy visits",
            "scheduledPeriod": {"start": day(p.start_date), "end": day(end)},
            "performer": [ref("Practitioner", p.provider_id)]}}],
    })


def home_program(prog: Any) -> dict[str, Any]:
    """A home exercise program (exercises.Program) and its exercises."""
    items = list(prog.items.all())
    activities = []
    for item in items:
        dose = [f"{item.sets} sets" if item.sets else "",
                f"{item.reps} reps" if item.reps else "",
                f"hold {item.hold_seconds} s" if item.hold_seconds else "",
                f"{item.times_per_day}x a day" if item.times_per_day else "",
                f"{item.days_per_week} days a week" if item.days_per_week else ""]
        activities.append({"detail": {
            "kind": "ServiceRequest",
            "code": {"text": item.exercise.name},
            "status": "in-progress" if prog.active and not prog.paused_at else "on-hold",
            "description": ", ".join(d for d in dose if d) + (
                f". {item.notes}" if item.notes else ""),
        }})
    status = "active" if prog.active and not prog.paused_at else (
        "on-hold" if prog.active else "completed")
    names = ", ".join(i.exercise.name for i in items) or "no exercises yet"
    return prune({
        "resourceType": "CarePlan",
        "id": f"hep-{prog.pk}",
        "meta": meta("us-core-careplan"),
        "text": _div(f"{prog.title}: {names}"),
        "status": status,
        "intent": "plan",
        "category": [concept(CAREPLAN_CATEGORY, "assess-plan",
                             "Assessment and Plan of Treatment"),
                     {"text": "Home exercise program"}],
        "title": prog.title,
        "subject": ref("Patient", prog.patient_id),
        "period": {"start": day(prog.start_date)},
        "created": instant(prog.created_at),
        "activity": activities,
        "note": [{"text": prog.pause_reason}] if prog.paused_at and prog.pause_reason else [],
    })


def _today() -> Any:
    import datetime as dt

    return dt.date.today()


# --- DocumentReference / Binary -------------------------------------------------------------

def document_reference(n: Any) -> dict[str, Any]:
    loinc, display = NOTE_LOINC.get(n.kind, ("11506-3", "Progress note"))
    signer = n.cosigned_by or n.signed_by
    return prune({
        "resourceType": "DocumentReference",
        "id": str(n.pk),
        "meta": meta("us-core-documentreference"),
        "identifier": [{"system": "urn:telept:note-seal-sha256", "value": n.content_hash}],
        "status": "current",
        "docStatus": "final" if n.status == "final" else "preliminary",
        "type": {"coding": [{"system": LOINC, "code": loinc, "display": display}],
                 "text": n.get_kind_display()},
        "category": [concept(US_CORE_DOC_CATEGORY, "clinical-note", "Clinical Note")],
        "subject": ref("Patient", n.patient_id),
        "date": instant(n.cosigned_at or n.signed_at),
        "author": [ref("Practitioner", n.provider_id, n.provider.display_name)],
        "authenticator": {"display": getattr(signer, "full_name", "") or str(signer)}
        if signer else None,
        "custodian": ref("Organization", n.practice_id),
        "content": [{"attachment": {
            "contentType": "application/pdf",
            "url": f"Binary/note-{n.pk}",
            "title": f"{n.get_kind_display()} of {n.date_of_service.isoformat()}",
            "creation": instant(n.signed_at)},
            "format": {"system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
                       "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
                       "display": "mimeType Sufficient"}}],
        "context": {
            "encounter": [ref("Encounter", n.appointment_id)] if n.appointment_id else [],
            "period": {"start": day(n.date_of_service), "end": day(n.date_of_service)}},
    })


def binary_note(n: Any) -> dict[str, Any]:
    from telept.fhir.note_pdf import note_pdf

    return {"resourceType": "Binary", "id": f"note-{n.pk}", "contentType": "application/pdf",
            "data": base64.b64encode(note_pdf(n)).decode("ascii")}
