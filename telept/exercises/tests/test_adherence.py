"""Adherence and progress: the arithmetic on constructed data (pure), the per-patient
progress page with its server-drawn pain chart, and the practice's dropped-off list."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from telept.exercises import adherence, selectors, services
from telept.exercises.adherence import Dose, LogFact, adherence_in_window, pain_chart
from telept.exercises.models import ExerciseLog, ExerciseSession
from telept.exercises.tests.conftest import program_for

TODAY = dt.date(2026, 3, 31)


def _day(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_adherence_over_14_and_30_days_on_constructed_data():
    # One exercise once a day every day, one twice a day three days a week; started 20
    # days ago. Sessions on 7 of the last 14 days (one day twice), 3 more days before.
    doses = [Dose(times_per_day=1, days_per_week=7), Dose(times_per_day=2, days_per_week=3)]
    session_days = [_day(n) for n in (0, 1, 1, 3, 5, 8, 10, 13, 15, 17, 19)]
    logs = [LogFact(day=d, status="done") for d in session_days]
    logs += [LogFact(day=_day(0), status="partly"), LogFact(day=_day(3), status="skipped")]
    last_14 = adherence_in_window(today=TODAY, window_days=14, program_start=_day(19),
                                  doses=doses, session_days=session_days, logs=logs)
    assert (last_14.active_days, last_14.sessions) == (7, 8)
    assert last_14.prescribed == 26.0  # (7 + 6) a week over 14 days
    assert last_14.completed == 8.5    # 8 done + half of 1 partly
    assert last_14.completion_percent == 33
    last_30 = adherence_in_window(today=TODAY, window_days=30, program_start=_day(19),
                                  doses=doses, session_days=session_days, logs=logs)
    # The program covers only 20 of the 30 days: 13 a week x 20 / 7.
    assert (last_30.active_days, last_30.sessions, last_30.prescribed) == (10, 11, 37.14)
    assert last_30.completion_percent == round(11.5 / 37.14 * 100)


def test_completion_is_capped_and_undefined_when_nothing_was_prescribed():
    doses = [Dose(times_per_day=1, days_per_week=7)]
    busy = [LogFact(day=TODAY, status="done")] * 5
    result = adherence_in_window(today=TODAY, window_days=1, program_start=TODAY, doses=doses,
                                 session_days=[TODAY], logs=busy)
    assert result.completion_rate == 1.0
    future = adherence_in_window(today=TODAY, window_days=14, program_start=_day(-3),
                                 doses=doses, session_days=[], logs=[])
    assert future.prescribed == 0 and future.completion_rate is None


@pytest.mark.parametrize("last, start, inactive, dropped", [
    (_day(0), _day(20), 0, False),
    (_day(2), _day(20), 2, False),
    (_day(3), _day(20), 3, True),
    (None, _day(2), 2, False),   # a new program: a grace of three days
    (None, _day(5), 5, True),
])
def test_dropped_off_means_three_days_or_more_without_activity(last, start, inactive,
                                                               dropped):
    assert adherence.days_inactive(today=TODAY, last_activity=last,
                                   program_start=start) == inactive
    assert adherence.dropped_off(today=TODAY, last_activity=last,
                                 program_start=start) is dropped


@given(days=st.lists(st.integers(min_value=0, max_value=60), max_size=40),
       statuses=st.lists(st.sampled_from(["done", "partly", "skipped"]), max_size=40),
       window=st.integers(min_value=1, max_value=60), started=st.integers(0, 90),
       per_day=st.integers(1, 6), per_week=st.integers(1, 7))
def test_adherence_stays_within_its_bounds(days, statuses, window, started, per_day,
                                           per_week):
    session_days = [_day(n) for n in days]
    logs = [LogFact(day=d, status=s) for d, s in zip(session_days, statuses, strict=False)]
    result = adherence_in_window(today=TODAY, window_days=window, program_start=_day(started),
                                 doses=[Dose(times_per_day=per_day, days_per_week=per_week)],
                                 session_days=session_days, logs=logs)
    assert 0 <= result.active_days <= min(window, started + 1)
    assert result.active_days <= result.sessions
    assert result.completion_rate is None or 0 <= result.completion_rate <= 1


def test_the_pain_chart_places_each_days_worst_pain_on_a_0_to_10_scale():
    chart = pain_chart(pains=[(_day(10), 2), (_day(10), 6), (_day(0), 0), (_day(40), 9)],
                       start=_day(10), end=TODAY, baseline=5, width=340, height=150)
    assert [(p.day, p.pain) for p in chart.points] == [(_day(10), 6), (TODAY, 0)]
    first, last = chart.points
    assert (first.x, last.x) == (chart.left, chart.right)
    assert last.y == chart.bottom and chart.y_ticks[-1] == (chart.top, 10)
    assert chart.baseline_y == pytest.approx(chart.top + chart.plot_height / 2)
    assert chart.polyline.count(",") == 2


# --- the pages, on data written straight into the database --------------------------------

def _session(program, day: dt.date, statuses_and_pain: list[tuple[str, int]]):
    zone = ZoneInfo(program.patient.practice.time_zone)
    at = dt.datetime.combine(day, dt.time(18), zone)
    session = ExerciseSession.objects.create(program=program, patient=program.patient,
                                             started_at=at, completed_at=at, local_date=day)
    for n, (item, (status, pain)) in enumerate(zip(program.items.all(), statuses_and_pain,
                                                   strict=False)):
        ExerciseLog.objects.create(session=session, item=item, exercise=item.exercise,
                                   status=status, pain=pain, order=n)
    return session


@pytest.mark.django_db
def test_the_progress_page_shows_adherence_numbers_and_an_svg_pain_trend(cast):
    now = timezone.now()
    today = now.astimezone(ZoneInfo(cast.practice.time_zone)).date()
    program = program_for(cast)  # two items, once a day, every day
    program.start_date = today - dt.timedelta(days=13)
    program.save()
    for back, pain in ((13, 4), (9, 3), (6, 3), (2, 2), (0, 2)):
        _session(program, today - dt.timedelta(days=back), [("done", pain), ("partly", pain)])
    progress = selectors.progress_for(actor=cast.actor("pt"), patient_id=cast.patient.pk,
                                      now=now)
    assert (progress.last_14.active_days, progress.last_14.sessions) == (5, 5)
    assert progress.last_14.prescribed == 28  # 2 exercises x 14 days
    assert progress.last_14.completed == 7.5  # 5 done + 5 halves
    assert progress.baseline == 4 and progress.days_inactive == 0
    response = cast.client("pt").get(reverse("exercises:progress", args=[cast.patient.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="pain-chart"' in html and "<polyline" in html
    assert 'data-testid="completion-14">27%<' in html
    assert "<script" not in html.split("</header>")[1] and " style=" not in html


@pytest.mark.django_db
def test_the_practice_sees_who_dropped_off(cast):
    now = timezone.now()
    today = now.astimezone(ZoneInfo(cast.practice.time_zone)).date()
    steady, quiet = program_for(cast), program_for(cast, "other_patient")
    for program in (steady, quiet):
        program.start_date = today - dt.timedelta(days=20)
        program.save()
    _session(steady, today - dt.timedelta(days=1), [("done", 2)])
    _session(quiet, today - dt.timedelta(days=4), [("done", 2)])
    program_for(cast, "outsider_patient")  # another practice's: never listed
    found = selectors.dropped_off_list(actor=cast.actor("pt"), now=now)
    assert [(d.patient, d.days_inactive) for d in found] == [(cast.other_patient, 4)]
    services.program_set_status(actor=cast.actor("pt"), program_id=quiet.pk, action="pause",
                                reason="Waiting for the surgeon")
    assert selectors.dropped_off_list(actor=cast.actor("pt"), now=now) == []
    response = cast.client("pta").get(reverse("exercises:follow_up"))
    assert response.status_code == 200 and b"Everyone with a running program" in \
        response.content
    assert cast.client("billing").get(reverse("exercises:follow_up")).status_code == 403


@pytest.mark.django_db
def test_demo_data_loads_twice_and_shows_a_steady_a_dropped_off_and_a_stopped_patient():
    from telept.exercises.demo import seed_exercises
    from telept.exercises.models import Program, Task
    from telept.practices.demo import seed_demo

    seed_demo()
    seed_exercises()
    seed_exercises()
    assert Program.objects.count() == 5 and Task.objects.count() == 1  # Omar (es) too
    assert Program.objects.get(patient__mrn="R0009").is_paused
    from telept.accounts.actor import actor_for
    from telept.accounts.models import User

    pt = actor_for(User.objects.get(email="pt@riverside.example"))
    dropped = [d.patient.mrn for d in selectors.dropped_off_list(actor=pt)]
    assert dropped == ["R0002"]
    maria = selectors.progress_for(actor=pt, patient_id=Program.objects.get(
        patient__mrn="R0001").patient_id)
    assert maria.last_14.active_days >= 5 and maria.chart.points
