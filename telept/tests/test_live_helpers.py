"""telept.tests.live.fresh_totp: browser modules sign the same demo user in seconds apart,
and the server refuses a TOTP step the user already spent (the PostgreSQL pass of CI failed
the reports page's sign-in right after the billing pages test had signed the billing user
in). Each code it hands out is for a step not handed out before, and one the server takes."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from telept.accounts.services import _totp_match_step
from telept.practices.demo import DEMO_TOTP_SECRET
from telept.tests import live


def test_each_code_is_for_a_new_step_the_server_accepts(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(live, "_spent_steps", {})
    clock = [1_800_000_000.0]
    monkeypatch.setattr(live.time, "time", lambda: clock[0])
    monkeypatch.setattr(live.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    now = dt.datetime.fromtimestamp(clock[0], dt.UTC)
    steps = []
    for _ in range(3):  # the third has to wait for the next 30-second step
        code = live.fresh_totp("billing@riverside.example")
        steps.append(_totp_match_step(DEMO_TOTP_SECRET, code,
                                      dt.datetime.fromtimestamp(clock[0], dt.UTC)))
    first = int(now.timestamp()) // pyotp.TOTP(DEMO_TOTP_SECRET).interval
    assert steps == [first, first + 1, first + 2]
    assert clock[0] > now.timestamp()  # it waited rather than reuse a step
    other = live.fresh_totp("pt@riverside.example")  # another user has steps of their own
    assert _totp_match_step(DEMO_TOTP_SECRET, other,
                            dt.datetime.fromtimestamp(clock[0], dt.UTC)) is not None
