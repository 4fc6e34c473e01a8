"""The words the exercise library is filed under (pure; no Django imports).

Regions, goals and equipment are closed vocabularies so that filters and the API agree. An
equipment key in HOUSEHOLD is an everyday item most homes have; anything else is dedicated
gear (a band, a dumbbell), for which the library names an everyday substitute.
"""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "neck": "Neck",
    "shoulder": "Shoulder",
    "elbow_wrist_hand": "Elbow, wrist and hand",
    "back": "Back",
    "hip": "Hip",
    "knee": "Knee",
    "ankle": "Ankle and foot",
    "balance": "Balance",
}

GOALS: dict[str, str] = {
    "mobility": "Mobility",
    "strength": "Strength",
    "stretch": "Stretch",
    "balance": "Balance",
    "endurance": "Endurance",
}

EQUIPMENT: dict[str, str] = {
    # Everyday items.
    "chair": "Sturdy chair",
    "counter": "Kitchen counter or table",
    "wall": "Wall",
    "doorway": "Doorway",
    "stairs": "Stairs or a step",
    "towel": "Towel",
    "pillow": "Pillow or cushion",
    "bed": "Bed or floor mat",
    "water_bottles": "Water bottles or cans",
    "rolling_pin": "Rolling pin",
    "broom": "Broom or walking stick",
    "sock": "Rolled sock or sponge",
    "rubber_band": "Rubber band or hair tie",
    # Dedicated equipment.
    "band": "Resistance band",
    "dumbbell": "Dumbbell",
    "ankle_weight": "Ankle weight",
    "ball": "Exercise or soft ball",
    "balance_pad": "Balance pad",
    "putty": "Therapy putty",
}

HOUSEHOLD = frozenset({
    "chair", "counter", "wall", "doorway", "stairs", "towel", "pillow", "bed",
    "water_bottles", "rolling_pin", "broom", "sock", "rubber_band",
})

PLANES = {"sagittal": "Sagittal", "frontal": "Frontal", "transverse": "Transverse"}
CAMERA_VIEWS = {"side": "Side", "front": "Front"}

# Equipment filter values beyond a single item.
NO_EQUIPMENT = "none"
HOUSEHOLD_ONLY = "household"


def household_only(equipment: list[str] | tuple[str, ...]) -> bool:
    """True when an exercise needs nothing, or only everyday items."""
    return all(item in HOUSEHOLD for item in equipment)


def equipment_index(equipment: list[str] | tuple[str, ...]) -> str:
    """`|chair|towel|`: a text column any database filters with LIKE (JSON containment is
    not portable to SQLite)."""
    return "|" + "|".join(sorted(set(equipment))) + "|" if equipment else ""


def search_text(*, name: str, summary: str, region: str, goal: str, equipment: list[str],
                substitutes: list[dict[str, str]]) -> str:
    """The lower-case words an exercise is found by."""
    words = [name, summary, REGIONS.get(region, ""), GOALS.get(goal, ""),
             *(EQUIPMENT.get(k, k) for k in equipment),
             *(s.get("item", "") for s in substitutes if isinstance(s, dict))]
    return " ".join(w for w in words if w).lower()
