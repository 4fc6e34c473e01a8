// Live tele-goniometry in a video visit.
//
// The therapist (a host) picks a movement and presses Start: a `motion` message goes over the
// signaling socket to the patient's page, which runs MediaPipe Pose on its own camera
// (../motion/pose.js, loaded only then) and streams the landmarks to the therapist over the
// call's "motion" data channel (peers.js): peer to peer, never through the server, at most
// 15 frames a second, rounded. The therapist's page analyses them (LiveAnalyzer: joint angle,
// reps), draws the skeleton over the patient's video and, on Capture, posts only the numbers
// to the visit record. The patient sees that they are being measured and can stop it.
//
// A frame on the data channel is JSON: {v: 1, t: seconds, w, h, l: 132 numbers | null}
// (33 landmarks x [x, y, z, visibility], flattened; null when no person is in view).
//
// Facts for tests: #motion-panel[data-motion-state|-frames|-landmarks|-captured] on the
// therapist's page, #motion-indicator[data-motion-sent] on the patient's.

const FRAME_MS = 1000 / 15;
const VERSION = 1;
const MAX_FRAME_CHARS = 8000;
const $ = (id) => document.getElementById(id);

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function encodeFrame(landmarks, t, width, height) {
  let flat = null;
  if (landmarks) {
    flat = [];
    for (const [x, y, z, v] of landmarks) flat.push(round(x, 4), round(y, 4), round(z, 3), round(v, 2));
  }
  return JSON.stringify({ v: VERSION, t: round(t, 3), w: width, h: height, l: flat });
}

// A frame from the other browser, checked like any untrusted input; null when unusable.
export function decodeFrame(text) {
  if (typeof text !== "string" || text.length > MAX_FRAME_CHARS) return null;
  let frame;
  try { frame = JSON.parse(text); } catch (err) { return null; }
  if (!frame || frame.v !== VERSION || !Number.isFinite(frame.t)) return null;
  if (!(frame.w > 0 && frame.h > 0 && frame.w <= 10000 && frame.h <= 10000)) return null;
  if (frame.l === null) return { t: frame.t, w: frame.w, h: frame.h, landmarks: null };
  if (!Array.isArray(frame.l) || frame.l.length !== 132 || !frame.l.every(Number.isFinite)) return null;
  const landmarks = [];
  for (let i = 0; i < 132; i += 4) landmarks.push(frame.l.slice(i, i + 4));
  return { t: frame.t, w: frame.w, h: frame.h, landmarks };
}

export class Motion {
  // send(message): over the signaling socket; links / peers: the page's live maps of PeerLinks
  // and peer descriptions by participant id; cameraVideo(): the <video> showing this device's
  // camera (or null while it shows something else, e.g. a shared screen); cameraTrack(): the
  // camera's video track.
  constructor({ config, csrf, send, links, peers, cameraVideo, cameraTrack }) {
    this.config = config;
    this.csrf = csrf;
    this.send = send;
    this.links = links;
    this.peers = peers;
    this.cameraVideo = cameraVideo;
    this.cameraTrack = cameraTrack;
    this.session = null; // therapist: the measurement in progress
    this.tracking = null; // patient: the pose tracker running for a therapist
    this.kit = null;
    this.sent = 0;
    this.peerKey = "";
    if (config.host && $("motion-panel")) this.wireHost();
    if ($("motion-stop-self")) $("motion-stop-self").addEventListener("click", () => this.stopTracking("patient"));
  }

  // --- the therapist's side --------------------------------------------------------------------

  async wireHost() {
    const panel = $("motion-panel");
    try {
      const [analyzer, skeleton] = await Promise.all([import("../motion/analyzer.js"), import("../motion/skeleton.js")]);
      this.kit = { ...analyzer, ...skeleton };
    } catch (err) {
      this.status("Movement measuring is not available on this page.");
      panel.dataset.motionState = "unavailable";
      return;
    }
    const select = $("motion-exercise");
    Object.values(this.kit.EXERCISES).forEach((ex) => {
      const option = document.createElement("option");
      option.value = ex.name;
      option.textContent = `${ex.label} (${ex.view} view)`;
      select.append(option);
    });
    $("motion-start").addEventListener("click", () => this.start());
    $("motion-stop").addEventListener("click", () => this.stop());
    $("motion-capture").addEventListener("click", () => this.capture());
    this.render();
  }

