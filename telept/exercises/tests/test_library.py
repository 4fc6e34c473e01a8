"""The exercise library: the built-in content, search and filters, the practice's own
exercises, and GET /api/v1/exercises."""

from __future__ import annotations

import re
from collections import Counter
from typing import get_args

import pytest
from django.urls import reverse

from telept.accounts.services import api_token_create
from telept.exercises import api as exercises_api
from telept.exercises import selectors, services, vocab
from telept.exercises.builtin_library import BUILTIN_EXERCISES, builtin_sync
from telept.exercises.models import Exercise
from telept.motion.exercises import EXERCISES as MOTION

pytestmark = pytest.mark.django_db


def test_the_library_is_seeded_with_sixty_or_more_exercises_covering_every_region():
    builtins = Exercise.objects.filter(practice__isnull=True)
    assert builtins.count() >= 60
    assert builtins.count() == len(BUILTIN_EXERCISES)
    by_region = Counter(builtins.values_list("region", flat=True))
    assert set(by_region) == set(vocab.REGIONS)
    assert min(by_region.values()) >= 6
    assert set(builtins.values_list("goal", flat=True)) == set(vocab.GOALS)


def test_every_entry_is_complete_and_uses_the_vocabulary():
    slugs = [e["slug"] for e in BUILTIN_EXERCISES]
    assert len(slugs) == len(set(slugs))
    for entry in BUILTIN_EXERCISES:
        assert entry["steps"] and entry["cues"] and entry["mistakes"], entry["slug"]
        assert 1 <= entry["difficulty"] <= 3
        assert set(entry["equipment"]) <= set(vocab.EQUIPMENT), entry["slug"]
        assert entry.get("reps") or entry.get("hold"), entry["slug"]
        for sub in entry["substitutes"]:
            assert sub["item"] and sub["how"], entry["slug"]


def test_everyday_substitutes_are_named_for_all_dedicated_equipment():
    for entry in BUILTIN_EXERCISES:
        if not vocab.household_only(entry["equipment"]):
            assert entry["substitutes"], f"{entry['slug']} needs gear but names no substitute"
    with_subs = Exercise.objects.filter(practice__isnull=True).exclude(substitutes=[])
    assert with_subs.count() >= 40
    items = " ".join(s["item"].lower() for e in BUILTIN_EXERCISES for s in e["substitutes"])
    for everyday in ("rolling pin", "towel", "chair", "stair", "water bottle", "wall",
                     "doorway"):
        assert everyday in items, everyday


def test_measurable_exercises_name_a_movement_the_camera_knows_with_its_view():
    measured = [e for e in BUILTIN_EXERCISES if e.get("measure")]
    assert {e["measure"]["motion_key"] for e in measured} == set(MOTION)
    for entry in measured:
        motion = MOTION[entry["measure"]["motion_key"]]
        assert entry["measure"]["view"] == motion.view, entry["slug"]
        assert entry["measure"]["plane"] == motion.plane, entry["slug"]
        assert entry["measure"]["joint"] == motion.joint.name, entry["slug"]


def test_syncing_again_changes_nothing():
    before = Exercise.objects.count()
    created, updated = builtin_sync(Exercise)
    assert (created, updated, Exercise.objects.count()) == (0, len(BUILTIN_EXERCISES), before)


def _slugs(cast, **filters):
    rows, total = selectors.exercise_search(actor=cast.actor("pt"), limit=500, **filters)
    assert total == len(rows)
    return {e.slug for e in rows}, rows


def test_search_finds_words_in_names_and_substitutes(cast):
    found, _ = _slugs(cast, query="rolling pin")
    assert {"rolling-pin-forearm-roll", "rolling-pin-wrist-roll"} <= found
    found, _ = _slugs(cast, query="TOWEL scrunch")
    assert found == {"towel-scrunch"}
    found, _ = _slugs(cast, query="water bottle")  # a substitute, not the exercise's name
    assert "scaption-raise" in found


def test_filters_by_region_goal_and_equipment(cast):
    _, knee = _slugs(cast, region="knee")
    assert knee and {e.region for e in knee} == {"knee"}
    _, balance = _slugs(cast, goal="balance")
    assert balance and {e.goal for e in balance} == {"balance"}
    _, bare = _slugs(cast, equipment="none")
    assert bare and all(e.equipment == [] for e in bare)
    _, household = _slugs(cast, equipment="household")
    assert {e.slug for e in bare} < {e.slug for e in household}
    assert all(set(e.equipment) <= vocab.HOUSEHOLD for e in household)
    assert "external-rotation-band" not in {e.slug for e in household}
    found, _ = _slugs(cast, equipment="band")
    assert "external-rotation-band" in found and "chin-tuck" not in found
    found, _ = _slugs(cast, region="ankle", equipment="towel", goal="strength")
    assert found == {"towel-scrunch"}


