"""A real Janus for tests: configured by our own `janus_config` writer on free ports, started
as a subprocess and stopped afterwards (the log is kept for failures)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from telept.conftest import require_system

JANUS = "/usr/bin/janus"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningJanus:
    settings: dict[str, str]  # the JANUS_* settings that reach it
    folder: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"


def janus_settings(*, ws_host: str = "127.0.0.1") -> dict[str, str]:
    http, admin, ws = free_port(), free_port(), free_port()
    low = 30000 + secrets.randbelow(200) * 100
    return {"JANUS_URL": f"http://127.0.0.1:{http}/janus",
            "JANUS_ADMIN_URL": f"http://127.0.0.1:{admin}/admin",
            "JANUS_WS_URL": f"ws://{ws_host}:{ws}",
            "JANUS_TOKEN_SECRET": secrets.token_urlsafe(24),
            "JANUS_ADMIN_KEY": secrets.token_urlsafe(24),
            "JANUS_RTP_PORTS": f"{low}-{low + 99}"}


@contextlib.contextmanager
def running_janus(values: dict[str, str], *, ice_enforce: str = "", ws_bind: str = "127.0.0.1",
                  wrap: list[str] | None = None) -> Iterator[RunningJanus]:
    """Write the config with `manage.py janus_config` (our settings -> files), start janus."""
    require_system(JANUS, "group-class tests run a real Janus (Debian package janus)")
    base = Path(__file__).resolve().parents[3]
    tmp = Path(tempfile.mkdtemp(prefix="telept-janus-"))
    env = {**os.environ, **values, "TELEPT_ENV_FILE": "", "DEBUG": "1"}
    subprocess.run([str(base / ".venv/bin/python"), "manage.py", "janus_config",  # noqa: S603
                    "--dir", str(tmp / "cfg"), "--ice-enforce", ice_enforce,
                    "--ws-bind", ws_bind], cwd=base, env=env, check=True,
                   capture_output=True)
    log = tmp / "janus.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*(wrap or []), JANUS, "-F", str(tmp / "cfg")],  # noqa: S603
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = RunningJanus(settings=values, folder=tmp, log=log, proc=proc)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"janus exited {proc.returncode}:\n{running.log_text()}")
            try:
                with _opener.open(values["JANUS_URL"] + "/info", timeout=2) as response:
                    if json.loads(response.read()).get("janus") == "server_info":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"janus did not answer:\n{running.log_text()}")
            time.sleep(0.2)
        yield running
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if not os.environ.get("TELEPT_LIVE_KEEP"):  # set it to keep the config and log
            shutil.rmtree(tmp, ignore_errors=True)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)  # noqa: S603,S607


@contextlib.contextmanager
def namespace_veth() -> Iterator[str]:
    """A network namespace with a veth pair on 198.18.0.0/15; yields the host side's
    interface name (Janus's ICE enforce list), and removes both afterwards. Skips loudly
    (fails under TELEPT_REQUIRE_SYSTEM) where namespaces cannot be made."""
    import pytest

    tag = secrets.token_hex(3)
    ns, host, peer = f"tpj{tag}", f"tpjh{tag}", f"tpjn{tag}"
    octet = 1 + secrets.randbelow(250)
    try:
        if not shutil.which("ip") or os.geteuid() != 0:
            raise OSError("needs root and iproute2")
        _ip("netns", "add", ns)
    except (OSError, subprocess.CalledProcessError) as exc:
        message = (f"MISSING SYSTEM PART network namespaces ({exc}): the class test needs a "
                   "veth pair because Janus skips loopback ICE candidates")
        if os.environ.get("TELEPT_REQUIRE_SYSTEM"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        _ip("link", "add", host, "type", "veth", "peer", "name", peer)
        _ip("link", "set", peer, "netns", ns)
        _ip("addr", "add", f"198.18.{octet}.1/30", "dev", host)
        _ip("link", "set", host, "up")
        _ip("netns", "exec", ns, "ip", "addr", "add", f"198.18.{octet}.2/30", "dev", peer)
        _ip("netns", "exec", ns, "ip", "link", "set", peer, "up")
        _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
        yield host
    finally:
        subprocess.run(["ip", "link", "del", host], capture_output=True, check=False)  # noqa: S603,S607
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)  # noqa: S603,S607
