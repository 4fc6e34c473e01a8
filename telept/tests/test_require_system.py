"""Issue 16 item 25: a missing system program or Python module never skips quietly. On a
newcomer's machine the test is skipped with a loud reason; with TELEPT_REQUIRE_SYSTEM set
(as `.ci/run` does) it fails instead."""

from __future__ import annotations

import json

import pytest

from telept.conftest import require_module, require_system

MISSING_MODULE = "telept_no_such_module_for_this_test"
MISSING_PROGRAM = "telept-no-such-program-for-this-test"


def test_a_present_module_is_returned() -> None:
    assert require_module("json", "always there") is json


def test_a_missing_module_skips_loudly_on_a_newcomers_machine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEPT_REQUIRE_SYSTEM", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_module(MISSING_MODULE, "needed to film the astronaut")
    assert f"MISSING PYTHON MODULE {MISSING_MODULE}" in str(skipped.value)
    assert "needed to film the astronaut" in str(skipped.value)


def test_a_missing_module_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEPT_REQUIRE_SYSTEM", "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        require_module(MISSING_MODULE, "needed to film the astronaut")
    assert f"MISSING PYTHON MODULE {MISSING_MODULE}" in str(failed.value)


def test_a_missing_program_skips_loudly_or_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEPT_REQUIRE_SYSTEM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="MISSING SYSTEM PART"):
        require_system(MISSING_PROGRAM, "replays the port")
    monkeypatch.setenv("TELEPT_REQUIRE_SYSTEM", "1")
    with pytest.raises(pytest.fail.Exception, match="MISSING SYSTEM PART"):
        require_system(MISSING_PROGRAM, "replays the port")
    require_system("sh", "always there")  # present: nothing happens



def test_its_skip_is_allowed_at_module_level(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test modules call it at import time (``cv2 = require_module("cv2", ...)``): a plain
    pytest.skip there would be a collection error instead of a skip."""
    monkeypatch.delenv("TELEPT_REQUIRE_SYSTEM", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_module(MISSING_MODULE, "needed")
    assert skipped.value.allow_module_level
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_system(MISSING_PROGRAM, "needed")
    assert skipped.value.allow_module_level
