"""The clinical sections of the staff chart and of the patient's portal home.

Not audited again here: they are part of the chart whose read `patients.selectors.
patient_chart` has just audited (one read event per chart, as for its visits). Opening any
single record from the chart (a note, a thread, an assignment) is audited by its selector.
"""

from __future__ import annotations

from telept.accounts.actor import Actor
from telept.accounts.roles import CLINICAL_ROLES, Role
from telept.clinical.forms import EducationAssignForm, MeasureScheduleForm
from telept.clinical.models import NoteKind
from telept.clinical.selectors.education import article_library, assignments_for
from telept.clinical.selectors.feedback import surveys_due_for
from telept.clinical.selectors.goals import goals_for
from telept.clinical.selectors.measures import measure_summaries_for, measures_due_for
from telept.clinical.selectors.messaging import CARE_TEAM, threads_for_chart, unread_total
from telept.clinical.selectors.notes import note_appointment_choices, note_rows
from telept.patients.models import Patient


def clinical_chart(*, actor: Actor, patient: Patient) -> dict[str, object]:
    """Everything the chart's clinical sections show. `patient` must come from a scoped
    read (`patient_chart`); staff only."""
    if not actor.is_staff_role or patient.practice_id != actor.practice_id:
        return {}
    summaries = measure_summaries_for(patient)
    kinds = NoteKind.choices if actor.role == Role.PT else [
        (k, label) for k, label in NoteKind.choices if k == NoteKind.DAILY]
    return {
        "notes": note_rows(actor=actor, patient=patient),
        "education": assignments_for(patient),
        "can_message": actor.role in CARE_TEAM,
        "chart_threads": threads_for_chart(actor=actor, patient_id=patient.pk)
        if actor.role in CARE_TEAM else [],
        "education_form": EducationAssignForm(articles=article_library()),
        "note_kinds": kinds if actor.role in CLINICAL_ROLES else [],
        "note_appointments": note_appointment_choices(actor=actor, patient_id=patient.pk),
        "measure_summaries": summaries,
        "goals": goals_for(patient),
        "can_edit_goals": actor.role == Role.PT,
        "measure_schedule_form": MeasureScheduleForm(),
        "can_document": actor.role in CLINICAL_ROLES,
    }


def clinical_portal(*, actor: Actor, patient: Patient) -> dict[str, object]:
    """What the portal home shows of the clinical record (the patient's own only)."""
    if not actor.is_patient or actor.patient_id != patient.pk:
        return {}
    due = measures_due_for(patient)
    unread_articles = [a for a in assignments_for(patient) if a.read_at is None]
    return {"measures_due": due, "goals": goals_for(patient),
            "unread_articles": unread_articles, "unread_messages": unread_total(actor=actor),
            "surveys_due": surveys_due_for(patient)}
