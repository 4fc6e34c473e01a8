"""The roll-up: each ended period's RTM charges proposed into billing's work queue exactly
once, by the worker, across a worker that dies half-way and is started again."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from telept.billing.models import Charge
from telept.rtm import rollup, services
from telept.rtm.models import RtmPeriod
from telept.rtm.tasks import rtm_rollup
from telept.rtm.tests.helpers import at, enrol, established, pta_provider, sessions
from telept.tests.factories import local_today

pytestmark = pytest.mark.django_db
# The first of a month long past, so the first calendar month ends before the first 30-day
# period does and the second month after it.
B = (local_today() - dt.timedelta(days=130)).replace(day=1)


@pytest.fixture
def program(cast, django_capture_on_commit_callbacks):
    """Period 1: B..B+29 with 9 data days; period 2 from B+33 with 16. In B's month a PTA
    called for 25 minutes (real time)."""
    established(cast, django_capture_on_commit_callbacks)
    pta_provider(cast)
    enrolment = enrol(cast, start=B, end=B + dt.timedelta(days=150))
    sessions(cast, B, 9)
    sessions(cast, B + dt.timedelta(days=33), 16)
    services.management_add(actor=cast.actor("pta"), enrolment_id=enrolment.pk, minutes=25,
                            kind="call", note="Call: swelling settled, progressed squats.",
                            occurred_at=at(cast, B + dt.timedelta(days=3)))
    return enrolment


def _worker(monkeypatch, now: dt.datetime) -> None:
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # keep the test tx
    rtm_rollup.enqueue(now.isoformat())
    call_command("run_worker", "--max-loops", "1", "--interval", "0", "--due-every", "3600",
                 stdout=StringIO())


def _lines(period):
    return [(line.code, line.units, line.modifiers)
            for line in period.charge.lines.order_by("number")]


def test_the_worker_proposes_each_qualifying_period_once_across_a_restart(
        cast, program, monkeypatch):
    real_rows = rollup._line_rows

    def fails_for_the_month(period, *args):
        if period.clock == "month":
            raise RuntimeError("worker killed")
        return real_rows(period, *args)

    after_first = at(cast, B + dt.timedelta(days=31))
    monkeypatch.setattr(rollup, "_line_rows", fails_for_the_month)
    _worker(monkeypatch, after_first)  # the month's proposal dies: rolled back, left open
    assert RtmPeriod.objects.filter(status="proposed").count() == 1
    assert RtmPeriod.objects.filter(status="open", end__lt=after_first.date()).count() == 1
    assert Charge.objects.filter(captured_on="rtm").count() == 1

    monkeypatch.setattr(rollup, "_line_rows", real_rows)
    _worker(monkeypatch, after_first)  # the restarted worker finishes the night
    _worker(monkeypatch, after_first)  # and a repeated run changes nothing
    first = program.periods.get(clock="data", start=B)
    month = program.periods.get(clock="month", start=B)
    assert first.status == month.status == "proposed"
    assert _lines(first) == [("98975", 1, ["GP"]), ("98985", 1, ["GP"])]
    assert _lines(month) == [("98980", 1, ["GP", "CQ"])]
    assert month.charge.lines.get().pta_minutes == 25
    assert Charge.objects.filter(captured_on="rtm").count() == 2

    after_second = at(cast, B + dt.timedelta(days=64))
    _worker(monkeypatch, after_second)
    _worker(monkeypatch, after_second)
    second = program.periods.get(clock="data", start=B + dt.timedelta(days=33))
    assert second.status == "proposed" and second.data_days == 16
    assert _lines(second) == [("98977", 1, ["GP"])]  # 98975 only once per episode
    empty = program.periods.filter(clock="month", end__lt=after_second.date()).exclude(
        start=B)
    assert {p.status for p in empty} == {"nothing"}
    assert Charge.objects.filter(captured_on="rtm").count() == 3
    assert sorted(RtmPeriod.objects.exclude(charge=None).values_list("charge", flat=True)) \
        == sorted(Charge.objects.filter(captured_on="rtm").values_list("pk", flat=True))


def test_a_proposed_charge_is_in_the_work_queue_for_the_enrolling_pt(cast, program):
    rollup.rollup_run(now=at(cast, B + dt.timedelta(days=31)))
    period = program.periods.get(clock="data", start=B)
    charge = period.charge
    assert charge.status == Charge.Status.OPEN and charge.is_current
    assert charge.rendering == program.enrolled_by  # one biller: the enrolling PT
    assert charge.payer == cast.payer and charge.date_of_service == period.end
    assert charge.pos == "11" and charge.diagnoses[0] == "M17.11"
    assert str(charge.total_charge) == "59.00"  # 19.00 + 40.00 on the fee schedule
    note = period.summary_note
    assert note.status == "draft" and note.provider == program.enrolled_by
    assert "Data days: 9" in note.content["objective"]


def test_a_period_not_over_is_not_proposed_and_one_done_is_left_alone(cast, program):
    rollup.rollup_run(now=at(cast, B + dt.timedelta(days=20)))
    assert not RtmPeriod.objects.exclude(status="open").filter(clock="data").exists()
    period = program.periods.get(clock="data", start=B)
    assert rollup.period_propose(period_id=period.pk,
                                 now=at(cast, B + dt.timedelta(days=20))) == "not_due"
    late = at(cast, B + dt.timedelta(days=31))
    assert rollup.period_propose(period_id=period.pk, now=late) == "proposed"
    assert rollup.period_propose(period_id=period.pk, now=late) == "done"
    assert Charge.objects.filter(captured_on="rtm", note__rtm_period=period).count() == 1


def test_signing_the_summary_note_keeps_the_proposed_charge(
        cast, program, django_capture_on_commit_callbacks):
    from telept.clinical.services import notes

    rollup.rollup_run(now=at(cast, B + dt.timedelta(days=31)))
    period = program.periods.get(clock="data", start=B)
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_sign(actor=cast.actor("pt"), note_id=period.summary_note_id)
    period.refresh_from_db()
    assert period.summary_note.status == "final"
    assert list(Charge.objects.filter(note=period.summary_note)) == [period.charge]
    assert [line.code for line in period.charge.lines.all()] == ["98975", "98985"]


def test_a_signed_rtm_period_goes_to_a_claim_pyx12_accepts(
        cast, program, django_capture_on_commit_callbacks):
    from telept.billing.services.batches import batch_create
    from telept.billing.services.claims import claim_build
    from telept.billing.x12.validate import validate_837p
    from telept.clinical.services import notes

    rollup.rollup_run(now=at(cast, B + dt.timedelta(days=31)))
    period = program.periods.get(clock="month", start=B)
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_sign(actor=cast.actor("pt"), note_id=period.summary_note_id)
    claim = claim_build(actor=cast.actor("billing"), charge_id=period.charge_id)
    assert claim.status == "ready", claim.scrub_results
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(actor=cast.actor("billing"), payer_id=cast.payer.pk)
    batch.refresh_from_db()
    assert batch.valid and validate_837p(batch.x12).ok, batch.errors
    assert "SV1*HC:98980:GP:CQ*48*UN*1" in batch.x12


def test_a_worker_killed_after_writing_the_charges_leaves_none_and_the_restart_proposes_once(
        cast, program, monkeypatch):
    """Killed (not an error the run catches) between the charges' insert and the periods'
    update: the batch's transaction takes the notes, charges, lines and audit rows with it;
    the restarted run proposes each period once."""
    from telept.audit.models import AuditEvent
    from telept.clinical.models import Note

    notes_before = Note.objects.count()
    rtm_audit = AuditEvent.objects.filter(object_type="Charge", detail__has_key="rtm_period")
    real_update = rollup.update_rows

    def killed(rows, fields):
        raise SystemExit("worker killed")

    after_first = at(cast, B + dt.timedelta(days=31))
    monkeypatch.setattr(rollup, "update_rows", killed)
    with pytest.raises(SystemExit):
        rollup.rollup_run(now=after_first)
    assert not Charge.objects.filter(captured_on="rtm").exists()
    assert Note.objects.count() == notes_before
    assert not rtm_audit.exists()
    assert not RtmPeriod.objects.exclude(status="open").exists()

    monkeypatch.setattr(rollup, "update_rows", real_update)
    first = rollup.rollup_run(now=after_first)
    again = rollup.rollup_run(now=after_first)
    assert len(first.proposed) == 2 and again.proposed == []
    charges = Charge.objects.filter(captured_on="rtm")
    assert charges.count() == 2 and Note.objects.count() == notes_before + 2
    assert sorted(rtm_audit.values_list(
        "object_id", flat=True)) == sorted(str(c.pk) for c in charges)
    assert all(c.rtm_period.status == "proposed" for c in charges)
    for event in rtm_audit:
        charge = charges.get(pk=int(event.object_id))
        assert (event.actor_id, event.actor_role, event.action) == (None, "system", "create")
        assert (event.practice_id, event.patient_id) == (cast.practice.pk, cast.patient.pk)
        assert event.detail == {"rtm_period": charge.rtm_period.pk,
                                "codes": charge.rtm_period.proposed_codes}
