"""Visit minutes from the event log: tables of cases and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telept.visits.rules.minutes import Event, visit_minutes, whole_minutes

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
PT, PATIENT, GUEST = 1, 2, 3


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ev(minutes: float, kind: str, who: int | None = None) -> Event:
    return Event(at=at(minutes), kind=kind, participant=who)


CASES = [
    # (name, events, until (minutes), total, video, audio-only) in minutes
    ("therapist alone is no visit", [ev(0, "join", PT), ev(10, "end")], None, 0, 0, 0),
    ("a plain 20-minute call", [ev(0, "join", PT), ev(2, "waiting", PATIENT),
                                ev(5, "admit", PATIENT), ev(25, "end")], None, 20, 20, 0),
    ("audio-only for 6 minutes", [ev(0, "join", PT), ev(0, "admit", PATIENT),
                                  ev(4, "audio_only_start", PATIENT),
                                  ev(10, "audio_only_end", PATIENT), ev(30, "end")],
     None, 30, 24, 6),
    ("a drop and a reconnect", [ev(0, "join", PT), ev(0, "admit", PATIENT),
                                ev(10, "leave", PATIENT), ev(12, "reconnect", PATIENT),
                                ev(20, "end")], None, 18, 18, 0),
    ("audio-only ends when that person leaves",
     [ev(0, "join", PT), ev(0, "admit", PATIENT), ev(5, "audio_only_start", PATIENT),
      ev(8, "leave", PATIENT), ev(9, "reconnect", PATIENT), ev(15, "end")], None, 14, 11, 3),
    ("a guest keeps the call going while the patient is out",
     [ev(0, "join", PT), ev(0, "admit", PATIENT), ev(1, "admit", GUEST),
      ev(5, "send_back", PATIENT), ev(7, "admit", PATIENT), ev(10, "end")], None, 10, 10, 0),
    ("an open visit is measured up to now",
     [ev(0, "join", PT), ev(3, "admit", PATIENT)], 13, 10, 10, 0),
    ("nothing after the end counts",
     [ev(0, "join", PT), ev(0, "admit", PATIENT), ev(10, "end"), ev(20, "reconnect", PT)],
     30, 10, 10, 0),
    ("repeated joins change nothing",
     [ev(0, "join", PT), ev(0, "join", PT), ev(0, "admit", PATIENT), ev(1, "admit", PATIENT),
      ev(10, "end")], None, 10, 10, 0),
]


@pytest.mark.parametrize("name, events, until, total, video, audio",
                         CASES, ids=[c[0] for c in CASES])
def test_visit_minutes_table(name, events, until, total, video, audio):
    result = visit_minutes(events=events, until=at(until) if until is not None else None)
    assert (result.total_seconds / 60, result.video_seconds / 60,
            result.audio_only_seconds / 60) == (total, video, audio)


def test_attendance_names_who_was_in_and_for_how_long():
    result = visit_minutes(events=[ev(0, "join", PT), ev(5, "admit", PATIENT),
                                   ev(6, "admit", GUEST), ev(16, "leave", GUEST),
                                   ev(25, "end")])
    seen = {a.participant: (a.seconds / 60, a.first_in, a.last_out) for a in result.attendance}
    assert seen == {PT: (25, at(0), at(25)), PATIENT: (20, at(5), at(25)),
                    GUEST: (10, at(6), at(16))}
    assert [a.participant for a in result.attendance] == [PT, PATIENT, GUEST]


def test_whole_minutes_round_half_up():
    assert [whole_minutes(s) for s in (0, 29, 30, 89, 90, 450)] == [0, 0, 1, 1, 2, 8]


KINDS = ["join", "admit", "reconnect", "leave", "send_back", "remove", "audio_only_start",
         "audio_only_end", "waiting", "ice_restart", "skeleton_start", "skeleton_end"]
events_strategy = st.lists(st.builds(
    ev, st.integers(min_value=0, max_value=120), st.sampled_from(KINDS + ["end"]),
    st.sampled_from([PT, PATIENT, GUEST])), max_size=30)


@given(events_strategy, st.permutations(range(30)))
@settings(max_examples=300, deadline=None)
def test_minutes_add_up_and_do_not_depend_on_input_order(events, order):
    result = visit_minutes(events=events, until=at(130))
    assert result.video_seconds >= 0 and result.audio_only_seconds >= 0
    assert result.video_seconds + result.audio_only_seconds == pytest.approx(
        result.total_seconds)
    assert result.total_seconds <= 130 * 60
    # By modality (video, voice alone, voice with a live skeleton): each >= 0, sum = total.
    parts = result.by_modality
    assert all(value >= 0 for value in parts.values()), parts
    assert sum(parts.values()) == pytest.approx(result.total_seconds)
    assert result.skeleton_seconds <= result.audio_only_seconds + 1e-9
    for attendance in result.attendance:
        assert 0 <= attendance.seconds <= 130 * 60
    # Events at distinct times: any input order gives the same answer.
    distinct = list({e.at: e for e in events}.values())
    shuffled = [distinct[i] for i in order if i < len(distinct)]
    assert visit_minutes(events=shuffled, until=at(130)) == visit_minutes(events=distinct,
                                                                          until=at(130))


def test_skeleton_mode_minutes_count_apart_from_video_and_voice_alone():
    # Video 0-4, voice alone 4-6, the patient's skeleton 6-16 (while also audio-only 6-10),
    # then video again until the end at 30; a skeleton ends with its sender leaving.
    result = visit_minutes(events=[
        ev(0, "join", PT), ev(0, "admit", PATIENT), ev(4, "audio_only_start", PATIENT),
        ev(6, "skeleton_start", PATIENT), ev(10, "audio_only_end", PATIENT),
        ev(16, "skeleton_end", PATIENT), ev(30, "end")])
    assert {k: v / 60 for k, v in result.by_modality.items()} == {
        "video": 18, "audio": 2, "skeleton": 10}
    assert (result.total_minutes, result.video_minutes, result.audio_only_minutes,
            result.skeleton_minutes) == (30, 18, 12, 10)
    left = visit_minutes(events=[ev(0, "join", PT), ev(0, "admit", PATIENT),
                                 ev(2, "skeleton_start", PATIENT), ev(5, "leave", PATIENT),
                                 ev(6, "admit", PATIENT), ev(9, "end")])
    assert left.skeleton_seconds == 3 * 60 and left.total_seconds == 8 * 60
