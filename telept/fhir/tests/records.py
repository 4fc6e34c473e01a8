"""A patient's care record built straight in the database, for the FHIR tests and benchmark.

`care_record(patient, pt_user, visits=..., ...)` makes, over the last `days` days: completed
appointments one a week or more apart (video ones with an ended Visit, seats, events and a
movement measured live), outcome-measure responses (KOOS JR, ODI, NPRS ... scored by the
real instruments), a home exercise program with sessions whose logs carry pain and camera
measurements, a goal, a plan of care, a diagnosis, a consent, an RTM enrolment with consent
and one signed (sealed) note. Returns a dict of what it made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

MEASURE_ANSWERS = {"KOOSJR": [1, 2, 1, 0, 2, 1, 1], "ODI": [1, 2, 1, 0, 2, 1, 1, 0, 1, 2],
                   "NPRS": [4], "HOOSJR": [1, 1, 0, 2, 1, 1]}


def care_record(patient: Any, pt_user: Any, *, visits: int = 4, measures: int = 4,
                pain_logs: int = 4, home_rom: int = 2, visit_rom: int = 2,
                days: int = 60, signed_note: bool = True) -> dict[str, Any]:
    from telept.clinical.measures import MEASURES
    from telept.clinical.models import Goal, MeasureResponse
    from telept.exercises.models import Exercise, ExerciseLog, ExerciseSession, Program, ProgramItem
    from telept.patients.models import Consent, Diagnosis
    from telept.practices.models import Location
    from telept.rtm.models import Enrolment
    from telept.scheduling.models import Appointment, CarePlan, VisitType
    from telept.visits.models import MovementMeasurement, Participant, Visit, VisitEvent

    provider = pt_user.provider
    practice = patient.practice
    now = timezone.now().replace(microsecond=0)
    first = now - dt.timedelta(days=days)
    vtype = VisitType.objects.filter(practice=practice, kind="follow_up").first() or \
        VisitType.objects.create(practice=practice, kind="follow_up", name="Follow-up visit",
                                 duration_minutes=45, modalities=["video", "in_person"])
    location = Location.objects.filter(practice=practice).first() or Location.objects.create(
        practice=practice, name="Main clinic", line1="1 River St", city="Albany", state="NY",
        postal_code="12207", phone="+15185550100")
    plan = CarePlan.objects.create(practice=practice, patient=patient, provider=provider,
                                   title="Knee rehabilitation", start_date=first.date(),
                                   weeks=max(1, days // 7), planned_visits=visits,
                                   created_by=pt_user)
    appointments, video = [], []
    step = dt.timedelta(days=max(1, days) / max(1, visits))
    existing = Appointment.objects.filter(provider=provider).count()
    for i in range(visits):
        # a different hour per record so several records of one provider never overlap
        start = (first + step * i).replace(hour=8 + (existing % 9), minute=0, second=0)
        start += dt.timedelta(minutes=(existing // 9) % 4 * 15)
        modality = "video" if i % 2 == 0 else "in_person"
        a = Appointment.objects.create(
            practice=practice, provider=provider, patient=patient, visit_type=vtype,
            modality=modality, start=start, end=start + dt.timedelta(minutes=45),
            busy_end=start + dt.timedelta(minutes=45), status="completed", care_plan=plan,
            location=location if modality == "in_person" else None)
        appointments.append(a)
        if modality == "video":
            visit = Visit.objects.create(practice=practice, provider=provider, appointment=a,
                                         status="ended", started_at=start,
                                         ended_at=start + dt.timedelta(minutes=40))
            host = Participant.objects.create(visit=visit, role="provider", is_host=True,
                                              user=pt_user, display_name=provider.display_name,
                                              status="left")
            seat = Participant.objects.create(visit=visit, role="patient", patient=patient,
                                              display_name=patient.full_name, status="left")
            VisitEvent.objects.bulk_create([
                VisitEvent(visit=visit, participant=host, kind="join", at=start),
                VisitEvent(visit=visit, participant=seat, kind="join", at=start),
                VisitEvent(visit=visit, participant=seat, kind="admit",
                           at=start + dt.timedelta(minutes=2)),
                VisitEvent(visit=visit, participant=seat, kind="leave",
                           at=start + dt.timedelta(minutes=40)),
                VisitEvent(visit=visit, kind="end", at=start + dt.timedelta(minutes=40))])
            video.append((visit, seat))
    measurements = []
    for i in range(visit_rom):
        visit, seat = video[i % len(video)]
        measurements.append(MovementMeasurement.objects.create(
            visit=visit, participant=seat, exercise="knee_flexion", side="left",
            label="Left knee flexion", peak_deg=95.0 + i, rom_deg=80.0 + i, reps=5,
            view_ok=True, captured_at=visit.started_at + dt.timedelta(minutes=10 + i % 20),
            captured_by=pt_user))
    codes = list(MEASURE_ANSWERS)
    responses = []
    for i in range(measures):
        code = codes[i % len(codes)]
        result = MEASURES[code].score(answers=MEASURE_ANSWERS[code])
        responses.append(MeasureResponse(
            practice=practice, patient=patient, code=code, answers=MEASURE_ANSWERS[code],
            score=result.score, scorable=result.scorable, reason=result.reason or "",
            loinc=MEASURES[code].loinc or "", source="portal", entered_by=pt_user,
            completed_at=first + dt.timedelta(days=i * days / max(1, measures))))
    MeasureResponse.objects.bulk_create(responses)
    exercise = Exercise.objects.filter(practice=practice, slug="fhir-squat").first() or \
        Exercise.objects.create(practice=practice, name="Mini squat", slug="fhir-squat",
                                region="knee", goal="strength",
                                motion_key="squat")
    program = Program.objects.create(patient=patient, created_by=pt_user,
                                     start_date=first.date())
    item = ProgramItem.objects.create(program=program, exercise=exercise, sets=2, reps=10)
    logs = max(pain_logs, home_rom)
    for i in range(logs):
        when = first + dt.timedelta(days=i * days / max(1, logs), hours=18)
        session = ExerciseSession.objects.create(
            program=program, patient=patient, started_at=when - dt.timedelta(minutes=20),
            completed_at=when, local_date=when.date())
        camera = i < home_rom
        ExerciseLog.objects.create(
            session=session, item=item, exercise=exercise, status="done", sets_done=2,
            reps_done=10, pain=(3 + i % 4) if i < pain_logs else None,
            camera_exercise="squat" if camera else "", camera_side="left" if camera else "",
            camera_peak_deg=100.0 + i if camera else None,
            camera_rom_deg=70.0 + i if camera else None, camera_reps=10 if camera else None,
            camera_view_ok=True if camera else None)
    goal = Goal.objects.create(practice=practice, patient=patient,
                               description="Climb stairs without pain", measure_code="KOOSJR",
                               baseline=55.0, target=80.0,
                               target_date=(now + dt.timedelta(days=30)).date(),
                               created_by=pt_user)
    diagnosis = Diagnosis.objects.create(patient=patient, code="M1711",
                                         description="Unilateral primary osteoarthritis, "
                                                     "right knee", is_primary=True,
                                         onset_date=first.date())
    consent = Consent.objects.create(patient=patient, kind="telehealth", version="2026-01",
                                     signed_by=patient.full_name, signed_at=first,
                                     recorded_by=pt_user)
    enrolment = Enrolment.objects.create(
        practice=practice, patient=patient, enrolled_by=provider, diagnosis_code="M1711",
        goals="Home exercise three times a week", data_kinds=["sessions"],
        start=first.date(), end_date=(now + dt.timedelta(days=30)).date(),
        consent_version="rtm-1", consent_at=first, consent_signer=patient.full_name,
        created_by=pt_user)
    note = None
    if signed_note:
        note = signed_daily_note(patient, pt_user, appointment=appointments[0]
                                 if appointments else None)
    claim = paid_claim(note) if note is not None and patient.coverages.exists() else None
    return {"appointments": appointments, "visits": [v for v, _ in video], "claim": claim,
            "measurements": measurements, "responses": responses, "program": program,
            "goal": goal, "plan": plan, "diagnosis": diagnosis, "consent": consent,
            "enrolment": enrolment, "note": note}


def signed_daily_note(patient: Any, pt_user: Any, *, appointment: Any = None) -> Any:
    from telept.clinical.models import Intervention, Note
    from telept.clinical.sealing import note_seal

    note = Note.objects.create(
        practice=patient.practice, patient=patient, kind="daily", provider=pt_user.provider,
        author=pt_user, appointment=appointment, date_of_service=timezone.localdate(),
        content={"subjective": "Knee feels better.", "objective": "Flexion 95 degrees.",
                 "assessment": "Improving.", "plan": "Continue the program."})
    Intervention.objects.create(note=note, cpt_code="97110", minutes=23,
                                provider=pt_user.provider)
    note.status, note.signed_by, note.signed_at = "final", pt_user, timezone.now()
    note.content_hash = note_seal(note)
    note.save()
    return note


def paid_claim(note: Any, *, paid: str = "80.00", status: str = "paid") -> Any:
    """A claim for the note's visit, sent in a batch and paid (or denied) by the payer."""
    from decimal import Decimal

    from telept.billing.models import Charge, ChargeLine, Claim, ClaimBatch

    patient = note.patient
    coverage = patient.coverages.select_related("payer").first()
    charge = Charge.objects.create(
        practice=note.practice, patient=patient, note=note, rendering=note.provider,
        payer=coverage.payer, coverage=coverage, date_of_service=note.date_of_service,
        modality="video", pos="10", diagnoses=["M1711"], total_charge=Decimal("120.00"),
        status="billed")
    ChargeLine.objects.create(charge=charge, number=1, code="97110", minutes=23, units=2,
                              modifiers=["GP", "95"], pos="10", dx_pointers=[1],
                              unit_charge=Decimal("60.00"), amount=Decimal("120.00"))
    batch = ClaimBatch.objects.create(practice=note.practice, payer=coverage.payer,
                                      control_number=Claim.objects.count() + 1, valid=True)
    return Claim.objects.create(
        practice=note.practice, patient=patient, charge=charge, payer=coverage.payer,
        coverage=coverage, number=f"TPT{note.pk:06d}", status=status, batch=batch,
        total_charge=Decimal("120.00"), paid_amount=Decimal(paid),
        patient_responsibility=Decimal("20.00"),
        denial_reason="CO-50 not medically necessary" if status == "denied" else "")
