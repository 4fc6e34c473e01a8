"""Issue 16 items 20 and 21: what a person reads on patient pages is human text: phone
numbers formatted for dialling, language names, consent times in the reader's zone."""

from __future__ import annotations

import datetime as dt

import phonenumbers
import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from telept.lib.phones import phone_display
from telept.patients.models import Consent

# --- the formatter (pure) ------------------------------------------------------------------


@pytest.mark.parametrize("stored, shown", [
    ("+12125550111", "(212) 555-0111"),       # a US number in a US practice: national
    ("+442079460958", "+44 20 7946 0958"),    # another country: international
    ("", ""),
    ("call the front desk", "call the front desk"),  # old free text is left as it is
])
def test_it_formats_stored_numbers_for_reading(stored, shown):
    assert phone_display(stored) == shown


@given(st.one_of(st.text(max_size=30), st.none(), st.integers()))
def test_the_formatter_never_raises(value):
    assert isinstance(phone_display(value), str)


_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


@given(st.sampled_from(_REGIONS), st.sampled_from(["US", "GB", "DE", "MX"]))
def test_a_formatted_number_parses_back_to_the_same_e164(number_region, practice_region):
    example = phonenumbers.example_number(number_region)
    if example is None:
        return
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    shown = phone_display(e164, region=practice_region)
    parsed = phonenumbers.parse(shown, practice_region)
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == e164


# --- pages -----------------------------------------------------------------------------------

@pytest.fixture
def maria(cast):
    patient = cast.patient
    patient.phone = "+12125550111"
    patient.emergency_contact_phone = "+12125550199"
    patient.emergency_contact_name = "Luis"
    patient.preferred_language = "es"
    patient.save()
    return patient


@pytest.mark.django_db
def test_the_chart_shows_formatted_phones_and_the_language_name(cast, maria):
    body = cast.client("front_desk").get(reverse("patients:chart", args=[maria.pk])) \
        .content.decode()
    assert "(212) 555-0111" in body and "(212) 555-0199" in body
    assert "+12125550111" not in body.replace('tel:+12125550111', '')
    assert "Spanish" in body and ">es<" not in body


@pytest.mark.django_db
def test_the_portal_shows_formatted_phones(cast, maria):
    body = cast.client("patient").get(reverse("portal")).content.decode()
    assert "(212) 555-0111" in body
    assert "+12125550111" not in body.replace('tel:+12125550111', '')
    assert "(212) 555-0100" in body  # the practice's number (factory +12125550100)


@pytest.mark.django_db
def test_the_search_results_show_formatted_phones(cast, maria):
    body = cast.client("front_desk").get(reverse("patients:list"),
                                         {"q": maria.last_name}).content.decode()
    assert "(212) 555-0111" in body and "+12125550111" not in body


@pytest.fixture
def late_consent(cast):
    """Signed at 02:30 UTC on 3 Dec: still 2 Dec in New York (the practice) and Los Angeles
    (the patient's own zone), so a page in UTC would say the wrong day and hour."""
    patient = cast.patient
    patient.time_zone = "America/Los_Angeles"
    patient.save()
    return Consent.objects.create(patient=patient, kind="telehealth", version="2026-01",
                                  signed_by="Maria", signed_at=dt.datetime(
                                      2026, 12, 3, 2, 30, tzinfo=dt.UTC))


@pytest.mark.django_db
def test_staff_read_consent_times_in_the_practice_zone(cast, late_consent):
    body = cast.client("front_desk").get(reverse("patients:chart", args=[cast.patient.pk])) \
        .content.decode()
    assert "2026-12-02 21:30" in body and "2026-12-03 02:30" not in body


@pytest.mark.django_db
def test_patients_read_consent_times_in_their_own_zone(cast, late_consent):
    body = cast.client("patient").get(reverse("portal")).content.decode()
    assert "2026-12-02 18:30" in body and "2026-12-03 02:30" not in body


# --- every template --------------------------------------------------------------------------

_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
_TEMPLATES = sorted([*_ROOT.glob("*/templates/**/*.html"), *(_ROOT.parent / "templates").glob(
    "**/*.html")])
# `{{ something.phone }}` or `{{ x.language }}` printed as stored; a `tel:` link keeps E.164.
_RAW = __import__("re").compile(
    r"(?<!tel:)\{\{\s*[\w.]*(phone|language)\s*(\|\s*default:[^}|]*)?\}\}")


def test_no_template_prints_a_stored_phone_number_or_language_tag():
    assert _TEMPLATES
    raw = [f"{path.relative_to(_ROOT.parent)}: {match.group(0)}"
           for path in _TEMPLATES for match in _RAW.finditer(path.read_text())]
    assert raw == []


@pytest.mark.parametrize("tag, name", [("es", "Spanish"), ("zh-Hant", "Traditional Chinese"),
                                       ("es-MX", "Mexican Spanish"), ("ht", "Haitian Creole"),
                                       ("en-US", "English"), ("x-klingon", "x-klingon")])
def test_the_language_filter_names_a_tag(tag, name):
    from django.template import Context, Template

    html = Template("{% load phones %}{{ tag|language_name }}").render(Context({"tag": tag}))
    assert html == name
