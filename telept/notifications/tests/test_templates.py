"""Per-practice wording: the admin-only preview page, saving, and what a template can reach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from telept.conftest import STAFF, Cast
from telept.lib.errors import DomainError
from telept.notifications.delivery import notifications_deliver_due
from telept.notifications.models import MessageTemplate, Notification, SmsMessage
from telept.notifications.services import appointment_notify
from telept.notifications.templating import DEFAULTS, template_check
from telept.notifications.tests.conftest import NOW, MakeAppointment
from telept.patients.models import Diagnosis

pytestmark = pytest.mark.urls("telept.notifications.tests.urls")
URL = "notifications:templates"


def test_the_preview_shows_every_message_to_a_practice_admin(cast: Cast) -> None:
    response = cast.client("admin").get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="message-preview"') == len(DEFAULTS)
    assert "Hello Alex," in html
    assert "Your visit with Riverside is booked" in html
    assert "Reply STOP to opt out." in html


@pytest.mark.parametrize("name", [*[s for s in STAFF if s != "admin"], "patient",
                                  "outsider_pt"])
def test_the_preview_is_refused_to_everyone_but_admins(cast: Cast, name: str) -> None:
    assert cast.client(name).get(reverse(URL)).status_code == 403
    response = cast.client(name).post(reverse(URL), {
        "kind": "confirmation", "channel": "sms", "body": "hacked", "action": "save"})
    assert response.status_code == 403
    assert not MessageTemplate.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(cast: Cast) -> None:
    response = cast.client(None).get(reverse(URL))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_admin_previews_a_draft_without_saving_it(cast: Cast) -> None:
    response = cast.client("admin").post(reverse(URL), {
        "kind": "reminder_24h", "channel": "sms", "action": "preview",
        "body": "Hi {{ patient_first_name }}, see you {{ date_short }} at {{ time }}!"})
    assert response.status_code == 200
    assert "Preview (not saved)" in response.content.decode()
    assert "Hi Alex, see you" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_a_saved_template_is_what_patients_receive(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    response = cast.client("admin").post(reverse(URL), {
        "kind": "confirmation", "channel": "sms", "action": "save",
        "body": "{{ practice_name }} here, {{ patient_first_name }}: booked for {{ time }}."})
    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    assert (template.practice, template.kind, template.channel) == (
        cast.practice, "confirmation", "sms")

    appointment = make_appointment(start=dt.datetime(2030, 6, 12, 15, 0, tzinfo=dt.UTC))
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    notifications_deliver_due(now=NOW)
    assert SmsMessage.objects.get().body == (
        f"Riverside here, {cast.patient.first_name}: booked for 11:00 AM.")
    assert mail.outbox[0].subject == "Your visit with Riverside is booked"  # still default

    cast.client("admin").post(reverse(URL), {"kind": "confirmation", "channel": "sms",
                                             "action": "reset", "body": ""})
    assert not MessageTemplate.objects.exists()


def test_another_practices_template_is_not_used(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    MessageTemplate.objects.create(practice=cast.outsider_practice, kind="confirmation",
                                   channel="sms", body="Lakeside wording")
    appointment = make_appointment(start=dt.datetime(2030, 6, 12, 15, 0, tzinfo=dt.UTC))
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    notifications_deliver_due(now=NOW)
    assert "Lakeside" not in SmsMessage.objects.get().body


@pytest.mark.parametrize("body", ['{% include "base.html" %}', "{% load static %}",
                                  "{% debug %}", "{% if %}", "{{ patient.diagnoses }}",
                                  "{{ time|nosuchfilter }}"])
def test_a_template_that_could_reach_further_or_does_not_compile_is_refused(
        cast: Cast, body: str) -> None:
    response = cast.client("admin").post(reverse(URL), {
        "kind": "no_show", "channel": "email", "subject": "Hi", "body": body,
        "action": "save"})
    assert response.status_code == 400
    assert not MessageTemplate.objects.exists()


def test_a_template_reaches_only_the_safe_context(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    """Even a template naming records finds nothing: the context holds only strings."""
    Diagnosis.objects.create(patient=cast.patient, code="S83.511A",
                             description="Sprain of ACL of right knee")
    MessageTemplate.objects.create(
        practice=cast.practice, kind="confirmation", channel="sms",
        body="{{ patient.diagnoses.all }}{{ appointment.patient.diagnoses }}"
             "{{ diagnosis }}{{ patient_first_name.upper }} ok")
    appointment = make_appointment(start=dt.datetime(2030, 6, 12, 15, 0, tzinfo=dt.UTC))
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    notifications_deliver_due(now=NOW)
    body = SmsMessage.objects.get().body
    assert body == f"{cast.patient.first_name.upper()} ok"
    assert Notification.objects.get(kind="confirmation", channel="sms").status == "sent"
    assert "ACL" not in mail.outbox[0].body and "S83" not in mail.outbox[0].body


def test_template_check_accepts_every_default() -> None:
    for subject, body in DEFAULTS.values():
        template_check(source=subject)
        template_check(source=body)
    with pytest.raises(DomainError):
        template_check(source="{% now 'Y' %}")
