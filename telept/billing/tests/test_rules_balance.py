"""The patient's balance (rules/balance.py): self-pay charges + patient responsibility from
835s - payments, per line and in total, whatever the mix of visits and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from telept.billing.rules.balance import InsuredVisit, Paid, SelfPayVisit, account

D = Decimal
days = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 1, 20))
cents = st.integers(min_value=0, max_value=100_000).map(lambda c: D(c) / 100)


@st.composite
def insured_visits(draw: st.DrawFn) -> InsuredVisit:
    """The payer paid part and left part to the patient; the rest was written down."""
    charge = draw(st.integers(min_value=0, max_value=100_000))
    paid = draw(st.integers(min_value=0, max_value=charge))
    owed = draw(st.integers(min_value=0, max_value=charge - paid))
    return InsuredVisit(draw(days), D(charge) / 100, D(paid) / 100, D(owed) / 100)


self_pay_visits = st.builds(SelfPayVisit, days, cents)
payments = st.builds(Paid, st.integers(min_value=1, max_value=100_000).map(lambda c: D(c) / 100),
                     st.none() | days)


@given(st.lists(insured_visits(), max_size=6), st.lists(self_pay_visits, max_size=6),
       st.lists(payments, max_size=6))
def test_the_balance_is_self_pay_plus_responsibility_minus_payments(
        insured: list[InsuredVisit], own: list[SelfPayVisit], paid: list[Paid]) -> None:
    found = account(insured=insured, self_pay=own, payments=paid)
    expected = (sum((v.charge for v in own), D(0))
                + sum((v.patient_responsibility for v in insured), D(0))
                - sum((p.amount for p in paid), D(0)))
    assert found.balance == expected
    # The lines add up to the totals, one line per date (and one for payments on account).
    assert sum((line.patient_share for line in found.lines), D(0)) \
        - sum((line.patient_paid for line in found.lines), D(0)) == found.balance
    dated = [line.date_of_service for line in found.lines if line.date_of_service]
    assert dated == sorted(set(dated))
    for line in found.lines:
        assert line.adjustments >= 0
        assert line.charges == line.insurance_paid + line.adjustments \
            + line.patient_responsibility + line.self_pay


@given(st.lists(insured_visits(), max_size=4), st.lists(self_pay_visits, max_size=4),
       st.lists(payments, max_size=4), self_pay_visits)
def test_another_self_pay_visit_raises_the_balance_by_its_charge(
        insured: list[InsuredVisit], own: list[SelfPayVisit], paid: list[Paid],
        extra: SelfPayVisit) -> None:
    before = account(insured=insured, self_pay=own, payments=paid).balance
    after = account(insured=insured, self_pay=[*own, extra], payments=paid).balance
    assert after - before == extra.charge


def test_a_worked_example_names_each_part() -> None:
    found = account(
        insured=[InsuredVisit(dt.date(2026, 1, 5), D("120.00"), D("80.00"), D("20.00"))],
        self_pay=[SelfPayVisit(dt.date(2026, 1, 7), D("70.00"))],
        payments=[Paid(D("20.00"), dt.date(2026, 1, 5)), Paid(D("5.00"))])
    assert (found.total_self_pay, found.total_responsibility, found.total_paid,
            found.balance) == (D("70.00"), D("20.00"), D("25.00"), D("65.00"))
    insured_day, own_day, on_account = found.lines
    assert (insured_day.adjustments, insured_day.description) == (D("20.00"), "Visit")
    assert (own_day.self_pay, own_day.adjustments, own_day.description) == (
        D("70.00"), D("0"), "Self-pay visit")
    assert on_account.date_of_service is None and on_account.patient_paid == D("5.00")
