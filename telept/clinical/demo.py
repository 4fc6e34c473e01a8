"""Demo clinical record for Riverside (called by `manage.py seed_demo`; idempotent).

Maria Garcia (patient@riverside.example, right knee osteoarthritis) gets a plan of care:
KOOS JR and pain scores over five weeks, two goals, a signed evaluation, a PTA's daily note
waiting for Dana Lopez's co-signature, two articles, a conversation, and a video visit two
days ago whose feedback survey is waiting in her portal. A few other patients' past video
visits carry feedback so the practice dashboard has something to show.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from telept.accounts.actor import actor_for
from telept.clinical.models import (
    Article,
    EducationAssignment,
    FeedbackResponse,
    MeasureResponse,
    MeasureSchedule,
    Message,
    Thread,
    ThreadRead,
)
from telept.clinical.services import goals, notes
from telept.clinical.services.education import education_assign, education_mark_read
from telept.clinical.services.measures import measure_response_submit, measure_schedule_set
from telept.patients.models import Patient
from telept.practices.models import Practice, Provider
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment


def _past_visit(patient: Patient, provider: Provider, *, days_ago: int, hour: int,
                modality: str = "video") -> Appointment:
    """A completed visit before the demo's opening hours, so it never overlaps one."""
    zone = ZoneInfo(patient.practice.time_zone)
    day = timezone.now().astimezone(zone).date() - dt.timedelta(days=days_ago)
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
    return Appointment.objects.create(
        practice=patient.practice, provider=provider, patient=patient,
        visit_type=_visit_types(patient.practice)["follow_up"], modality=modality,
        start=start, end=start + dt.timedelta(minutes=30),
        busy_end=start + dt.timedelta(minutes=40), status=Appointment.Status.COMPLETED,
        patient_state=patient.state or "NY")


def _backdate(row: MeasureResponse, days_ago: int) -> None:
    MeasureResponse.objects.filter(pk=row.pk).update(
        completed_at=timezone.now() - dt.timedelta(days=days_ago))


