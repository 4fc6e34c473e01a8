"""The range-of-motion trend: the pure series and chart geometry (tables and hypothesis), the
camera measurement a home session saves (and the bad ones it refuses, writing nothing), and
the progress page drawing the three sources for one patient only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.audit.models import AuditEvent
from telept.exercises import selectors, services
from telept.exercises.models import Exercise, ExerciseLog, ExerciseSession, Program, Recording
from telept.exercises.rom_trend import COUNTED, MARKER_R, RomPoint, movement_label, rom_series
from telept.exercises.tests.conftest import program_for
from telept.lib.errors import DomainError, NotFound, PermissionDenied
from telept.scheduling.models import JoinLink
from telept.visits import access
from telept.visits.models import MovementMeasurement
from telept.visits.tests.helpers import link_entry, video_visit_now

T0 = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
KNEE = ("standing-hamstring-curl", "quad-set")  # knee_flexion (camera), then no camera


def _p(day: int, rom: float, *, exercise: str = "knee_flexion", side: str = "left",
       source: str = "home", view_ok: bool | None = True, ref: int = 0) -> RomPoint:
    return RomPoint(at=T0 + dt.timedelta(days=day), exercise=exercise, side=side, rom_deg=rom,
                    source=source, peak_deg=rom + 2, view_ok=view_ok, ref=ref)


# --- the pure series ----------------------------------------------------------------------

def test_points_are_grouped_per_movement_and_side_and_ordered_by_time():
    points = [_p(5, 90, source="visit"), _p(1, 70), _p(3, 80, source="recording"),
              _p(2, 60, side="right"), _p(0, 100, exercise="shoulder_abduction", side="right")]
    series = rom_series(points)
    assert [(s.label, len(s.points)) for s in series] == [
        ("Left knee flexion", 3), ("Right knee flexion", 1), ("Right shoulder abduction", 1)]
    knee = series[0]
    assert [p.point.rom_deg for p in knee.points] == [70, 80, 90]
    assert [p.x for p in knee.points] == sorted(p.x for p in knee.points)
    assert knee.sources == ("home", "recording", "visit")
    assert [p.shape for p in knee.points] == ["circle", "square", "diamond"]
    assert (knee.latest.rom_deg, knee.change_deg) == (90, 20)
    assert series[1].points[0].x == series[1].left + series[1].plot_width / 2  # alone: centred


def test_the_change_runs_from_the_first_to_the_latest_good_point():
    points = [_p(0, 40, view_ok=False), _p(1, 60), _p(2, 70, view_ok=None),
              _p(3, 85, source="visit"), _p(4, 150, view_ok=False, source="recording")]
    [knee] = rom_series(points)
    assert [p.good for p in knee.points] == [False, True, True, True, False]
    assert knee.change_deg == 25  # 85 - 60: the failed views at both ends are left out
    assert knee.latest.rom_deg == 85  # the latest good point, not the failed 150
    assert knee.polyline.count(",") == 3  # the line joins the good points only
    # The axis reaches the highest point, failed or not, so every marker is drawn.
    assert knee.y_ticks[-1][1] == 150 and knee.points[-1].y == knee.top


@pytest.mark.parametrize(("points", "latest", "change"), [
    ([_p(0, 80)], 80, None),
    ([_p(0, 80, view_ok=False), _p(1, 95)], 95, None),
    ([_p(0, 80, view_ok=False), _p(1, 95, view_ok=False)], 95, None),
    ([_p(0, 80), _p(1, 72)], 72, -8),
])
def test_no_change_is_claimed_below_two_good_points(points, latest, change):
    [series] = rom_series(points)
    assert (series.latest.rom_deg, series.change_deg) == (latest, change)


def test_nothing_measured_gives_no_series_and_counts_or_nonsense_are_not_angles():
    assert rom_series([]) == []
    assert rom_series([_p(0, 12, exercise="chair_stand_30s", side=""),
                       _p(0, 250), _p(0, -3), _p(0, float("nan")),
                       _p(0, 50, source="fax")]) == []


def test_the_counted_movements_are_the_ones_telept_motion_counts_at_the_top():
    from telept.motion.exercises import EXERCISES

    assert {n for n, ex in EXERCISES.items() if ex.count_on == "top"} == COUNTED


@pytest.mark.parametrize(("exercise", "side", "label"), [
    ("knee_flexion", "left", "Left knee flexion"),
    ("squat", "both", "Knee flexion (squat), both sides"),
    ("shoulder_abduction", "", "Shoulder abduction"),
    ("new_move", "right", "Right new move"),
])
def test_movement_labels_read_like_the_visit_note(exercise, side, label):
    assert movement_label(exercise, side) == label


point_lists = st.lists(st.builds(
    lambda day, minute, rom, source, view_ok, side: RomPoint(
        at=T0 + dt.timedelta(days=day, minutes=minute), exercise="knee_flexion", side=side,
        rom_deg=rom, source=source, view_ok=view_ok),
    st.integers(0, 400), st.integers(0, 1439),
    st.floats(0, 200, allow_nan=False), st.sampled_from(["home", "recording", "visit"]),
    st.sampled_from([True, False, None]), st.sampled_from(["left", "right"])), max_size=40)


@settings(max_examples=150, deadline=None)
@given(point_lists)
def test_every_marker_is_inside_the_viewbox_and_each_series_runs_forward_in_time(points):
    for series in rom_series(points):
        times = [p.point.at for p in series.points]
        assert times == sorted(times)
        for p in series.points:
            assert series.left <= p.x <= series.right and series.top <= p.y <= series.bottom
            assert MARKER_R <= p.x <= series.width - MARKER_R
            assert MARKER_R <= p.y <= series.height - MARKER_R
            coords = [float(v) for v in re.findall(r"-?\d+\.?\d*", p.marker.split("a")[0])]
            assert 0 <= coords[0] <= series.width and 0 <= coords[1] <= series.height
        good = [p.point.rom_deg for p in series.points if p.good]
        expected = round(good[-1] - good[0], 1) if len(good) > 1 else None
        assert series.change_deg == expected


# --- the session saves the camera's measurement -------------------------------------------

def _post(program: Program, camera: dict[str, str] | None = None, *, status: str = "done"
          ) -> dict[str, str]:
    items = list(program.items.all())
    data = {"logs-TOTAL_FORMS": str(len(items)), "logs-INITIAL_FORMS": str(len(items)),
            "logs-MIN_NUM_FORMS": "0", "logs-MAX_NUM_FORMS": "60", "note": "",
            "duration_seconds": "300"}
    for n, item in enumerate(items):
        data.update({f"logs-{n}-item_id": str(item.pk), f"logs-{n}-status": status,
                     f"logs-{n}-pain": "2", f"logs-{n}-difficulty": "ok"})
    for key, value in (camera or {}).items():
        data[f"logs-0-camera_{key}"] = value
    return data


GOOD = {"exercise": "knee_flexion", "side": "left", "peak_deg": "112.46", "rom_deg": "104",
        "reps": "8", "view_ok": "true"}


@pytest.fixture
def knee(cast) -> Program:
    return program_for(cast, slugs=KNEE)


def test_a_session_stores_the_cameras_measurement_on_the_exercises_log(cast, knee):
    response = cast.client("patient").post(reverse("exercises:session"), _post(knee, GOOD))
    assert response.status_code == 302, response.context and response.context["error"]
    camera, plain = ExerciseLog.objects.order_by("order")
    assert (camera.camera_exercise, camera.camera_side, camera.camera_peak_deg,
            camera.camera_rom_deg, camera.camera_reps, camera.camera_view_ok) == (
        "knee_flexion", "left", 112.5, 104.0, 8, True)
    assert (plain.camera_exercise, plain.camera_rom_deg, plain.camera_reps) == ("", None, None)
    audit = AuditEvent.objects.get(object_type="ExerciseSession")
    assert audit.detail["camera"] == 1


def test_a_camera_that_counted_no_rep_stores_the_count_without_an_angle(cast, knee):
    data = _post(knee, {**GOOD, "peak_deg": "", "rom_deg": "", "reps": "0",
                        "view_ok": "false"})
    assert cast.client("patient").post(reverse("exercises:session"), data).status_code == 302
    log = ExerciseLog.objects.get(camera_exercise="knee_flexion")
    assert (log.camera_reps, log.camera_rom_deg, log.camera_view_ok) == (0, None, False)


@pytest.mark.parametrize("bad", [
    {"rom_deg": "250"}, {"peak_deg": "-1"}, {"rom_deg": "abc"}, {"rom_deg": "nan"},
    {"peak_deg": "inf"}, {"reps": "-1"}, {"reps": "2.5"}, {"side": "up"},
    {"exercise": "squat"}, {"exercise": "<script>"}, {"exercise": ""},
    {"rom_deg": ""}, {"view_ok": "maybe"},
])
def test_a_bad_camera_measurement_refuses_the_save_and_writes_nothing(cast, knee, bad):
    client = cast.client("patient")
    response = client.post(reverse("exercises:session"), _post(knee, {**GOOD, **bad}))
    assert response.status_code == 400
    assert not ExerciseSession.objects.exists() and not ExerciseLog.objects.exists()
    form = response.context["logs"].forms[0]
    assert form.camera_refused and "could not be used" in str(form.non_field_errors())
    html = response.content.decode()
    fields = re.findall(r'name="logs-0-camera_\w+" value="([^"]*)"', html)
    assert len(fields) == 6 and set(fields) == {""}  # dropped: saving again works
    again = _post(knee, dict.fromkeys(GOOD, ""))
    assert client.post(reverse("exercises:session"), again).status_code == 302
    assert ExerciseLog.objects.filter(camera_exercise="").count() == 2


@pytest.mark.parametrize(("camera", "why"), [
    ({"exercise": "squat"}, "another movement"),
    ({"rom_deg": float("nan")}, "outside 0 to 200"),
    ({"peak_deg": 201.0}, "outside 0 to 200"),
    ({"reps": True}, "reps"),
    ({"side": "both"}, "no side"),
    ({"rom_deg": None}, "without"),
    ({"view_ok": "yes"}, "view check"),
])
def test_the_service_refuses_a_bad_measurement_whole(cast, knee, camera, why):
    items = list(knee.items.all())
    values: dict[str, Any] = {"exercise": "knee_flexion", "side": "left", "reps": 3,
                              "peak_deg": 100.0, "rom_deg": 95.0, "view_ok": True, **camera}
    logs = [services.LogInput(item_id=items[0].pk, status="done", pain=2,
                              camera=services.CameraInput(**values)),
            services.LogInput(item_id=items[1].pk, status="done", pain=2)]
    with pytest.raises(DomainError) as refused:
        services.session_record(actor=cast.actor("patient"), logs=logs)
    assert why in refused.value.message and refused.value.message.startswith("Exercise 1")
    assert not ExerciseSession.objects.exists() and not ExerciseLog.objects.exists()


def test_a_skipped_exercise_keeps_no_measurement_and_the_database_holds_the_range(cast, knee):
    response = cast.client("patient").post(reverse("exercises:session"),
                                           _post(knee, GOOD, status="skipped"))
    assert response.status_code == 302
    assert not ExerciseLog.objects.exclude(camera_exercise="").exists()
    log = ExerciseLog.objects.first()
    for bad in ({"camera_exercise": "knee_flexion", "camera_rom_deg": 201.0},
                {"camera_rom_deg": 50.0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ExerciseLog.objects.filter(pk=log.pk).update(**bad)


# --- the progress page --------------------------------------------------------------------

def _home(cast, name: str, rom: float, *, days_ago: int, view_ok: bool = True) -> None:
    program = Program.objects.filter(patient=cast.patients[name], active=True).first() \
        or program_for(cast, name, slugs=KNEE)
    item = program.items.first()
    services.session_record(actor=cast.actor(name), logs=[services.LogInput(
        item_id=item.pk, status="done", pain=1, camera=services.CameraInput(
            exercise="knee_flexion", side="left", reps=5, peak_deg=rom + 3, rom_deg=rom,
            view_ok=view_ok))])
    ExerciseSession.objects.filter(pk=ExerciseSession.objects.latest("id").pk).update(
        completed_at=timezone.now() - dt.timedelta(days=days_ago))


def _recording(cast, name: str, rom: float, *, days_ago: int, view_ok: bool = True) -> None:
    patient = cast.patients[name]
    recording = Recording.objects.create(
        patient=patient, practice=patient.practice, exercise=Exercise.objects.get(
            practice__isnull=True, slug="standing-hamstring-curl"),
        motion_key="knee_flexion", file="2026/03/x.webm", content_type="video/webm", size=9,
        status=Recording.Status.ANALYSED, analysis={
            "exercise": "knee_flexion", "side": "left", "reps": 4, "rom_deg": rom,
            "peak_deg": rom + 1, "view_ok": view_ok})
    Recording.objects.filter(pk=recording.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(days=days_ago))


def _visit(cast, name: str, rom: float, *, days_ago: int) -> None:
    """A measurement captured in a video visit (the capture time is then moved back)."""
    booked = MovementMeasurement.objects.count()  # one provider: one visit after another
    appointment = video_visit_now(cast, patient=name, minutes_ago=5 + 45 * booked)
    host = access.entry_for_staff(actor=cast.actor("pt"), appointment_id=appointment.pk)
    seat = link_entry(appointment, JoinLink.Role.PATIENT, user_id=cast.users[name].pk)
    MovementMeasurement.objects.create(
        visit_id=host.participant.visit_id, participant=seat.participant,
        exercise="knee_flexion", side="left", label="Left knee flexion", peak_deg=rom + 4,
        rom_deg=rom, reps=3, view_ok=True,
        captured_at=timezone.now() - dt.timedelta(days=days_ago))


def test_the_progress_page_draws_the_three_sources_for_the_patient_only(cast):
    _recording(cast, "patient", 71, days_ago=20)
    _visit(cast, "patient", 83, days_ago=10)
    _home(cast, "patient", 97, days_ago=3)
    _home(cast, "patient", 140, days_ago=1, view_ok=False)
    _recording(cast, "patient", 55, days_ago=400)  # older than the window
    _home(cast, "other_patient", 123, days_ago=2)
    _recording(cast, "other_patient", 124, days_ago=2)
    _visit(cast, "other_patient", 125, days_ago=2)
    program_for(cast, "outsider_patient", slugs=KNEE)
    _home(cast, "outsider_patient", 126, days_ago=2)

    response = cast.client("pt").get(reverse("exercises:progress", args=[cast.patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    [series] = response.context["rom"].series
    assert [(p.point.source, p.point.rom_deg) for p in series.points] == [
        ("recording", 71), ("visit", 83), ("home", 97), ("home", 140)]
    assert series.change_deg == 26  # 97 - 71: the failed view (140) is left out
    assert html.count('data-source="home"') == 2 and html.count('data-source="visit"') == 1
    assert html.count('data-source="recording"') == 1 and html.count('rom-home hollow"') == 1
    assert 'data-testid="rom-latest">latest 97°' in html and "+26°" in html
    assert "5–7°" in html and "Left knee flexion" in html
    for theirs in ("123°", "124°", "125°", "126°", "55°"):
        assert theirs not in html
    assert " style=" not in html and "<script" not in html.split("</header>")[1]
    audit = AuditEvent.objects.get(object_type="RangeOfMotion")
    assert (audit.patient_id, audit.actor_id) == (cast.patient.pk, cast.users["pt"].pk)
    assert len(audit.detail["home_logs"]) == 2 and len(audit.detail["recordings"]) == 1
    assert len(audit.detail["measurements"]) == 1


def test_with_nothing_measured_the_page_says_so(cast, program):
    html = cast.client("pta").get(reverse("exercises:progress", args=[cast.patient.pk]))
    assert 'data-testid="rom-empty"' in html.content.decode()
    no_program = cast.client("pt").get(reverse("exercises:progress",
                                               args=[cast.other_patient.pk]))
    assert no_program.status_code == 200 and b"rom-empty" in no_program.content


def test_a_visit_measurement_shows_even_without_a_home_program(cast):
    _visit(cast, "other_patient", 88, days_ago=1)
    response = cast.client("pt").get(reverse("exercises:progress",
                                             args=[cast.other_patient.pk]))
    assert response.status_code == 200 and 'data-source="visit"' in response.content.decode()


def test_only_the_patient_and_their_practices_clinicians_read_the_trend(cast):
    _home(cast, "patient", 97, days_ago=1)
    assert cast.client("outsider_pt").get(
        reverse("exercises:progress", args=[cast.patient.pk])).status_code == 404
    with pytest.raises(NotFound):
        selectors.rom_trend_for(actor=cast.actor("outsider_pt"), patient_id=cast.patient.pk)
    with pytest.raises(NotFound):
        selectors.rom_trend_for(actor=cast.actor("other_patient"), patient_id=cast.patient.pk)
    with pytest.raises(PermissionDenied):
        selectors.rom_trend_for(actor=cast.actor("front_desk"), patient_id=cast.patient.pk)
    own = selectors.rom_trend_for(actor=cast.actor("patient"), patient_id=cast.patient.pk)
    assert [p.point.rom_deg for s in own.series for p in s.points] == [97]
    assert cast.client("patient").get(
        reverse("exercises:progress", args=[cast.patient.pk])).status_code == 403
