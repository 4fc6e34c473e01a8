"""Signaling at load: N simulated visits, two WebSocket clients each, against the app's
uvicorn processes (SQLite), doing what a call does on our socket: connect with a one-use
ticket, offer, answer, 4 ICE candidates each way, one chat message each.

Two arrival patterns, both with all 2N sockets open for the whole run:

* paced: the N visits start their exchange spread evenly over WINDOW seconds (default 20 s,
  so 500 visits = 25 call set-ups a second, three times harsher than 500 visits that all
  begin within the same minute). This is the latency a patient feels; the goals are read here.
* burst: all N start at the same instant (the worst case: the latency is mostly queueing,
  and the throughput is the server's ceiling).

The sockets close only once every exchange is done, and the next run waits for the servers
to go idle: a visit ending gives up its seat on the database thread (roster, lobby), and
1,000 visits ending within the same 20 s, in the window, would time that storm, not the relay.

Two set-ups (Issue 17 item 4), each beside a bare Channels relay consumer (group fan-out, no
auth, no schema, no database) carrying the same traffic in the same run:

* one process, in-memory channel layer: N = 500 paced (and burst, with --burst);
  goals: paced p99 <= 50 ms and p99 ratio (bare / visit) >= 0.5;
* two processes on Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/1, keys under a
  prefix of the run's own, dropped at the end) and PostgreSQL (a database of the run's own
  on the server at BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres,
  dropped at the end; SQLite when there is none): N = 1,000 paced, each visit's two sockets
  on different processes, the bare relay also on two processes over the same Redis;
  goal: p99 <= 100 ms. Without Redis it says so and skips.

Prints p50/p99 one-way relay latency (sender's send to receiver's receive, same clock) and
delivered messages per second, the ratios (bare / visit for latency, visit / bare for
throughput: 1.0 = no overhead) and each goal as met / NOT MET. The clients run in this
process on the same machine as the servers, so their own CPU time is in the figures.
Figures only; no assertions. About five minutes on a quiet machine.

    .venv/bin/python bench/bench_signaling.py            one process 500, two processes 1000
    .venv/bin/python bench/bench_signaling.py 100 500    one process only, these sizes
    .venv/bin/python bench/bench_signaling.py --two 1000 two processes only
    WINDOW=20 (paced spread, seconds); --burst
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CANDIDATES = 4
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n" + "a=x-padding:" + "x" * 2500 + "\r\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "telept.settings", "DEBUG": "0", "TELEPT_DEMO": "1",
                "SECRET_KEY": "bench-" + "k" * 60, "TELEPT_VAR_DIR": str(tmp),
                "VISIT_WS_TOKEN_SECONDS": "3600", "VISIT_REJOIN_GRACE_SECONDS": "86400",
                "PASSWORD_HASHERS":
                "django.contrib.auth.hashers.MD5PasswordHasher", "LOG_LEVEL": "ERROR",
                "PYTHONPATH": str(ROOT)})
    return env


SETUP = """
import json
from telept.practices.demo import seed_demo
from telept.practices.models import Provider
from telept.visits.access import Entry, ws_ticket_issue
from telept.visits.models import Participant, Visit
seed_demo()
provider = Provider.objects.get(user__email="pt@riverside.example")
seats = []
for n in range({n}):
    visit = Visit.objects.create(practice_id=provider.practice_id, provider=provider, kind="room")
    host = Participant.objects.create(visit=visit, role="provider", is_host=True,
                                      display_name="Host", status="admitted")
    guest = Participant.objects.create(visit=visit, role="guest", display_name="Guest",
                                       status="admitted")
    seats.append((visit, host, guest))
# Tickets are good for one socket each: a fresh pair for every run.
rounds = [[[v.pk, h.pk, g.pk, *(ws_ticket_issue(entry=Entry(participant=p))["ticket"]
                                for p in (h, g))] for v, h, g in seats]
          for _ in range({rounds})]
