"""Pose estimation in the patient's browser: in a home session, "Use my camera" runs MediaPipe
Pose from TelePT's own static files under the real CSP, on Chromium's fake camera playing a
clip of a real person (scikit-image's astronaut), and finds the 33 landmarks of an upright
body.

Software GL takes seconds a frame, so this waits for a few frames and times nothing. The
patient is one of its own (a new portal login and program), so no other test's data moves.
The camera's summary fills the exercise's hidden camera fields, and saving the session keeps
it on the log row (a still photo does no rep: a count of 0 and no angle).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright

from telept.conftest import require_system
from telept.tests.live import (  # noqa: F401
    BASE_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    live_server_proc,
)
from telept.tests.y4m import astronaut_y4m

pytestmark = [pytest.mark.browser, pytest.mark.live]

PATIENT = "pose-camera@riverside.example"
EXERCISE = "shoulder-abduction-active"  # a front view: the astronaut faces the camera
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VENDOR = BASE_DIR / "static" / "vendor" / "mediapipe-pose" / "pose.js"
FRAMES_WANTED = 3
WAIT_MS = 240_000  # generous: ~3 s a frame with software GL, and the model loads first

SETUP = f"""
import datetime as dt
from telept.accounts.models import Membership, User
from telept.exercises.models import Exercise, Program, ProgramItem
from telept.patients.models import Patient
from telept.practices.models import Practice
practice = Practice.objects.get(slug="riverside")
user = User.objects.filter(email={PATIENT!r}).first() or User.objects.create_user(
    {PATIENT!r}, None, full_name="Pose Camera")
Membership.objects.get_or_create(user=user, practice=practice, defaults={{"role": "patient"}})
patient, _ = Patient.objects.get_or_create(practice=practice, mrn="RPOSE1", defaults={{
    "first_name": "Pose", "last_name": "Camera", "date_of_birth": dt.date(1980, 1, 1),
    "user": user, "state": "NY"}})
program = Program.objects.filter(patient=patient, active=True).first() or Program.objects.create(
    patient=patient, title="Shoulder", start_date=practice.today())
exercise = Exercise.objects.get(slug={EXERCISE!r}, practice__isnull=True)
ProgramItem.objects.get_or_create(program=program, exercise=exercise,
                                  defaults={{"sets": 2, "reps": 10}})
