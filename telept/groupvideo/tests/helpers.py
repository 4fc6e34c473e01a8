"""Group classes for tests: a host appointment with a capacity and seat appointments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from telept.patients.models import Patient
from telept.practices.models import Practice, Provider
from telept.scheduling.links import join_path_issue
from telept.scheduling.models import Appointment, VisitType


@dataclass
class GroupClass:
    host: Appointment
    seats: dict[int, Appointment] = field(default_factory=dict)  # patient id -> seat

    def link(self, patient: Patient) -> str:
        """The raw token of a fresh patient join link of this patient's seat."""
        seat = self.seats[patient.pk]
        path = join_path_issue(appointment=seat, role="patient", user_id=patient.user_id)
        return path.rstrip("/").rsplit("/", 1)[1]


def group_class(practice: Practice, provider: Provider, patients: list[Patient], *,
                capacity: int = 8, start: dt.datetime | None = None,
                minutes: int = 60) -> GroupClass:
    vt, _ = VisitType.objects.get_or_create(
        practice=practice, kind="group_class",
        defaults={"name": "Balance class", "duration_minutes": minutes, "capacity": capacity,
                  "modalities": ["video"]})
    start = start or timezone.now() - dt.timedelta(minutes=5)
    end = start + dt.timedelta(minutes=minutes)
    host = Appointment.objects.create(practice=practice, provider=provider, visit_type=vt,
                                      modality="video", start=start, end=end, busy_end=end,
                                      capacity=capacity)
    found = GroupClass(host=host)
    for patient in patients:
        found.seats[patient.pk] = Appointment.objects.create(
            practice=practice, provider=provider, patient=patient, visit_type=vt,
            modality="video", start=start, end=end, busy_end=end, group_host=host,
            patient_state=patient.state or "NY")
    return found
