"""From an RTM period to a claim pyx12 accepts (Issue 15, done-when), and the 98981 add-on
units on the way (RULES §3: 98980 for the first 20 minutes of the month, one 98981 for each
further full 20 minutes; 60 minutes is 98980 + 98981 x2).

The path is the billing issue's own: roll-up -> proposed charge on a draft RTM summary
note -> the PT signs the note -> claim_build (scrubber) -> batch_create (837P) -> pyx12.
"""

from __future__ import annotations

import datetime as dt

import pytest

from telept.billing.services.batches import batch_create
from telept.billing.services.claims import claim_build
from telept.billing.x12.validate import validate_837p
from telept.clinical.services import notes
from telept.rtm import counting, rollup, services
from telept.rtm.models import RtmPeriod
from telept.rtm.tests.helpers import at, enrol, established, pta_provider, sessions
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db
# The first of a month long past: the 30-day period B..B+29 and B's month are both over
# at B+31, whatever the month's length.
B = (local_today() - dt.timedelta(days=130)).replace(day=1)


@pytest.fixture
def ready(cast, django_capture_on_commit_callbacks):
    established(cast, django_capture_on_commit_callbacks)
    pta_provider(cast)
    return cast


def _minutes(cast, enrolment, *rows):
    """rows: (role, minutes, kind) typed in on B+3, B+4, ..."""
    for n, (role, minutes, kind) in enumerate(rows):
        services.management_add(actor=cast.actor(role), enrolment_id=enrolment.pk,
                                minutes=minutes, kind=kind, note=f"RTM {kind}.",
                                occurred_at=at(cast, B + dt.timedelta(days=3 + n)))


def _month(enrolment):
    return enrolment.periods.get(clock=RtmPeriod.Clock.MONTH, start=B)


def _lines(period):
    return [(line.code, line.units, line.modifiers, str(line.amount))
            for line in period.charge.lines.order_by("number")]


@pytest.mark.parametrize(("rows", "codes"), [
    ((("pt", 45, "call"),), [("98980", 1), ("98981", 1)]),
    ((("pt", 60, "call"),), [("98980", 1), ("98981", 2)]),  # RULES §3: 60 -> 98981 x2
    ((("pt", 40, "call"), ("pt", 39, "log_review")), [("98980", 1), ("98981", 2)]),
    ((("pt", 80, "call"),), [("98980", 1), ("98981", 3)]),
    ((("pt", 100, "call"), ("pt", 19, "message")), [("98980", 1), ("98981", 4)]),
])
def test_98981_counts_each_further_full_20_minutes_of_the_month(ready, rows, codes):
    enrolment = enrol(ready, start=B)
    _minutes(ready, enrolment, *rows)
    counting.enrolment_count(enrolment, today=B + dt.timedelta(days=10))
    month = _month(enrolment)
    assert [(c["code"], c["units"]) for c in month.proposed_codes] == codes


def test_the_add_on_units_reach_the_charge_line_and_the_claim(ready,
                                                              django_capture_on_commit_callbacks):
    """80 minutes in the month, 30 of them a PTA's call: 98980 x1 + 98981 x3, each with GP
    and CQ; the 837P line of 98981 says 3 units at 3 x $39."""
    enrolment = enrol(ready, start=B)
    _minutes(ready, enrolment, ("pta", 30, "call"), ("pt", 50, "log_review"))
    rollup.rollup_run(now=at(ready, B + dt.timedelta(days=31)))
    month = _month(enrolment)
    assert (month.status, month.management_minutes, month.pta_seconds) == ("proposed", 80,
                                                                             1800)
    assert _lines(month) == [("98980", 1, ["GP", "CQ"], "48.00"),
                             ("98981", 3, ["GP", "CQ"], "117.00")]
    assert str(month.charge.total_charge) == "165.00"
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_sign(actor=ready.actor("pt"), note_id=month.summary_note_id)
    claim = claim_build(actor=ready.actor("billing"), charge_id=month.charge_id)
    assert claim.status == "ready", claim.scrub_results
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(actor=ready.actor("billing"), payer_id=ready.payer.pk)
    batch.refresh_from_db()
    assert batch.valid and validate_837p(batch.x12).ok, batch.errors
    assert "SV1*HC:98980:GP:CQ*48*UN*1" in batch.x12
    assert "SV1*HC:98981:GP:CQ*117*UN*3" in batch.x12


def test_both_clocks_of_a_qualifying_patient_go_to_claims_pyx12_accepts(
        ready, django_capture_on_commit_callbacks):
    """The done-when: 12 data days (98975 + 98985, the PT's: GP) and a month of 65 minutes
    with a PTA's call (98980 + 98981 x2, GP CQ), rolled up by the worker's pass, signed,
    scrubbed, batched into one 837P that pyx12 validates."""
    enrolment = enrol(ready, start=B)
    sessions(ready, B, 12)
    _minutes(ready, enrolment, ("pta", 20, "call"), ("pt", 45, "log_review"))
    report = rollup.rollup_run(now=at(ready, B + dt.timedelta(days=31)))
    data = enrolment.periods.get(clock=RtmPeriod.Clock.DATA, start=B)
    month = _month(enrolment)
    assert sorted(report.proposed) == sorted([data.pk, month.pk])
    assert _lines(data) == [("98975", 1, ["GP"], "19.00"), ("98985", 1, ["GP"], "40.00")]
    assert _lines(month) == [("98980", 1, ["GP", "CQ"], "48.00"),
                             ("98981", 2, ["GP", "CQ"], "78.00")]
    assert data.charge.rendering == month.charge.rendering == enrolment.enrolled_by
    claims = []
    for period in (data, month):
        with django_capture_on_commit_callbacks(execute=True):
            notes.note_sign(actor=ready.actor("pt"), note_id=period.summary_note_id)
        claim = claim_build(actor=ready.actor("billing"), charge_id=period.charge_id)
        assert claim.status == "ready", claim.scrub_results
        claims.append(claim)
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(actor=ready.actor("billing"), payer_id=ready.payer.pk)
    batch.refresh_from_db()
    assert batch.valid, batch.errors
    result = validate_837p(batch.x12)
    assert result.ok, result
    for segment in ("SV1*HC:98975:GP*19*UN*1", "SV1*HC:98985:GP*40*UN*1",
                    "SV1*HC:98980:GP:CQ*48*UN*1", "SV1*HC:98981:GP:CQ*78*UN*2"):
        assert segment in batch.x12
    assert batch.x12.count("CLM*") == 2
    for claim in claims:
        claim.refresh_from_db()
        assert claim.batch_id == batch.pk
