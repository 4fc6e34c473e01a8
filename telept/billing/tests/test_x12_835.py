"""835 005010X221A1: a remittance made for claims we built reads back to the same ids and
amounts; malformed files give a sentence naming what is wrong; CARC/RARC wording and hints."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.billing.x12.build import build_837p
from telept.billing.x12.carc import carc_description, next_step, rarc_description
from telept.billing.x12.model import Adjustment, ServiceLine
from telept.billing.x12.parse835 import Malformed835, parse_835, parse_835_all
from telept.billing.x12.testing import (
    ClaimPayment,
    LinePayment,
    Remit,
    build_835_for,
    sample_batch,
    sample_claim,
)
from telept.billing.x12.validate import validate_835, validate_837p
from telept.lib.errors import DomainError

D = Decimal
DAY = dt.date(2026, 2, 26)


def _claims() -> list:
    paid = sample_claim("TPT-100", lines=(
        ServiceLine(code="97110", charge=D("120.00"), units=2, service_date=DAY,
                    modifiers=("GP", "95"), line_id="CHG-1"),
        ServiceLine(code="97140", charge=D("55.00"), units=1, service_date=DAY,
                    modifiers=("GP", "95"), line_id="CHG-2"),
    ))
    partial = sample_claim("TPT-101", lines=(
        ServiceLine(code="97530", charge=D("70.00"), units=1, service_date=DAY,
                    modifiers=("GP", "95"), line_id="CHG-3"),
    ))
    denied = sample_claim("TPT-102", pos="11", lines=(
        ServiceLine(code="97112", charge=D("65.00"), units=1, service_date=DAY,
                    modifiers=("GP",), line_id="CHG-4"),
    ))
    return [paid, partial, denied]


PAYMENTS = {
    "TPT-100": ClaimPayment(payer_claim_number="26057000111111"),
    "TPT-101": ClaimPayment(
        payer_claim_number="26057000222222",
        lines=(LinePayment(D("44.80"), (Adjustment("CO", "45", D("14.00")),
                                        Adjustment("PR", "2", D("11.20")))),)),
    "TPT-102": ClaimPayment(
        status="4", payer_claim_number="26057000333333", remarks=("MA130",),
        lines=(LinePayment(D("0"), (Adjustment("CO", "50", D("65.00")),), ("N130", "N362")),)),
}


def test_a_claim_we_built_and_its_835_read_back_to_the_same_ids_and_amounts() -> None:
    claims = _claims()
    assert validate_837p(build_837p(sample_batch(claims), 12)).ok
    text = build_835_for(claims, PAYMENTS, remit=Remit(check_number="EFT778899"))
    assert validate_835(text).ok, [str(e) for e in validate_835(text).errors]

    remit = parse_835(text)
    assert remit.trace_number == "EFT778899" and remit.payment_method == "ACH"
    assert remit.payment_method_label.startswith("Electronic funds transfer")
    assert remit.payment_amount == D("175") + D("44.80")
    assert remit.payment_date == dt.date(2026, 3, 16)
    assert remit.payer_name == "MEDICARE PART B" and remit.payer_id == "00952"
    assert remit.payee_id == "1234567893"
    assert [c.claim_id for c in remit.claims] == ["TPT-100", "TPT-101", "TPT-102"]

    full, part, deny = remit.claims
    assert (full.status, full.charge, full.paid, full.patient_responsibility) == (
        "1", D("175"), D("175"), D("0"))
    assert full.payer_claim_number == "26057000111111"
    assert [(ln.code, ln.modifiers, ln.units, ln.line_id) for ln in full.lines] == [
        ("97110", ("GP", "95"), D("2"), "CHG-1"), ("97140", ("GP", "95"), D("1"), "CHG-2")]

    assert (part.charge, part.paid, part.patient_responsibility) == (D("70"), D("44.8"),
                                                                      D("11.2"))
    assert [(a.group, a.reason, a.amount) for a in part.lines[0].adjustments] == [
        ("CO", "45", D("14")), ("PR", "2", D("11.2"))]
    assert part.lines[0].service_date == DAY

    assert deny.denied and deny.status_label == "Denied" and deny.paid == 0
    assert [r.code for r in deny.remarks] == ["MA130"]
    assert [r.code for r in deny.lines[0].remarks] == ["N130", "N362"]
    co50 = deny.all_adjustments()[0]
    assert co50.description.startswith("These are non-covered services")
    assert co50.group_label == "Contractual obligation"

    # Every line balances: charge - paid = its adjustments; every claim too.
    for claim in remit.claims:
        for ln in claim.lines:
            assert ln.charge - ln.paid == sum(a.amount for a in ln.adjustments)
        assert claim.charge - claim.paid == sum(a.amount for a in claim.all_adjustments())


def test_a_check_payment_and_a_no_payment_remit() -> None:
    claim = sample_claim("TPT-200")
    check = parse_835(build_835_for([claim], remit=Remit(method="CHK", check_number="10234")))
    assert check.payment_method == "CHK" and check.trace_number == "10234"
    nothing = parse_835(build_835_for([claim], {"TPT-200": ClaimPayment(
        status="4", lines=(LinePayment(D("0"), (Adjustment("CO", "29", D("120")),)),
                           LinePayment(D("0"), (Adjustment("CO", "29", D("55")),))))}))
    assert nothing.payment_method == "NON" and nothing.payment_amount == 0


def test_a_file_with_two_payments_reads_as_two_remittances() -> None:
    one = build_835_for([sample_claim("A-1")], control_number=1)
    two = build_835_for([sample_claim("B-1")], control_number=2)
    st_one = one[one.index("ST*"):one.index("GE*")]
    st_two = two[two.index("ST*"):two.index("GE*")]
    joined = one[:one.index("ST*")] + st_one + st_two + "GE*2*1~\nIEA*1*000000001~\n"
    found = parse_835_all(joined)
    assert [r.claims[0].claim_id for r in found] == ["A-1", "B-1"]
    with pytest.raises(Malformed835, match="holds 2 payments"):
        parse_835(joined)


def test_provider_level_adjustments_are_read() -> None:
    text = build_835_for([sample_claim("P-1")])
    text = text.replace("SE*", "PLB*1234567893*20261231*WO:26057000999*25~\nSE*", 1)
    count = int(text.split("SE*")[1].split("*")[0])
    text = text.replace(f"SE*{count}*", f"SE*{count + 1}*")
    remit = parse_835(text)
    assert [(p.reason, p.reference, p.amount) for p in remit.provider_adjustments] == [
        ("WO", "26057000999", D("25"))]


# --- malformed files ----------------------------------------------------------------------

GOOD = build_835_for([sample_claim("M-1")])


def _se_count_fixed(text: str, delta: int) -> str:
    count = int(text.split("\nSE*")[1].split("*")[0])
    return text.replace(f"\nSE*{count}*", f"\nSE*{count + delta}*")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("%PDF-1.7 not a remittance", "not an X12 file"),
        ("<html>ISA</html>", "not an X12 file"),
        (GOOD[:60], "truncated"),
        (GOOD[: len(GOOD) // 2], "truncated"),
        (GOOD[: GOOD.index("GE*")], "truncated"),
        (GOOD[: GOOD.index("IEA*")], "truncated"),
        (GOOD.replace("005010X221A1", "004010X091A1"), "version '004010X091A1'"),
        (GOOD.replace("*00501*", "*00401*", 1), "version '00401'"),
        (GOOD.replace("GS*HP*", "GS*HC*"), "not an 835"),
        (GOOD.replace("ST*835*", "ST*837*"), "not an 835"),
        (GOOD[:106] + GOOD[106:].replace("~", ""), "terminator '~'"),
        (GOOD.replace("~", "A"), "segment terminator"),
        (GOOD.replace("*ZZ*00952          *", "*ZZ*00952*", 1), "segment terminator"),
        (GOOD.replace("CLP*M-1*1*175*", "CLP*M-1*1*17x*"), "element CLP03: '17x' is not"),
        (GOOD.replace("DTM*472*20260226", "DTM*472*20261399"), "not a date"),
        (GOOD.replace("SVC*HC:97110:GP:95*120*120", "SVC**120*120"),
         "element SVC01"),
        (_se_count_fixed(GOOD, 3), "SE01 says"),
        (GOOD.replace("IEA*1*000000001", "IEA*1*000000009"), "does not match ISA13"),
        (GOOD.replace("GE*1*1", "GE*1*7"), "does not match GS06"),
        (GOOD + "ST*835*9~", "after the IEA"),
        (GOOD.replace("N1*PR*MEDICARE PART B~\n", "").replace("REF*2U*00952~\n", ""),
         "names no payer"),
        (GOOD.replace("BPR*", "BPX*", 1), "Expected BPR here"),
    ],
)
def test_a_malformed_835_gets_a_clear_error_naming_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(Malformed835) as caught:
        parse_835(text)
    assert says in caught.value.message, caught.value.message
    assert isinstance(caught.value, DomainError) and caught.value.code == "remittance_malformed"


def test_a_segment_error_names_the_segment_number_and_element() -> None:
    with pytest.raises(Malformed835) as caught:
        parse_835(GOOD.replace("CLP*M-1*1*175*", "CLP*M-1*1*17x*"))
    assert caught.value.segment_id == "CLP" and caught.value.element == "CLP03"
    assert caught.value.message.startswith(f"segment {caught.value.segment} (CLP)")


def test_crlf_line_ends_no_line_ends_and_another_terminator_read_the_same() -> None:
    plain = build_835_for([sample_claim("M-2")], newlines=False)
    crlf = plain.replace("~", "~\r\n")
    bang = plain.replace("~", "!")  # any terminator the ISA shows is fine if used throughout
    assert parse_835(plain) == parse_835(crlf) == parse_835(bang)


def test_a_reversal_claim_is_flagged() -> None:
    remit = parse_835(build_835_for([sample_claim("R-1")], {"R-1": ClaimPayment(status="22")}))
    assert remit.claims[0].reversal and not remit.claims[0].denied


# --- CARC / RARC ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "starts"),
    [
        ("45", "Charge exceeds fee schedule/maximum allowable"),
        ("97", "The benefit for this service is included in the payment/allowance"),
        ("50", "These are non-covered services because this is not deemed a 'medical"),
        ("1", "Deductible Amount"),
        ("2", "Coinsurance Amount"),
        ("3", "Co-payment Amount"),
        ("16", "Claim/service lacks information or has submission/billing error(s)."),
        ("18", "Exact duplicate claim/service"),
        ("29", "The time limit for filing has expired."),
        ("96", "Non-covered charge(s)."),
        ("197", "Precertification/authorization/notification/pre-treatment absent."),
        ("204", "This service/equipment/drug is not covered under the patient's current"),
    ],
)
def test_common_carcs_have_their_official_wording(code: str, starts: str) -> None:
    assert carc_description(code).startswith(starts)


@pytest.mark.parametrize(
    ("code", "starts"),
    [
        ("N130", "Consult plan benefit documents/guidelines"),
        ("M15", "Separately billed services/tests have been bundled"),
        ("MA130", "Your claim contains incomplete and/or invalid information"),
        ("N362", "The number of Days or Units of Service exceeds our acceptable maximum."),
    ],
)
def test_common_rarcs_have_their_official_wording(code: str, starts: str) -> None:
    assert rarc_description(code).startswith(starts)


def test_unknown_codes_say_so_rather_than_guess() -> None:
    assert carc_description("999") == "Reason 999 (description not on file)"
    assert rarc_description("N9999") == "Remark N9999 (description not on file)"


def test_next_step_depends_on_group_and_reason() -> None:
    assert "write-off" in next_step("CO", "45")
    assert next_step("PR", "2").startswith("Bill the patient")
    assert next_step("PR", "45").startswith("Bill the patient")
    assert "59/XU" in next_step("CO", "97")
    assert "medical necessity" in next_step("CO", "50")
    assert "timely filing" in next_step("CO", "29")
    assert "authorization" in next_step("CO", "197")
    assert next_step("CO", "16").startswith("Read the remark code")
    assert next_step("OA", "18").startswith("Nothing to resubmit")
    assert next_step("XX", "12345")  # always some sentence


def test_remittance_objects_are_comparable_values() -> None:
    remit = parse_835(GOOD)
    assert dataclasses.replace(remit) == remit


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(0, len(GOOD)), length=st.integers(0, 40),
       junk=st.text(alphabet="*:~^AZ09 \n-.", max_size=6))
def test_a_damaged_835_never_gives_a_trace(cut: int, length: int, junk: str) -> None:
    damaged = GOOD[:cut] + junk + GOOD[cut + length:]
    try:
        parse_835(damaged)
    except Malformed835 as error:
        assert error.message


def test_an_835_for_a_corrected_claim_names_its_frequency_and_is_valid() -> None:
    claim = sample_claim("C-7", frequency="7", original_claim_number="26057000111111")
    text = build_835_for([claim], {"C-7": ClaimPayment(payer_claim_number="26057000444444")})
    assert validate_835(text).ok
    read = parse_835(text).claims[0]
    assert (read.frequency, read.payer_claim_number) == ("7", "26057000444444")
