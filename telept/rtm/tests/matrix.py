"""RTM records for the permission walks (telept/tests/test_api_matrix.py and
test_permission_matrix.py): one consented enrolment of a cast patient, by their practice's
PT, with one open 30-day period, made once with the ORM (the services have their own
tests). The period is counted already, so a listing does not recount it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from telept.clinical.tests.matrix import clinician
from telept.tests.factories import local_today


def enrolment_of(cast: Any, target: str) -> int:
    from telept.rtm.models import Enrolment

    patient = cast.patients[target]
    found = Enrolment.objects.filter(patient=patient).first()
    if found:
        return found.pk
    pt = clinician(cast, target)
    today = local_today()
    return Enrolment.objects.create(
        practice=patient.practice, patient=patient, enrolled_by=pt.provider,
        diagnosis_code="M17.11", goals="Matrix goals.", data_kinds=["sessions"],
        start=today - dt.timedelta(days=5), end_date=today + dt.timedelta(days=85),
        consent_version="rtm-2026-1", consent_at=timezone.now() - dt.timedelta(days=5),
        consent_signer=patient.full_name, created_by=pt).pk


def period_of(cast: Any, target: str) -> int:
    from telept.rtm.models import RtmPeriod

    enrolment_id = enrolment_of(cast, target)
    found = RtmPeriod.objects.filter(enrolment_id=enrolment_id).first()
    if found:
        return found.pk
    patient = cast.patients[target]
    start = local_today() - dt.timedelta(days=3)
    return RtmPeriod.objects.create(
        enrolment_id=enrolment_id, practice=patient.practice, patient=patient, clock="data",
        start=start, end=start + dt.timedelta(days=29), data_days=3,
        proposed_codes=[{"code": "98975", "units": 1}, {"code": "98985", "units": 1}],
        why="3 data days: 98985 so far.", counted_at=timezone.now() + dt.timedelta(days=1),
    ).pk
