"""A patient whose preferred language is Spanish gets Spanish e-mails, texts and calendar
invitations, with dates written the Spanish way; English patients are unchanged."""

from __future__ import annotations

import datetime as dt
from email import message_from_string

from django.core import mail

from telept.accounts.services import magic_link_deliver
from telept.conftest import Cast
from telept.notifications import templating
from telept.notifications.delivery import notifications_deliver_due
from telept.notifications.models import MessageTemplate, SmsMessage
from telept.notifications.services import appointment_notify
from telept.notifications.tests.conftest import NOW, MakeAppointment
from telept.patients.models import Patient

START = dt.datetime(2030, 6, 12, 15, 0, tzinfo=dt.UTC)  # Wednesday 11:00 EDT


def _ics(message: mail.EmailMessage) -> str:
    parsed = message_from_string(message.message().as_string())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return " ".join(payload.decode().replace("\r\n ", "").split())


def test_a_spanish_speaking_patient_gets_spanish_email_text_and_invitation(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    Patient.objects.filter(pk=cast.patient.pk).update(preferred_language="es-MX")
    # The practice's own (English) wording is for its English-speaking patients.
    MessageTemplate.objects.create(practice=cast.practice, kind="confirmation", channel="sms",
                                   body="{{ practice_name }}: booked for {{ time }}.")
    appointment = make_appointment(start=START)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    notifications_deliver_due(now=NOW)

    email = mail.outbox[0]
    assert email.subject == "Su cita con Riverside está reservada"
    assert "el miércoles 12 de junio de 2030 a las 11:00 (EDT)" in email.body
    assert "Videoconsulta (enlace para conectarse en el portal)" in email.body
    assert "Cita: Follow-up (Video)" in email.body  # the practice's visit type, as it named it
    assert "Hola, " in email.body and "booked" not in email.body
    ics = _ics(email)
    assert "SUMMARY:Cita de fisioterapia — Riverside" in ics
    assert "DESCRIPTION:Administre su cita en el portal de paciente:" in ics
    assert "LOCATION:Videoconsulta" in ics

    text = SmsMessage.objects.get().body
    assert text.startswith("Riverside: su cita está reservada para el mié 12 jun a las 11:00")
    assert text.endswith("Responda STOP para no recibir más mensajes.")


def test_an_english_speaking_patient_is_unchanged(
        cast: Cast, make_appointment: MakeAppointment) -> None:
    appointment = make_appointment(start=START)
    appointment_notify(appointment_id=appointment.pk, kind="confirmation", now=NOW)
    notifications_deliver_due(now=NOW)
    email = mail.outbox[0]
    assert email.subject == "Your visit with Riverside is booked"
    assert "Wednesday, June 12, 2030 at 11:00 AM EDT" in email.body
    assert "SUMMARY:Physical therapy visit — Riverside" in _ics(email)
    assert SmsMessage.objects.get().body.startswith("Riverside: your visit is booked")


def test_every_kind_has_a_spanish_default_that_passes_the_template_check() -> None:
    assert set(templating.DEFAULTS_ES) == set(templating.DEFAULTS)
    for subject, body in templating.DEFAULTS_ES.values():
        templating.template_check(source=subject)
        templating.template_check(source=body)
    assert templating.message_language("es-419") == "es"
    assert templating.message_language("pt-BR") == "en"


def test_the_sign_in_link_is_sent_in_the_patients_language(cast: Cast) -> None:
    Patient.objects.filter(pk=cast.patient.pk).update(preferred_language="es")
    user = cast.users["patient"]
    assert magic_link_deliver(identifier=user.email) == "sent_email"
    message = mail.outbox[-1]
    assert message.subject == "Su enlace para iniciar sesión en TelePT"
    assert "Funciona una sola vez y vence en" in message.body
