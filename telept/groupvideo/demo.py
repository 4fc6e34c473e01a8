"""Demo: today's balance class with the demo PT and four Riverside patients, joinable now
(`manage.py class_demo` seeds it if missing and prints the host page and the patients'
links)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from telept.accounts.roles import Role
from telept.patients.models import Patient
from telept.practices.models import Provider
from telept.scheduling.links import join_path_issue
from telept.scheduling.models import Appointment, VisitType

CLASS_NAME = "Balance class"
SEATS = 4


@dataclass
class DemoClass:
    host: Appointment
    patients: list[Patient]


def _free_start(provider: Provider, minutes: int, now: dt.datetime) -> dt.datetime:
    """The first start the PT is free for `minutes`, from about 2 hours ago (the links open
    30 minutes before and close 2 hours after), every 15 minutes, so the class is open now
    when the day allows, else later today."""
    base = now.replace(minute=(now.minute // 15) * 15, second=0, microsecond=0)
    for step in range(-8, 60):
        start = base + dt.timedelta(minutes=15 * step)
        end = start + dt.timedelta(minutes=minutes)
        if start + dt.timedelta(minutes=minutes) + dt.timedelta(hours=2) < now:
            continue
        if not Appointment.objects.filter(provider=provider, cancelled=False,
                                          group_host__isnull=True, start__lt=end,
                                          busy_end__gt=start).exists():
            return start
    raise RuntimeError("the demo PT has no free time today for a class")


def _fresh_provider(providers: list[Provider], minutes: int,
                    now: dt.datetime) -> tuple[Provider, dt.datetime]:
    """The first PT free for a class that is open now (starting within 30 minutes)."""
    for provider in providers:
        try:
            start = _free_start(provider, minutes, now)
        except RuntimeError:
            continue
        if start <= now + dt.timedelta(minutes=30):
            return provider, start
    raise RuntimeError("no demo PT is free for another class now")


@transaction.atomic
def seed_class(*, now: dt.datetime | None = None, practice_slug: str = "riverside",
               fresh: bool = False, provider_email: str = "") -> DemoClass:
    """Today's class of the first demo PT (or of `provider_email`), seeded if missing;
    `fresh`: another class open now, hosted by the next PT who is free, with patients who
    are not in a class then (a second run of the demo after the first class was used)."""
    now = now or timezone.now()
    providers = Provider.objects.select_related("practice", "user").filter(
        practice__slug=practice_slug, user__memberships__role=Role.PT)
    if provider_email:
        providers = providers.filter(user__email=provider_email)
    providers = list(providers.order_by("user__email"))  # pt@ before pt2@, pt3@
    if not providers:
        raise RuntimeError(f"no PT {provider_email} at {practice_slug}" if provider_email
                           else "load the demo first (manage.py seed_demo)")
    provider = providers[0]
    vt, _ = VisitType.objects.get_or_create(
        practice=provider.practice, kind="group_class",
        defaults={"name": "Group exercise class", "duration_minutes": 45,
                  "buffer_minutes": 15, "capacity": 6, "modalities": ["video", "in_person"]})
    found = (Appointment.objects.filter(provider=provider, patient__isnull=True,
                                        group_host__isnull=True, visit_type=vt,
                                        modality="video", cancelled=False,
                                        end__gte=now - dt.timedelta(hours=2),
                                        start__lte=now + dt.timedelta(minutes=30))
             .order_by("start").first())
    if fresh:
        provider, start = _fresh_provider(providers, vt.duration_minutes, now)
    elif found is not None:
        seated = [s.patient for s in found.seats.select_related("patient").order_by("id")]
        return DemoClass(host=found, patients=[p for p in seated if p is not None])
    else:
        start = _free_start(provider, vt.duration_minutes, now)
    end = start + dt.timedelta(minutes=vt.duration_minutes)
    host = Appointment.objects.create(
        practice=provider.practice, provider=provider, visit_type=vt, modality="video",
        start=start, end=end, busy_end=end + dt.timedelta(minutes=vt.buffer_minutes),
        capacity=max(vt.capacity, SEATS + 2))
    patients: list[Patient] = []
    for patient in Patient.objects.filter(practice=provider.practice).order_by("mrn"):
        if Appointment.objects.filter(patient=patient, cancelled=False, start__lt=end,
                                      end__gt=start).exists():
            continue  # busy then
        Appointment.objects.create(
            practice=provider.practice, provider=provider, patient=patient, visit_type=vt,
            modality="video", start=start, end=end, busy_end=end, group_host=host,
            patient_state=patient.state or "NY")
        patients.append(patient)
        if len(patients) == SEATS:
            break
    return DemoClass(host=host, patients=patients)


def patient_links(demo: DemoClass) -> list[tuple[Patient, str]]:
    """A fresh class link path per patient (`/classes/join/<token>/`)."""
    from django.urls import reverse

    found = []
    for patient in demo.patients:
        seat = demo.host.seats.get(patient=patient)
        path = join_path_issue(appointment=seat, role="patient", user_id=patient.user_id)
        token = path.rstrip("/").rsplit("/", 1)[1]
        found.append((patient, reverse("groupvideo:join", args=[token])))
    return found
