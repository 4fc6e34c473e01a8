"""Every command in README.md works as written, in a fresh shell, after a real `make run`
(Issue 16 item 1: a README that cannot rot), and the links it prints follow PORT (item 2).

How, and what "as written" means here:
- `make run` is started for real, as a user would, on a free port (PORT=...), with the demo
  database and the `.env` it writes kept in a temporary folder (TELEPT_VAR_DIR and
  TELEPT_ENV_FILE: the same as the defaults var/ and ./.env of a fresh checkout, without
  touching the developer's). It must come up and, at the end, stop with no process left.
- Each ```sh block of the README runs as one script in a fresh `bash -euo pipefail`, with an
  environment of only PATH, HOME and those two isolation variables: no DEBUG, no SECRET_KEY,
  nothing exported by make. Only "127.0.0.1:8000" is replaced by the test's port.
- A `make` line runs as `make -n` (dry run: the target exists and its recipe expands). `make run`
  is the server above and `make test` is the run this test is part of; `make clean` must not
  delete the checkout's .venv. Inline `make ...` spans in the text are dry-run the same way.
- Any other inline command span (`.venv/bin/...`, `curl ...`, `bin/...`) must also appear in an
  sh block, so no command is documented without being run here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
DOCUMENTED_PORT = "127.0.0.1:8000"
MAKE_LINE = re.compile(r"^(?:[A-Z_]+=\S*\s+)*make\b")
COMMAND_SPAN = re.compile(r"`((?:[A-Z_]+=\S*\s+)*(?:make|\.venv/bin/|curl|bin/)[^`]*)`")

pytestmark = [pytest.mark.live]


def sh_blocks(text: str) -> list[str]:
    """The README's ```sh blocks, each one script (indentation of list items removed)."""
    blocks = []
    for match in re.finditer(r"^( *)```sh\n(.*?)^\1```", text, flags=re.S | re.M):
        indent = len(match.group(1))
        blocks.append("\n".join(line[indent:] for line in match.group(2).splitlines()))
    return blocks


def commands(script: str) -> list[str]:
    """One command a line: continuations joined, comments and blank lines dropped."""
    joined = re.sub(r"\s*\\\n\s*", " ", script)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(line)
    return out


def dry_run(command: str) -> str:
    """`make X` as `make -n X` (with its variables): proves the target and recipe exist."""
    words = shlex.split(command)
    at = words.index("make")
    return shlex.join([*words[:at], "make", "-n", *words[at + 1:]])


def test_the_readme_parser_finds_the_commands_it_must_run():
    blocks = [commands(b) for b in sh_blocks(README)]
    flat = [c for block in blocks for c in block]
    assert flat[:2] == ["make run", "make test"]  # the quick start
    assert any("issue_token" in c for c in flat) and any(c.startswith("curl") for c in flat)
    assert any("demo_links" in c for c in flat) and any("telept.motion analyze" in c for c in flat)
    assert commands("a \\\n  b  # note\n\n# only a comment\nc") == ["a b", "c"]
    assert dry_run("PYTEST_ARGS=\"-k audit\" make test") == "'PYTEST_ARGS=-k audit' make -n test"


def test_every_command_span_in_the_text_is_run_by_this_test():
    in_blocks = {c for block in sh_blocks(README) for c in commands(block)}
    spans = [" ".join(s.split()) for s in COMMAND_SPAN.findall(README)]
    assert spans, "the README names no command at all?"
    unrun = [s for s in spans if not MAKE_LINE.match(s) and s not in in_blocks]
    assert unrun == [], f"commands in the README text that no sh block runs: {unrun}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(tmp: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp)),
            "TELEPT_VAR_DIR": str(tmp / "var"), "TELEPT_ENV_FILE": str(tmp / ".env"),
            "LANG": "C.UTF-8"}


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (ours: the temporary TELEPT_VAR_DIR)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