print(json.dumps(rounds))
"""

RELAY_APP = '''
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telept.settings")
import django
django.setup()
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path


class Relay(AsyncWebsocketConsumer):
    """The baseline: join a group, fan every frame out to the others. Nothing else."""

    async def connect(self):
        self.group = "bench-" + self.scope["url_route"]["kwargs"]["room"]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(self.group, {"type": "relay", "text": text_data,
                                                         "sender": self.channel_name})

    async def relay(self, event):
        if event["sender"] != self.channel_name:
            await self.send(text_data=event["text"])


application = ProtocolTypeRouter({"websocket": URLRouter([path("ws/relay/<str:room>/",
                                                               Relay.as_asgi())])})
'''


def _start(env: dict[str, str], app: str, tmp: Path, app_dir: str | None = None,
           ) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--lifespan", "off", "--ws-per-message-deflate", "false", "--log-level", "warning",
            "--ws-max-size", "1048576", "--ws-ping-interval", "600", "--ws-ping-timeout", "600"]
    if app_dir:
        args += ["--app-dir", app_dir]
    log = (tmp / f"uvicorn-{port}.log").open("wb")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"uvicorn did not start: {(tmp / f'uvicorn-{port}.log').read_text()}")


class Meter:
    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.chat_latencies: list[float] = []
        self.delivered = 0

    def stamp(self, key: str) -> None:
        self.sent[key] = time.perf_counter()

    def got(self, key: str) -> None:
        self.delivered += 1
        started = self.sent.get(key)
        if started is not None:
            self.latencies.append(time.perf_counter() - started)
            if "-chat-" in key:  # stored in the chart first: a database write per message
                self.chat_latencies.append(self.latencies[-1])


async def _visit(url_a: tuple[str, int], url_b: tuple[str, int], tag: str, meter: Meter,
                 kind: str, ready: asyncio.Barrier, gate: asyncio.Semaphore,
                 delay: float, finished: asyncio.Barrier) -> None:
    from websockets.asyncio.client import connect

    def frame(to: int, data: dict) -> str:
        if kind == "relay":
            return json.dumps({"type": "signal", "data": data})
        return json.dumps({"type": "signal", "to": to, "data": data})

    try:
        async with gate:  # connecting is measured elsewhere; do not stampede the accept loop
            a = await connect(url_a[0], origin="http://127.0.0.1", max_size=2**20,
                              open_timeout=120, ping_interval=None)
            b = await connect(url_b[0], origin="http://127.0.0.1", max_size=2**20,
                              open_timeout=120, ping_interval=None)
            if kind == "visit":
                for ws in (a, b):  # hello (a refusal ends the run: it names its code)
                    while (first := json.loads(await asyncio.wait_for(ws.recv(), 120))
                           )["type"] != "hello":
                        if first["type"] == "refused":
                            raise SystemExit(f"visit socket refused: {first}")
                    if first["status"] != "admitted":  # a run's seats come back admitted
                        raise RuntimeError(f"visit socket not admitted: {first['status']}")
    except BaseException:
        await ready.abort()  # the others stop waiting for this one
        raise
    try:
        await _exchange(a, b, url_a, url_b, tag, meter, kind, frame, ready, delay)
    except BaseException:
        await finished.abort()  # the others stop waiting for this one
        raise
    else:
        # All 2N sockets stay open until every exchange is done: a visit leaving is not
        # relay traffic (its seat is given up on the database thread, behind which the
        # others' chat lines would wait, a storm no real day has: 1,000 visits ending in
        # the same 20 s). Another visit's failure is its own, not this one's.
        with contextlib.suppress(asyncio.BrokenBarrierError):
            await finished.wait()
    finally:
        await a.close()
        await b.close()


async def _exchange(a, b, url_a, url_b, tag, meter, kind, frame, ready, delay):  # type: ignore[no-untyped-def]
    await ready.wait()
    if delay:
        await asyncio.sleep(delay)
    expected = {a: 1 + CANDIDATES + 2, b: 1 + CANDIDATES + 2} if kind == "visit" else \
        {a: 1 + CANDIDATES + 1, b: 1 + CANDIDATES + 1}

    async def listen(ws, reply_to):  # type: ignore[no-untyped-def]
        left = expected[ws]
        while left:
            message = json.loads(await ws.recv())
            if message.get("type") == "chat":
                meter.got(message["text"])
                left -= 1
            elif message.get("type") == "signal":
                data = message["data"]
                key = (data.get("description") or {}).get("sdp", "").rsplit(" ", 1)[-1] \
                    if "description" in data else data["candidate"]["sdpMid"]
                meter.got(key)
                left -= 1
                if data.get("description", {}).get("type") == "offer":
                    await reply_to()

    async def answer() -> None:
        key = f"{tag}-ans"
        meter.stamp(key)
        await b.send(frame(url_b[1], {"description": {"type": "answer",
                                                       "sdp": SDP + " " + key}}))
        await trickle(b, url_b[1], "b")

    async def trickle(ws, to, side):  # type: ignore[no-untyped-def]
        for n in range(CANDIDATES):
            key = f"{tag}-{side}{n}"
            meter.stamp(key)
            await ws.send(frame(to, {"candidate": {
                "candidate": f"candidate:{n} 1 udp 2122260223 127.0.0.1 {5000 + n} typ host",
                "sdpMid": key, "sdpMLineIndex": 0}}))
        key = f"{tag}-chat-{side}"
        meter.stamp(key)
        await ws.send(json.dumps({"type": "chat", "text": key}))

    async def noop() -> None:
        return None

    listeners = [asyncio.create_task(listen(a, noop)), asyncio.create_task(listen(b, answer))]
    key = f"{tag}-offer"
    meter.stamp(key)
    await a.send(frame(url_a[1], {"description": {"type": "offer", "sdp": SDP + " " + key}}))
    await trickle(a, url_a[1], "a")
    await asyncio.wait_for(asyncio.gather(*listeners), 300)


async def _run(urls: list[tuple[tuple[str, int], tuple[str, int]]], kind: str,
               window: float) -> Meter:
    meter = Meter()
    ready = asyncio.Barrier(len(urls) + 1)
    finished = asyncio.Barrier(len(urls) + 1)
    gate = asyncio.Semaphore(16)
    step = window / len(urls)
    tasks = [asyncio.create_task(_visit(a, b, f"v{i}", meter, kind, ready, gate, i * step,
                                        finished))
             for i, (a, b) in enumerate(urls)]
    await ready.wait()  # everyone connected: time the exchange only
    started = time.perf_counter()
    with contextlib.suppress(asyncio.BrokenBarrierError):  # a visit failed: gather says which
        await finished.wait()  # every exchange done; the sockets close after
    meter.wall = time.perf_counter() - started  # type: ignore[attr-defined]
    done = await asyncio.gather(*tasks, return_exceptions=True)
    meter.failed = [d for d in done if isinstance(d, BaseException)]  # type: ignore[attr-defined]
    return meter


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] * 1000


def _figures(meter: Meter) -> tuple[float, float, float, float]:
    failed = meter.failed  # type: ignore[attr-defined]
    if failed:  # a socket closed under us: say so (the figures cover what arrived)
        print(f"    ({len(failed)} visits failed, e.g. {type(failed[0]).__name__}: "
              f"{str(failed[0])[:120]})")
    if not meter.latencies:
        return (float("nan"),) * 4
    return (statistics.median(meter.latencies) * 1000, _p99(meter.latencies),
            meter.delivered / meter.wall,  # type: ignore[attr-defined]
            _p99(meter.chat_latencies or [float("nan")]))


def _setup(env: dict[str, str], n: int, rounds: int) -> list[list[list]]:
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                          SETUP.format(n=n, rounds=rounds)], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def _visit_urls(pairs: list[list], port_a: int, port_b: int,
                ) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """The host's socket on `port_a`, the guest's on `port_b` (the same port: one process)."""
    return [((f"ws://127.0.0.1:{port_a}/ws/visits/{v}/?t={ta}&s=a{v}", gp),
             (f"ws://127.0.0.1:{port_b}/ws/visits/{v}/?t={tb}&s=b{v}", hp))
            for v, hp, gp, ta, tb in pairs]


def _relay_urls(n: int, port_a: int, port_b: int,
                ) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    room = secrets.token_hex(3)
    return [((f"ws://127.0.0.1:{port_a}/ws/relay/{room}{i}/", 0),
             (f"ws://127.0.0.1:{port_b}/ws/relay/{room}{i}/", 0)) for i in range(n)]


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _report(label: str, visit: tuple[float, ...], bare: tuple[float, ...], *,
            p99_goal: float | None = None, ratio_goal: float | None = None) -> None:
    print(f"  {label}")
    print(f"    TelePT visit socket   p50 {visit[0]:7.2f} ms  p99 {visit[1]:8.2f} ms  "
          f"{visit[2]:8.0f} msgs/s  (chat alone p99 {visit[3]:.2f} ms)")
    print(f"    bare Channels relay   p50 {bare[0]:7.2f} ms  p99 {bare[1]:8.2f} ms  "
          f"{bare[2]:8.0f} msgs/s")
    ratio = bare[1] / visit[1]
    print(f"    ratio (bare / visit)  p50 {bare[0] / visit[0]:.2f}  p99 {ratio:.2f}  "
          f"throughput (visit / bare) {visit[2] / bare[2]:.2f}")
    if p99_goal is not None:
        print(f"    goal p99 <= {p99_goal:g} ms: {_verdict(visit[1] <= p99_goal)}"
              f" (p99 {visit[1]:.2f} ms)")
    if ratio_goal is not None:
        print(f"    goal p99 ratio >= {ratio_goal:g}: {_verdict(ratio >= ratio_goal)}"
              f" (ratio {ratio:.2f})")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _settle(procs: list[subprocess.Popen[bytes]], *, timeout: float = 120.0) -> None:
    """Wait until the servers are all but idle (under 5% of a core each over a second): the
    visit seats are given up after their sockets close, and that work must not fall into
    the next run's figures (the bare relay's, or the next size's)."""
    tick = os.sysconf("SC_CLK_TCK")

    def cpu_seconds() -> float:
        total = 0
        for proc in procs:
            try:  # utime and stime: fields 14 and 15 of /proc/<pid>/stat
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / tick

    deadline = time.monotonic() + timeout
    last = cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds()
        if now - last < 0.05 * len(procs):
            return
        last = now


