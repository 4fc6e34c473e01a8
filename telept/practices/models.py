"""The practice (tenant), its locations, providers and payers."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from telept.lib.states import STATE_CHOICES, US_STATES
from telept.practices.rules import npi_is_valid


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/New_York).")


def validate_npi(value: str) -> None:
    if not npi_is_valid(value):
        raise ValidationError("Not a valid NPI: 10 digits with a correct check digit.",
                              code="invalid_npi")


def validate_states(value: list[str]) -> None:
    if not isinstance(value, list) or any(s not in US_STATES for s in value):
        raise ValidationError("Licensed states must be a list of USPS codes such as NY.")


class Practice(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="America/New_York",
                                 validators=[validate_time_zone])
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +12125550100")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> dt.date:
        """Today where the practice is (the server's clock runs in UTC: at 8 pm in New York
        it is already tomorrow there)."""
        return timezone.localdate(timezone=self.zone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return timezone.localtime(moment, self.zone).date()


class Location(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=120)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.state})"


class Provider(models.Model):
    """A treating clinician (PT or PTA) with the identifiers claims and licensure need."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="providers")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="provider")
    slug = models.SlugField(max_length=80, unique=True,
                            help_text="Public booking/room URL name; reveals no patient data.")
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=40, default="PT, DPT")
    npi = models.CharField(max_length=10, validators=[validate_npi])
    taxonomy = models.CharField(max_length=10, default="225100000X")
    licensed_states = models.JSONField(default=list, validators=[validate_states])
    supervising = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    help_text="For a PTA: the supervising PT.")

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"


class Payer(models.Model):
    """An insurer the practice bills. Telehealth policy fields drive booking and billing rules."""

    class BillingMethod(models.TextChoices):
        CMS = "cms", "CMS 8-minute rule"
        AMA = "ama", "AMA substantial portion (per code)"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="payers")
    name = models.CharField(max_length=120)
    payer_id = models.CharField(max_length=20, help_text="Electronic payer id (X12 NM109).")
    is_medicare = models.BooleanField(default=False)
    billing_method = models.CharField(max_length=3, choices=BillingMethod.choices,
                                      default=BillingMethod.CMS)
    telehealth_allowed = models.BooleanField(default=True)
    audio_only_allowed = models.BooleanField(default=False)
    requires_in_person_initial_eval = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "payer_id"],
                                               name="payer_unique_id_per_practice")]

    def __str__(self) -> str:
        return self.name
