"""Telehealth eligibility by date and payer (Issue 10 item 5; RULES §1.1, §1.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from telept.billing.rules.telehealth import telehealth_eligibility
from telept.billing.rules.types import PayerIn

MEDICARE = PayerIn(name="Medicare", is_medicare=True)
UHC = PayerIn(name="UHC", telehealth_codes=frozenset({"97110", "97112"}),
              audio_only_allowed=True)
AETNA = PayerIn(name="Aetna", telehealth_codes=frozenset({"97110"}))


def check(code, day, modality="video", payer=MEDICARE):
    return telehealth_eligibility(code=code, date_of_service=day, modality=modality,
                                  payer=payer)


@pytest.mark.parametrize("day", [dt.date(2020, 4, 1), dt.date(2025, 10, 15),
                                 dt.date(2026, 2, 1), dt.date(2026, 11, 2),
                                 dt.date(2027, 12, 31)])
def test_medicare_covers_97110_by_video_through_2027_12_31(day):
    verdict = check("97110", day)
    assert verdict.ok and verdict.code == "ok" and "telehealth list" in verdict.message


def test_medicare_after_2027_12_31_is_not_known_yet_and_says_hold_the_claim():
    verdict = check("97110", dt.date(2028, 1, 1))
    assert not verdict.ok and verdict.severity == "error"
    assert verdict.code == "medicare_pt_telehealth_unknown"
    assert "2027-12-31" in verdict.message and "Hold the claim" in verdict.message


def test_medicare_before_the_phe_pts_were_not_telehealth_practitioners():
    verdict = check("97110", dt.date(2019, 6, 1))
    assert verdict.code == "medicare_pt_telehealth_lapsed" and "Hold the claim" in verdict.message


def test_hands_on_97140_is_not_on_the_medicare_list():
    verdict = check("97140", dt.date(2026, 5, 4))
    assert verdict.code == "code_not_on_medicare_list" and verdict.severity == "error"
    assert "Remove the line" in verdict.message


@pytest.mark.parametrize("code", ["97530", "97150", "97542", "97763", "G0283"])
def test_codes_rules_marks_unverified_warn_and_say_check_the_cms_list(code):
    verdict = check(code, dt.date(2026, 5, 4))
    assert not verdict.ok and verdict.severity == "warning"
    assert verdict.code == "medicare_list_unverified" and "CMS List" in verdict.message


def test_audio_only_follows_the_code():
    assert check("97110", dt.date(2026, 5, 4), "audio").ok
    assert check("97035", dt.date(2026, 5, 4), "audio").code == "code_not_on_medicare_list"


def test_in_person_and_rtm_are_not_governed():
    assert check("97140", dt.date(2030, 1, 1), "in_person").ok
    assert check("98977", dt.date(2030, 1, 1)).ok


def test_a_commercial_payer_covers_its_configured_codes():
    assert check("97112", dt.date(2026, 5, 4), payer=UHC).ok
    verdict = check("97116", dt.date(2026, 5, 4), payer=UHC)
    assert verdict.code == "payer_does_not_cover_code" and "UHC" in verdict.message


def test_a_commercial_payer_without_audio_only_refuses_it():
    verdict = check("97110", dt.date(2026, 5, 4), "audio", payer=AETNA)
    assert verdict.code == "audio_only_not_covered"
    assert check("97110", dt.date(2026, 5, 4), "audio", payer=UHC).ok


def test_unknown_code_is_flagged():
    assert check("99999", dt.date(2026, 5, 4)).code == "code_unknown"
