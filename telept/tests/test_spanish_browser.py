"""A Spanish-speaking patient, end to end in headless Chromium at 360 px (Issue 13 item 2):
the demo's Omar Haddad (paciente@riverside.example, preferred language es) signs in, books a
visit, does a home-exercise session and joins a video visit as far as the waiting room, each
page in Spanish, and axe-core finds no serious or critical issue on any of them.

Set TELEPT_SCREENSHOTS=<dir> to save my-exercises-es.png ("Mis ejercicios" at 360 px) there
(docs/screenshots/ holds the one for Issue 13's closing note).

Lean on purpose: one live server and one browser for the whole walk. The visit he joins is
one made for him now on a demo PT's schedule (the demo's visits "happening now" go to Maria).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import BASE_DIR, LiveServer, live_server_proc  # noqa: F401
from telept.visits.tests.browser import expect_state, launch

pytestmark = [pytest.mark.browser, pytest.mark.live]

OMAR = "paciente@riverside.example"
PHONE = {"width": 360, "height": 740}
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("TELEPT_SCREENSHOTS", "")

VISIT_NOW = """
import datetime as dt
from django.db import IntegrityError, transaction
from django.utils import timezone
from telept.accounts.models import Membership, User
from telept.patients.models import Patient
from telept.practices.models import Provider
from telept.scheduling.demo import _visit_types
from telept.scheduling.models import Appointment, Modality
omar = Patient.objects.get(user__email=%(email)r)
practice = omar.practice
# The walk's own PT, so the demo's visits around now (and other tests') never take its time.
user, _ = User.objects.get_or_create(email="walk-pt@riverside.example",
                                     defaults={"full_name": "Walk Tester"})
Membership.objects.get_or_create(user=user, practice=practice, defaults={"role": "pt"})
provider, _ = Provider.objects.get_or_create(
    practice=practice, user=user, defaults={"slug": "walk-pt", "display_name": "Walk Tester, PT",
                                            "npi": "1234567893", "licensed_states": ["NY"]})
visit_type = _visit_types(practice)["follow_up"]
base = timezone.now().replace(second=0, microsecond=0)
# A start whose join window is open now (it opens 30 minutes before) and a visit still
# upcoming when the walk reaches My appointments minutes later (an ended one is past).
def place():
    for offset in (1, 8, 15, 22, 29):
        start = base + dt.timedelta(minutes=offset)
        try:
            with transaction.atomic():
                return Appointment.objects.create(
                    practice=practice, provider=provider, patient=omar, visit_type=visit_type,
                    modality=Modality.VIDEO, start=start, end=start + dt.timedelta(minutes=20),
                    busy_end=start + dt.timedelta(minutes=20),
                    patient_state=omar.state or "NY")
        except IntegrityError:  # Omar's own visit at that time
            continue
    raise SystemExit("Omar has no free time in the next half hour for the walk's visit")
print(place().pk)
"""


def _serious(page: Page) -> list[str]:
    require_system(str(AXE), "accessibility tests inject the npm package axe-core")
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
                                       nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")
    return [f"{page.url} {v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found
            if v["impact"] in ("serious", "critical")]


def test_a_spanish_speaking_patient_books_exercises_and_joins_in_spanish(
        live_server_proc: LiveServer) -> None:  # noqa: F811
    server = live_server_proc
    appointment_id = int(server.shell(VISIT_NOW % {"email": OMAR}).strip().splitlines()[-1])
    violations: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)  # fake camera and microphone
        # CSP bypassed only so that axe-core can be injected; the catalogue is a same-origin
        # script, so the page's own CSP allows it either way.
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                      bypass_csp=True, locale="es-MX")
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # Sign in: the portal speaks Spanish because Omar's record says so.
        page.goto(server.base_url + server.magic_link_path(OMAR))
        expect(page.locator("html")).to_have_attribute("lang", "es")  # a guest: the browser's
        expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenido")
        page.click("[data-testid=magic-sign-in]")
        page.wait_for_url("**/portal/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_test_id("portal-name")).to_have_text("Hola, Omar")
        expect(page.get_by_role("button", name="Menú")).to_be_visible()
        violations += _serious(page)

        # Booking.
        page.goto(server.base_url + "/portal/book/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Reservar una cita")
        page.locator("#id_visit_type").select_option(index=1)  # "Tipo de cita"
        page.get_by_role("button", name="Ver horarios disponibles").click()
        slot = page.locator("#slots input[type=radio][name=start]").first
        expect(slot).to_be_visible()
        slot.check()
        violations += _serious(page)
        page.get_by_role("button", name="Reservar este horario").click()
        page.wait_for_url("**/portal/appointments/")
        expect(page.locator(".messages")).to_contain_text(
            "Reservada. Le enviamos una confirmación.")
        expect(page.get_by_role("heading", name="Próximas")).to_be_visible()
        violations += _serious(page)

        # A home-exercise session.
        page.goto(server.base_url + "/portal/exercises/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mis ejercicios")
        expect(page.get_by_test_id("my-exercises")).to_contain_text(
            "Estiramiento de los extensores de la muñeca")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / "my-exercises-es.png"), full_page=True)
        violations += _serious(page)
        page.get_by_test_id("start-session").click()
        page.wait_for_url("**/portal/exercises/session/")
        expect(page.get_by_role("heading", level=1)).to_have_text("La sesión de hoy")
        violations += _serious(page)
        steps = page.locator("[data-hep-step]")
        for n in range(steps.count() - 1):
            step = steps.nth(n)
            expect(step).to_be_visible()
            step.get_by_label("Hecho", exact=True).check()
            step.locator("input[name$='-pain'][value='2']").check()
            page.get_by_role("button", name="Siguiente").click()
        page.get_by_test_id("session-save").click()
        page.wait_for_url("**/portal/exercises/")
        expect(page.locator(".messages")).to_contain_text("¡Muy bien! Su sesión quedó guardada.")

        # Joining the visit: pre-join, then the waiting room.
        page.goto(server.base_url + "/portal/appointments/")
        page.locator(f"form[action$='/portal/appointments/{appointment_id}/join/'] "
                     "[data-testid=join-button]").click()
        expect_state(page, "device-check")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("#prejoin-title")).to_contain_text("Antes de entrar")
        expect(page.locator("#device-status")).to_have_text(
            "La cámara y el micrófono funcionan.", timeout=15_000)  # from the JS catalogue
        expect(page.locator("#network-result")).not_to_have_text("Revisando su conexión…",
                                                                 timeout=15_000)
        state = page.locator("#located-state")
        if state.count() and not state.input_value():
            state.select_option("NY")
        place = page.get_by_test_id("located-at-home")
        if place.count():
            expect(place.locator("xpath=..")).to_contain_text("En casa")
            place.check()
        violations += _serious(page)
        page.get_by_role("button", name="Entrar a la cita").click()
        expect_state(page, "waiting")
        expect(page.locator("#waiting-title")).to_have_text("Está en la sala de espera")
        violations += _serious(page)
        context.close()
        browser.close()
    assert errors == [], errors
    assert violations == [], violations
