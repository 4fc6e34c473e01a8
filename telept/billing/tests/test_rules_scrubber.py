"""The claim scrubber (Issue 10 item 6): for each named edit, one visit it passes and one it
flags, with the finding's code, severity and a sentence that says what to do."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from telept.billing.rules.catalogue_data import CATALOGUE
from telept.billing.rules.scrubber import EDITS, scrub
from telept.billing.rules.types import (
    BilledLineIn,
    CoverageIn,
    PayerIn,
    PlanOfCareIn,
    ProviderIn,
    ServiceLineIn,
    SubscriberIn,
    VisitIn,
)
from telept.practices.rules import npi_check_digit

DAY = dt.date(2026, 3, 2)
NPI = "123456789" + str(npi_check_digit("123456789"))
NPI_BAD = NPI[:-1] + str((int(NPI[-1]) + 1) % 10)
MEDICARE = PayerIn(name="Medicare", is_medicare=True)
UHC = PayerIn(name="UHC", units_method="ama", telehealth_codes=frozenset({"97110"}))
SUBSCRIBER = SubscriberIn(member_id="1EG4TE5MK73", first_name="Maria", last_name="Lopez",
                          birth_date=dt.date(1950, 4, 1), sex="F", address_line1="1 Main St",
                          city="Albany", state="NY", postal_code="12207")


def line(code="97110", units=2, modifiers=("GP", "95"), **kw) -> ServiceLineIn:
    return ServiceLineIn(code=code, minutes=kw.pop("minutes", 30), units=units,
                         modifiers=modifiers, charge=kw.pop("charge", Decimal("120")), **kw)


GOOD = VisitIn(
    patient_id="p1", date_of_service=DAY, modality="video", patient_location="home",
    patient_state="NY", lines=(line(),), diagnoses=("M54.50",), note_signed=True,
    plan_of_care=PlanOfCareIn(evaluation_date=dt.date(2026, 2, 2),
                              certified_on=dt.date(2026, 2, 10)),
    billing=ProviderIn(npi=NPI, taxonomy="225100000X"),
    rendering=ProviderIn(npi=NPI, taxonomy="225100000X"),
    coverage=CoverageIn(payer=MEDICARE, subscriber=SUBSCRIBER, active_from=dt.date(2026, 1, 1)),
    ytd_therapy_amount=Decimal("500"),
)


def codes(visit: VisitIn) -> set[tuple[str, str]]:
    return {(c.code, c.severity) for c in scrub(visit).checks}


def test_the_good_visit_passes_every_edit():
    result = scrub(GOOD)
    assert result.ok and result.checks == ()


def cov(**kw) -> CoverageIn:
    assert GOOD.coverage
    return replace(GOOD.coverage, **kw)


POC = GOOD.plan_of_care
assert POC is not None

# (edit name, a passing variant, a failing variant, expected (code, severity))
CASES = [
    ("npi", GOOD, replace(GOOD, billing=ProviderIn(npi=NPI_BAD, taxonomy="225100000X")),
     ("npi_invalid", "error")),
    ("npi", replace(GOOD, rendering=None), replace(GOOD, billing=ProviderIn(taxonomy="225100000X")),
     ("npi_missing", "error")),
    ("taxonomy", GOOD, replace(GOOD, billing=ProviderIn(npi=NPI)), ("taxonomy_missing", "error")),
    ("taxonomy", GOOD, replace(GOOD, billing=ProviderIn(npi=NPI, taxonomy="2251000")),
     ("taxonomy_invalid", "error")),
    ("code", GOOD, replace(GOOD, lines=(line(code="9711"),)), ("code_unknown", "error")),
    ("lines", GOOD, replace(GOOD, lines=(line(units=0),)), ("units_missing", "error")),
    ("lines", GOOD, replace(GOOD, lines=(line(modifiers=("GP", "CQ", "95", "59", "KX")),)),
     ("modifiers_over_four", "error")),
    ("diagnosis", GOOD, replace(GOOD, diagnoses=()), ("diagnosis_missing", "error")),
    ("diagnosis", replace(GOOD, diagnoses=("M5450", "S83.511A", "m25.561")),
     replace(GOOD, diagnoses=("724.2",)), ("diagnosis_not_icd10cm", "error")),
    ("diagnosis_pointer", GOOD, replace(GOOD, lines=(line(dx_pointers=()),)),
     ("diagnosis_pointer_missing", "error")),
    ("diagnosis_pointer", GOOD, replace(GOOD, lines=(line(dx_pointers=(2,)),)),
     ("diagnosis_pointer_invalid", "error")),
    ("coverage", GOOD, replace(GOOD, coverage=None), ("coverage_missing", "error")),
    ("coverage", replace(GOOD, coverage=cov(active_to=DAY)),
     replace(GOOD, coverage=cov(active_to=DAY - dt.timedelta(days=1))),
     ("coverage_inactive", "error")),
    ("coverage", GOOD, replace(GOOD, coverage=cov(is_active=False)),
     ("coverage_inactive", "error")),
    ("subscriber", GOOD, replace(GOOD, coverage=cov(subscriber=replace(SUBSCRIBER, member_id=""))),
     ("subscriber_incomplete", "error")),
    ("note_signed", GOOD, replace(GOOD, note_signed=False), ("note_not_signed", "error")),
    ("plan_of_care", replace(GOOD, coverage=cov(payer=UHC), plan_of_care=None),
     replace(GOOD, plan_of_care=None), ("plan_of_care_not_certified", "error")),
    ("plan_of_care", GOOD,
     replace(GOOD, date_of_service=dt.date(2026, 3, 10),
             plan_of_care=replace(POC, certified_on=None)),
     ("plan_of_care_not_certified", "error")),
    ("plan_of_care",
     replace(GOOD, plan_of_care=replace(POC, recertified_on=(dt.date(2026, 4, 30),)),
             date_of_service=dt.date(2026, 6, 1)),
     replace(GOOD, date_of_service=dt.date(2026, 6, 1)), ("plan_of_care_not_certified", "error")),
    ("duplicate",
     replace(GOOD, already_billed=(BilledLineIn(patient_id="p1", date_of_service=DAY,
                                                code="97112"),)),
     replace(GOOD, already_billed=(BilledLineIn(patient_id="p1", date_of_service=DAY,
                                                code="97110", claim_ref="C-12"),)),
     ("duplicate_claim", "error")),
    ("daily_max", replace(GOOD, modality="in_person", lines=(line(code="97161", units=1,
                                                                  modifiers=("GP",)),)),
     replace(GOOD, modality="in_person", lines=(line(code="97161", units=2,
                                                     modifiers=("GP",)),)),
     ("units_over_daily_max", "error")),
    ("kx", replace(GOOD, ytd_therapy_amount=Decimal("2400"),
                   lines=(line(modifiers=("GP", "95", "KX")),)),
     replace(GOOD, ytd_therapy_amount=Decimal("2400")), ("kx_needed", "error")),
    ("kx", GOOD, replace(GOOD, date_of_service=dt.date(2027, 3, 1),
                         plan_of_care=replace(POC, recertified_on=(dt.date(2027, 2, 1),))),
     ("kx_threshold_unknown", "warning")),
    ("telehealth", GOOD, replace(GOOD, lines=(line(code="97140"),)),
     ("telehealth_not_covered", "error")),
    ("telehealth", replace(GOOD, coverage=cov(payer=UHC)),
     replace(GOOD, coverage=cov(payer=UHC), lines=(line(code="97112"),)),
     ("telehealth_not_covered", "error")),
    ("telehealth", GOOD, replace(GOOD, lines=(line(code="97530"),)),
     ("telehealth_not_covered", "warning")),
    ("telehealth", GOOD, replace(GOOD, patient_location=None),
     ("patient_location_missing", "warning")),
    ("modifiers", replace(GOOD, under_pt_plan_of_care=False, lines=(line(modifiers=("95",)),)),
     replace(GOOD, lines=(line(modifiers=("95",)),)), ("gp_missing", "error")),
    ("modifiers", replace(GOOD, modality="audio", lines=(line(modifiers=("GP", "93")),)),
     replace(GOOD, modality="audio"), ("telehealth_modifier_missing", "error")),
    ("modifiers", GOOD, replace(GOOD, lines=(line(modifiers=("GP", "95", "93")),)),
     ("telehealth_modifier_conflict", "error")),
    ("pta", replace(GOOD, lines=(line(pta_minutes=30, modifiers=("GP", "CQ", "95")),)),
     replace(GOOD, lines=(line(code="97161", units=1, pta_minutes=30),)),
     ("pta_not_allowed", "error")),
]


@pytest.mark.parametrize(("edit", "passing", "failing", "expected"), CASES,
                         ids=[f"{c[0]}-{c[3][0]}" for c in CASES])
def test_each_edit_passes_one_visit_and_flags_another(edit, passing, failing, expected):
    run = dict(EDITS)[edit]
    assert run(passing, CATALOGUE) == []
    found = run(failing, CATALOGUE)
    assert expected in {(c.code, c.severity) for c in found}
    for check in found:
        assert check.message.endswith(".") and len(check.message) > 30
    assert expected in codes(failing)


def test_every_edit_has_a_case():
    assert {name for name, _ in EDITS} == {c[0] for c in CASES}


def test_errors_block_and_warnings_show():
    warned = scrub(replace(GOOD, patient_location=None))
    assert warned.ok and [w.code for w in warned.warnings] == ["patient_location_missing"]
    blocked = scrub(replace(GOOD, note_signed=False, patient_location=None))
    assert not blocked.ok and [e.code for e in blocked.errors] == ["note_not_signed"]


def test_line_findings_name_the_line():
    visit = replace(GOOD, lines=(line(), line(code="97140")))
    found = [c for c in scrub(visit).checks if c.code == "telehealth_not_covered"]
    assert [c.line for c in found] == [2]


def test_messages_say_what_to_do():
    visit = replace(GOOD, billing=ProviderIn(npi=NPI_BAD, taxonomy="225100000X"),
                    already_billed=(BilledLineIn(patient_id="p1", date_of_service=DAY,
                                                 code="97110", claim_ref="C-12"),))
    by_code = {c.code: c.message for c in scrub(visit).checks}
    assert "Luhn" in by_code["npi_invalid"] and NPI_BAD in by_code["npi_invalid"]
    assert "C-12" in by_code["duplicate_claim"] and "frequency 7" in by_code["duplicate_claim"]


def test_plan_of_care_not_yet_certified_within_30_days_warns():
    visit = replace(GOOD, date_of_service=dt.date(2026, 2, 20),
                    plan_of_care=replace(POC, certified_on=None))
    assert ("plan_of_care_not_certified", "warning") in codes(visit)


def test_evaluation_alone_needs_no_certified_plan():
    visit = replace(GOOD, plan_of_care=None, lines=(line(code="97161", units=1),))
    assert not any(c.code.startswith("plan_of_care") for c in scrub(visit).checks)