  // Keeps the list of people who can be measured (patients in the call) current; cheap when
  // nothing changed, so the page calls it on every render.
  render() {
    if (!this.kit) return;
    const patients = [...this.links.keys()]
      .map((pid) => this.peers.get(pid) || { pid, name: "Participant" })
      .filter((p) => p.role === "patient");
    const key = patients.map((p) => `${p.pid}:${p.name}`).join("|");
    if (key !== this.peerKey) {
      this.peerKey = key;
      const select = $("motion-patient");
      const chosen = select.value;
      select.replaceChildren(...patients.map((p) => {
        const option = document.createElement("option");
        option.value = String(p.pid);
        option.textContent = p.name;
        option.selected = String(p.pid) === chosen;
        return option;
      }));
    }
    this.buttons();
  }

  buttons() {
    const running = Boolean(this.session && this.session.active);
    $("motion-start").disabled = running || !$("motion-patient").value;
    $("motion-stop").disabled = !running;
    $("motion-capture").disabled = !(this.session && this.session.analyzer);
  }

  status(text) {
    $("motion-status").textContent = text;
  }

  setState(value) {
    $("motion-panel").dataset.motionState = value;
  }

  start() {
    const pid = Number($("motion-patient").value);
    if (!pid || !this.links.has(pid)) return;
    if (this.session) this.clearOverlay(this.session.pid);
    const exercise = $("motion-exercise").value;
    const side = $("motion-side").value;
    this.session = { pid, exercise, side, active: true, analyzer: null, dims: "", lastT: -Infinity,
                     frames: 0, extremes: {}, started: false };
    this.send({ type: "motion", action: "start", to: pid, exercise, side });
    const panel = $("motion-panel");
    panel.dataset.motionFrames = "0";
    panel.dataset.motionLandmarks = "0";
    ["motion-angle", "motion-peak", "motion-side-seen"].forEach((id) => { $(id).textContent = "–"; });
    $("motion-reps").textContent = "0";
    this.setState("requested");
    const view = this.kit.EXERCISES[exercise].view;
    this.status(`Starting the patient's camera analysis… Ask them to stand ${view === "side" ? "side-on" : "facing the camera"}, whole body in view.`);
    this.buttons();
  }

  stop({ notify = true, text = "Measuring stopped. Capture saves what was measured." } = {}) {
    const session = this.session;
    if (!session || !session.active) return;
    session.active = false;
    if (notify) this.send({ type: "motion", action: "stop", to: session.pid });
    this.clearOverlay(session.pid);
    this.setState("stopped");
    this.status(text);
    this.buttons();
  }

  // Frames (or a "started") from a page we are not measuring: our stop was lost (its socket
  // was reconnecting when we sent it, say). Say it again, at most every 2 seconds.
  unwanted(pid) {
    if (!this.config.host) return;
    const now = performance.now();
    this.restopped = this.restopped || new Map();
    if (now - (this.restopped.get(pid) || -Infinity) < 2000) return;
    this.restopped.set(pid, now);
    this.send({ type: "motion", action: "stop", to: pid });
  }

  onStatus(message) {
    if (message.state === "started" && !(this.session && this.session.active
        && this.session.pid === message.from)) {
      this.unwanted(message.from);
      return;
    }
    const session = this.session;
    if (!session || message.from !== session.pid) return;
    if (message.state === "started") {
      session.started = true;
      if (session.active) {
        this.setState("measuring");
        this.status("Measuring: ask the patient to move; press Capture at the end of the range.");
      }
    } else if (message.state === "stopped") {
      this.stop({ notify: false, text: message.by === "patient" ? "The patient stopped the measurement." : "Measuring stopped on the patient's side." });
    } else {
      this.stop({ notify: false, text: message.state === "unsupported"
        ? "The patient's browser cannot measure movement (it needs WebGL)."
        : "Movement tracking failed on the patient's device." });
    }
  }