def one_process(env: dict[str, str], tmp: Path, sizes: list[int], window: float,
                burst: bool) -> None:
    app, app_port = _start(env, "telept.asgi:application", tmp)
    relay, relay_port = _start(env, "bench_relay_app:application", tmp, app_dir=str(tmp))
    print(f"signaling, one process: one uvicorn process, in-memory channel layer, SQLite; "
          f"{CANDIDATES} ICE candidates each way + 1 chat each")
    try:
        for n in sizes:
            patterns = [(f"paced over {window:g} s", window)] + ([("burst", 0.0)] if burst else [])
            rounds = _setup(env, n, len(patterns))
            print(f"N={n:4d} visits ({2 * n} sockets)")
            for (label, spread), pairs in zip(patterns, rounds, strict=True):
                visit = _figures(asyncio.run(_run(_visit_urls(pairs, app_port, app_port),
                                                  "visit", spread)))
                _settle([app, relay])
                bare = _figures(asyncio.run(_run(_relay_urls(n, relay_port, relay_port),
                                                 "relay", spread)))
                _settle([app, relay])
                goals = {"p99_goal": 50.0, "ratio_goal": 0.5} if spread and n == 500 else {}
                _report(label, visit, bare, **goals)
    finally:
        _stop([app, relay])


def _redis_reachable(url: str) -> str | None:
    """None when Redis answers at `url`, else why not."""
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip this mode, say why
        return f"{type(exc).__name__}: {exc}"
    return None


