"""Issue 13 item 1: every built-in exercise shows how it is done.

The figure is drawn from joint angles (telept/exercises/illustrations/poses.py); these tests
read the angles back FROM THE RENDERED SVG (the landmark coordinates of its lines), with
telept.motion's angle functions (the ones used on real MediaPipe landmarks), so a figure
cannot silently show another movement than its definition. Then the kinematics' properties,
figure.js under node (t = 0 is the start pose, t = 0.5 the end pose), and the pages.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.conftest import require_system
from telept.exercises.builtin_library import BUILTIN_EXERCISES
from telept.exercises.illustrations import ILLUSTRATIONS, figure_svg, placed
from telept.exercises.illustrations.kinematics import (
    SIDE_NAMES,
    TREE,
    forward,
    measure,
    segment_lengths,
)
from telept.exercises.illustrations.render import SCALE, timing

from .conftest import builtin, program_for

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE_DEG = 3.0
FIGURE_JS = Path(__file__).resolve().parents[3] / "static" / "js" / "figure.js"
SIGNED = {"trunk", "left_ankle", "right_ankle"}


def rendered_points(svg: str) -> dict[str, tuple[float, float]]:
    """Landmark positions read off the drawn lines (world y up), checked for consistency:
    every line that ends at a landmark must end at the same place."""
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label")
    points: dict[str, tuple[float, float]] = {}
    for line in root.iter(f"{SVG}line"):
        for name, x, y in ((line.get("data-a"), "x1", "y1"), (line.get("data-b"), "x2", "y2")):
            if not name:
                continue
            p = (float(line.get(x)) / SCALE, -float(line.get(y)) / SCALE)  # type: ignore[arg-type]
            if name in points:
                assert math.dist(points[name], p) < 0.002, name
            points[name] = p
    # The head is a circle round the ears' midpoint: what the neck angle is read on.
    head = next(c for c in root.iter(f"{SVG}circle") if c.get("data-mid") == "left_ear right_ear")
    centre = (float(head.get("cx")) / SCALE, -float(head.get("cy")) / SCALE)  # type: ignore[arg-type]
    points["left_ear"] = points["right_ear"] = centre
    return points


def expected_angles(view: str, angles: dict[str, float]) -> dict[str, float]:
    """What the clinical definitions read for a definition: unsigned joints read the size of
    the angle, hip abduction (front), ankle and trunk keep their sign."""
    out: dict[str, float] = {}
    keys = [f"{side}_{part}" for side in SIDE_NAMES
            for part in ("shoulder", "elbow", "wrist", "finger", "hip", "knee", "ankle")]
    for key in keys + ["neck", "trunk"]:
        value = float(angles.get(key, 0.0))
        signed = key in SIGNED or (view == "front" and key.endswith("_hip"))
        out[key] = value if signed else abs(value)
    return out


def _slugs() -> list[str]:
    return [entry["slug"] for entry in BUILTIN_EXERCISES]


def test_every_builtin_exercise_has_an_illustration_and_no_illustration_is_orphaned():
    missing = sorted(set(_slugs()) - set(ILLUSTRATIONS))
    assert not missing, f"built-in exercises without an illustration: {missing}"
    assert set(ILLUSTRATIONS) <= set(_slugs())
    assert len(_slugs()) >= 82


@pytest.mark.parametrize("slug", _slugs())
def test_the_rendered_figure_shows_the_defined_start_and_end_angles(slug):
    ill = ILLUSTRATIONS[slug]
    name = next(e["name"] for e in BUILTIN_EXERCISES if e["slug"] == slug)
    moved = 0.0
    for frame in ("start", "end"):
        svg = str(figure_svg(slug=slug, name=name, size="print", frame=frame))
        points = rendered_points(svg)
        got = measure(view=ill.view, points=points)
        want = expected_angles(ill.view, getattr(ill, frame))
        wrong = {k: (round(got[k], 1), v) for k, v in want.items()
                 if abs(got[k] - v) > TOLERANCE_DEG}
        assert not wrong, f"{slug} {frame}: measured vs defined {wrong}"
        if frame == "end":
            keys = set(ill.start) | set(ill.end)
            moved = max(abs(ill.end.get(k, 0.0) - ill.start.get(k, 0.0)) for k in keys)
    # A figure that does not move shows nothing: every exercise changes some joint, even the
    # holds (getting into the held position), by at least a few degrees.
    assert moved >= 3.0, slug


@pytest.mark.parametrize("slug", _slugs())
def test_the_animated_figure_carries_the_same_key_poses_and_rests_on_its_support(slug):
    ill = ILLUSTRATIONS[slug]
    svg = str(figure_svg(slug=slug, name=slug, size="large", hold_seconds=30))
    root = ET.fromstring(svg)
    data = json.loads(root.get("data-figure"))  # type: ignore[arg-type]
    assert data["timing"] == {"move": 2.0, "hold": 5.0, "rest": 0.8}  # default tempo
    assert [tuple(pair) for pair in data["tree"]] == list(TREE)
    frames = placed(ill)
    for index, frame in enumerate(("start", "end")):
        for name, (x, y) in frames[frame].items():
            sx, sy = data["frames"][index][name]
            assert math.isclose(sx, x * SCALE, abs_tol=0.01)
            assert math.isclose(sy, -y * SCALE, abs_tol=0.01)
        # Nothing sinks through the floor or a mat (a foot over a step edge may go lower).
        if not ill.rest:
            assert min(y for _, y in frames[frame].values()) > -0.001
    # The anchor keeps its place between the key poses (feet stay put, hips stay seated).
    assert math.isclose(frames["start"][ill.anchor][0], frames["end"][ill.anchor][0],
                        abs_tol=1e-9)
    # The drawing's start geometry is the start pose.
    points = rendered_points(svg)
    ears = frames["start"]["left_ear"], frames["start"]["right_ear"]
    start = {**frames["start"], "left_ear": ((ears[0][0] + ears[1][0]) / 2,
                                             (ears[0][1] + ears[1][1]) / 2)}
    start["right_ear"] = start["left_ear"]
    for name, (x, y) in points.items():
        assert math.dist((x, y), start[name]) < 0.002, name


def test_a_hold_is_shown_at_most_five_seconds_and_an_exercise_without_one_has_none():
    assert timing(hold_seconds=None).hold_s == 0.0
    assert timing(hold_seconds=3).hold_s == 3.0
    assert timing(hold_seconds=30).hold_s == 5.0
    assert timing(hold_seconds=None, tempo_s=1.5).move_s == 1.5


# --- the kinematics ------------------------------------------------------------------------

SIDE_RANGES = {"shoulder": (-60.0, 175.0), "elbow": (0.0, 170.0), "wrist": (-80.0, 80.0),
               "finger": (0.0, 150.0), "hip": (-45.0, 150.0), "knee": (0.0, 160.0),
               "ankle": (-85.0, 60.0)}
FRONT_RANGES = {**SIDE_RANGES, "shoulder": (-100.0, 175.0), "hip": (-40.0, 85.0),
                "elbow": (-170.0, 170.0), "knee": (-160.0, 160.0), "ankle": (-60.0, 60.0)}


@st.composite
def poses(draw):
    view = draw(st.sampled_from(["side", "front"]))
    ranges = SIDE_RANGES if view == "side" else FRONT_RANGES
    angles = {"trunk": draw(st.floats(-170, 170)), "neck": draw(st.floats(-70, 70)),
              "nod": draw(st.floats(-30, 30))}
    if view == "front":
        angles["yaw"] = draw(st.floats(-80, 80))
    for side in SIDE_NAMES:
        for part, (lo, hi) in ranges.items():
            angles[f"{side}_{part}"] = draw(st.floats(lo, hi))
    return view, angles


@settings(max_examples=300, deadline=None)
@given(poses())
def test_segment_lengths_are_fixed_whatever_the_angles(pose):
    view, angles = pose
    points = forward(view=view, angles=angles)
    for (child, parent), length in segment_lengths(view).items():
        assert math.isclose(math.dist(points[child], points[parent]), length,
                            abs_tol=1e-9), (child, parent)
    assert points["left_hip"] == (0.0, 0.0)


@settings(max_examples=300, deadline=None)
@given(poses())
def test_the_angles_measured_on_the_figure_are_the_angles_given(pose):
    view, angles = pose
    got = measure(view=view, points=forward(view=view, angles=angles))
    want = expected_angles(view, angles)
    for key, value in want.items():
        assert math.isclose(got[key], value, abs_tol=1e-6), (key, got[key], value)


def test_an_unknown_angle_is_refused():
    with pytest.raises(KeyError):
        forward(view="side", angles={"left_toe": 10})


# --- figure.js under node --------------------------------------------------------------

NODE_CHECK = """
import { poseAt, progress, cycleSeconds } from "%s";
import { readFileSync } from "node:fs";
const figures = JSON.parse(readFileSync(0, "utf8"));
const out = figures.map((f) => ({
  t0: poseAt(f, 0), t50: poseAt(f, 0.5), t25: poseAt(f, 0.25), t100: poseAt(f, 1),
  p: [0, 0.1, 0.25, 0.5, 0.75, 0.9].map((t) => progress(t, f.timing)),
  seconds: cycleSeconds(f.timing),
}));
process.stdout.write(JSON.stringify(out));
"""


def test_figure_js_interpolates_start_at_t0_and_end_at_half_the_cycle_keeping_lengths():
    require_system("node", "figure.js's interpolation is checked under node")
    node = shutil.which("node")
    assert node is not None
    slugs = _slugs()
    figures = []
    for slug in slugs:
        svg = str(figure_svg(slug=slug, name=slug, size="large",
                             hold_seconds=3))
        figures.append(json.loads(ET.fromstring(svg).get("data-figure")))  # type: ignore[arg-type]
    result = subprocess.run(
        [node, "--input-type=module", "-e", NODE_CHECK % FIGURE_JS.as_uri()],
        input=json.dumps(figures), capture_output=True, text=True, timeout=60, check=True)
    answers = json.loads(result.stdout)
    for slug, fig, got in zip(slugs, figures, answers, strict=True):
        start, end = fig["frames"]
        for name in start:
            assert math.dist(got["t0"][name], start[name]) < 0.05, (slug, name)
            assert math.dist(got["t100"][name], start[name]) < 0.05, (slug, name)
            assert math.dist(got["t50"][name], end[name]) < 0.05, (slug, name)
        for child, parent in fig["tree"]:  # halfway the limbs keep their length
            want = math.dist(start[child], start[parent])
            if not math.isclose(want, math.dist(end[child], end[parent]), abs_tol=0.05):
                continue  # the nose and, from the front, the ears (see segment_lengths)
            assert math.isclose(math.dist(got["t25"][child], got["t25"][parent]), want,
                                abs_tol=0.05), (slug, child)
        assert got["p"][0] == 0 and got["p"][3] == 1
        assert 0 < got["p"][2] < 1 and math.isclose(got["p"][2], got["p"][4], abs_tol=1e-9)
        assert got["seconds"] == pytest.approx(0.8 + 2 * 2.0 + 3)


# --- the pages -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_library_builder_detail_session_portal_and_print_show_the_figure(cast):
    library = cast.client("pt").get(reverse("exercises:library"), {"q": "sit to stand"})
    html = library.content.decode()
    assert 'class="ex-figure ex-figure-thumb"' in html and 'data-slug="sit-to-stand"' in html
    assert "js/figure.js" in html and "css/figure.css" in html
    detail = cast.client("pt").get(reverse("exercises:detail",
                                           args=[builtin("sit-to-stand").pk])).content.decode()
    assert 'class="ex-fig ex-fig-detail"' in detail and "data-figure=" in detail
    assert "data-figure-pause" in detail and "Pause the figure" in detail

    program = program_for(cast, slugs=("sit-to-stand", "wall-sit"))
    builder = cast.client("pt").get(reverse("exercises:program", args=[cast.patient.pk]))
    assert builder.status_code == 200 and "ex-figure-thumb" in builder.content.decode()
    session = cast.client("patient").get(reverse("exercises:session")).content.decode()
    assert session.count('class="ex-figure ex-figure-large"') == 2
    assert 'data-label-play="Play the figure"' in session
    portal = cast.client("patient").get(reverse("exercises:portal")).content.decode()
    assert 'data-slug="wall-sit"' in portal and "data-figure=" in portal
    printed = cast.client("patient").get(reverse("exercises:program_print",
                                                 args=[program.pk])).content.decode()
    assert printed.count('data-frame="start"') == 2 and printed.count('data-frame="end"') == 2
    assert "data-figure=" not in printed  # the printout is still: two frames side by side


@pytest.mark.django_db
def test_a_practices_own_photo_or_video_wins_over_the_figure():
    exercise = builtin("wall-sit")
    exercise.media, exercise.media_kind = "exercises/2026/01/x.mp4", "video"
    html = render_to_string("exercises/_figure.html", {"exercise": exercise, "size": "large"})
    assert "<video" in html and "ex-figure" not in html
    printed = render_to_string("exercises/_figure.html", {"exercise": exercise, "size": "print"})
    assert "<video" not in printed and 'data-frame="start"' in printed  # print cannot play
    exercise.media_kind = "image"
    thumb = render_to_string("exercises/_figure.html", {"exercise": exercise, "size": "thumb"})
    assert "<img" in thumb and "ex-figure" not in thumb


@pytest.mark.django_db
def test_a_practices_own_exercise_has_no_generated_figure(cast):
    from telept.exercises import services

    own = services.exercise_create(actor=cast.actor("pt"), data=services.ExerciseInput(
        name="Wall sit", region="knee", goal="endurance", instructions=["Sit."]))
    html = render_to_string("exercises/_figure.html", {"exercise": own, "size": "large"})
    assert html.strip() == ""