  onFrame(pid, text) {
    const session = this.session;
    if (!this.kit || !session || !session.active || pid !== session.pid) {
      this.unwanted(pid);
      return;
    }
    const frame = decodeFrame(text);
    if (!frame || !(frame.t > session.lastT)) return;
    session.lastT = frame.t;
    session.frames += 1;
    const panel = $("motion-panel");
    panel.dataset.motionFrames = String(session.frames);
    if (panel.dataset.motionState === "requested") this.setState("measuring");
    const canvas = this.overlay(pid);
    if (!frame.landmarks) {
      $("motion-angle").textContent = "not in view";
      if (canvas) this.kit.drawSkeleton(canvas, null);
      return;
    }
    panel.dataset.motionLandmarks = String(frame.landmarks.length);
    const dims = `${frame.w}x${frame.h}`;
    if (!session.analyzer || session.dims !== dims) {
      // A new camera size (the patient switched cameras) restarts the analysis.
      session.analyzer = new this.kit.LiveAnalyzer({ exercise: session.exercise, side: session.side, width: frame.w, height: frame.h });
      session.dims = dims;
      session.extremes = {};
    }
    let update;
    try {
      update = session.analyzer.push(frame.landmarks, frame.t);
    } catch (err) {
      return;
    }
    const angle = update.angle_deg;
    if (angle !== null) {
      const seen = session.extremes[update.side] || { lo: angle, hi: angle };
      session.extremes[update.side] = { lo: Math.min(seen.lo, angle), hi: Math.max(seen.hi, angle) };
      $("motion-peak").textContent = `${Math.round(this.peakOf(session, update.side).peak)}°`;
    }
    $("motion-angle").textContent = angle === null ? "joint not in view" : `${Math.round(angle)}°`;
    $("motion-reps").textContent = update.partial_reps ? `${update.reps} (+${update.partial_reps} partial)` : String(update.reps);
    $("motion-side-seen").textContent = update.side;
    if (canvas) {
      const ex = this.kit.EXERCISES[session.exercise];
      this.kit.drawSkeleton(canvas, frame.landmarks, { highlight: ex[update.side], angleDeg: angle, mirror: false });
    }
    this.buttons();
  }

  // The largest angle reached on this side (the smallest for a movement that goes down in
  // angle, like standing up), and the arc moved.
  peakOf(session, side) {
    const seen = session.extremes[side];
    if (!seen) return { peak: null, rom: null };
    const down = this.kit.EXERCISES[session.exercise].direction < 0;
    return { peak: down ? seen.lo : seen.hi, rom: seen.hi - seen.lo };
  }

