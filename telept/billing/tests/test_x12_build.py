"""837P 005010X222A1: every claim shape a PT practice sends passes pyx12; broken ones do not,
and the refusal names the segment, loop and element (RULES §4, TECH-NOTES "Claims")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telept.billing.x12.build import BuildError, build_837p
from telept.billing.x12.model import (
    Address,
    Adjustment,
    Claim,
    LineAdjudication,
    OtherCoverage,
    OtherSubscriber,
    Patient,
    Payer,
    RenderingProvider,
    ServiceLine,
)
from telept.billing.x12.testing import sample_batch, sample_claim, sample_subscriber
from telept.billing.x12.validate import validate_837p

DAY = dt.date(2026, 2, 26)


def line(code: str, charge: str, units: int = 1, *modifiers: str,
         pointers: tuple[int, ...] = (1,), **extra: object) -> ServiceLine:
    return ServiceLine(code=code, charge=Decimal(charge), units=units, service_date=DAY,
                       modifiers=modifiers, dx_pointers=pointers, **extra)  # type: ignore[arg-type]


PTA = RenderingProvider(last_name="Lee", first_name="Sam", npi="1679576722",
                        taxonomy="225200000X")

MATRIX: dict[str, Claim] = {
    "video at home (GP 95, POS 10)": sample_claim("VIDEO-1"),
    "audio-only at home (GP 93, POS 10)": sample_claim(
        "AUDIO-1", lines=(line("97110", "60.00", 1, "GP", "93"),
                          line("97530", "70.00", 1, "GP", "93"))),
    "video elsewhere (POS 02)": sample_claim(
        "VIDEO-2", pos="02", lines=(line("97112", "130.00", 2, "GP", "95"),)),
    "PTA line with CQ": sample_claim(
        "PTA-1", rendering=PTA, lines=(line("97110", "120.00", 2, "GP", "CQ", "95"),
                                       line("97140", "55.00", 1, "GP", "95"))),
    "KX over the threshold": sample_claim(
        "KX-1", lines=(line("97110", "120.00", 2, "GP", "KX", "95"),
                       line("97530", "70.00", 1, "GP", "KX", "95"))),
    "four modifiers": sample_claim(
        "MOD4-1", lines=(line("97140", "55.00", 1, "GP", "CQ", "KX", "95"),)),
    "in person (POS 11, GP)": sample_claim(
        "OFFICE-1", pos="11", lines=(line("97110", "120.00", 2, "GP"),
                                     line("97010", "15.00", 1, "GP"))),
    "group therapy 97150": sample_claim(
        "GROUP-1", pos="11", lines=(line("97150", "40.00", 1, "GP"),)),
    "evaluation plus timed codes": sample_claim(
        "EVAL-1", lines=(line("97162", "150.00", 1, "GP", "95"),
                         line("97110", "60.00", 1, "GP", "95"),
                         line("97140", "55.00", 1, "GP", "95"))),
    "several diagnoses and pointers": sample_claim(
        "DX-1", diagnoses=("M54.50", "M25.561", "S83.241A", "Z96.651"),
        lines=(line("97110", "120.00", 2, "GP", "95", pointers=(1, 2, 3, 4)),
               line("97140", "55.00", 1, "GP", "95", pointers=(2, 4)))),
    "twelve diagnoses": sample_claim(
        "DX-12", diagnoses=("M54.50", "M25.561", "M25.562", "M79.604", "M79.605", "M62.81",
                            "R26.2", "R26.89", "Z96.651", "Z96.652", "M17.11", "M17.12"),
        lines=(line("97110", "60.00", 1, "GP", pointers=(1, 2, 11, 12)),)),
    "secondary coverage (2320/2330, 2430)": sample_claim(
        "SEC-1", subscriber=sample_subscriber(responsibility="S", claim_filing="CI",
                                              group_number="GRP42"),
        lines=(line("97110", "120.00", 2, "GP", "95", adjudications=(
            LineAdjudication(payer_id="00952", paid=Decimal("76.80"),
                             adjudicated_on=dt.date(2026, 3, 16),
                             adjustments=(Adjustment("CO", "45", Decimal("24.00")),
                                          Adjustment("PR", "2", Decimal("19.20")))),)),),
        other_coverage=(OtherCoverage(
            payer=Payer(name="Medicare Part B", payer_id="00952"),
            subscriber=OtherSubscriber(last_name="Doe", first_name="Jane",
                                       member_id="1EG4TE5MK73"),
            responsibility="P", claim_filing="MB", paid=Decimal("76.80"),
            adjudicated_on=dt.date(2026, 3, 16)),)),
    "corrected claim (frequency 7)": sample_claim(
        "CORR-1", frequency="7", original_claim_number="26057000123456"),
    "void (frequency 8)": sample_claim(
        "VOID-1", frequency="8", original_claim_number="26057000123456"),
    "dependant patient (2000C)": sample_claim(
        "CHILD-1", subscriber=sample_subscriber(claim_filing="CI", member_id="XYZ123456"),
        patient=Patient(last_name="Doe", first_name="Timmy", birth_date=dt.date(2014, 6, 1),
                        sex="M", address=Address(line1="12 Elm Street", city="Springfield",
                                                 state="IL", postal_code="62704"))),
    "prior authorization and line ids": sample_claim(
        "AUTH-1", prior_authorization="PA778899",
        lines=(line("97110", "120.00", 2, "GP", "95", line_id="CHG-17"),)),
    "cents and large charges": sample_claim(
        "CENTS-1", lines=(line("97110", "1234.56", 4, "GP"), line("97140", "0.50", 1, "GP"))),
}


@pytest.mark.parametrize("name", list(MATRIX))
def test_every_claim_shape_passes_pyx12(name: str) -> None:
    text = build_837p(sample_batch([MATRIX[name]]), 1001)
    result = validate_837p(text)
    assert result.ok, [str(e) for e in result.errors]
    assert result.errors == []
    assert "IK5*A" in result.ack_999 and "AK9*A*1*1*1" in result.ack_999


def test_a_batch_of_many_claims_and_subscribers_is_one_valid_interchange() -> None:
    batch = sample_batch(list(MATRIX.values()))
    text = build_837p(batch, 424242, newlines=False)
    result = validate_837p(text)
    assert result.ok, [str(e) for e in result.errors]
    assert text.count("ISA*") == 1 and text.count("~GS*") == 1 and text.count("~ST*") == 1
    assert text.count("~CLM*") == len(MATRIX)
    assert "\n" not in text


def test_envelope_carries_the_control_number_and_the_segment_count() -> None:
    text = build_837p(sample_batch(), 77)
    segments = [s.strip() for s in text.split("~") if s.strip()]
    isa = segments[0].split("*")
    assert len(segments[0]) == 105 and isa[13] == "000000077" and isa[12] == "00501"
    assert segments[1].split("*")[6] == "77" and segments[1].endswith("*X*005010X222A1")
    assert segments[2] == "ST*837*0077*005010X222A1"
    st = segments.index("ST*837*0077*005010X222A1")
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    assert segments[se] == f"SE*{se - st + 1}*0077"
    assert segments[-2] == "GE*1*77" and segments[-1] == "IEA*1*000000077"


def test_claim_total_is_the_sum_of_lines_and_icd10_has_no_dot() -> None:
    claim = MATRIX["several diagnoses and pointers"]
    text = build_837p(sample_batch([claim]), 5)
    assert "CLM*DX-1*175***10:B:1*Y*A*Y*Y~" in text
    assert "HI*ABK:M5450*ABF:M25561*ABF:S83241A*ABF:Z96651~" in text
    assert "SV1*HC:97110:GP:95*120*UN*2***1:2:3:4~" in text


def test_corrected_and_void_claims_carry_the_payers_claim_number() -> None:
    for key, freq in (("corrected claim (frequency 7)", "7"), ("void (frequency 8)", "8")):
        text = build_837p(sample_batch([MATRIX[key]]), 5)
        assert f"10:B:{freq}*" in text and "REF*F8*26057000123456~" in text


def test_separators_in_free_text_cannot_break_the_file() -> None:
    claim = sample_claim("ODD-1", subscriber=sample_subscriber(last_name="O'Brien*~:^",
                                                               first_name="Zoë"))
    text = build_837p(sample_batch([claim]), 9)
    assert "NM1*IL*1*O'BRIEN*ZO****MI*" in text
    assert validate_837p(text).ok


# --- refused by the builder ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": (line("97110", "60.00", 0, "GP"),)}, "units"),
        ({"diagnoses": ()}, "diagnoses"),
        ({"lines": (line("97110", "60.00", 1, "GP", pointers=(2,)),)}, "dx_pointers"),
        ({"lines": (line("97110", "60.00", 1, "GP", "95", "CQ", "KX", "59"),)}, "modifiers"),
        ({"frequency": "7"}, "original_claim_number"),
        ({"frequency": "8"}, "original_claim_number"),
        ({"lines": ()}, "lines"),
        ({"diagnoses": tuple(f"M54.{n}" for n in range(13))}, "diagnoses"),
    ],
)
def test_the_builder_refuses_what_x12_cannot_carry(change: dict[str, object], field: str) -> None:
    claim = dataclasses.replace(sample_claim("BAD-1"), **change)  # type: ignore[arg-type]
    with pytest.raises(BuildError) as caught:
        build_837p(sample_batch([claim]), 1)
    assert caught.value.field == field and caught.value.claim_id == "BAD-1"
    assert caught.value.message.startswith("Claim BAD-1: ")


# --- refused by pyx12, with the segment and element named -------------------------------------


def _valid() -> str:
    return build_837p(sample_batch(), 1)


def _drop(text: str, segment: str) -> str:
    """Remove one segment and fix SE01 so only the removal is wrong."""
    assert segment + "~\n" in text
    text = text.replace(segment + "~\n", "", 1)
    count = int(re.search(r"^SE\*(\d+)\*", text, re.M).group(1))  # type: ignore[union-attr]
    return re.sub(r"^SE\*\d+\*", f"SE*{count - 1}*", text, flags=re.M)


def _errors(text: str) -> list[tuple[str, str, str]]:
    result = validate_837p(text)
    assert not result.ok
    assert all(e.message for e in result.errors)
    return [(e.segment, e.loop, e.element) for e in result.errors]


def test_a_line_without_units_is_refused_at_sv104() -> None:
    text = _valid().replace("SV1*HC:97110:GP:95*120*UN*2***1", "SV1*HC:97110:GP:95*120*UN****1")
    assert ("SV1", "2400", "SV104") in _errors(text)
    first = validate_837p(text).errors[0]
    assert str(first).startswith("SV1 in loop 2400")


def test_a_claim_without_diagnosis_is_refused_at_hi_in_2300() -> None:
    errors = _errors(_drop(_valid(), "HI*ABK:M5450"))
    assert errors == [("HI", "2300", "")]
    message = validate_837p(_drop(_valid(), "HI*ABK:M5450")).errors[0].message
    assert "Health Care Diagnosis Code" in message and "missing" in message


def test_a_bad_billing_npi_element_is_refused_at_nm109_in_2010aa() -> None:
    text = _valid().replace("NM1*85*2*RIVERSIDE PHYSICAL THERAPY*****XX*1234567893",
                            "NM1*85*2*RIVERSIDE PHYSICAL THERAPY*****XX*1")
    assert ("NM1", "2010AA", "NM109") in _errors(text)
    error = validate_837p(text).errors[0]
    assert str(error).startswith("NM1 in loop 2010AA, element NM109")
    assert error.value == "1" and error.position == 10
    assert error.as_tuple() == ("NM1", 10, "NM109", error.message)


def test_an_invalid_service_date_is_refused_at_dtp03() -> None:
    text = _valid().replace("DTP*472*D8*20260226", "DTP*472*D8*20261399", 1)
    assert ("DTP", "2400", "DTP03") in _errors(text)


def test_a_bad_place_of_service_is_refused_at_clm05_1() -> None:
    text = _valid().replace("*10:B:1*", "*00:B:1*")
    assert ("CLM", "2300", "CLM05-1") in _errors(text)


def test_a_bad_state_is_refused_at_n402() -> None:
    text = _valid().replace("N4*SPRINGFIELD*IL*62704", "N4*SPRINGFIELD*XX*62704")
    assert ("N4", "2010BA", "N402") in _errors(text)


def test_a_wrong_segment_count_and_a_mismatched_iea_are_refused() -> None:
    assert _errors(_valid().replace("SE*29*", "SE*30*"))[0][0] == "ST"
    assert _errors(_valid().replace("IEA*1*000000001", "IEA*1*000000002"))[0][0] == "ISA"


def test_a_missing_service_date_is_refused_in_2400() -> None:
    assert _errors(_drop(_valid(), "DTP*472*D8*20260226")) == [("DTP", "2400", "")]


@pytest.mark.parametrize("text", ["", "hello", "ISA*00", "GS*HC*X~"])
def test_what_is_not_x12_gets_a_sentence_not_a_trace(text: str) -> None:
    result = validate_837p(text)
    assert not result.ok and result.errors and result.errors[0].message


def test_a_truncated_file_is_refused() -> None:
    text = _valid()
    result = validate_837p(text[: len(text) // 2])
    assert not result.ok
    assert any("missing" in e.message for e in result.errors)


def test_an_835_is_not_an_837p() -> None:
    from telept.billing.x12.testing import build_835_for

    result = validate_837p(build_835_for([sample_claim()]))
    assert not result.ok and result.errors[0].element == "GS08"


# --- property: whatever mix of lines a visit has, the file is valid ---------------------------

CODES = ["97110", "97112", "97116", "97140", "97530", "97535", "97750", "97760", "97161",
         "97162", "97163", "97164", "97150", "97010", "G0283", "97032", "97035"]
MODS = ["GP", "95", "93", "CQ", "KX", "59", "XU"]
DX = ["M54.50", "M25.561", "S83.241A", "Z96.651", "M17.11", "R26.2"]

lines_strategy = st.lists(
    st.builds(
        lambda code, cents, units, mods, ptrs: ServiceLine(
            code=code, charge=Decimal(cents) / 100, units=units, service_date=DAY,
            modifiers=tuple(mods), dx_pointers=tuple(ptrs)),
        st.sampled_from(CODES), st.integers(0, 500_000), st.integers(1, 8),
        st.lists(st.sampled_from(MODS), max_size=4, unique=True),
        st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True),
    ),
    min_size=1, max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines_strategy, pos=st.sampled_from(["10", "02", "11"]),
       freq=st.sampled_from(["1", "7", "8"]))
def test_any_mix_of_lines_builds_a_file_pyx12_accepts(lines: list[ServiceLine], pos: str,
                                                      freq: str) -> None:
    claim = sample_claim("PROP-1", pos=pos, diagnoses=tuple(DX[:3]), lines=tuple(lines),
                         frequency=freq, original_claim_number="" if freq == "1" else "X1")
    result = validate_837p(build_837p(sample_batch([claim]), 3))
    assert result.ok, [str(e) for e in result.errors]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, 1200), length=st.integers(0, 30),
       junk=st.text(alphabet="*:~^AZ09 \n-.", max_size=5))
def test_a_damaged_837p_never_gives_a_trace(cut: int, length: int, junk: str) -> None:
    text = _valid()
    result = validate_837p(text[:cut] + junk + text[cut + length:])
    if not result.ok:
        assert result.errors and all(e.message for e in result.errors)