def test_the_library_page_filters_for_staff_and_is_closed_to_patients(cast):
    url = reverse("exercises:library")
    response = cast.client("front_desk").get(url, {"region": "neck", "equipment": "none"})
    assert response.status_code == 200
    shown = response.context["exercises"]
    assert shown and all(e.region == "neck" and not e.equipment for e in shown)
    assert b"Add your own exercise" not in response.content  # front desk cannot add
    partial = cast.client("pt").get(url, {"q": "chin"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Chin tuck" in partial.content
    assert cast.client("patient").get(url).status_code == 403
    detail = cast.client("billing").get(reverse("exercises:detail", args=[
        Exercise.objects.get(slug="towel-scrunch").pk]))
    assert detail.status_code == 200 and b"kitchen towel" in detail.content.lower()


def test_a_practices_own_exercise_is_visible_only_to_that_practice(cast):
    data = services.ExerciseInput(name="Riverside wall angel", region="shoulder",
                                  goal="mobility", instructions=["Back to the wall."],
                                  equipment=["wall"])
    own = services.exercise_create(actor=cast.actor("pt"), data=data)
    assert own.slug == "riverside-wall-angel" and own.household_only
    assert "riverside-wall-angel" in _slugs(cast, query="angel")[0]
    outsider, _ = selectors.exercise_search(actor=cast.actor("outsider_pt"), query="angel")
    assert outsider == []
    assert cast.client("outsider_pt").get(
        reverse("exercises:detail", args=[own.pk])).status_code == 404
    assert cast.client("outsider_pt").get(
        reverse("exercises:edit", args=[own.pk])).status_code == 404


def test_built_in_exercises_cannot_be_edited_and_front_desk_cannot_add(cast):
    builtin = Exercise.objects.get(slug="chin-tuck")
    assert cast.client("pt").get(reverse("exercises:edit", args=[builtin.pk])).status_code \
        == 404
    assert cast.client("front_desk").get(reverse("exercises:create")).status_code == 403
    data = services.ExerciseInput(name="X", region="neck", goal="mobility",
                                  instructions=["Y"])
    with pytest.raises(services.PermissionDenied):
        services.exercise_create(actor=cast.actor("billing"), data=data)


def test_an_exercise_with_an_unknown_camera_movement_is_refused(cast):
    response = cast.client("pt").post(reverse("exercises:create"), {
        "name": "Jump", "region": "knee", "goal": "strength", "instructions": "Jump.",
        "difficulty": "1", "default_sets": "1", "default_reps": "5", "motion_key": "jump"})
    assert response.status_code == 400 and "motion_key" in response.context["form"].errors


# --- API ----------------------------------------------------------------------------------

def _api(cast, who):
    from django.test import Client

    _, raw = api_token_create(user=cast.users[who], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_lists_and_filters_the_library(cast):
    client = _api(cast, "pt")
    body = client.get("/api/v1/exercises", {"region": "knee", "equipment": "household",
                                            "limit": 200}).json()
    assert body["count"] == len(body["items"]) > 0
    assert all(i["region"] == "knee" and i["household_only"] for i in body["items"])
    item = body["items"][0]
    assert {"substitutes", "instructions", "motion_key", "builtin"} <= set(item)
    assert client.get("/api/v1/exercises", {"q": "doorway chest"}).json()["count"] >= 1


@pytest.mark.parametrize("params", [{"region": "elbow"}, {"goal": "speed"},
                                    {"equipment": "kettlebell"}, {"limit": 0},
                                    {"limit": "many"}, {"q": "x" * 101}, {"offset": -1}])
def test_the_api_answers_bad_filters_with_422_and_a_code(cast, params):
    response = _api(cast, "pt").get("/api/v1/exercises", params)
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_the_api_library_is_for_staff(cast):
    response = _api(cast, "patient").get("/api/v1/exercises")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_the_api_literals_match_the_vocabulary():
    assert set(get_args(exercises_api.Region)) == set(vocab.REGIONS)
    assert set(get_args(exercises_api.Goal)) == set(vocab.GOALS)
    assert set(get_args(exercises_api.EquipmentFilter)) == {
        vocab.NO_EQUIPMENT, vocab.HOUSEHOLD_ONLY, *vocab.EQUIPMENT}


def test_exercise_pages_name_the_camera_measurement_in_words(cast):
    """Issue 16 item 21: "30-second chair stand" and "Knee flexion", never the keys
    `chair_stand_30s` or `knee_flexion`, on the exercise page and in the exercise form."""
    client = cast.client("pt")
    for slug, words in (("sit-to-stand", ["30-second chair stand", "Knee flexion"]),
                        ("mini-squat", ["Knee flexion (squat)"])):
        page = client.get(reverse("exercises:detail",
                                  args=[Exercise.objects.get(slug=slug).pk]))
        html = page.content.decode()
        assert page.status_code == 200
        for word in words:
            assert word in html
        assert "knee_flexion" not in html and "chair_stand_30s" not in html
    form = client.get(reverse("exercises:create")).content.decode()
    assert ">30-second chair stand</option>" in form and ">Knee flexion</option>" in form
    text = re.sub(r"<[^>]*>", " ", form)  # what a person reads (option values are keys)
    assert "chair stand 30s" not in text and "knee_flexion" not in text
