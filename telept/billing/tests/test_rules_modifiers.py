"""Modifiers and place of service (Issue 10 item 4): each rule returns its value and sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telept.billing.rules.cq import cq_modifier
from telept.billing.rules.kx import KX_THRESHOLDS, kx_decision
from telept.billing.rules.modifiers import gp_modifier, line_modifiers, telehealth_modifier
from telept.billing.rules.ncci import NCCI_PAIRS, ncci_modifiers
from telept.billing.rules.pos import place_of_service
from telept.billing.rules.types import PayerIn, TelehealthBilling

MEDICARE = PayerIn(name="Medicare", is_medicare=True)
AETNA = PayerIn(name="Aetna", telehealth=TelehealthBilling(video_modifier="GT"))
POS11 = PayerIn(name="Acme Health", telehealth=TelehealthBilling(pos_override="11"))


# --- GP -------------------------------------------------------------------------------------

def test_gp_under_a_pt_plan_of_care():
    decision = gp_modifier(under_pt_plan_of_care=True)
    assert decision and decision.value == "GP" and "plan of care" in decision.why


def test_no_gp_outside_a_pt_plan_of_care():
    assert gp_modifier(under_pt_plan_of_care=False) is None


# --- POS ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("modality", "location", "pos", "rule"), [
    ("video", "home", "10", "pos_telehealth_home"),
    ("audio", "home", "10", "pos_telehealth_home"),
    ("video", "elsewhere", "02", "pos_telehealth_elsewhere"),
    ("video", None, "02", "pos_telehealth_location_unknown"),
    ("in_person", None, "11", "pos_in_person"),
    ("in_person", "home", "11", "pos_in_person"),
])
def test_place_of_service(modality, location, pos, rule):
    decision = place_of_service(modality=modality, patient_location=location)
    assert (decision.value, decision.rule) == (pos, rule)
    assert decision.why.startswith(f"POS {pos}:")


def test_a_payer_may_want_pos_11_for_telehealth():
    decision = place_of_service(modality="video", patient_location="home",
                               telehealth=POS11.telehealth, payer_name=POS11.name)
    assert decision.value == "11" and "Acme Health" in decision.why


# --- 95 / 93 / GT ---------------------------------------------------------------------------

def test_video_is_95_and_audio_only_is_93():
    video = telehealth_modifier(modality="video")
    audio = telehealth_modifier(modality="audio")
    assert video and video.value == "95" and "audio and video" in video.why
    assert audio and audio.value == "93" and "never carries 95" in audio.why
    assert telehealth_modifier(modality="in_person") is None


def test_a_payer_may_want_gt_for_video():
    decision = telehealth_modifier(modality="video", telehealth=AETNA.telehealth,
                                   payer_name="Aetna")
    assert decision and decision.value == "GT" and "Aetna wants GT" in decision.why


# --- CQ -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "pta", "cq"), [
    (30, 0, False), (30, 3, False), (30, 4, True), (10, 1, False), (10, 2, True),
    (30, 30, True), (0, 5, True),
])
def test_cq_only_past_the_10_percent_de_minimis(minutes, pta, cq):
    decision = cq_modifier(code="97110", minutes=minutes, pta_minutes=pta)
    assert (decision is not None) is cq
    if decision:
        assert decision.value == "CQ" and "85%" in decision.why and "15% reduction" in decision.why


@given(st.integers(1, 240), st.integers(0, 240))
def test_property_cq_exactly_when_pta_share_passes_10_percent(minutes, pta):
    pta = min(pta, minutes)
    assert (cq_modifier(code="97110", minutes=minutes, pta_minutes=pta) is not None) is (
        pta * 10 > minutes)


# --- KX -------------------------------------------------------------------------------------

def test_kx_thresholds_are_the_rules_figures():
    expected = {2024: Decimal("2330"), 2025: Decimal("2410"), 2026: Decimal("2480")}
    assert expected == KX_THRESHOLDS


def test_kx_once_the_year_passes_its_threshold():
    below = kx_decision(year=2026, ytd_before=Decimal("2300"), this_visit=Decimal("180"))
    above = kx_decision(year=2026, ytd_before=Decimal("2300"), this_visit=Decimal("180.01"))
    assert below.needed is False and "within the 2026 Medicare threshold of $2,480" in below.why
    assert above.needed is True and "KX" in above.why and "$2,480" in above.why
    assert above.targeted_review is False


def test_kx_past_3000_warns_of_targeted_review():
    decision = kx_decision(year=2025, ytd_before=Decimal("2950"), this_visit=Decimal("100"))
    assert decision.needed and decision.targeted_review and "targeted medical review" in (
        decision.why)


def test_kx_for_a_year_not_in_the_table_is_unknown_not_no():
    decision = kx_decision(year=2027, ytd_before=Decimal("0"), this_visit=Decimal("100"))
    assert decision.needed is None and "2027" in decision.why


# --- NCCI -----------------------------------------------------------------------------------

def test_97140_with_97530_the_same_day_takes_59():
    found = ncci_modifiers(["97530", "97140", "97110"])
    assert set(found) == {"97140"}
    assert found["97140"].value == "59" and "NCCI" in found["97140"].why


def test_a_payer_may_want_xu():
    assert ncci_modifiers(["97530", "97140"], distinct_modifier="XU")["97140"].value == "XU"
    with pytest.raises(ValueError):
        ncci_modifiers(["97530"], distinct_modifier="76")


def test_97140_alone_needs_no_distinct_modifier():
    assert ncci_modifiers(["97140", "97110"]) == {}
    assert NCCI_PAIRS[0].column2 == "97140"


# --- a whole line ---------------------------------------------------------------------------

def test_medicare_video_line_by_a_pta_past_kx():
    kx = kx_decision(year=2026, ytd_before=Decimal("2500"), this_visit=Decimal("100"))
    found = line_modifiers(code="97140", visit_codes=["97530", "97140"], modality="video",
                           under_pt_plan_of_care=True, minutes=20, pta_minutes=20,
                           payer=MEDICARE, kx=kx)
    assert [d.value for d in found] == ["GP", "CQ", "95", "59", "KX"]
    assert all(d.why and d.rule for d in found)


def test_commercial_audio_line_gets_gp_and_93_but_no_cq_or_kx():
    kx = kx_decision(year=2026, ytd_before=Decimal("5000"), this_visit=Decimal("100"))
    found = line_modifiers(code="97110", visit_codes=["97110"], modality="audio",
                           under_pt_plan_of_care=True, minutes=20, pta_minutes=20,
                           payer=PayerIn(name="UHC"), kx=kx)
    assert [d.value for d in found] == ["GP", "93"]


def test_in_person_line_outside_a_plan_of_care_takes_nothing():
    assert line_modifiers(code="97110", visit_codes=["97110"], modality="in_person",
                          under_pt_plan_of_care=False, minutes=20, pta_minutes=0,
                          payer=MEDICARE) == ()