class Demo:
    def __init__(self, tmp: Path, port: int, proc: subprocess.Popen[bytes], log: Path):
        self.tmp, self.port, self.proc, self.log = tmp, port, proc, log

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        script = script.replace(DOCUMENTED_PORT, f"127.0.0.1:{self.port}")
        return subprocess.run(["bash", "-euo", "pipefail", "-c", script],  # noqa: S603, S607
                              cwd=REPO, env=_clean_env(self.tmp), capture_output=True,
                              text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """`make run` for real, on a free port, until the module's tests are done."""
    tmp = tmp_path_factory.mktemp("readme")
    port = _free_port()
    log = tmp / "make-run.log"
    env = {**_clean_env(tmp), "PORT": str(port), "TURN_PORT": str(_free_port())}
    with log.open("wb") as out:
        proc = subprocess.Popen(["make", "run"], cwd=REPO, env=env, stdout=out,  # noqa: S607
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = Demo(tmp, port, proc, log)
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"make run exited {proc.returncode}:\n{server.output()}")
            try:
                urllib.request.urlopen(server.base + "/accounts/login/", timeout=5)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"make run never served:\n{server.output()}") from None
                time.sleep(1)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    # Nothing of ours is left: not the worker (in its own session), not coturn, not uvicorn.
    marker = f"TELEPT_VAR_DIR={tmp / 'var'}\0"
    deadline = time.monotonic() + 20
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _processes_with(marker)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"make run left processes behind: {left}"


def test_make_run_writes_a_dotenv_that_fresh_shells_read(demo):
    dotenv = (demo.tmp / ".env").read_text()
    assert re.search(r"^SECRET_KEY=\S{40,}$", dotenv, flags=re.M)
    assert f"PORT={demo.port}" in dotenv and "DEBUG=1" in dotenv
    assert "TelePT is on " + demo.base in demo.output()


@pytest.mark.parametrize("index", range(len(sh_blocks(README))))
def test_each_readme_block_runs_in_a_fresh_shell(demo, index):
    block = sh_blocks(README)[index]
    script = "\n".join(dry_run(c) if MAKE_LINE.match(c) else c for c in commands(block))
    done = demo.run(script)
    assert done.returncode == 0, \
        f"README block failed:\n{script}\n---\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    if "demo_links" in script:  # Issue 16 item 2: printed links follow the port
        urls = re.findall(r"https?://\S+", done.stdout)
        assert len(urls) == 2 and all(u.startswith(demo.base + "/") for u in urls), done.stdout
    if script.lstrip().startswith("TOKEN="):
        assert isinstance(json.loads(done.stdout), dict | list)
    if "score_measure" in script:
        assert json.loads(done.stdout)["score"] == 60.0


def test_every_inline_make_command_is_a_real_target(demo):
    for span in {" ".join(s.split()) for s in COMMAND_SPAN.findall(README)}:
        if MAKE_LINE.match(span):
            done = demo.run(dry_run(span))
            assert done.returncode == 0, f"{span}: {done.stderr}"


def test_the_magic_link_printed_by_make_run_follows_the_port(demo):
    """README step 3: request a patient sign-in link; it appears in the make run console."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = opener.open(demo.base + "/accounts/magic/", timeout=10).read().decode()  # noqa: S310
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    body = f"csrfmiddlewaretoken={token.group(1)}&identifier=patient%40riverside.example"
    request = urllib.request.Request(demo.base + "/accounts/magic/",  # noqa: S310
                                     data=body.encode(),
                                     headers={"Referer": demo.base + "/accounts/magic/"})
    assert opener.open(request, timeout=10).status == 200  # noqa: S310
    link = re.compile(re.escape(demo.base) + r"/accounts/magic/[\w-]+/")
    deadline = time.monotonic() + 60  # the worker may send it
    while not link.search(demo.output()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert link.search(demo.output()), demo.output()[-3000:]
    assert "127.0.0.1:8000" not in demo.output()
