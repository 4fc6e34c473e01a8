"""deploy/README.md followed on this machine, then a worker restarted under a live visit.

One scenario, as the README's steps go (without systemd, which is not PID 1 here):
step 3's settings file (the README's own heredoc, expanded by bash) and `serve --check`;
step 4's self-signed certificate (its openssl command); step 5's nginx config
(deploy/nginx/telept.conf) over HTTPS; step 6's `coturn_config` and turnserver on it; step 7's
`manage.py serve` as the unit's ExecStart runs it: production settings, two uvicorn workers
and the task worker, on PostgreSQL (or SQLite with TELEPT_ALLOW_SQLITE on the SQLite pass)
and Redis. What differs from a server, and only that: every path is in a temp folder instead
of /etc and /opt, ports are free ones instead of 443/80/3478/8001, the environment overrides
the file for those (and for the database, Redis and no SMTP), and Chromium maps
pt.example.org to 127.0.0.1 and trusts the certificate's key.

Then a real video visit over https: the therapist signs in (password + TOTP) and opens the
visit, the patient opens their join link, both decode video. The worker holding a visit
socket gets SIGTERM: its pages are told 1012 (service restart), reconnect through nginx to
the other worker, and keep their seats: never the waiting room again, the same peer
connection and video element (media is peer to peer), the roster without "(reconnecting)",
chat across. serve starts the stopped worker again.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from telept.conftest import require_system
from telept.ops.tests.test_serve_live import _alive, _children, _free_ports, _wait
from telept.tests.live import CHROMIUM, staff_sign_in
from telept.visits.tests.browser import (
    MEDIA_ARGS,
    expect_state,
    join,
    require_redis,
    wait_frames_grow,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]

BASE_DIR = Path(__file__).resolve().parents[3]
DEPLOY = BASE_DIR / "deploy"
HOST = "pt.example.org"
STARTUP_SECONDS = 240  # migrating a fresh database on a loaded 2-core machine
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Every WebSocket the page opens and the code it closed with (1012: service restart); how
# many RTCPeerConnections it made (a reconnect that rebuilt the call would make more).
RECORDER = """(() => {
  const NativePeer = window.RTCPeerConnection;
  window.__peerConnections = 0;
  window.RTCPeerConnection = class extends NativePeer {
    constructor(...args) {
      super(...args);
      window.__peerConnections += 1;
    }
  };
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const entry = { url: String(url), code: null };
      window.__sockets.push(entry);
      this.addEventListener("close", (event) => { entry.code = event.code; });
    }
  };
})();"""
WATCH_STATES = """() => {
  const main = document.querySelector("main#visit");
  window.__states = [];
  new MutationObserver(() => window.__states.push(main.dataset.callState))
    .observe(main, { attributes: true, attributeFilter: ["data-call-state"] });
  return window.__peerConnections;
}"""


# --- the README, read -----------------------------------------------------------------------

def _section(title: str) -> str:
    text = (DEPLOY / "README.md").read_text()
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 4)
    return text[start:end if end != -1 else None]


def _sh_blocks(title: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", _section(title), flags=re.S)


def _commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined."""
    return [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


class Machine:
    """Where the README's absolute paths land in this test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env_file = root / "etc" / "telept.env"
        self.ssl = root / "ssl"
        self.turn_conf = root / "turnserver.conf"
        self.var = root / "var"
        self.env_file.parent.mkdir(parents=True)

    def here(self, command: str) -> str:
        """A README command with this machine's paths (run from the checkout, as root)."""
        for old, new in (("cd /opt/telept && ", ""), ("sudo -u telept ", ""),
                         ("/etc/telept/telept.env", str(self.env_file)),
                         ("/opt/telept/.venv/bin/python", ".venv/bin/python"),
                         ("/etc/ssl/telept", str(self.ssl)),
                         ("/etc/turnserver.conf", str(self.turn_conf)),
                         ("203.0.113.10", "127.0.0.1")):
            command = command.replace(old, new)
        return re.sub(r"(?<![\w/])\.venv/bin/python\b", sys.executable, command)

    def run(self, command: str, env: dict[str, str], timeout: float = 300) -> str:
        result = subprocess.run(["bash", "-euc", self.here(command)], cwd=BASE_DIR, env=env,  # noqa: S603, S607
                                capture_output=True, text=True, timeout=timeout, check=False)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        return result.stdout


def _settings_file(machine: Machine) -> dict[str, str]:
    """Step 3: the README's heredoc, written by bash as the README has it; returns it read."""
    (block,) = [b for b in _sh_blocks("3. Settings") if "telept.env <<EOF" in b]
    heredoc = block[block.index("cat > /etc/telept/telept.env <<EOF"):block.index("\nEOF\n") + 5]
    machine.run(heredoc, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    values = {}
    for line in machine.env_file.read_text().splitlines():
        key, _, value = line.partition("=")
        values[key] = value
    return values


# --- the processes ------------------------------------------------------------------------

def _https_get(port: int, path: str) -> tuple[int, bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(f"https://127.0.0.1:{port}{path}",  # noqa: S310 - loopback
                                     headers={"Host": HOST})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def _http_ok(port: int, path: str) -> bool:
    try:
        with _opener.open(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def _process(argv: list[str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _nginx(machine: Machine, https_port: int, http_port: int, upstreams: list[int]) -> Path:
    """Step 5: deploy's site config, on this machine's ports and paths."""
    site = (DEPLOY / "nginx" / "telept.conf").read_text().replace("pt.example.org", HOST)
    for old, new in (("/etc/ssl/telept", str(machine.ssl)),
                     ("/opt/telept/var/static/", f"{machine.var}/static/"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                     ("listen [::]:443 ssl http2;", ""), ("listen [::]:80;", ""),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[0]} "),
                     ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstreams[1]} ")):
        assert old in site, old
        site = site.replace(old, new)
    root = machine.root / "nginx"
    root.mkdir()
    (root / "telept.conf").write_text(site)
    # As root, nginx's workers would run as nobody, who cannot enter pytest's tmp (on a server
    # www-data joins the telept group: README step 5).
    (root / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {root}/nginx.pid;\nerror_log {root}/error.log;\ndaemon off;\nevents {{}}\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {root}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {root}/telept.conf;\n}}\n")
    return root / "nginx.conf"


def _spki_hash(cert: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_pem_x509_certificate(cert.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _web_workers(serve_pid: int) -> dict[int, int]:
    """pid -> port of serve's uvicorn children."""
    workers = {}
    for pid in _children(serve_pid):
        argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        if b"uvicorn" in argv:
            workers[pid] = int(argv[argv.index(b"--port") + 1])
    return workers


def _json_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(errors="replace").splitlines()
            if line.startswith("{")]


def _visit_sockets(log: Path) -> list[tuple[str, int]]:
    """(page session id, worker pid) of every visit WebSocket accepted, in order (uvicorn's
    JSON log lines, which carry the pid)."""
    found = []
    for entry in _json_lines(log):
        message = entry["message"]
        session = re.search(r"[?&]s=([A-Za-z0-9_-]+)", message)
        if "[accepted]" in message and "/ws/visits/" in message and session:
            found.append((session.group(1), int(entry["pid"])))
    return found


def _where(log: Path) -> dict[str, int]:
    return dict(_visit_sockets(log))  # the latest socket of each page


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the DATABASE_URL server, or "" (SQLite) on that pass."""
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        if not os.environ.get("TELEPT_DEPLOY_TEST_SQLITE"):
            # Two to three minutes, most of it migrating a fresh database: once per CI run,
            # on the PostgreSQL pass. serve on SQLite is test_serve_live's.
            pytest.skip("the deploy walk-through runs on the PostgreSQL pass (the production "
                        "path); TELEPT_DEPLOY_TEST_SQLITE=1 runs it on SQLite")
        yield ""
        return
    import psycopg

    admin = urlunparse(urlparse(url)._replace(scheme="postgresql", path="/postgres"))
    name = f"h_ops_deploy_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def test_the_readme_serves_a_video_visit_over_https_that_survives_a_worker_restart(
        database_url: str, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    require_system(nginx, "the deploy test runs deploy/nginx/telept.conf (apt-get install "
                   "nginx-light)")
    require_system("openssl", "the deploy test makes the README's self-signed certificate")
    require_system("turnserver", "the deploy test starts coturn on the generated config")
    require_system(CHROMIUM, "the deploy test drives Debian's Chromium")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    require_redis(redis_url)
    machine = Machine(tmp_path)

    # Step 3: the settings file, exactly as the README writes it.
    file_values = _settings_file(machine)
    for key in ("DEBUG", "TELEPT_DEMO", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL",
                "TELEPT_HTTPS", "TELEPT_BEHIND_PROXY", "TURN_SECRET", "TELEPT_BACKUP_KEY"):
        assert file_values.get(key), key
    assert len(file_values["SECRET_KEY"]) >= 50 and "$(" not in file_values["TURN_SECRET"]

    https_port, http_port, turn_port, turns_port = (_free_ports(1) for _ in range(4))
    port_base = _free_ports(2)
    site_url = f"https://{HOST}:{https_port}"
    # The environment wins over the file (python-dotenv, override=False): only what this
    # machine must change. Nothing of the caller's settings leaks in.
    env = {k: v for k, v in os.environ.items()
           if k not in file_values and k not in {"DATABASE_URL", "REDIS_URL", "DEBUG",
                                                "TELEPT_DEMO", "PROMETHEUS_MULTIPROC_DIR"}
           and k.lower() not in {"http_proxy", "https_proxy", "all_proxy"}}
    env.update({
        "TELEPT_ENV_FILE": str(machine.env_file),
        "SITE_URL": site_url, "CSRF_TRUSTED_ORIGINS": site_url,
        "TELEPT_VAR_DIR": str(machine.var), "TELEPT_PORT_BASE": str(port_base),
        "REDIS_URL": redis_url, "REDIS_PREFIX": f"telept_deploy_{secrets.token_hex(4)}",
        "TURN_URLS": f"turn:{HOST}:{turn_port}?transport=udp,"
                     f"turns:{HOST}:{turns_port}?transport=tcp",
        "STUN_URLS": f"stun:{HOST}:{turn_port}",
        "EMAIL_HOST": "",  # no SMTP here: the console
        "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",  # fast seeding
        "PYTHONUNBUFFERED": "1",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    else:  # the file's PostgreSQL URL off: SQLite under TELEPT_VAR_DIR, allowed on purpose
        env.update({"DATABASE_URL": "", "TELEPT_ALLOW_SQLITE": "1"})
    (check,) = [c for b in _sh_blocks("3. Settings") for c in _commands(b)
                if "serve --check" in c]
    assert "fit production" in machine.run(check, env)

    # Step 4: the self-signed certificate.
    (block,) = [b for b in _sh_blocks("4. TLS certificate") if "openssl req" in b]
    for command in _commands(block):
        machine.run(command, env)
    cert = machine.ssl / "fullchain.pem"
    assert cert.exists() and (machine.ssl / "privkey.pem").exists()

    # Step 6: coturn's config from the settings, and coturn on it.
    (generate,) = [c for c in _commands(_sh_blocks("6. coturn")[0]) if "coturn_config" in c]
    machine.run(generate, env)
    turn_conf = machine.turn_conf.read_text()
    assert f"listening-port={turn_port}" in turn_conf.splitlines()
    assert f"static-auth-secret={file_values['TURN_SECRET']}" in turn_conf.splitlines()
    machine.turn_conf.write_text(turn_conf.replace("log-file=syslog",
                                                   f"log-file={tmp_path}/turn.log"))

    # Step 7: what the unit runs.
    service = (DEPLOY / "systemd" / "telept.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", service, flags=re.M)
    assert exec_start and "TELEPT_ENV_FILE=/etc/telept/telept.env" in service
    serve_log = tmp_path / "serve.log"
    with contextlib.ExitStack() as stack:
        turn = stack.enter_context(_process(
            ["turnserver", "-c", str(machine.turn_conf), "--pidfile", str(tmp_path / "turn.pid"),
             "--no-stdout-log"], tmp_path / "turnserver.out"))
        serve = stack.enter_context(_process(
            machine.here(exec_start.group(1)).split(), serve_log, cwd=BASE_DIR, env=env))
        workers = [port_base, port_base + 1]
        _wait(lambda: all(_http_ok(p, "/healthz") for p in workers),
              "serve's two workers did not answer /healthz", STARTUP_SECONDS, serve_log)
        assert turn.poll() is None, (tmp_path / "turnserver.out").read_text()
        with socket.create_connection(("127.0.0.1", turns_port), timeout=5):
            pass  # coturn's TLS listener is up on the port TURN_URLS names

        # Step 5: nginx in front, over HTTPS.
        nginx_conf = _nginx(machine, https_port, http_port, workers)
        stack.enter_context(_process([nginx, "-p", str(nginx_conf.parent), "-c",
                                      str(nginx_conf)], tmp_path / "nginx.out"))
        _wait(lambda: _https_get(https_port, "/healthz")[0] == 200, "nginx did not serve "
              "/healthz over HTTPS", 30, serve_log)

        # Demo people in the production database (the seed needs demo mode; serve does not
        # run with it), and a visit happening now.
        demo = {**env, "TELEPT_DEMO": "1"}
        machine.run(f"{sys.executable} manage.py seed_demo --quiet", demo)
        links = json.loads(machine.run(f"{sys.executable} manage.py demo_links --json "
                                       "--fresh", env).strip().splitlines()[-1])
        assert links["patient_url"].startswith(site_url + "/")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=[*MEDIA_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
                      f"--ignore-certificate-errors-spki-list={_spki_hash(cert)}"])
            try:
                _visit_and_restart(browser, links, site_url, https_port, serve, serve_log)
            finally:
                browser.close()
        # serve started the stopped worker again.
        _wait(lambda: len(_web_workers(serve.pid)) == 2 and all(
            _http_ok(p, "/healthz") for p in workers), "serve did not restart the worker",
            STARTUP_SECONDS, serve_log)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0, serve_log.read_text()[-3000:]
        assert "serve: stopped" in serve_log.read_text()


def _visit_and_restart(browser: Any, links: dict[str, Any], site_url: str, https_port: int,
                       serve: subprocess.Popen[bytes], serve_log: Path) -> None:
    """Therapist and patient connect over https; the worker holding the patient's socket
    gets SIGTERM; both stay in the call."""
    errors: list[str] = []
    therapist = _page(browser, errors)
    staff_sign_in(therapist, site_url, "pt@riverside.example")
    therapist.goto(links["therapist_url"])
    patient = _page(browser, errors)
    patient.goto(links["patient_url"])
    join(therapist)
    expect_state(therapist, "waiting")
    join(patient)
    expect_state(patient, "waiting")
    therapist.locator("[data-testid=admit]").first.click()
    expect_state(patient, "connected")
    expect_state(therapist, "connected")
    wait_frames_grow(patient)
    wait_frames_grow(therapist)
    for page in (therapist, patient):
        sockets = page.evaluate("() => window.__sockets")
        assert sockets and all(s["url"].startswith(f"wss://{HOST}:{https_port}/")
                               for s in sockets), sockets
    assert therapist.context.cookies(site_url) and all(
        c["secure"] for c in therapist.context.cookies(site_url))

    # The worker holding a visit socket is stopped as `systemctl restart` would.
    _wait(lambda: len(_where(serve_log)) == 2, "both visit sockets in the log", 20,
          serve_log)
    before = _where(serve_log)
    pages = {_sid_of(page): page for page in (therapist, patient)}
    assert set(pages) == set(before), (pages, before)
    by_pid = _web_workers(serve.pid)
    assert set(before.values()) <= set(by_pid), (before, by_pid)
    victim = before[_sid_of(patient)]
    moved = [sid for sid, pid in before.items() if pid == victim]
    peers_before = {sid: page.evaluate(WATCH_STATES) for sid, page in pages.items()}
    os.kill(victim, signal.SIGTERM)

    _wait(lambda: not _alive(victim), "the worker did not stop on SIGTERM", 40,
          serve_log)
    _wait(lambda: all(_where(serve_log).get(sid) not in (None, victim)
                      for sid in moved), "the pages did not reconnect", 40, serve_log)
    # uvicorn finished its shutdown by itself, within its graceful timeout (a consumer's
    # cancelled Redis receive sometimes holds it that long), then re-raised SIGTERM on
    # itself: serve saw -15 and starts it again.
    said = [entry["message"] for entry in _json_lines(serve_log) if entry.get("pid") == victim]
    assert f"Finished server process [{victim}]" in said, said[-5:]
    _wait(lambda: f"web:{by_pid[victim]} exited with -15" in serve_log.read_text(),
          "serve did not see the worker exit", 10, serve_log)
    for sid in moved:
        codes = [s["code"] for s in pages[sid].evaluate("() => window.__sockets")]
        assert 1012 in codes, codes  # "service restart": told to reconnect
    for page in (therapist, patient):
        expect_state(page, "connected")
    for sid, page in pages.items():
        # Never the waiting room again; the same peer connection, still decoding video.
        states = page.evaluate("() => window.__states")
        assert not {"waiting", "device-check", "ended"} & set(states), states
        assert page.evaluate("() => window.__peerConnections") == peers_before[sid], states
        wait_frames_grow(page)
    expect(therapist.locator("#lobby-count")).to_have_text("0")
    expect(therapist.locator("#room-list")).not_to_contain_text("(reconnecting)")
    expect(therapist.locator("#room-list li")).to_have_count(2)
    patient.fill("#chat-input", "still here after the restart")
    patient.press("#chat-input", "Enter")
    expect(therapist.locator("#chat-log")).to_contain_text("still here after the")
    assert errors == [], errors


def _page(browser: Any, errors: list[str]) -> Page:
    context = browser.new_context()
    context.add_init_script(RECORDER)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: message.type in ("warning", "error")
            and print(f"[{page.url.split('/')[3]}] {message.type}: {message.text}"))
    return page


def _sid_of(page: Page) -> str:
    """The page session id its visit socket sends (`s=`)."""
    return str(page.evaluate("""() => new URL(window.__sockets.filter(
      (s) => s.url.includes("/ws/visits/")).at(-1).url).searchParams.get("s")"""))