def _redis_forget(url: str, prefix: str) -> None:
    """Drop the run's channel-layer keys (groups live a day otherwise)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])


def _pg_database(server: str) -> str | None:
    """A fresh database of the run's own on the PostgreSQL server at `server` (its URL, of
    any database there); None when it cannot be had."""
    try:
        import psycopg

        name = f"telept_bench_{secrets.token_hex(4)}"
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            # Commits wait for no disk flush: the run measures the relay, not the disk
            # (the machine's disk is shared; one flush per join made connecting take minutes).
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except Exception:  # noqa: BLE001 - no server, no rights: the run says so and goes on
        return None
    return server.rsplit("/", 1)[0] + "/" + name


def _pg_drop(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def two_processes(env: dict[str, str], tmp: Path, n: int, window: float, redis_url: str,
                  pg_server: str) -> None:
    why = _redis_reachable(redis_url)
    if why:
        print(f"signaling, two processes: skipped, no Redis at {redis_url} ({why})")
        return
    # Two processes writing one SQLite file wait on each other's locks (connecting 2,000
    # sockets took minutes): a deployment of several processes runs PostgreSQL.
    database = _pg_database(pg_server)
    print(f"signaling, two processes: two uvicorn processes on Redis ({redis_url}), "
          f"{'PostgreSQL' if database else 'SQLite (no PostgreSQL at ' + pg_server + ')'}; "
          "each visit's two sockets on different processes")
    prefix = f"telept_bench_{secrets.token_hex(4)}"
    env = {**env, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix}
    if database:
        env["DATABASE_URL"] = database
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if database:
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT,
                           env=env, check=True)
        ports = []
        for app, app_dir in (("telept.asgi:application", None),) * 2 + \
                (("bench_relay_app:application", str(tmp)),) * 2:
            proc, port = _start(env, app, tmp, app_dir=app_dir)
            procs.append(proc)
            ports.append(port)
        (pairs,) = _setup(env, n, 1)
        print(f"N={n:4d} visits ({2 * n} sockets)")
        visit = _figures(asyncio.run(_run(_visit_urls(pairs, ports[0], ports[1]), "visit",
                                          window)))
        _settle(procs)
        bare = _figures(asyncio.run(_run(_relay_urls(n, ports[2], ports[3]), "relay", window)))
        _report(f"paced over {window:g} s", visit, bare, p99_goal=100.0)
    finally:
        _stop(procs)
        _redis_forget(redis_url, prefix)
        if database:
            _pg_drop(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int,
                        help="visits on one process (default 500); given alone, no two-process run")
    parser.add_argument("--two", type=int, default=None, metavar="N",
                        help="visits on two processes over Redis (default 1000; 0: none)")
    parser.add_argument("--burst", action="store_true",
                        help="one process: also all visits at once (the ceiling)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    sizes = args.sizes or ([] if args.two else [500])
    two = args.two if args.two is not None else (0 if args.sizes else 1000)
    window = float(os.environ.get("WINDOW", "20"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    pg_server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384), hard))
    tmp = Path(tempfile.mkdtemp(prefix="telept-bench-signaling-"))
    env = _env(tmp)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    (tmp / "bench_relay_app.py").write_text(RELAY_APP)
    if sizes:
        one_process(env, tmp, sizes, window, burst=args.burst)
    if two:
        two_processes(env, tmp, two, window, redis_url, pg_server)


if __name__ == "__main__":
    main()
