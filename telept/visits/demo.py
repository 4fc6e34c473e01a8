"""Demo video visits "happening now", for `manage.py demo_links`, the browser tests and the
join-time benchmark. Demo mode only (the command refuses otherwise)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from telept.accounts.services import token_hash
from telept.patients.models import Consent, Patient
from telept.practices.models import Provider
from telept.scheduling.demo import _visit_types
from telept.scheduling.links import join_link_issue
from telept.scheduling.models import Appointment, JoinLink, Modality

DEMO_PT = "pt@riverside.example"
# Short visits at these offsets (minutes from now) all have an open join window now.
OFFSETS = (0, -6, 6, -12, 12, -18, 18, -24, -30, -36, -42, -48, -54, -60, -66, -72, -78, -84)
MINUTES = 5


@dataclass(frozen=True)
class DemoLinks:
    appointment_id: int
    therapist_url: str
    patient_url: str


def _live_now(provider: Provider, now: dt.datetime) -> Appointment | None:
    return (Appointment.objects.filter(
        provider=provider, modality=Modality.VIDEO, status=Appointment.Status.BOOKED,
        patient__isnull=False, start__lte=now + dt.timedelta(minutes=25),
        end__gte=now + dt.timedelta(minutes=2))
        .exclude(visit__status="ended").order_by("start").first())


def _create(provider: Provider, now: dt.datetime) -> Appointment:
    visit_type = _visit_types(provider.practice)["follow_up"]
    # Prefer patients ready for a video visit (a telehealth consent and a state on file), so
    # records made by other means (the API, tests) never become the demo's patient first.
    consented = Consent.objects.filter(patient=OuterRef("pk"), kind=Consent.Kind.TELEHEALTH,
                                       revoked_at__isnull=True)
    patients = list(Patient.objects.filter(practice=provider.practice)
                    .annotate(ready=Exists(consented)).exclude(state="")
                    .order_by("-ready", "mrn"))
    base = now.replace(second=0, microsecond=0)
    for offset in OFFSETS:
        start = base + dt.timedelta(minutes=offset)
        for patient in patients:
            try:
                with transaction.atomic():
                    return Appointment.objects.create(
                        practice=provider.practice, provider=provider, patient=patient,
                        visit_type=visit_type, modality=Modality.VIDEO, start=start,
                        end=start + dt.timedelta(minutes=MINUTES),
                        busy_end=start + dt.timedelta(minutes=MINUTES),
                        patient_state=patient.state or "NY")
            except IntegrityError:
                continue  # that provider or patient is busy then
    raise RuntimeError(f"no free time for a demo visit with {provider} now")


def demo_links(*, provider_email: str = DEMO_PT, fresh: bool = False,
               now: dt.datetime | None = None) -> DemoLinks:
    """A video visit of the provider happening now (made if needed) and two links to it.

    In demo mode the therapist's URL is one-time: it signs the therapist in and opens the
    visit as host. Otherwise it is a plain provider join link.
    """
    now = now or timezone.now()
    provider = Provider.objects.select_related("practice", "user").get(user__email=provider_email)
    appointment = None if fresh else _live_now(provider, now)
    appointment = appointment or _create(provider, now)
    patient_url = join_link_issue(appointment=appointment, role=str(JoinLink.Role.PATIENT),
                                  user_id=appointment.patient.user_id if appointment.patient
                                  else None)
    therapist_url = join_link_issue(appointment=appointment, role=str(JoinLink.Role.PROVIDER),
                                    user_id=provider.user_id,
                                    display_name=provider.display_name)
    if settings.DEMO_MODE:
        raw = therapist_url.rstrip("/").rsplit("/", 1)[1]
        assert JoinLink.objects.filter(token_hash=token_hash(raw)).exists()
        therapist_url = settings.SITE_URL + reverse("visits:demo_sign_in", args=[raw])
    return DemoLinks(appointment_id=appointment.pk, therapist_url=therapist_url,
                     patient_url=patient_url)
