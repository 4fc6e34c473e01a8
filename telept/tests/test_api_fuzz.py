"""Schemathesis fuzzes every API operation on a live server: no 5xx, and every response
matches the schema it is documented with. Once as a PT, once as a patient.

Runs the schemathesis CLI as subprocesses, only against 127.0.0.1. Both runs start together
(one process each, so the wall time is that of the slower one) and each test waits for its
own. Each run uses a single worker: with several, CPython 3.11's `ast.parse` is not
thread-safe (gh-106905) and schemathesis intermittently reports "AST constructor recursion
depth mismatch". The seed is random on purpose and printed in the output, so a failure can
be replayed with `--seed`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from telept.tests.live import LiveServer, live_server_proc  # noqa: F401

pytestmark = pytest.mark.live

ST = Path(sys.executable).with_name("st")
FUZZ_SECONDS = 240  # a hang guard, not a timing assertion
ACCOUNTS = {"pt": "pt@riverside.example", "patient": "patient@riverside.example"}


@dataclass
class FuzzRun:
    token: str
    proc: subprocess.Popen[bytes]
    output: Path


@pytest.fixture(scope="module")
def fuzz_runs(live_server_proc: LiveServer,  # noqa: F811
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, FuzzRun]]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    tokens = {who: live_server_proc.api_token(email) for who, email in ACCOUNTS.items()}
    runs: dict[str, FuzzRun] = {}
    for who, token in tokens.items():
        output = tmp / f"{who}.txt"
        workdir = tmp / who
        workdir.mkdir()
        with output.open("wb") as out:
            proc = subprocess.Popen(  # noqa: S603 - the venv's own schemathesis
                [str(ST), "run", f"{live_server_proc.base_url}/api/v1/openapi.json",
                 "--header", f"Authorization: Bearer {token}",
                 "--checks", "not_a_server_error,response_schema_conformance",
                 # Coverage (schema boundaries) and fuzzing; the stateful phase is left out
                 # to keep the run near two minutes on a small CI machine.
                 "--phases", "examples,coverage,fuzzing",
                 "--max-examples", "15",
                 "--workers", "1",
                 "--request-timeout", "10",
                 "--generation-database", "none",
                 "--no-color"],
                cwd=workdir, env=live_server_proc.env, stdout=out, stderr=subprocess.STDOUT,
            )
        runs[who] = FuzzRun(token=token, proc=proc, output=output)
    yield runs
    for run in runs.values():
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait(timeout=10)


def _wait(run: FuzzRun, server: LiveServer) -> None:
    try:
        run.proc.wait(timeout=FUZZ_SECONDS)
    except subprocess.TimeoutExpired:
        run.proc.kill()
        run.proc.wait(timeout=10)
        pytest.fail(f"schemathesis ran past {FUZZ_SECONDS}s\n"
                    f"{run.output.read_text(errors='replace')}\n"
                    f"--- server log (tail) ---\n{server.log()[-5000:]}")


def _assert_clean(run: FuzzRun, server: LiveServer) -> None:
    _wait(run, server)
    assert run.proc.returncode == 0, (
        f"schemathesis exited {run.proc.returncode}\n{run.output.read_text(errors='replace')}\n"
        f"--- server log {server.log_path} (tail; TELEPT_LIVE_KEEP=1 keeps the file) ---\n"
        f"{server.log()[-8000:]}"
    )


def test_the_api_never_errors_and_keeps_its_schema_for_a_pt(
        fuzz_runs: dict[str, FuzzRun], live_server_proc: LiveServer) -> None:  # noqa: F811
    _assert_clean(fuzz_runs["pt"], live_server_proc)


def test_the_api_never_errors_and_keeps_its_schema_for_a_patient(
        fuzz_runs: dict[str, FuzzRun], live_server_proc: LiveServer) -> None:  # noqa: F811
    run = fuzz_runs["patient"]
    _wait(run, live_server_proc)

    me = live_server_proc.get_json("/api/v1/me", token=run.token)
    page = live_server_proc.get_json("/api/v1/patients?limit=200", token=run.token)
    assert me["role"] == "patient"
    assert [item["id"] for item in page["items"]] == [me["patient_id"]], page
    _assert_clean(run, live_server_proc)