  async capture() {
    const session = this.session;
    if (!session || !session.analyzer) return;
    let summary;
    try {
      summary = session.analyzer.summary();
    } catch (err) {
      this.status("Nothing measured yet.");
      return;
    }
    // Completed reps give the analyzer's peak and ROM; a held position (classic goniometry)
    // has none yet, so the extremes seen so far stand in.
    const seen = this.peakOf(session, summary.side);
    const peak = summary.peak_deg ?? seen.peak;
    const rom = summary.rom_deg ?? seen.rom;
    if (peak === null || rom === null) {
      this.status("No angle measured yet: the joint must be in view of the patient's camera.");
      return;
    }
    const clamp = (v) => Math.min(200, Math.max(0, round(v, 1)));
    const body = {
      participant: session.pid, exercise: session.exercise, side: summary.side,
      peak_deg: clamp(peak), rom_deg: clamp(rom), reps: summary.reps,
      partial_reps: summary.partial_reps, view_ok: summary.view_ok,
    };
    $("motion-capture").disabled = true;
    let ok = false;
    let data = {};
    try {
      const response = await fetch(this.config.measurementsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify(body),
      });
      ok = response.ok;
      data = await response.json().catch(() => ({}));
    } catch (err) {
      ok = false;
    }
    this.buttons();
    if (!ok) {
      this.status(data.message || "Could not save the measurement; try again.");
      return;
    }
    const item = document.createElement("li");
    const view = summary.view_ok ? "" : " (camera off-angle: an estimate)";
    item.textContent = `${data.label}: ${Math.round(data.peak_deg)}°, arc ${Math.round(data.rom_deg)}°, ${data.reps} reps${view}`;
    $("motion-captured").append(item);
    const panel = $("motion-panel");
    panel.dataset.motionCaptured = String(Number(panel.dataset.motionCaptured || 0) + 1);
    this.status(`Saved to the visit record: ${data.label}.`);
  }

  // A canvas laid exactly over the picture in the patient's tile (the video is letterboxed).
  overlay(pid) {
    const tile = document.querySelector(`.tile[data-pid="${pid}"]`);
    const video = tile && tile.querySelector("video");
    if (!video) return null;
    let canvas = tile.querySelector("canvas.motion-overlay");
    if (!canvas) {
      canvas = document.createElement("canvas");
      canvas.className = "motion-overlay";
      canvas.setAttribute("aria-hidden", "true");
      tile.append(canvas);
    }
    const vw = video.videoWidth, vh = video.videoHeight, cw = video.clientWidth, ch = video.clientHeight;
    if (vw && vh && cw && ch) {
      const scale = Math.min(cw / vw, ch / vh);
      const w = Math.round(vw * scale), h = Math.round(vh * scale);
      canvas.style.left = `${video.offsetLeft + Math.round((cw - w) / 2)}px`;
      canvas.style.top = `${video.offsetTop + Math.round((ch - h) / 2)}px`;
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      if (canvas.width !== w) canvas.width = w;
      if (canvas.height !== h) canvas.height = h;
    }
    return canvas;
  }

  clearOverlay(pid) {
    const canvas = document.querySelector(`.tile[data-pid="${pid}"] canvas.motion-overlay`);
    if (canvas) canvas.remove();
  }

  // --- the patient's side ----------------------------------------------------------------------

  async onRequest(message) {
    if (this.config.host) return;
    if (message.action === "stop") {
      this.stopTracking("therapist");
      return;
    }
    if (!this.links.has(message.from)) {
      this.send({ type: "motion_status", state: "failed", by: "page" });
      return;
    }
    if (this.tracking) { // already running: the newest request wins
      this.tracking.to = message.from;
      this.showIndicator(message);
      return;
    }
    const tracking = { to: message.from, tracker: null, stopped: false, lastSent: 0 };
    this.tracking = tracking;
    this.showIndicator(message);
    let kit;
    try {
      kit = await import("../motion/pose.js");
    } catch (err) {
      kit = null;
    }
    if (!kit || !kit.poseSupported()) {
      this.stopTracking("page", "unsupported");
      return;
    }
    const video = this.sourceVideo();
    try {
      tracking.tracker = await kit.createPoseTracker(video, (landmarks, t) => this.onLandmarks(tracking, video, landmarks, t), {
        onError: () => { if (this.tracking === tracking) this.stopTracking("page", "failed"); },
      });
    } catch (err) {
      console.warn("pose tracker failed to start", err);
      if (this.tracking === tracking) this.stopTracking("page", "failed");
      return;
    }
    if (tracking.stopped) {
      tracking.tracker.stop();
      return;
    }
    this.send({ type: "motion_status", state: "started" });
  }

  // The camera picture: the self-view while it shows the camera, else a video of our own.
  sourceVideo() {
    const video = this.cameraVideo();
    if (video) return video;
    if (!this.ownVideo) {
      this.ownVideo = document.createElement("video");
      this.ownVideo.className = "motion-source";
      this.ownVideo.muted = true;
      this.ownVideo.playsInline = true;
      this.ownVideo.autoplay = true;
      document.body.append(this.ownVideo);
    }
    const track = this.cameraTrack();
    if (track && !(this.ownVideo.srcObject && this.ownVideo.srcObject.getVideoTracks()[0] === track)) {
      this.ownVideo.srcObject = new MediaStream([track]);
      this.ownVideo.play().catch(() => {});
    }
    return this.ownVideo;
  }

  onLandmarks(tracking, video, landmarks, t) {
    if (tracking.stopped) return;
    const now = performance.now();
    if (now - tracking.lastSent < FRAME_MS) return;
    const link = this.links.get(tracking.to);
    if (!link || !link.sendMotion(encodeFrame(landmarks, t, video.videoWidth, video.videoHeight))) return;
    tracking.lastSent = now;
    this.sent += 1;
    $("motion-indicator").dataset.motionSent = String(this.sent);
  }

  showIndicator(message) {
    const indicator = $("motion-indicator");
    if (!indicator) return;
    const side = { left: "your left side", right: "your right side" }[message.side] || "";
    $("motion-indicator-hint").textContent = side ? `Measuring ${side}. ` : "";
    indicator.hidden = false;
  }

  stopTracking(by, state = "stopped") {
    const tracking = this.tracking;
    if (!tracking) return;
    console.debug(`motion: tracking ${state} (by ${by}) after ${this.sent} frames sent`);
    this.tracking = null;
    tracking.stopped = true;
    if (tracking.tracker) tracking.tracker.stop();
    if (this.ownVideo) {
      this.ownVideo.srcObject = null;
      this.ownVideo.remove();
      this.ownVideo = null;
    }
    const indicator = $("motion-indicator");
    if (indicator) indicator.hidden = true;
    if (by !== "therapist") this.send({ type: "motion_status", state, by });
  }

  // --- both sides ------------------------------------------------------------------------------

  peerGone(pid) {
    if (this.tracking && this.tracking.to === pid) this.stopTracking("page");
    if (this.session && this.session.pid === pid) {
      this.stop({ notify: false, text: "The patient left the call; measuring stopped." });
    }
  }

  shutdown() {
    if (this.tracking) {
      this.tracking.stopped = true;
      if (this.tracking.tracker) this.tracking.tracker.stop();
      this.tracking = null;
    }
    if (this.session) this.session.active = false;
  }
}