@transaction.atomic
def seed_clinical() -> None:
    practice = Practice.objects.filter(slug="riverside").first()
    maria = Patient.objects.filter(practice=practice, mrn="R0001").first()
    if practice is None or maria is None or maria.user is None \
            or MeasureSchedule.objects.filter(patient=maria).exists():
        return
    dana = Provider.objects.get(user__email="pt@riverside.example")
    jordan = Provider.objects.get(user__email="pta@riverside.example")
    if jordan.supervising_id is None:
        jordan.supervising = dana
        jordan.save(update_fields=["supervising"])
    pt, pta = actor_for(dana.user), actor_for(jordan.user)
    patient = actor_for(maria.user)

    # Outcome measures: KOOS JR, LEFS and pain, baseline five weeks ago, then since.
    measure_schedule_set(actor=pt, patient_id=maria.pk, code="KOOSJR", at_evaluation=True,
                         every_visits=2, every_days=None)  # due again now: two visits since
    measure_schedule_set(actor=pt, patient_id=maria.pk, code="NPRS", at_evaluation=True,
                         every_visits=None, every_days=14)
    measure_schedule_set(actor=pt, patient_id=maria.pk, code="LEFS", at_evaluation=True,
                         every_visits=None, every_days=14)
    lefs = [[2] * 8 + [1] * 12, [2] * 14 + [3] * 6, [3] * 15 + [2] * 5]  # 28, 46, 55 of 80
    for code, answers, days in (("KOOSJR", [3, 3, 2, 3, 2, 3, 2], 35),
                                ("NPRS", [7], 35), ("LEFS", lefs[0], 35),
                                ("LEFS", lefs[1], 21), ("KOOSJR", [2, 2, 1, 2, 1, 2, 1], 7),
                                ("NPRS", [4], 7), ("LEFS", lefs[2], 7)):
        _backdate(measure_response_submit(actor=patient, patient_id=maria.pk, code=code,
                                          answers=answers), days)

    # Goals of the plan of care.
    target_date = timezone.localdate() + dt.timedelta(days=35)
    goals.goal_create(actor=pt, patient_id=maria.pk, data=goals.GoalInput(
        description="Climb the subway stairs without stopping", term="long",
        measure_code="KOOSJR", metric="", unit="", baseline=42.3, target=70,
        target_date=target_date))
    walk_goal = goals.goal_create(actor=pt, patient_id=maria.pk, data=goals.GoalInput(
        description="Walk 30 minutes to the park and back", term="short", measure_code="",
        metric="Continuous walking", unit="min", baseline=10, target=30,
        target_date=target_date - dt.timedelta(days=14)))

    # A signed initial evaluation, and a PTA's daily note awaiting co-signature.
    evaluation = _past_visit(maria, dana, days_ago=35, hour=7)
    note = notes.note_create(actor=pt, patient_id=maria.pk, kind="initial_eval",
                             appointment_id=evaluation.pk)
    notes.note_update(actor=pt, note_id=note.pk, data=notes.NoteInput(
        date_of_service=evaluation.start.date(), appointment_id=evaluation.pk,
        content={"history": "Right knee pain for 8 months, worse on stairs. Retired "
                            "teacher; lives on the 3rd floor, no elevator.",
                 "systems_review": "Cardiovascular and integumentary unremarkable. "
                                   "Hypertension, controlled.",
                 "tests_measures": "Knee flexion 105°, extension -5°. Quadriceps 4/5. "
                                   "KOOS JR 42.3, NPRS 7/10. 30-s chair stand: 8.",
                 "assessment": "Right knee OA with quadriceps weakness limiting stairs and "
                               "walking. Good candidate for telehealth exercise care.",
                 "plan": "Strengthening, gait and stair training, HEP, education."},
        personal_factors=1, body_elements=3, presentation="evolving", decision="moderate",
        frequency_per_week=2, duration_weeks=8,
        interventions=(notes.InterventionInput(cpt_code="97110", minutes=15,
                                               provider_id=dana.pk,
                                               description="HEP instruction"),)))
    notes.note_sign(actor=pt, note_id=note.pk)
    daily_visit = _past_visit(maria, jordan, days_ago=5, hour=7, modality="in_person")
    daily = notes.note_create(actor=pta, patient_id=maria.pk, kind="daily",
                              appointment_id=daily_visit.pk)
    notes.note_update(actor=pta, note_id=daily.pk, data=notes.NoteInput(
        date_of_service=daily_visit.start.date(), appointment_id=daily_visit.pk,
        content={"subjective": "Pain 4/10. Walked 20 minutes twice this week.",
                 "objective": "Knee flexion 115°. Step-ups 3x10 with rail.",
                 "assessment": "Improving; tolerating progression.",
                 "plan": "Progress to step-ups without rail."},
        interventions=(notes.InterventionInput(cpt_code="97110", minutes=25,
                                               provider_id=jordan.pk),
                       notes.InterventionInput(cpt_code="97116", minutes=10,
                                               provider_id=jordan.pk)),
        goal_updates=(notes.GoalUpdateInput(goal_id=walk_goal.pk, status="partially_met",
                                            current_value=20),)))
    notes.note_sign(actor=pta, note_id=daily.pk)

    # Education: one read, one new.
    read = education_assign(actor=pt, patient_id=maria.pk,
                            article_id=Article.objects.get(slug="knee-osteoarthritis").pk)
    opened = timezone.now() - dt.timedelta(minutes=4)
    EducationAssignment.objects.filter(pk=read.pk).update(first_opened_at=opened,
                                                          last_opened_at=opened)
    education_mark_read(actor=patient, assignment_id=read.pk)
    education_assign(actor=pt, patient_id=maria.pk,
                     article_id=Article.objects.get(slug="stairs-with-a-sore-knee").pk,
                     message="Handy for your subway stairs.")

    # A conversation (rows written directly: seeding sends no e-mail or text), and a video
    # visit two days ago with its survey waiting.
    sent = timezone.now() - dt.timedelta(days=1, hours=3)
    thread = Thread.objects.create(practice=practice, patient=maria, created_by=maria.user,
                                   subject="Knee sore after step-ups",
                                   last_message_at=sent + dt.timedelta(hours=2))
    Message.objects.create(thread=thread, sender=maria.user, from_patient=True, sent_at=sent,
                           body="My knee was sore the evening after the new step-ups. "
                                "Should I keep doing them?")
    Message.objects.create(thread=thread, sender=dana.user, from_patient=False,
                           sent_at=sent + dt.timedelta(hours=2),
                           body="Some soreness that settles by the next morning is fine. If "
                                "it lasts longer, do 2 sets instead of 3 and tell me at your "
                                "next visit.")
    ThreadRead.objects.create(thread=thread, user=dana.user,
                              last_read_at=sent + dt.timedelta(hours=2))
    _past_visit(maria, dana, days_ago=2, hour=7)

    # Feedback from other patients for the dashboard.
    others = list(Patient.objects.filter(practice=practice).exclude(pk=maria.pk)
                  .order_by("mrn")[:6])
    providers = list(Provider.objects.filter(practice=practice).exclude(pk=jordan.pk)
                     .order_by("id"))
    survey: list[tuple[int, int, list[str]]] = [
        (5, 10, []), (4, 9, ["video"]), (3, 6, ["audio", "echo"]), (5, 9, []), (4, 8, []),
        (2, 4, ["dropped", "connect"]), (5, 10, []), (4, 7, ["video"])]
    for index, (satisfaction, recommend, problems) in enumerate(survey):
        who = others[index % len(others)]
        provider = providers[index % len(providers)]
        visit = _past_visit(who, provider, days_ago=3 + index * 9, hour=6)
        FeedbackResponse.objects.create(
            practice=practice, patient=who, appointment=visit, provider=provider,
            modality=visit.modality, satisfaction=satisfaction, recommend=recommend,
            problems=problems, submitted_at=visit.end + dt.timedelta(hours=2),
            comment="The exercise demo on video was clear." if index == 0 else "")

