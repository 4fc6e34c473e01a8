"""What each kind of note asks for: its sections and the built-in prompts (data, no Django).

A practice edits its own copy of the prompts (`NoteTemplate`, admin page); a kind without
a practice copy uses the built-in one here. The section keys are fixed: they are the
note's structure (and part of its content hash); the practice edits only the text.
"""

from __future__ import annotations

INITIAL_EVAL = "initial_eval"
RE_EVAL = "re_eval"
DAILY = "daily"

SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    INITIAL_EVAL: (
        ("history", "History"),
        ("systems_review", "Systems review"),
        ("tests_measures", "Tests and measures"),
        ("assessment", "Assessment"),
        ("plan", "Plan of care"),
    ),
    RE_EVAL: (
        ("history", "Interval history"),
        ("tests_measures", "Tests and measures"),
        ("assessment", "Assessment and progress toward goals"),
        ("plan", "Updated plan of care"),
    ),
    DAILY: (
        ("subjective", "Subjective"),
        ("objective", "Objective"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    ),
}

# Where measurements captured during a video visit are added when a note is started.
OBJECTIVE_SECTION = {INITIAL_EVAL: "tests_measures", RE_EVAL: "tests_measures",
                     DAILY: "objective"}

BUILTIN_PROMPTS: dict[str, dict[str, str]] = {
    INITIAL_EVAL: {
        "history": "Chief complaint:\nMechanism and onset:\nPrior level of function:\n"
                   "Personal factors / comorbidities:\nPatient goals:",
        "systems_review": "Cardiovascular/pulmonary:\nIntegumentary:\nMusculoskeletal:\n"
                          "Neuromuscular:\nCommunication, cognition, learning style:",
        "tests_measures": "Pain (NPRS):\nRange of motion:\nStrength:\nSpecial tests:\n"
                          "Function / outcome measures:",
        "assessment": "PT diagnosis and clinical impression:\nPrognosis:\n"
                      "Telehealth suitability:",
        "plan": "Interventions planned:\nHome exercise program:\nEducation:",
    },
    RE_EVAL: {
        "history": "Since the last evaluation:",
        "tests_measures": "Pain (NPRS):\nRange of motion:\nStrength:\nOutcome measures:",
        "assessment": "Progress toward goals:\nRemaining impairments:",
        "plan": "Changes to the plan of care:",
    },
    DAILY: {
        "subjective": "Pain today (0-10):\nHome exercise adherence:\nChanges since last visit:",
        "objective": "",
        "assessment": "Response to treatment:\nProgress toward goals:",
        "plan": "Next visit:\nHome exercise program changes:",
    },
}


def section_keys(kind: str) -> list[str]:
    return [key for key, _ in SECTIONS[kind]]
