"""Builders for the RTM tests: an established patient, an enrolment with consent, data days
(sessions, camera sets, recordings) and reviews on chosen days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from telept.billing.models import FeeSchedule
from telept.billing.tests.helpers import certified_evaluation, setup_billing
from telept.exercises.models import Exercise, ExerciseLog, ExerciseSession, Program, Recording
from telept.practices.models import Provider
from telept.rtm import services
from telept.rtm.models import Enrolment
from telept.tests import factories

RTM_FEES = {"98975": "19.00", "98977": "44.00", "98985": "40.00", "98979": "22.00",
            "98980": "48.00", "98981": "39.00"}


def zone(cast: Any) -> ZoneInfo:
    return ZoneInfo(cast.practice.time_zone)


def at(cast: Any, day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone(cast))


def pta_provider(cast: Any) -> Provider:
    found = Provider.objects.filter(user=cast.users["pta"]).first()
    return found or factories.ProviderFactory(practice=cast.practice, user=cast.users["pta"],
                                              slug="riverside-pta", credentials="PTA")


def established(cast: Any, capture: Any, patient: Any = None, days_ago: float = 200) -> Any:
    """Billing set up (Medicare, fees incl. RTM) and a certified initial evaluation."""
    setup_billing(cast)
    for code, amount in RTM_FEES.items():
        FeeSchedule.objects.update_or_create(payer=cast.payer, code_id=code,
                                             defaults={"unit_charge": Decimal(amount)})
    return certified_evaluation(cast, capture, patient=patient or cast.patient,
                                days_ago=days_ago)


def enrol(cast: Any, *, start: dt.date, patient: Any = None, consent: bool = True,
          end: dt.date | None = None, kinds: tuple[str, ...] = ("sessions", "recordings"),
          ) -> Enrolment:
    patient = patient or cast.patient
    enrolment = services.enrolment_create(
        actor=cast.actor("pt"), patient_id=patient.pk, goals="Walk 30 minutes without pain.",
        start=start, end_date=end or start + dt.timedelta(days=120), data_kinds=kinds)
    if consent:
        # Signed at 9 on the first day, or now when that is still ahead (a test that enrols
        # from today, run before 9 in the practice's zone).
        signed = min(at(cast, start, 9), timezone.now())
        services.enrolment_consent(actor=cast.actor("pt"), enrolment_id=enrolment.pk,
                                   signer=patient.full_name, signed_at=signed)
    enrolment.refresh_from_db()
    return enrolment


def _program(cast: Any, patient: Any) -> Program:
    return (Program.objects.filter(patient=patient).first()
            or Program.objects.create(patient=patient, created_by=cast.users["pt"],
                                      start_date=dt.date(2026, 1, 1)))


def session_on(cast: Any, day: dt.date, *, patient: Any = None, pain: int | None = 3,
               camera: bool = False) -> ExerciseSession:
    patient = patient or cast.patient
    when = at(cast, day, 18)
    session = ExerciseSession.objects.create(program=_program(cast, patient), patient=patient,
                                             started_at=when, completed_at=when,
                                             local_date=day)
    squat = Exercise.objects.get(practice__isnull=True, slug="mini-squat")
    ExerciseLog.objects.create(session=session, exercise=squat, status="done", pain=pain,
                               camera_exercise="squat" if camera else "",
                               camera_reps=8 if camera else None)
    return session


def sessions(cast: Any, start: dt.date, count: int, **kw: Any) -> None:
    for n in range(count):
        session_on(cast, start + dt.timedelta(days=n), **kw)


def recording(cast: Any, uploaded: dt.datetime, *, patient: Any = None) -> Recording:
    patient = patient or cast.patient
    squat = Exercise.objects.get(practice__isnull=True, slug="mini-squat")
    rec = Recording.objects.create(patient=patient, practice=patient.practice, exercise=squat,
                                   motion_key="mini_squat", file="2026/12/test.webm",
                                   content_type="video/webm", size=100)
    Recording.objects.filter(pk=rec.pk).update(uploaded_at=uploaded)
    rec.refresh_from_db()
    return rec


def review(rec: Recording, *, by: Any, seconds: int, when: dt.datetime) -> Recording:
    """What recording_review stores: the seconds add up, the last reviewer and time stay."""
    rec.refresh_from_db()
    Recording.objects.filter(pk=rec.pk).update(
        reviewed_by=by, reviewed_at=when, review_seconds=(rec.review_seconds or 0) + seconds,
        feedback="Good depth.")
    rec.refresh_from_db()
    return rec
