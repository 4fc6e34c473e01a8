"""`python -m telept.billing units ...` (Issue 10 item 12; KEEP STABLE): run as a subprocess,
the way outside checks call it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "telept.billing", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_it_prints_the_cms_units_as_json():
    done = run("units", "--method", "cms", "97110=33", "97140=7")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '{"97110": 2, "97140": 1}'


def test_it_prints_the_ama_units_with_untimed_codes_at_one_unit():
    done = run("units", "--method", "ama", "97110=33", "97140=7", "97161=45", "97150=30")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"97110": 2, "97140": 0, "97161": 1, "97150": 1}


def test_hcpcs_codes_are_read_in_any_case():
    done = run("units", "--method", "cms", "g0283=15", "97110=8")
    assert json.loads(done.stdout) == {"G0283": 1, "97110": 1}


@pytest.mark.parametrize(("args", "says"), [
    (("units", "--method", "cms", "9711=30"), "unknown code '9711'"),
    (("units", "--method", "cms", "97110=3.5"), "whole number"),
    (("units", "--method", "cms", "97110=abc"), "whole number"),
    (("units", "--method", "cms", "97110=-3"), "cannot be negative"),
    (("units", "97110=30"), "--method"),
    (("units", "--method", "xyz", "97110=30"), "invalid choice"),
    (("units", "--method", "cms"), "CODE=MINUTES"),
    (("units", "--method", "cms", "97110"), "is not CODE=MINUTES"),
    (("units", "--method", "cms", "97110=30", "97110=5"), "given twice"),
    ((), "command"),
])
def test_bad_input_exits_2_with_one_line_and_no_traceback(args, says):
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert says in lines[0]
    assert "Traceback" not in done.stderr
