"""Attendance facts of a class, per attendee (billing charges 97150 once per attendee)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from telept.groupvideo.attendance import class_attendance
from telept.visits.rules.minutes import Event

T0 = dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC)
HOST = 1


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_minutes_count_only_with_the_host_and_audio_only_is_kept_per_person():
    events = [
        Event(at=at(0), kind="join", participant=2),      # before the host: not counted
        Event(at=at(5), kind="join", participant=HOST),
        Event(at=at(5), kind="admit", participant=3),
        Event(at=at(10), kind="audio_only_start", participant=3),
        Event(at=at(40), kind="audio_only_end", participant=3),
        Event(at=at(30), kind="leave", participant=2),
        Event(at=at(33), kind="reconnect", participant=2),
        Event(at=at(50), kind="end", participant=HOST),
        Event(at=at(55), kind="reconnect", participant=4),  # after the end: nothing
    ]
    rows = {r.participant: r for r in class_attendance(events=events,
                                                       hosts=frozenset({HOST}))}
    assert set(rows) == {2, 3}
    assert rows[2].minutes == 25 + 17 and rows[2].modality == "video"
    assert rows[3].minutes == 45 and rows[3].audio_only_seconds == 30 * 60
    assert rows[3].modality == "audio"


KINDS = ["join", "admit", "reconnect", "leave", "remove", "audio_only_start",
         "audio_only_end", "end"]


@given(st.lists(st.tuples(st.integers(0, 120), st.sampled_from(KINDS), st.integers(1, 4)),
                max_size=30), st.randoms())
def test_per_person_video_plus_audio_is_the_total_whatever_the_order(raw, rnd):
    events = [Event(at=at(m), kind=k, participant=p) for m, k, p in raw]
    result = class_attendance(events=events, hosts=frozenset({HOST}), until=at(130))
    for row in result:
        assert row.seconds >= 0 and row.video_seconds >= 0 and row.audio_only_seconds >= 0
        assert abs(row.video_seconds + row.audio_only_seconds - row.seconds) < 1e-6
        assert row.participant != HOST
    # Same-time events keep their given order, so shuffle positions and sort them back by
    # (time, position): equal events (the same leave twice) are told apart by position.
    ordered = sorted(range(len(events)), key=lambda i: events[i].at)
    shuffled = list(ordered)
    rnd.shuffle(shuffled)
    again = [events[i] for i in sorted(shuffled, key=lambda i: (events[i].at, ordered.index(i)))]
    assert class_attendance(events=again, hosts=frozenset({HOST}), until=at(130)) == result
