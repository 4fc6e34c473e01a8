"""Telehealth-suitability triage: a table with a case per outcome and every red flag."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.clinical.triage import (
    DEFAULT_MESSAGES,
    TELEHEALTH_FRIENDLY,
    ConditionCategory,
    Onset,
    RedFlags,
    TriageInput,
    TriageOutcome,
    TriagePolicy,
    triage,
)

SUITABLE = TriageOutcome.SUITABLE_TELEHEALTH
HYBRID = TriageOutcome.HYBRID
IN_PERSON = TriageOutcome.IN_PERSON
URGENT = TriageOutcome.URGENT_REFERRAL


def case(*, flags: dict[str, bool] | None = None, **overrides) -> TriageInput:
    """Chronic back pain, nothing flagged, safe at home with a device: the easy case."""
    fields = {
        "condition": ConditionCategory.BACK_PAIN,
        "onset": Onset.CHRONIC,
        "red_flags": dataclasses.replace(RedFlags.none_reported(), **(flags or {})),
        "recent_surgery": False,
        "weeks_since_surgery": None,
        "fall_risk": False,
        "can_stand_unassisted": True,
        "has_video_device": True,
        "has_private_space": True,
    }
    fields.update(overrides)
    return TriageInput(**fields)


TABLE = [
    # (behaviour, case, outcome, finding code)
    ("back pain with no flags suits telehealth", case(), SUITABLE, "suits_telehealth"),
    ("chest pain", case(flags={"chest_pain": True}), URGENT, "chest_pain"),
    (
        "bladder or bowel change",
        case(flags={"bladder_or_bowel_change": True}),
        URGENT,
        "cauda_equina",
    ),
    ("saddle numbness", case(flags={"saddle_numbness": True}), URGENT, "cauda_equina"),
    (
        "progressive weakness",
        case(flags={"progressive_weakness": True}),
        URGENT,
        "progressive_weakness",
    ),
    (
        "significant trauma with acute onset",
        case(flags={"significant_trauma": True}, onset=Onset.ACUTE),
        URGENT,
        "recent_significant_trauma",
    ),
    (
        "significant trauma behind a chronic problem",
        case(flags={"significant_trauma": True}, onset=Onset.CHRONIC),
        IN_PERSON,
        "old_significant_trauma",
    ),
    ("fever alone", case(flags={"fever": True}), IN_PERSON, "single_systemic_flag"),
    (
        "unexplained weight loss alone",
        case(flags={"unexplained_weight_loss": True}),
        IN_PERSON,
        "single_systemic_flag",
    ),
    ("night pain alone", case(flags={"night_pain": True}), IN_PERSON, "single_systemic_flag"),
    (
        "weight loss with night pain",
        case(flags={"unexplained_weight_loss": True, "night_pain": True}),
        URGENT,
        "serious_pathology_cluster",
    ),
    (
        "fever with night pain",
        case(flags={"fever": True, "night_pain": True}),
        URGENT,
        "serious_pathology_cluster",
    ),
    (
        "fever after recent surgery",
        case(flags={"fever": True}, recent_surgery=True, weeks_since_surgery=20),
        URGENT,
        "fever_after_surgery",
    ),
    (
        "two weeks after surgery",
        case(condition=ConditionCategory.POST_OPERATIVE, weeks_since_surgery=2),
        IN_PERSON,
        "early_post_operative",
    ),
    (
        "knee pain three weeks after surgery",
        case(condition=ConditionCategory.KNEE_PAIN, recent_surgery=True, weeks_since_surgery=3),
        IN_PERSON,
        "early_post_operative",
    ),
    (
        "surgery of unknown date",
        case(condition=ConditionCategory.POST_OPERATIVE, recent_surgery=True),
        IN_PERSON,
        "unknown_surgery_timing",
    ),
    (
        "eight weeks after surgery",
        case(condition=ConditionCategory.POST_OPERATIVE, weeks_since_surgery=8),
        HYBRID,
        "mid_post_operative",
    ),
    (
        "sixteen weeks after surgery",
        case(condition=ConditionCategory.POST_OPERATIVE, weeks_since_surgery=16),
        SUITABLE,
        "late_post_operative",
    ),
    (
        "severe injury",
        case(condition=ConditionCategory.SEVERE_INJURY, onset=Onset.ACUTE),
        IN_PERSON,
        "severe_injury",
    ),
    (
        "condition outside the telehealth categories",
        case(condition=ConditionCategory.OTHER),
        HYBRID,
        "other_condition",
    ),
    ("fall risk", case(fall_risk=True), HYBRID, "fall_risk"),
    ("cannot stand unassisted", case(can_stand_unassisted=False), IN_PERSON, "cannot_stand"),
    ("no video device", case(has_video_device=False), IN_PERSON, "no_device"),
    ("no private space", case(has_private_space=False), IN_PERSON, "no_private_space"),
]


@pytest.mark.parametrize(
    ("triage_case", "outcome", "code"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_it_triages_each_case_to_the_expected_outcome_with_its_reason(triage_case, outcome, code):
    result = triage(case=triage_case)
    assert result.outcome is outcome
    assert code in {f.code for f in result.findings}
    assert result.reasons, "an outcome always comes with at least one reason"


def test_the_table_covers_every_outcome_and_every_red_flag():
    assert {row[2] for row in TABLE} == set(TriageOutcome)
    flagged = {
        name
        for row in TABLE
        for name, value in dataclasses.asdict(row[1].red_flags).items()
        if value
    }
    assert flagged == {f.name for f in dataclasses.fields(RedFlags)}


@pytest.mark.parametrize("condition", sorted(TELEHEALTH_FRIENDLY, key=lambda c: c.value))
def test_it_leans_to_telehealth_for_exercise_based_conditions(condition):
    result = triage(case=case(condition=condition))
    assert result.outcome is SUITABLE
    assert "can be guided remotely" in result.reasons[0]


def test_it_names_the_red_flags_it_found_together():
    result = triage(case=case(flags={"fever": True, "unexplained_weight_loss": True}))
    assert "Fever and Unexplained weight loss reported together" in result.reasons[0]


def test_an_urgent_referral_lists_only_the_urgent_reasons():
    result = triage(case=case(flags={"chest_pain": True}, has_video_device=False))
    assert result.reasons == (DEFAULT_MESSAGES["chest_pain"],)
    assert {f.code for f in result.findings} >= {"chest_pain", "no_device", "suits_telehealth"}


def test_reasons_run_from_the_most_to_the_least_restrictive_finding():
    result = triage(case=case(fall_risk=True, has_private_space=False))
    assert [f.outcome for f in result.findings] == [IN_PERSON, HYBRID, SUITABLE]
    assert result.reasons[0] == DEFAULT_MESSAGES["no_private_space"]


def test_it_uses_practice_wording_when_given_and_the_default_otherwise():
    result = triage(
        case=case(fall_risk=True),
        messages={"fall_risk": "Falls risk: book a first visit at the clinic."},
    )
    assert result.reasons[0] == "Falls risk: book a first visit at the clinic."
    assert result.reasons[1] == DEFAULT_MESSAGES["suits_telehealth"].format(condition="Back pain")


def test_it_fills_template_fields_such_as_weeks_since_surgery():
    result = triage(
        case=case(condition=ConditionCategory.POST_OPERATIVE, weeks_since_surgery=3),
        messages={"early_post_operative": "Only {weeks} of {early} weeks healed."},
    )
    assert result.reasons == ("Only 3 of 6 weeks healed.",)


def test_it_rejects_a_message_code_it_does_not_know():
    with pytest.raises(ValueError, match="Unknown message codes: fall_risks"):
        triage(case=case(), messages={"fall_risks": "typo"})


def test_it_rejects_a_template_asking_for_a_field_it_cannot_fill():
    with pytest.raises(ValueError, match="fall_risk"):
        triage(case=case(fall_risk=True), messages={"fall_risk": "Risk {score}"})


def test_a_practice_can_move_the_post_operative_windows():
    policy = TriagePolicy(early_postop_weeks=4, late_postop_weeks=8)
    post_op = case(condition=ConditionCategory.POST_OPERATIVE, weeks_since_surgery=5)
    assert triage(case=post_op).outcome is IN_PERSON
    assert triage(case=post_op, policy=policy).outcome is HYBRID


def test_it_rejects_inconsistent_surgery_details():
    with pytest.raises(ValueError, match="no surgery"):
        case(weeks_since_surgery=4)
    with pytest.raises(ValueError, match="negative"):
        case(recent_surgery=True, weeks_since_surgery=-1)
    with pytest.raises(ValueError, match="early_postop_weeks"):
        TriagePolicy(early_postop_weeks=12, late_postop_weeks=6)


def test_every_screening_answer_must_be_given_explicitly():
    with pytest.raises(TypeError):
        RedFlags(chest_pain=False)  # type: ignore[call-arg]


# --- properties ---------------------------------------------------------------------------

FLAG_NAMES = [f.name for f in dataclasses.fields(RedFlags)]


@st.composite
def any_case(draw) -> TriageInput:
    condition = draw(st.sampled_from(list(ConditionCategory)))
    recent_surgery = draw(st.booleans())
    weeks = None
    if recent_surgery or condition is ConditionCategory.POST_OPERATIVE:
        weeks = draw(st.none() | st.integers(min_value=0, max_value=104))
    return case(
        condition=condition,
        onset=draw(st.sampled_from(list(Onset))),
        flags={name: draw(st.booleans()) for name in FLAG_NAMES},
        recent_surgery=recent_surgery,
        weeks_since_surgery=weeks,
        fall_risk=draw(st.booleans()),
        can_stand_unassisted=draw(st.booleans()),
        has_video_device=draw(st.booleans()),
        has_private_space=draw(st.booleans()),
    )


@given(any_case())
def test_every_triage_gives_an_outcome_with_reasons_matching_its_findings(triage_case):
    result = triage(case=triage_case)
    assert result.reasons
    assert result.outcome is max(result.findings, key=lambda f: f.outcome.severity).outcome


@given(
    any_case(),
    st.sampled_from(
        ["chest_pain", "bladder_or_bowel_change", "saddle_numbness", "progressive_weakness"]
    ),
)
def test_the_emergency_red_flags_always_mean_urgent_referral(triage_case, flag):
    flagged = dataclasses.replace(
        triage_case, red_flags=dataclasses.replace(triage_case.red_flags, **{flag: True})
    )
    assert triage(case=flagged).outcome is URGENT


@given(
    any_case(),
    st.sampled_from(
        [("flag", name) for name in FLAG_NAMES]
        + [
            ("field", "fall_risk", True),
            ("field", "can_stand_unassisted", False),
            ("field", "has_video_device", False),
            ("field", "has_private_space", False),
        ]
    ),
)
def test_adding_a_concern_never_makes_the_outcome_less_restrictive(triage_case, concern):
    if concern[0] == "flag":
        worse = dataclasses.replace(
            triage_case,
            red_flags=dataclasses.replace(triage_case.red_flags, **{concern[1]: True}),
        )
    else:
        worse = dataclasses.replace(triage_case, **{concern[1]: concern[2]})
    before = triage(case=triage_case).outcome.severity
    assert triage(case=worse).outcome.severity >= before
