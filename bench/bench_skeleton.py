"""Benchmark of skeleton mode (Issue 14): what the patient's uplink carries, and how late the
therapist sees a skeleton.

Run: ``.venv/bin/python bench/bench_skeleton.py`` (about a minute; needs /usr/bin/chromium).
Prints figures, asserts nothing.

One headless Chromium, two pages on loopback (patient, therapist), one origin served from
static/ by Playwright's router: the page code is the product's own modules
(static/js/visit/landmarks.js to encode and decode, static/js/motion/skeleton.js to draw,
static/js/quality.js for the video profiles). In the same run the patient page sends, at the
same time and on two RTCPeerConnections:

- video from Chromium's fake 1280x720 camera at the controller's lowest video layer
  (VIDEO_PROFILES.reduced: 250 kbit/s cap, half resolution, 15 frames a second): the
  baseline;
- landmark frames on a negotiated, unordered data channel, as skeleton mode sends them
  (10 a second; and 15, the measuring rate). The landmarks are a synthetic moving pose
  (MediaPipe in software GL gives ~0.3 frames a second here, which would flatter the
  figure): the encoder is the real one, so the bytes per frame are what a real pose costs
  (every landmark present).

Uplink: getStats() bytesSent of each connection's transport (DTLS, SCTP/SRTP and ICE checks
included) and the payload (data-channel bytesSent; outbound-rtp bytesSent +
headerBytesSent), over the same window. Delay: from a frame leaving the patient page
(performance.timeOrigin + now(), stamped in the frame) to drawSkeleton() returning on the
therapist page; both pages in one browser, so one clock. The pages: bench_skeleton_page.html.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, Route, sync_playwright

BASE_DIR = Path(__file__).resolve().parents[1]
ORIGIN = "http://localhost:8123"  # a secure context (camera, WebRTC); never on the network
CHROMIUM = "/usr/bin/chromium"
SECONDS = 20
ARGS = ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required"]

PAGE = (Path(__file__).with_name("bench_skeleton_page.html")).read_text()


def _serve(route: Route) -> None:
    path = route.request.url[len(ORIGIN):].split("?", 1)[0]
    if path.startswith("/static/"):
        file = (BASE_DIR / path.lstrip("/")).resolve()
        if file.is_file() and (BASE_DIR / "static") in file.parents:
            route.fulfill(body=file.read_bytes(), content_type="text/javascript")
            return
        route.fulfill(status=404, body="")
        return
    route.fulfill(body=PAGE, content_type="text/html")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _window(patient: Page, therapist: Page, rate: int) -> dict[str, float]:
    therapist.evaluate("() => { window.bench.delays = []; window.bench.received = 0; }")
    before = patient.evaluate("() => patient.bytes()")
    sent = patient.evaluate(f"() => patient.send({rate}, {SECONDS})")
    after = patient.evaluate("() => patient.bytes()")
    time.sleep(0.5)  # the last frames land
    seconds = (after["t"] - before["t"]) / 1000
    delays = therapist.evaluate("() => window.bench.delays")
    rate_of = {f"{kind}_{part}": (after[kind][part] - before[kind][part]) / seconds
               for kind in ("video", "data") for part in ("transport", "payload")}
    return {**rate_of, "sent": sent, "received": len(delays),
            "p50": statistics.median(delays) if delays else float("nan"),
            "p95": _percentile(delays, 0.95) if delays else float("nan"),
            "size": after["video"].get("size"), "fps": after["video"].get("fps") or 0}


def main() -> None:
    if not Path(CHROMIUM).exists():
        print(f"needs {CHROMIUM}")
        sys.exit(1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context()
        context.route(f"{ORIGIN}/**", _serve)
        patient, therapist = context.new_page(), context.new_page()
        for page in (patient, therapist):
            page.goto(f"{ORIGIN}/bench.html")
            page.wait_for_function("() => window.ready === true")
        offers = patient.evaluate("() => patient.offers()")
        answers = therapist.evaluate("(o) => therapist.answer(o)", offers)
        patient.evaluate("(a) => patient.answers(a)", answers)
        frame_bytes = patient.evaluate("() => window.bench.FRAME_BYTES")
        time.sleep(15)  # the video encoder ramps up to the layer's rate (slower when loaded)
        print(f"skeleton mode vs the lowest video layer, {SECONDS} s windows on loopback, "
              f"one Chromium, two pages")
        print(f"landmark frame: {frame_bytes} bytes (23 of 33 points, 10-bit x/y, 4-bit "
              "visibility, capture and send times)")
        for rate in (10, 15):
            r = _window(patient, therapist, rate)
            print(f"\n{rate} frames/s ({'skeleton mode' if rate == 10 else 'while measuring'}): "
                  f"{r['sent']} sent, {r['received']} drawn")
            print(f"  video (reduced layer, {r['size']} at {r['fps']:.0f} fps): "
                  f"{r['video_transport'] * 8 / 1000:7.1f} kbit/s on the wire, "
                  f"{r['video_payload'] * 8 / 1000:7.1f} kbit/s RTP")
            print(f"  landmarks:                             "
                  f"{r['data_transport'] * 8 / 1000:7.1f} kbit/s on the wire, "
                  f"{r['data_payload'] * 8 / 1000:7.1f} kbit/s payload "
                  f"({r['data_transport'] / 1000:.2f} kB/s)")
            print(f"  ratio on the wire: {100 * r['data_transport'] / r['video_transport']:.1f}% "
                  f"of the lowest video layer (goal < 5%); payload "
                  f"{100 * r['data_payload'] / r['video_payload']:.1f}%")
            print(f"  delay, frame leaves the patient page -> skeleton drawn: "
                  f"p50 {r['p50']:.2f} ms, p95 {r['p95']:.2f} ms")
        print("\n" + json.dumps({"frame_bytes": frame_bytes}))
        browser.close()


if __name__ == "__main__":
    main()
