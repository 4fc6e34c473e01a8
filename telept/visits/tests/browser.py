"""Helpers for two-browser visit tests: Chromium with fake camera and microphone, demo links,
extra app processes on the live server's database, and a loopback coturn."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from telept.conftest import require_system
from telept.tests.live import BASE_DIR, CHROMIUM, CHROMIUM_ARGS, LiveServer

MEDIA_ARGS = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
STATE_TIMEOUT_MS = 45_000
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def launch(playwright: Any) -> Browser:
    require_system(CHROMIUM, "visit tests drive Debian's Chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=MEDIA_ARGS)


def demo_links(server: LiveServer, provider: str = "pt@riverside.example") -> dict[str, Any]:
    out = server.manage("demo_links", "--json", "--fresh", "--provider", provider)
    return json.loads(out.strip().splitlines()[-1])


def on(url: str, base_url: str) -> str:
    """The same path on another app process."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return f"{base_url}/{path}"


def open_page(browser: Browser, url: str, errors: list[str] | None = None) -> Page:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Shown by pytest only when a test fails: what each page said, in order.
    tag = url.split("/")[3] if url.count("/") > 3 else url
    verbose = bool(os.environ.get("TELEPT_VISIT_DEBUG"))
    page.on("console", lambda message: (verbose or message.type in ("warning", "error"))
            and print(f"[{tag}] {message.type}: {message.text}"))
    page.goto(url)
    return page


def expect_state(page: Page, value: str, timeout: int = STATE_TIMEOUT_MS) -> None:
    expect(page.locator("main#visit")).to_have_attribute("data-call-state", value,
                                                        timeout=timeout)


def join(page: Page, *, located_at: str = "home") -> None:
    """Pass the pre-join step; a patient answers "Where are you for this visit?" (the state
    is pre-filled from the booking)."""
    expect_state(page, "device-check")
    expect(page.locator("#device-status")).not_to_have_text(
        "Asking for your camera and microphone…", timeout=15_000)
    place = page.locator(f"[data-testid=located-at-{located_at}]")
    if place.count():
        place.check()
    page.click("[data-testid=join]")


FRAMES_JS = """() => Math.max(0, ...Array.from(
  document.querySelectorAll('[data-testid=remote-video]'),
  (v) => v.getVideoPlaybackQuality().totalVideoFrames))"""


def remote_frames(page: Page) -> int:
    return int(page.evaluate(FRAMES_JS))


def wait_frames_grow(page: Page, timeout: int = 20_000) -> None:
    """The remote video decodes new frames (compared with now; no rate asserted)."""
    start = remote_frames(page)
    page.wait_for_function(f"(n) => ({FRAMES_JS})() > n + 10", arg=start, timeout=timeout)


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with _opener.open(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"app process at {url} did not start:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def app_process(server: LiveServer, **env: str) -> Iterator[str]:
    """Another uvicorn process on the live server's database, with extra settings."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = server.tmp_dir / f"app-{port}.log"
    full_env = {**server.env, **env}
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            [sys.executable, "-m", "uvicorn", "telept.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--lifespan", "off", "--ws-per-message-deflate", "false"],
            cwd=BASE_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_http(base_url, proc, log)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def coturn(secret: str) -> Iterator[str]:
    """coturn on loopback with TURN REST auth; yields its turn: URL."""
    require_system("turnserver", "the relay test runs coturn (Debian package coturn)")
    port = _free_port(socket.SOCK_DGRAM)
    work = Path(tempfile.mkdtemp(prefix="telept-coturn-"))
    log = work / "turnserver.log"
    args = ["turnserver", "-n", f"--listening-port={port}", "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1", "--use-auth-secret", f"--static-auth-secret={secret}",
            "--realm=telept.test", "--no-tls", "--no-dtls", "--no-cli",
            "--allow-loopback-peers", "--no-multicast-peers", "--min-port=49160",
            "--max-port=49400", f"--log-file={log}", "--simple-log", "--no-stdout-log",
            f"--pidfile={work / 'turnserver.pid'}"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and "listener opened on" in log.read_text(errors="replace"):
                break
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(f"turnserver exited {proc.returncode}: "
                                 f"{log.read_text(errors='replace') if log.exists() else ''}")
        yield f"turn:127.0.0.1:{port}?transport=udp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def redis_reachable(url: str = "redis://127.0.0.1:6379") -> bool:
    host, port = url.split("://", 1)[1].split("/", 1)[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def require_redis(url: str) -> None:
    if redis_reachable(url):
        return
    import pytest

    message = f"MISSING SYSTEM PART redis at {url}: the two-process test shares a Redis layer"
    if os.environ.get("TELEPT_REQUIRE_SYSTEM"):
        pytest.fail(message)
    pytest.skip(message)
