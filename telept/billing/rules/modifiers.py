"""Modifiers for one service line, each with the sentence that says why (pure; RULES §1.2).

Order on the line: GP (plan of care), CQ (PTA), the telehealth modifier (95/GT or 93), the
NCCI distinct-service modifier (59/XU), KX. An 837P line holds at most four; the scrubber
refuses a line with more (edit "modifiers_over_four").
"""

from __future__ import annotations

from collections.abc import Iterable

from telept.billing.rules.cq import cq_modifier
from telept.billing.rules.kx import KxDecision
from telept.billing.rules.ncci import ncci_modifiers
from telept.billing.rules.types import Decision, Modality, PayerIn, TelehealthBilling


def gp_modifier(*, under_pt_plan_of_care: bool) -> Decision | None:
    """GP on every line furnished under a PT plan of care, telehealth or not (RULES R1)."""
    if not under_pt_plan_of_care:
        return None
    return Decision("GP", "GP: the service was furnished under a physical therapy plan of "
                          "care (required on every therapy line).", "gp_plan_of_care")


def telehealth_modifier(*, modality: Modality,
                        telehealth: TelehealthBilling | None = None,
                        payer_name: str = "The payer") -> Decision | None:
    """95 for synchronous video, 93 for audio-only; a payer may want GT (or FQ) instead.
    Never both 95 and 93 on one line (RULES R2)."""
    setting = telehealth or TelehealthBilling()
    if modality == "video":
        value = setting.video_modifier
        if value == "95":
            why = ("95: the service was furnished by synchronous audio and video telehealth "
                   "(outpatient therapy by telehealth carries 95).")
        else:
            why = (f"{value}: the service was furnished by audio and video telehealth, and "
                   f"{payer_name} wants {value} rather than 95 (set on the payer).")
        return Decision(value, why, "telehealth_video")
    if modality == "audio":
        value = setting.audio_modifier
        extra = "" if value == "93" else f" ({payer_name} wants {value} rather than 93)"
        return Decision(value, f"{value}: the service was furnished audio-only (by telephone)"
                               f"{extra}; an audio-only line never carries 95.",
                        "telehealth_audio_only")
    return None


def line_modifiers(*, code: str, visit_codes: Iterable[str], modality: Modality,
                   under_pt_plan_of_care: bool, minutes: int, pta_minutes: int,
                   payer: PayerIn, kx: KxDecision | None = None) -> tuple[Decision, ...]:
    """Every modifier this line takes, in claim order, each with its rule and sentence."""
    found: list[Decision] = []
    gp = gp_modifier(under_pt_plan_of_care=under_pt_plan_of_care)
    if gp:
        found.append(gp)
    applies_cq = payer.applies_cq if payer.applies_cq is not None else payer.is_medicare
    cq = cq_modifier(code=code, minutes=minutes, pta_minutes=pta_minutes)
    if cq and applies_cq and gp:
        found.append(cq)
    tele = telehealth_modifier(modality=modality, telehealth=payer.telehealth,
                               payer_name=payer.name)
    if tele:
        found.append(tele)
    distinct = ncci_modifiers(visit_codes, distinct_modifier=payer.distinct_modifier).get(code)
    if distinct:
        found.append(distinct)
    applies_kx = payer.applies_kx if payer.applies_kx is not None else payer.is_medicare
    if kx is not None and kx.needed and applies_kx and gp:
        found.append(Decision("KX", kx.why, "kx_threshold"))
    return tuple(found)
