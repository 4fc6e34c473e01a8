"""Telehealth-suitability triage: should this patient be seen by video, in person, or sent on?

Pure Python, no Django. Input is one `TriageInput`; output is a `TriageResult` with one of
four outcomes and the reasons, as sentences, for every finding that led there.

Outcomes, from least to most restrictive (the most restrictive finding wins):

* ``SUITABLE_TELEHEALTH`` - exercise-based remote care can start now.
* ``HYBRID`` - evaluate in person first, then continue by telehealth.
* ``IN_PERSON`` - care should happen in the clinic for now.
* ``URGENT_REFERRAL`` - stop: the patient needs medical assessment before any therapy.

Clinical choices (our judgment, following common physical-therapy red-flag screening; the
practice's clinical lead should review them and can retune wording and surgical windows):

* **Urgent referral** for chest pain (possible cardiac cause), bladder/bowel change or
  saddle numbness (possible cauda equina syndrome), progressive weakness (worsening
  neurological deficit), significant trauma with *acute* onset (possible fracture, needs
  imaging), fever after recent surgery (possible post-operative infection), and any two of
  fever, unexplained weight loss and night pain together (possible infection or
  malignancy).
* **In person** for one of fever / unexplained weight loss / night pain on its own (examine
  and screen, liaise with the physician), significant trauma with a longer-standing problem,
  severe injuries, early post-operative care (under ``early_postop_weeks``, default 6, or
  surgery of unknown date), inability to stand unassisted (unsafe unsupervised exercise),
  and no device or no private space (a video visit is not possible or not confidential).
* **Hybrid** for surgery between ``early_postop_weeks`` and ``late_postop_weeks`` (default
  6-12), a high fall risk (assess balance in person and set up a safe home programme
  first), and conditions outside the categories below.
* **Suitable for telehealth**: minor injuries, back or neck pain, hip or knee pain, other
  joint aches, tight or weak muscles, post-discharge check-ups, and post-operative rehab
  past ``late_postop_weeks``.

When the outcome is an urgent referral, `reasons` lists only the urgent findings: the rest
is moot until the patient is medically cleared (all findings stay in `findings`).

Every input field is required, on purpose: a forgotten "can stand unassisted?" must not
silently default to the safe-looking answer.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class ConditionCategory(enum.Enum):
    MINOR_INJURY = "minor_injury"
    BACK_PAIN = "back_pain"
    NECK_PAIN = "neck_pain"
    HIP_PAIN = "hip_pain"
    KNEE_PAIN = "knee_pain"
    JOINT_ACHE = "joint_ache"
    MUSCLE_TIGHTNESS_OR_WEAKNESS = "muscle_tightness_or_weakness"
    POST_DISCHARGE_CHECKUP = "post_discharge_checkup"
    POST_OPERATIVE = "post_operative"
    SEVERE_INJURY = "severe_injury"
    OTHER = "other"


CONDITION_NAMES: Mapping[ConditionCategory, str] = {
    ConditionCategory.MINOR_INJURY: "A minor injury",
    ConditionCategory.BACK_PAIN: "Back pain",
    ConditionCategory.NECK_PAIN: "Neck pain",
    ConditionCategory.HIP_PAIN: "Hip pain",
    ConditionCategory.KNEE_PAIN: "Knee pain",
    ConditionCategory.JOINT_ACHE: "A joint ache",
    ConditionCategory.MUSCLE_TIGHTNESS_OR_WEAKNESS: "Muscle tightness or weakness",
    ConditionCategory.POST_DISCHARGE_CHECKUP: "A post-discharge check-up",
    ConditionCategory.POST_OPERATIVE: "Post-operative rehabilitation",
    ConditionCategory.SEVERE_INJURY: "A severe injury",
    ConditionCategory.OTHER: "This condition",
}

TELEHEALTH_FRIENDLY = frozenset(
    {
        ConditionCategory.MINOR_INJURY,
        ConditionCategory.BACK_PAIN,
        ConditionCategory.NECK_PAIN,
        ConditionCategory.HIP_PAIN,
        ConditionCategory.KNEE_PAIN,
        ConditionCategory.JOINT_ACHE,
        ConditionCategory.MUSCLE_TIGHTNESS_OR_WEAKNESS,
        ConditionCategory.POST_DISCHARGE_CHECKUP,
    }
)
"""Conditions that usually respond to exercise-based care a therapist can guide remotely."""


class Onset(enum.Enum):
    ACUTE = "acute"  # under 6 weeks
    SUBACUTE = "subacute"  # 6 to 12 weeks
    CHRONIC = "chronic"  # over 12 weeks


class TriageOutcome(enum.Enum):
    SUITABLE_TELEHEALTH = "SUITABLE_TELEHEALTH"
    HYBRID = "HYBRID"
    IN_PERSON = "IN_PERSON"
    URGENT_REFERRAL = "URGENT_REFERRAL"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {
    TriageOutcome.SUITABLE_TELEHEALTH: 0,
    TriageOutcome.HYBRID: 1,
    TriageOutcome.IN_PERSON: 2,
    TriageOutcome.URGENT_REFERRAL: 3,
}


@dataclass(frozen=True, kw_only=True)
class RedFlags:
    """Screening answers; each must be given explicitly (see module docstring)."""

    bladder_or_bowel_change: bool
    saddle_numbness: bool
    unexplained_weight_loss: bool
    fever: bool
    night_pain: bool
    significant_trauma: bool
    progressive_weakness: bool
    chest_pain: bool

    @classmethod
    def none_reported(cls) -> RedFlags:
        """A screen where the patient answered "no" to every question."""
        return cls(
            bladder_or_bowel_change=False,
            saddle_numbness=False,
            unexplained_weight_loss=False,
            fever=False,
            night_pain=False,
            significant_trauma=False,
            progressive_weakness=False,
            chest_pain=False,
        )


@dataclass(frozen=True, kw_only=True)
class TriageInput:
    condition: ConditionCategory
    onset: Onset
    red_flags: RedFlags
    recent_surgery: bool
    weeks_since_surgery: int | None
    fall_risk: bool
    can_stand_unassisted: bool
    has_video_device: bool
    has_private_space: bool

    def __post_init__(self) -> None:
        if self.weeks_since_surgery is not None:
            if self.weeks_since_surgery < 0:
                raise ValueError("weeks_since_surgery cannot be negative.")
            if not self.recent_surgery and self.condition is not ConditionCategory.POST_OPERATIVE:
                raise ValueError("weeks_since_surgery is given but no surgery is reported.")


@dataclass(frozen=True, kw_only=True)
class TriagePolicy:
    """Tunable windows, in whole weeks since surgery."""

    early_postop_weeks: int = 6
    late_postop_weeks: int = 12

    def __post_init__(self) -> None:
        if not 0 < self.early_postop_weeks <= self.late_postop_weeks:
            raise ValueError("Need 0 < early_postop_weeks <= late_postop_weeks.")


DEFAULT_MESSAGES: Mapping[str, str] = {
    "chest_pain": (
        "Chest pain reported: refer for same-day medical assessment to rule out a cardiac "
        "cause before any exercise."
    ),
    "cauda_equina": (
        "Bladder or bowel change or saddle numbness reported: possible cauda equina "
        "syndrome, refer for emergency medical assessment."
    ),
    "progressive_weakness": (
        "Progressive weakness reported: a worsening neurological deficit needs urgent "
        "medical assessment."
    ),
    "recent_significant_trauma": (
        "Recent significant trauma: refer for medical assessment and imaging to rule out a "
        "fracture before rehabilitation."
    ),
    "old_significant_trauma": (
        "Significant trauma behind a longer-standing problem: examine in person before remote care."
    ),
    "fever_after_surgery": (
        "Fever after recent surgery: refer urgently to rule out a post-operative infection."
    ),
    "serious_pathology_cluster": (
        "{flags} reported together: refer urgently to screen for infection or malignancy."
    ),
    "single_systemic_flag": (
        "{flag} reported: examine in person and screen for serious pathology before remote care."
    ),
    "unknown_surgery_timing": (
        "Recent surgery without a date: treated as early post-operative care, in person, "
        "until the date is known."
    ),
    "early_post_operative": (
        "Surgery {weeks} weeks ago (under {early} weeks): early post-operative care needs "
        "in-person checks of the wound, swelling and range of motion."
    ),
    "mid_post_operative": (
        "Surgery {weeks} weeks ago: evaluate in person first, then continue by telehealth."
    ),
    "late_post_operative": (
        "Surgery {weeks} weeks ago: past the early healing phase, exercise-based remote "
        "care is appropriate."
    ),
    "severe_injury": "A severe injury needs hands-on examination and treatment in person.",
    "suits_telehealth": (
        "{condition} usually responds to exercise-based care that can be guided remotely."
    ),
    "other_condition": (
        "{condition} is outside the usual telehealth categories: evaluate in person first."
    ),
    "cannot_stand": "Cannot stand unassisted: exercise needs supervision in person to be safe.",
    "fall_risk": (
        "At risk of falls: assess balance in person first and set up a safe home programme, "
        "with a helper present during video sessions."
    ),
    "no_device": "No device for video visits: see the patient in person until one is available.",
    "no_private_space": (
        "No private space for a video visit: see the patient in person to keep the visit "
        "confidential."
    ),
}

_SYSTEMIC_FLAG_NAMES = {
    "fever": "Fever",
    "unexplained_weight_loss": "Unexplained weight loss",
    "night_pain": "Night pain",
}


@dataclass(frozen=True)
class Finding:
    """One reason for the outcome: a stable `code`, its outcome, and the rendered sentence."""

    code: str
    outcome: TriageOutcome
    message: str


@dataclass(frozen=True)
class TriageResult:
    outcome: TriageOutcome
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...]


class _Findings:
    """Collects findings and renders their sentences from the message templates."""

    def __init__(self, *, messages: Mapping[str, str]) -> None:
        self._messages = messages
        self.items: list[Finding] = []

    def add(self, code: str, outcome: TriageOutcome, **fields: object) -> None:
        template = self._messages.get(code, DEFAULT_MESSAGES[code])
        try:
            message = template.format(**fields)
        except (KeyError, IndexError) as error:
            raise ValueError(
                f"Message template {code!r} uses a field that is not available: {error}."
            ) from None
        self.items.append(Finding(code=code, outcome=outcome, message=message))


def triage(
    *,
    case: TriageInput,
    messages: Mapping[str, str] | None = None,
    policy: TriagePolicy | None = None,
) -> TriageResult:
    """Decide where care should happen, with the reasons. See the module docstring.

    `messages` overrides any of `DEFAULT_MESSAGES` by code (templates use `str.format`
    fields such as `{weeks}`); codes it does not mention keep the default wording.
    """
    unknown = set(messages or {}) - set(DEFAULT_MESSAGES)
    if unknown:
        raise ValueError(f"Unknown message codes: {', '.join(sorted(unknown))}.")
    policy = policy or TriagePolicy()
    found = _Findings(messages=messages or {})
    _screen_red_flags(case=case, found=found)
    _assess_surgery(case=case, policy=policy, found=found)
    _assess_condition(case=case, found=found)
    _assess_safety_and_setting(case=case, found=found)
    assert found.items, "every condition category yields at least one finding"

    ranked = tuple(sorted(found.items, key=lambda f: -f.outcome.severity))  # stable sort
    outcome = ranked[0].outcome
    shown = ranked
    if outcome is TriageOutcome.URGENT_REFERRAL:
        shown = tuple(f for f in ranked if f.outcome is TriageOutcome.URGENT_REFERRAL)
    return TriageResult(outcome=outcome, reasons=tuple(f.message for f in shown), findings=ranked)


def _screen_red_flags(*, case: TriageInput, found: _Findings) -> None:
    flags = case.red_flags
    urgent, in_person = TriageOutcome.URGENT_REFERRAL, TriageOutcome.IN_PERSON
    if flags.chest_pain:
        found.add("chest_pain", urgent)
    if flags.bladder_or_bowel_change or flags.saddle_numbness:
        found.add("cauda_equina", urgent)
    if flags.progressive_weakness:
        found.add("progressive_weakness", urgent)
    if flags.significant_trauma:
        if case.onset is Onset.ACUTE:
            found.add("recent_significant_trauma", urgent)
        else:
            found.add("old_significant_trauma", in_person)

    systemic = [name for name in _SYSTEMIC_FLAG_NAMES if getattr(flags, name)]
    fever_after_surgery = flags.fever and case.recent_surgery
    if fever_after_surgery:
        found.add("fever_after_surgery", urgent)
    if len(systemic) >= 2:
        names = [_SYSTEMIC_FLAG_NAMES[name] for name in systemic]
        joined = ", ".join(names[:-1]) + " and " + names[-1]
        found.add("serious_pathology_cluster", urgent, flags=joined)
    elif len(systemic) == 1 and not fever_after_surgery:
        found.add("single_systemic_flag", in_person, flag=_SYSTEMIC_FLAG_NAMES[systemic[0]])


def _assess_surgery(*, case: TriageInput, policy: TriagePolicy, found: _Findings) -> None:
    is_post_op = case.condition is ConditionCategory.POST_OPERATIVE
    if not (case.recent_surgery or is_post_op):
        return
    weeks = case.weeks_since_surgery
    if weeks is None:
        found.add("unknown_surgery_timing", TriageOutcome.IN_PERSON)
    elif weeks < policy.early_postop_weeks:
        found.add(
            "early_post_operative",
            TriageOutcome.IN_PERSON,
            weeks=weeks,
            early=policy.early_postop_weeks,
        )
    elif weeks < policy.late_postop_weeks:
        found.add("mid_post_operative", TriageOutcome.HYBRID, weeks=weeks)
    elif is_post_op:
        found.add("late_post_operative", TriageOutcome.SUITABLE_TELEHEALTH, weeks=weeks)


def _assess_condition(*, case: TriageInput, found: _Findings) -> None:
    name = CONDITION_NAMES[case.condition]
    if case.condition is ConditionCategory.SEVERE_INJURY:
        found.add("severe_injury", TriageOutcome.IN_PERSON, condition=name)
    elif case.condition in TELEHEALTH_FRIENDLY:
        found.add("suits_telehealth", TriageOutcome.SUITABLE_TELEHEALTH, condition=name)
    elif case.condition is ConditionCategory.OTHER:
        found.add("other_condition", TriageOutcome.HYBRID, condition=name)
    # POST_OPERATIVE is decided by the surgical window in `_assess_surgery`.


def _assess_safety_and_setting(*, case: TriageInput, found: _Findings) -> None:
    if not case.can_stand_unassisted:
        found.add("cannot_stand", TriageOutcome.IN_PERSON)
    if case.fall_risk:
        found.add("fall_risk", TriageOutcome.HYBRID)
    if not case.has_video_device:
        found.add("no_device", TriageOutcome.IN_PERSON)
    if not case.has_private_space:
        found.add("no_private_space", TriageOutcome.IN_PERSON)