print(exercise.motion_key)
"""


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(server.base_url + server.magic_link_path(PATIENT))
    page.click("[data-testid=magic-sign-in]")
    page.wait_for_url("**/portal/")


def _severe(page: Page) -> list[dict[str, Any]]:
    require_system(str(AXE), "accessibility tests inject the npm package axe-core")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document);
        return r.violations.map(v => ({id: v.id, impact: v.impact,
                                       nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_the_home_session_tracks_a_person_with_the_camera_on_the_device(
        live_server_proc: LiveServer, tmp_path: Path) -> None:  # noqa: F811
    require_system(CHROMIUM, "browser tests drive Debian's Chromium")
    require_system(str(VENDOR), "the MediaPipe Pose runtime is copied by `make install`")
    server = live_server_proc
    assert server.shell(SETUP) == "shoulder_abduction"
    clip = astronaut_y4m(tmp_path / "astronaut.y4m", frames=4)
    problems: list[str] = []
    requests: list[str] = []

    def console(msg: ConsoleMessage) -> None:
        text = msg.text
        if "Content Security Policy" in text or "Refused to" in text or (
                msg.type == "error" and "Failed to load resource" not in text):  # see responses
            problems.append(f"{msg.type}: {text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*[a for a in CHROMIUM_ARGS if a != "--disable-gpu"],
                  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                  f"--use-file-for-fake-video-capture={clip}",
                  "--use-gl=swiftshader", "--enable-unsafe-swiftshader"])
        context = browser.new_context(viewport={"width": 800, "height": 900})
        context.set_default_timeout(30_000)
        # CSP refusals of scripts, workers or fetches, reported as console errors (injected by
        # the browser's debugging protocol, so the page's CSP does not apply to it).
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => console.error("
            "`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));")
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        page.on("request", lambda r: requests.append(r.url))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        _sign_in(page, server)
        page.goto(server.base_url + "/portal/exercises/session/")

        camera = page.get_by_test_id("hep-camera")
        expect(camera).to_be_visible()
        expect(camera.locator("[data-hep-camera-live]")).to_be_hidden()  # off by default
        camera.get_by_label("Use my camera to count reps").check()
        expect(camera).to_have_attribute("data-pose-state", re.compile("starting|on"))
        expect(camera).to_have_attribute("data-pose-state", "on", timeout=WAIT_MS)
        page.wait_for_function(
            """([el, wanted]) => Number(el.dataset.poseFrames || 0) >= wanted
                                 && el.dataset.poseLandmarks === "33" """,
            arg=[camera.element_handle(), FRAMES_WANTED], timeout=WAIT_MS)
        landmarks: list[list[float]] = json.loads(camera.get_attribute("data-pose-last") or "[]")
        overlay: dict[str, Any] = page.evaluate(
            """() => { const c = document.querySelector("[data-hep-overlay]");
                       return {w: c.width, h: c.height}; }""")
        camera.get_by_label("Use my camera to count reps").uncheck()
        expect(camera).to_have_attribute("data-pose-state", "off")
        hidden: dict[str, str] = page.evaluate(
            """(el) => Object.fromEntries([...el.closest("[data-hep-step]")
                 .querySelectorAll("input[name*='-camera_']")]
                 .map((i) => [i.name.split("-camera_")[1], i.value]))""",
            camera.element_handle())
        page.evaluate("""() => {
            for (const step of document.querySelectorAll("[data-hep-step]")) {
              step.querySelector("input[value=done]")?.click();
              step.querySelector("input[name$='-pain'][value='1']")?.click();
            }
            document.querySelector("[data-hep-session]").requestSubmit(); }""")
        page.wait_for_url("**/portal/exercises/")
        stored = server.shell(
            "from telept.exercises.models import ExerciseLog\n"
            "log = ExerciseLog.objects.filter(session__patient__mrn='RPOSE1', "
            "camera_exercise='shoulder_abduction').latest('id')\n"
            "print(log.camera_side, log.camera_reps, log.camera_rom_deg, log.camera_view_ok)")
        context.close()

        # Accessibility of the camera controls, with the CSP bypassed only to inject axe-core.
        audit = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True)
        page = audit.new_page()
        _sign_in(page, server)
        page.goto(server.base_url + "/portal/exercises/session/")
        expect(page.get_by_test_id("hep-camera")).to_be_visible()
        violations = _severe(page)
        audit.close()
        browser.close()

    assert len(landmarks) == 33 and all(len(row) == 4 for row in landmarks)
    # Shoulders (11, 12) above hips (23, 24): image y grows downwards.
    assert max(landmarks[11][1], landmarks[12][1]) < min(landmarks[23][1], landmarks[24][1])
    assert min(landmarks[i][3] for i in (11, 12)) > 0.5  # the shoulders were really seen
    assert overlay == {"w": 640, "h": 480}  # the skeleton is drawn at the camera's size
    assert hidden["exercise"] == "shoulder_abduction" and hidden["side"] in ("left", "right")
    assert (hidden["reps"], hidden["rom_deg"], hidden["peak_deg"]) == ("0", "", "")
    assert hidden["view_ok"] in ("true", "false")
    side, reps, rom, view_ok = stored.split()
    assert (side, reps, rom) == (hidden["side"], "0", "None") and view_ok in ("True", "False")
    assert any("/static/vendor/mediapipe-pose/pose_landmark_full.tflite" in u for u in requests)
    foreign = [u for u in requests if not u.startswith((server.base_url, "data:", "blob:"))]
    assert foreign == [], foreign  # nothing from a CDN, nothing leaves the practice's server
    assert problems == [], problems  # no script error and no CSP refusal
    assert violations == [], violations
