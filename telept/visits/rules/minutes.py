"""Visit minutes from the visit's event log: total, with video, audio-only, and who attended.

Why it exists: telehealth claims and notes need the time actually spent together and
whether it was a video or an audio-only encounter (payers treat them differently), and the
chart needs who attended. The browser and the server only record facts as they happen
(`VisitEvent` rows); this pure function turns them into minutes, so it can be tested with
tables and properties and re-run over old visits.

What must hold:

- a participant is *in the call* from `join` / `admit` / `reconnect` until `leave` /
  `send_back` / `remove` / `end`; repeated "in" or "out" events change nothing;
- the visit counts as a call only while at least two participants are in (a therapist
  waiting alone is not a visit);
- call time is *audio-only* while any participant in the call has video paused
  (`audio_only_start` until `audio_only_end`, or until that person leaves): the visit was not
  two-way video then;
- call time is *skeleton* while any participant in the call sends only pose landmarks
  (`skeleton_start` until `skeleton_end`, or until that person leaves: the patient's video
  paused, the therapist watching a live skeleton). It is not video either, so it counts inside
  `audio_only` (payers see a call without two-way video), and `by_modality` splits the total
  into video, voice alone and skeleton, which add up to it;
- `video + audio_only == total`, every value >= 0; events are sorted by time first (the
  input order does not matter), and nothing after `end` counts;
- an unfinished visit is measured up to ``until`` (the caller passes "now"), or up to its
  last event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Attendance", "Event", "VisitMinutes", "visit_minutes", "whole_minutes"]

IN_KINDS = frozenset({"join", "admit", "reconnect"})
OUT_KINDS = frozenset({"leave", "send_back", "remove"})
AUDIO_ON, AUDIO_OFF, END = "audio_only_start", "audio_only_end", "end"
SKELETON_ON, SKELETON_OFF = "skeleton_start", "skeleton_end"


@dataclass(frozen=True, kw_only=True)
class Event:
    at: dt.datetime
    kind: str
    participant: int | None = None


@dataclass(frozen=True, kw_only=True)
class Attendance:
    participant: int
    seconds: float
    first_in: dt.datetime
    last_out: dt.datetime | None  # None: still in when measured


@dataclass(frozen=True, kw_only=True)
class VisitMinutes:
    total_seconds: float
    video_seconds: float
    audio_only_seconds: float
    attendance: tuple[Attendance, ...]
    skeleton_seconds: float = 0.0  # part of audio_only_seconds

    @property
    def by_modality(self) -> dict[str, float]:
        """Seconds by what the therapist had: two-way video, voice alone, or voice with a live
        skeleton; they add up to `total_seconds`."""
        return {"video": self.video_seconds,
                "audio": self.audio_only_seconds - self.skeleton_seconds,
                "skeleton": self.skeleton_seconds}

    @property
    def skeleton_minutes(self) -> int:
        return whole_minutes(self.skeleton_seconds)

    @property
    def total_minutes(self) -> int:
        return whole_minutes(self.total_seconds)

    @property
    def video_minutes(self) -> int:
        return whole_minutes(self.video_seconds)

    @property
    def audio_only_minutes(self) -> int:
        return whole_minutes(self.audio_only_seconds)


def whole_minutes(seconds: float) -> int:
    """Minutes rounded half up (7 min 30 s is 8 minutes), as time-based CPT codes count."""
    return int((max(seconds, 0.0) + 30) // 60)


def visit_minutes(*, events: Iterable[Event], until: dt.datetime | None = None) -> VisitMinutes:
    ordered = sorted(events, key=lambda e: e.at)  # stable: same-time events keep their order
    inside: set[int] = set()
    audio_only: set[int] = set()
    skeleton: set[int] = set()
    first_in: dict[int, dt.datetime] = {}
    last_out: dict[int, dt.datetime | None] = {}
    seconds: dict[int, float] = {}
    total = audio = bones = 0.0
    clock: dt.datetime | None = None
    ended = False

    def advance(to: dt.datetime) -> None:
        nonlocal clock, total, audio, bones
        if clock is not None and to > clock:
            span = (to - clock).total_seconds()
            for pid in inside:
                seconds[pid] = seconds.get(pid, 0.0) + span
            if len(inside) >= 2:
                total += span
                if skeleton & inside:
                    bones += span
                    audio += span
                elif audio_only & inside:
                    audio += span
        if clock is None or to > clock:
            clock = to

    def leave(pid: int, at: dt.datetime) -> None:
        if pid in inside:
            inside.discard(pid)
            last_out[pid] = at
        audio_only.discard(pid)
        skeleton.discard(pid)

    for event in ordered:
        advance(event.at)
        pid = event.participant
        if event.kind == END:
            for member in list(inside):
                leave(member, event.at)
            ended = True
            break
        if pid is None:
            continue
        if event.kind in IN_KINDS:
            if pid not in inside:
                inside.add(pid)
                first_in.setdefault(pid, event.at)
                last_out[pid] = None
        elif event.kind in OUT_KINDS:
            leave(pid, event.at)
        elif event.kind == AUDIO_ON and pid in inside:
            audio_only.add(pid)
        elif event.kind == AUDIO_OFF:
            audio_only.discard(pid)
        elif event.kind == SKELETON_ON and pid in inside:
            skeleton.add(pid)
        elif event.kind == SKELETON_OFF:
            skeleton.discard(pid)
    if not ended and until is not None:
        advance(until)

    attendance = tuple(
        Attendance(participant=pid, seconds=seconds.get(pid, 0.0), first_in=first_in[pid],
                   last_out=last_out.get(pid))
        for pid in sorted(first_in, key=lambda p: (first_in[p], p)))
    return VisitMinutes(total_seconds=total, video_seconds=total - audio,
                        audio_only_seconds=audio, attendance=attendance,
                        skeleton_seconds=bones)
