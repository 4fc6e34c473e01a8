"""factory_boy factories for tests. Demo data lives in telept/practices/demo.py instead."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from telept.accounts.models import Membership, TOTPDevice, User
from telept.patients.models import Coverage, Patient
from telept.practices.models import Location, Payer, Practice, Provider
from telept.practices.rules import npi_check_digit

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105


def local_today(zone: str = "America/New_York") -> dt.date:
    """Today where the test practice is (PracticeFactory's zone). `dt.date.today()` is the
    machine's UTC date, a day ahead of New York every evening after 7 pm there."""
    return timezone.localdate(timezone=ZoneInfo(zone))


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    time_zone = "America/New_York"
    phone = "+12125550100"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    practice = factory.SubFactory(PracticeFactory)
    name = "Main clinic"
    line1 = "1 Main St"
    city = "New York"
    state = "NY"
    postal_code = "10001"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = "pt"


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    confirmed_at = factory.LazyFunction(timezone.now)


def _npi(n: int) -> str:
    stem = f"{100000000 + n:09d}"
    return stem + str(npi_check_digit(stem))


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"provider-{n}")
    display_name = factory.Faker("name")
    npi = factory.Sequence(_npi)
    licensed_states = factory.LazyFunction(lambda: ["NY"])


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Payer {n}")
    payer_id = factory.Sequence(lambda n: f"P{n:05d}")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    practice = factory.SubFactory(PracticeFactory)
    mrn = factory.Sequence(lambda n: f"T{n:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1970, 1, 1)
    email = factory.Sequence(lambda n: f"patient{n}@mail.test")
    phone = "+12125550123"
    state = "NY"


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(PayerFactory)
    member_id = factory.Sequence(lambda n: f"M{n:08d}")
