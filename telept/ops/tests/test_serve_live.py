"""`manage.py serve` for real: production settings, two uvicorn workers and the task worker;
/readyz goes 503 naming PostgreSQL or Redis while it is unreachable and recovers when it is
back; /metrics on one worker counts the requests both answered; SIGTERM stops everything.

PostgreSQL and Redis are reached through TCP forwarders on loopback that the test closes
and opens again, so "unreachable" is a closed port, and "back" is the same port answering.
On the SQLite pass the database part is skipped (a file cannot be unreachable), Redis stays.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from prometheus_client.parser import text_string_to_metric_families

from telept.visits.tests.browser import require_redis

BASE_DIR = Path(__file__).resolve().parents[3]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
STARTUP_SECONDS = 240  # migrating a fresh database on a loaded 2-core machine
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class TcpForwarder:
    """127.0.0.1:<port> -> target, until stop(); start() again listens on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _free_ports(count: int) -> int:
    """A first port such that it and the next count-1 are free now."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base + count > 65000:
            continue
        try:
            for n in range(count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", base + n))
            return base
        except OSError:
            continue
    raise AssertionError("no run of free ports")


def _get(port: int, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")  # noqa: S310 - loopback
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def _wait(predicate, what: str, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} within {seconds:g}s\n--- serve log ---\n"
                         f"{log.read_text(errors='replace')[-6000:]}")


def _ready(port: int) -> tuple[int, dict]:
    status, body = _get(port, "/readyz")
    return status, (json.loads(body) if body.startswith(b"{") else {})


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _through_nginx(tmp_path: Path, ports: list[int], static_root: Path) -> None:
    """deploy/nginx/telept.conf in front of serve's workers, on free ports: HTTPS reaches the
    app, static files come from disk, /metrics is refused, the request id goes through."""
    import ssl

    from telept.conftest import require_system
    from telept.ops.tests.test_deploy import DEPLOY, _self_signed

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    require_system(nginx, "the proxy test runs nginx (apt-get install nginx-light)")
    cert, key = _self_signed(tmp_path)
    https_port, http_port = _free_ports(1), _free_ports(1)
    site = (DEPLOY / "nginx" / "telept.conf").read_text()
    site = site.replace("/etc/ssl/telept/fullchain.pem", str(cert)) \
        .replace("/etc/ssl/telept/privkey.pem", str(key)) \
        .replace("/opt/telept/var/static/", f"{static_root}/") \
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;") \
        .replace("listen [::]:443 ssl http2;", "") \
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "") \
        .replace("server 127.0.0.1:8001 ", f"server 127.0.0.1:{ports[0]} ") \
        .replace("server 127.0.0.1:8002 ", f"server 127.0.0.1:{ports[1]} ")
    (tmp_path / "telept.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        ""
        # As root, nginx's workers would be nobody, who cannot enter pytest's private tmp
        # (on a server, www-data joins the telept group: deploy/README.md step 5).
        + ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/nginx-error.log;\n"
        "daemon off;\nevents {}\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {tmp_path}/telept.conf;\n}}\n")
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            stderr=subprocess.PIPE)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))

    def get(path: str) -> tuple[int, Any, bytes]:
        try:
            with opener.open(f"https://127.0.0.1:{https_port}{path}", timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()
        except (urllib.error.URLError, OSError):
            return 0, None, b""

    try:
        deadline = time.monotonic() + 20
        while get("/healthz")[0] != 200 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.3)
        status, headers, body = get("/readyz")
        assert status == 200, body
        assert len(headers.get("X-Request-ID", "")) == 32  # nginx's $request_id, echoed
        assert "Strict-Transport-Security" in headers  # the app knows it is behind HTTPS
        assert get("/metrics")[0] == 404
        status, headers, body = get("/static/js/visit.js")
        assert status == 200 and body == (static_root / "js" / "visit.js").read_bytes()
        assert "Content-Security-Policy" not in headers  # from disk, not from the app
    finally:
        proc.terminate()
        proc.wait(timeout=10)




@pytest.fixture
def database(tmp_path):
    """(database URL or "" for SQLite, the forwarder in front of PostgreSQL or None)."""
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        yield "", None
        return
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(scheme="postgresql", path="/postgres"))
    name = f"h_ops_serve_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    forwarder = TcpForwarder((parsed.hostname or "127.0.0.1", parsed.port or 5432))
    forwarder.start()
    netloc = f"{parsed.username or 'postgres'}" + (f":{parsed.password}" if parsed.password
                                                   else "") + f"@127.0.0.1:{forwarder.port}"
    yield urlunparse(parsed._replace(netloc=netloc, path=f"/{name}",
                                     query="connect_timeout=3")), forwarder
    forwarder.stop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def test_serve_runs_workers_reports_readiness_and_stops_on_sigterm(database, tmp_path):
    require_redis(f"redis://{REDIS_HOST}:{REDIS_PORT}/0")  # fails under TELEPT_REQUIRE_SYSTEM
    database_url, pg_forwarder = database
    redis_forwarder = TcpForwarder((REDIS_HOST, REDIS_PORT))
    redis_forwarder.start()
    base = _free_ports(2)
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "TELEPT_DEMO", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}}
    env.update({
        "TELEPT_ENV_FILE": "", "DEBUG": "0", "TELEPT_DEMO": "0",
        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TELEPT_HTTPS": "1", "TELEPT_BEHIND_PROXY": "1", "SITE_URL": "https://localhost",
        "TELEPT_VAR_DIR": str(tmp_path / "var"), "TELEPT_MIN_FREE_DISK_MB": "1",
        "REDIS_URL": f"redis://127.0.0.1:{redis_forwarder.port}/9",
        "REDIS_PREFIX": f"telept_serve_{secrets.token_hex(4)}", "LOG_FORMAT": "json",
        "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["TELEPT_ALLOW_SQLITE"] = "1"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(  # noqa: S603 - our interpreter and manage.py
            [sys.executable, "manage.py", "serve", "--workers", "2", "--port-base", str(base),
             "--grace", "20"], cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    ports = [base, base + 1]
    try:
        _wait(lambda: all(_get(p, "/healthz")[0] == 200 for p in ports),
              "both workers did not answer /healthz", STARTUP_SECONDS, log)
        _wait(lambda: _ready(base)[0] == 200, "/readyz did not become ready", 60, log)

        # Metrics from either worker add up both workers' requests.
        for port in (base + 1, base + 1, base + 1, base):
            assert _get(port, "/healthz")[0] == 200
        status, body = _get(base, "/metrics")
        assert status == 200, body
        served = sum(s.value for f in text_string_to_metric_families(body.decode())
                     for s in f.samples if s.name == "telept_http_requests_total"
                     and s.labels.get("route") == "ops:healthz")
        assert served >= 4 + 2

        # Redis unreachable: 503 naming it; back on the same port: ready again.
        redis_forwarder.stop()
        _wait(lambda: _ready(base)[1].get("failing") == ["redis"],
              "/readyz did not name redis", 30, log)
        assert _ready(base)[0] == 503
        redis_forwarder.start()
        _wait(lambda: _ready(base)[0] == 200, "/readyz did not recover from redis", 30, log)

        if pg_forwarder is not None:  # PostgreSQL unreachable, then back
            pg_forwarder.stop()
            _wait(lambda: "database" in _ready(base)[1].get("failing", []),
                  "/readyz did not name the database", 30, log)
            assert "database unreachable" in _ready(base)[1]["checks"]["database"]
            pg_forwarder.start()
            _wait(lambda: _ready(base)[0] == 200, "/readyz did not recover from PostgreSQL",
                  90, log)

        # One JSON line per request, with its id.
        lines = [json.loads(line) for line in log.read_text().splitlines()
                 if line.startswith("{")]
        assert any(line.get("route") == "ops:healthz" and len(line["request_id"]) == 32
                   for line in lines)

        _through_nginx(tmp_path, ports, Path(env["TELEPT_VAR_DIR"]) / "static")

        children = _children(serve.pid)
        assert len(children) == 3  # two uvicorn workers and the task worker
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert not [pid for pid in children if _alive(pid)]
        assert "serve: stopped" in log.read_text()
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        redis_forwarder.stop()
