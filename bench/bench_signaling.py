"""Signaling at load: N simulated visits, two WebSocket clients each, against one uvicorn
process (in-memory channel layer, SQLite), doing what a call does on our socket: connect with
a ticket, offer, answer, 4 ICE candidates each way, one chat message each.

Two arrival patterns, both with all 2N sockets open for the whole run:

* paced: the N visits start their exchange spread evenly over WINDOW seconds (default 20 s,
  so 500 visits = 25 call set-ups a second, three times harsher than 500 visits that all
  begin within the same minute). This is the latency a patient feels; the goal is read here.
* burst: all N start at the same instant (the worst case: the latency is mostly queueing,
  and the throughput is the server's ceiling).

Prints, for N = 100 and 500: p50/p99 one-way relay latency (sender's send to receiver's
receive, same clock) and delivered messages per second; and the same traffic through a bare
Channels relay consumer (group fan-out, no auth, no schema, no database) in the same run,
with the ratio (bare / visit for latency, visit / bare for throughput: 1.0 = no overhead).
The clients run in this process on the same machine as the server, so their own CPU time is
in the figures. Figures only; no assertions.

    .venv/bin/python bench/bench_signaling.py [N ...]      (WINDOW=20 by default)
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
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
                "VISIT_WS_TOKEN_SECONDS": "3600", "PASSWORD_HASHERS":
                "django.contrib.auth.hashers.MD5PasswordHasher", "LOG_LEVEL": "ERROR",
                "PYTHONPATH": str(ROOT)})
    return env


SETUP = """
import json
from django.core import signing
from telept.practices.demo import seed_demo
from telept.practices.models import Provider
from telept.visits.access import TICKET_SALT
from telept.visits.models import Participant, Visit
seed_demo()
provider = Provider.objects.get(user__email="pt@riverside.example")
pairs = []
for n in range({n}):
    visit = Visit.objects.create(practice_id=provider.practice_id, provider=provider, kind="room")
    host = Participant.objects.create(visit=visit, role="provider", is_host=True,
                                      display_name="Host", status="admitted")
    guest = Participant.objects.create(visit=visit, role="guest", display_name="Guest",
                                       status="admitted")
    tickets = [signing.dumps({{"v": visit.pk, "p": p.pk}}, salt=TICKET_SALT) for p in (host, guest)]
    pairs.append([visit.pk, host.pk, guest.pk, *tickets])
print(json.dumps(pairs))
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
                 delay: float) -> None:
    from websockets.asyncio.client import connect

    def frame(to: int, data: dict) -> str:
        if kind == "relay":
            return json.dumps({"type": "signal", "data": data})
        return json.dumps({"type": "signal", "to": to, "data": data})

    async with gate:  # connecting is measured elsewhere; do not stampede the accept loop
        a = await connect(url_a[0], origin="http://127.0.0.1", max_size=2**20, open_timeout=120,
                            ping_interval=None)
        b = await connect(url_b[0], origin="http://127.0.0.1", max_size=2**20, open_timeout=120,
                            ping_interval=None)
        if kind == "visit":
            for ws in (a, b):  # hello
                while json.loads(await ws.recv())["type"] != "hello":
                    pass
    try:
        await _exchange(a, b, url_a, url_b, tag, meter, kind, frame, ready, delay)
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
    gate = asyncio.Semaphore(16)
    step = window / len(urls)
    tasks = [asyncio.create_task(_visit(a, b, f"v{i}", meter, kind, ready, gate, i * step))
             for i, (a, b) in enumerate(urls)]
    await ready.wait()  # everyone connected: time the exchange only
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    meter.wall = time.perf_counter() - started  # type: ignore[attr-defined]
    return meter


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] * 1000


def _figures(meter: Meter) -> tuple[float, float, float, float]:
    return (statistics.median(meter.latencies) * 1000, _p99(meter.latencies),
            meter.delivered / meter.wall,  # type: ignore[attr-defined]
            _p99(meter.chat_latencies))


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 500]
    window = float(os.environ.get("WINDOW", "20"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    tmp = Path(tempfile.mkdtemp(prefix="telept-bench-signaling-"))
    env = _env(tmp)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    (tmp / "bench_relay_app.py").write_text(RELAY_APP)
    app, app_port = _start(env, "telept.asgi:application", tmp)
    relay, relay_port = _start(env, "bench_relay_app:application", tmp, app_dir=str(tmp))
    print(f"signaling: one uvicorn process, in-memory channel layer, SQLite; {CANDIDATES} ICE "
          "candidates each way + 1 chat each")
    try:
        for n in sizes:
            out = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                                  SETUP.format(n=n)], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True).stdout
            pairs = json.loads(out.strip().splitlines()[-1])
            visit_urls = [((f"ws://127.0.0.1:{app_port}/ws/visits/{v}/?t={ta}&s=a{v}", gp),
                           (f"ws://127.0.0.1:{app_port}/ws/visits/{v}/?t={tb}&s=b{v}", hp))
                          for v, hp, gp, ta, tb in pairs]
            room = secrets.token_hex(3)
            relay_urls = [((f"ws://127.0.0.1:{relay_port}/ws/relay/{room}{i}/", 0),
                           (f"ws://127.0.0.1:{relay_port}/ws/relay/{room}{i}/", 0))
                          for i in range(n)]
            print(f"N={n:4d} visits ({2 * n} sockets)")
            for label, spread in ((f"paced over {window:g} s", window), ("burst", 0.0)):
                visit = _figures(asyncio.run(_run(visit_urls, "visit", spread)))
                bare = _figures(asyncio.run(_run(relay_urls, "relay", spread)))
                print(f"  {label}")
                print(f"    TelePT visit socket   p50 {visit[0]:7.2f} ms  p99 {visit[1]:8.2f} ms  "
                      f"{visit[2]:8.0f} msgs/s  (chat alone p99 {visit[3]:.2f} ms)")
                print(f"    bare Channels relay   p50 {bare[0]:7.2f} ms  p99 {bare[1]:8.2f} ms  "
                      f"{bare[2]:8.0f} msgs/s")
                print(f"    ratio (bare / visit)  p50 {bare[0] / visit[0]:.2f}  p99 "
                      f"{bare[1] / visit[1]:.2f}  throughput (visit / bare) "
                      f"{visit[2] / bare[2]:.2f}")
    finally:
        for proc in (app, relay):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
