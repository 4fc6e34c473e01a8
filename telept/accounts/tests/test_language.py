"""Which language a page speaks (telept/accounts/language.py): the signed-in patient's
preference, a guest's cookie or browser, and English for staff whatever they send."""

from __future__ import annotations

from django.conf import settings

from telept.accounts.language import offered, patient_language
from telept.audit.models import AuditEvent
from telept.conftest import Cast
from telept.patients.models import Patient


def _spanish_patient(cast: Cast, tag: str = "es-MX") -> Patient:
    Patient.objects.filter(pk=cast.patient.pk).update(preferred_language=tag)
    return Patient.objects.get(pk=cast.patient.pk)


def test_offered_reads_bcp47_tags() -> None:
    assert offered("es-MX") == "es" and offered("ES_us") == "es" and offered("en") == "en"
    assert offered("zh-Hant") is None and offered("") is None and offered(None) is None
    assert patient_language("zh-Hant") == "en" and patient_language("es-419") == "es"


def test_patient_with_spanish_preference_reads_the_portal_in_spanish(cast: Cast) -> None:
    _spanish_patient(cast)
    response = cast.client("patient").get("/portal/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in html and response["Content-Language"] == "es"
    assert "Mi expediente" in html and "Sus próximas citas" in html
    assert "My record" not in html
    assert 'value="en"' in html  # the switcher offers English back


def test_patient_preference_wins_over_the_browser(cast: Cast) -> None:
    client = cast.client("patient")  # preferred_language "en" by default
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "My record" in html and "Mi expediente" not in html


def test_switching_saves_the_patients_preference_with_an_audit(cast: Cast) -> None:
    client = cast.client("patient")
    response = client.post("/accounts/language/", {"language": "es", "next": "/portal/book/"})
    assert response.status_code == 302 and response["Location"] == "/portal/book/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert Patient.objects.get(pk=cast.patient.pk).preferred_language == "es"
    event = AuditEvent.objects.filter(object_type="Patient", object_id=str(cast.patient.pk),
                                      action="update").latest("id")
    assert event.detail["fields"] == ["preferred_language"] and event.detail["language"] == "es"
    html = client.get("/portal/book/").content.decode()
    assert "Reservar una cita" in html and "Tipo de cita" in html  # template and form label
    client.get("/accounts/language/?language=en&next=/portal/")  # a GET saves nothing
    assert Patient.objects.get(pk=cast.patient.pk).preferred_language == "es"
    client.post("/accounts/language/", {"language": "en", "next": "/portal/"})
    assert Patient.objects.get(pk=cast.patient.pk).preferred_language == "en"
    assert "My record" in client.get("/portal/").content.decode()


def test_switch_refuses_to_send_you_elsewhere(cast: Cast) -> None:
    response = cast.client(None).post("/accounts/language/", {"language": "es",
                                                     "next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = cast.client(None).get("/accounts/language/?language=es",
                                     HTTP_REFERER="https://evil.example/portal/")
    assert response["Location"] == "/"


def test_guest_gets_the_browser_language_then_the_cookie(cast: Cast) -> None:
    guest = cast.client(None)
    html = guest.get("/accounts/magic/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content
    assert "Acceso para pacientes" in html.decode()
    assert "Patient sign-in" in guest.get("/accounts/magic/",
                                          HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    page = guest.get("/accounts/magic/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'href="/accounts/language/?language=en"' in page
    switched = guest.get("/accounts/language/?language=en",
                         HTTP_REFERER="http://testserver/accounts/magic/")
    assert switched.status_code == 302 and switched["Location"] == "/accounts/magic/"
    response = guest.get("/accounts/magic/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Patient sign-in" in response.content.decode()  # the chosen cookie wins
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    guest.post("/accounts/language/", {"language": "es", "next": "/accounts/magic/"})
    assert "Acceso para pacientes" in guest.get("/accounts/magic/").content.decode()


def test_staff_stay_in_english_whatever_they_send(cast: Cast) -> None:
    client = cast.client("pt")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert '<html lang="en">' in html and "Dashboard" in html
    assert "language-switch" not in html and "Cerrar sesión" not in html
    client.post("/accounts/language/", {"language": "es", "next": "/dashboard/"})
    assert "Cerrar sesión" not in client.get("/dashboard/").content.decode()
    assert not AuditEvent.objects.filter(detail__language="es").exists()
