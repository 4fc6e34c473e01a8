"""A patient's feedback on a completed video or audio visit (once per visit)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from telept.accounts.actor import Actor
from telept.audit.services import audit_record
from telept.clinical.models import TECHNICAL_PROBLEMS, FeedbackResponse
from telept.clinical.selectors.feedback import survey_appointment
from telept.lib.errors import Conflict, DomainError, PermissionDenied

PROBLEM_CODES = {code for code, _ in TECHNICAL_PROBLEMS}


@transaction.atomic
def feedback_submit(*, actor: Actor, appointment_id: int, satisfaction: int, recommend: int,
                    problems: Sequence[str] = (), comment: str = "") -> FeedbackResponse:
    if not actor.is_patient:
        raise PermissionDenied("Feedback comes from the patient.")
    appointment = survey_appointment(actor=actor, appointment_id=appointment_id)
    if appointment is None:
        raise Conflict("feedback_closed", "This visit is not open for feedback (already "
                       "answered, not a completed video or audio visit, or too long ago).")
    if not 1 <= satisfaction <= 5 or not 0 <= recommend <= 10:
        raise DomainError("invalid_feedback", "Satisfaction is 1-5 and recommendation 0-10.")
    unknown = set(problems) - PROBLEM_CODES
    if unknown:
        raise DomainError("invalid_feedback", "Unknown technical problem.", field="problems")
    try:
        with transaction.atomic():
            response = FeedbackResponse.objects.create(
                practice_id=appointment.practice_id, patient_id=appointment.patient_id,
                appointment=appointment, provider_id=appointment.provider_id,
                modality=appointment.modality, satisfaction=satisfaction, recommend=recommend,
                problems=sorted(set(problems)), comment=comment.strip()[:1000],
                submitted_at=timezone.now())
    except IntegrityError:
        raise Conflict("feedback_closed", "Thanks, this visit already has your feedback.") \
            from None
    audit_record(actor=actor, action="create", object_type="FeedbackResponse",
                 object_id=response.pk, patient_id=appointment.patient_id,
                 detail={"appointment": appointment.pk})
    return response
