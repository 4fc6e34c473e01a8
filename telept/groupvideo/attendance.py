"""Who attended a class, for how long and how (pure: no Django).

The class's `VisitEvent` rows are the same facts as a 1:1 visit's (join, admit, reconnect,
leave, remove, audio-only start/end, end). Billing charges 97150 (group therapeutic
procedures, untimed: one unit) once per attendee, so what it needs is per person: minutes
in the class (while the host was there too: a participant alone in the room is not being
treated), minutes with video, minutes audio only, and the modality of the encounter — video
unless the person was audio only for most of their time.

What must hold: per person `video + audio_only == minutes`, every value >= 0, nothing after
`end` counts, and the order of the input does not matter (sorted by time, stable).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from telept.visits.rules.minutes import END, IN_KINDS, OUT_KINDS, Event, whole_minutes

AUDIO_ON, AUDIO_OFF = "audio_only_start", "audio_only_end"


@dataclass(frozen=True, kw_only=True)
class Attendee:
    participant: int
    seconds: float
    video_seconds: float
    audio_only_seconds: float

    @property
    def minutes(self) -> int:
        return whole_minutes(self.seconds)

    @property
    def modality(self) -> str:
        """ "video", or "audio" when audio only for more than half of the time."""
        return "audio" if self.audio_only_seconds * 2 > self.seconds else "video"


def class_attendance(*, events: Iterable[Event], hosts: frozenset[int],
                     until: dt.datetime | None = None) -> list[Attendee]:
    """Per non-host participant who was ever in: time in the class while a host was in."""
    ordered = sorted(events, key=lambda e: e.at)
    inside: set[int] = set()
    audio: set[int] = set()
    total: dict[int, float] = {}
    audio_s: dict[int, float] = {}
    clock: dt.datetime | None = None

    def advance(to: dt.datetime) -> None:
        nonlocal clock
        if clock is not None and to > clock and inside & hosts:
            span = (to - clock).total_seconds()
            for pid in inside - hosts:
                total[pid] = total.get(pid, 0.0) + span
                if pid in audio:
                    audio_s[pid] = audio_s.get(pid, 0.0) + span
        if clock is None or to > clock:
            clock = to

    ended = False
    for event in ordered:
        advance(event.at)
        pid = event.participant
        if event.kind == END:
            ended = True
            break
        if pid is None:
            continue
        if event.kind in IN_KINDS:
            inside.add(pid)
            if pid not in hosts:
                total.setdefault(pid, 0.0)
        elif event.kind in OUT_KINDS:
            inside.discard(pid)
            audio.discard(pid)
        elif event.kind == AUDIO_ON and pid in inside:
            audio.add(pid)
        elif event.kind == AUDIO_OFF:
            audio.discard(pid)
    if not ended and until is not None:
        advance(until)
    return [Attendee(participant=pid, seconds=total[pid],
                     video_seconds=total[pid] - audio_s.get(pid, 0.0),
                     audio_only_seconds=audio_s.get(pid, 0.0)) for pid in sorted(total)]
