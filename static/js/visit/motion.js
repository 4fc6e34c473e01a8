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
// A frame on the data channel is binary and quantised (visit/landmarks.js, ~134 bytes).
//
// Skeleton mode (Issue 14): when the patient's call steps down to audio only, or the
// therapist asks, the patient's page keeps the tracker running and sends landmarks to every
// host (at most 10 a second, 15 while measuring); the therapist's page draws a live skeleton
// in place of the paused video, with the angle and reps when measuring. visit.js decides
// when (setSkeleton / onSkeleton); only the announcement goes through the server.
//
// The patient's phone as a second camera (camera-seat.js) measures the same way when the
// therapist made it the main view (visit.js `measured`): the request goes to that seat, the
// phone runs the tracker on its own picture, and the server keeps the capture as the
// patient's, from the side camera. #motion-panel[data-motion-camera] says which: main, side.
//
// Facts for tests: #motion-panel[data-motion-state|-frames|-landmarks|-captured] on the
// therapist's page, #motion-indicator[data-motion-sent] on the patient's; a tile in skeleton
// mode has data-skeleton="on", data-skeleton-frames (fresh frames drawn), data-skeleton-t
// (the newest landmark time, patient clock, seconds).

import { decodeFrame, encodeFrame } from "./landmarks.js";

export { decodeFrame, encodeFrame };

// The patient's texts in their language (/accounts/jsi18n/, loaded before the visit scripts).
const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);

const FRAME_MS = 1000 / 15; // while measuring
const SKELETON_FRAME_MS = 1000 / 10; // skeleton mode alone: enough to see a movement
const LINGER_MS = 60_000; // keep the tracker warm this long after skeleton mode (flapping)
const DELAYS_KEPT = 500;
const $ = (id) => document.getElementById(id);

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export class Motion {
  // send(message): over the signaling socket; links / peers: the page's live maps of PeerLinks
  // and peer descriptions by participant id; cameraVideo(): the <video> showing this device's
  // camera (or null while it shows something else, e.g. a shared screen); cameraTrack(): the
  // camera's video track.
  // measured(pid): the seat to measure for this patient (their second camera when it is the
  // therapist's main view).
  constructor({ config, csrf, send, links, peers, cameraVideo, cameraTrack, measured = (pid) => pid }) {
    this.config = config;
    this.csrf = csrf;
    this.send = send;
    this.links = links;
    this.peers = peers;
    this.cameraVideo = cameraVideo;
    this.cameraTrack = cameraTrack;
    this.measured = measured;
    this.session = null; // therapist: the measurement in progress
    this.tracking = null; // patient: the pose tracker running for a therapist
    this.kit = null;
    this.sent = 0;
    this.peerKey = "";
    this.skeletonOn = false; // patient: skeleton mode (landmarks to every host)
    this.skeletons = new Map(); // therapist: pid -> {frames, lastT} of pages in skeleton mode
    this.delays = []; // therapist: ms from a frame leaving the patient's page to drawn
    this.lingerTimer = 0;
    this.onTrackerLost = null; // patient: called when the tracker cannot run (skeleton off)
    if (config.host) this.wireHost();
    if ($("motion-stop-self")) $("motion-stop-self").addEventListener("click", () => this.measureStop("patient"));
  }

  // --- the therapist's side --------------------------------------------------------------------

  async wireHost() {
    const panel = $("motion-panel");
    try {
      const [analyzer, skeleton] = await Promise.all([import("../motion/analyzer.js"), import("../motion/skeleton.js")]);
      this.kit = { ...analyzer, ...skeleton };
    } catch (err) {
      if (!panel) return;
      this.status("Movement measuring is not available on this page.");
      panel.dataset.motionState = "unavailable";
      return;
    }
    if (!panel) return; // a host who does not measure still sees skeletons
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
    if (!this.kit || !$("motion-panel")) return;
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
    const pid = this.measured(Number($("motion-patient").value));
    if (!pid || !this.links.has(pid)) return;
    if (this.session) this.clearOverlay(this.session.pid);
    const exercise = $("motion-exercise").value;
    const side = $("motion-side").value;
    this.session = { pid, exercise, side, active: true, analyzer: null, dims: "", lastT: -Infinity,
                     frames: 0, extremes: {}, started: false };
    this.send({ type: "motion", action: "start", to: pid, exercise, side });
    const panel = $("motion-panel");
    const phone = pid !== Number($("motion-patient").value);
    panel.dataset.motionCamera = phone ? "side" : "main";
    panel.dataset.motionFrames = "0";
    panel.dataset.motionLandmarks = "0";
    ["motion-angle", "motion-peak", "motion-side-seen"].forEach((id) => { $(id).textContent = "–"; });
    $("motion-reps").textContent = "0";
    this.setState("requested");
    const view = this.kit.EXERCISES[exercise].view;
    this.status(`Starting the analysis on the patient's ${phone ? "side camera (their phone)" : "camera"}… Ask them to stand ${view === "side" ? "side-on" : "facing the camera"}, whole body in view.`);
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

  onFrame(pid, data) {
    const session = this.session && this.session.active && this.session.pid === pid ? this.session : null;
    const view = this.skeletons.get(pid);
    if (!this.kit || (!session && !view)) {
      this.unwanted(pid);
      return;
    }
    const frame = decodeFrame(data);
    if (!frame) return;
    const drawn = session ? this.measureFrame(session, frame) : { highlight: null, angle: null };
    if (view) this.drawView(pid, view, frame, drawn);
    else if (drawn) {
      const canvas = this.overlay(pid);
      if (canvas) {
        this.kit.drawSkeleton(canvas, frame.landmarks, { highlight: drawn.highlight, angleDeg: drawn.angle, mirror: false });
      }
    }
  }

  // A measuring session's share of a frame: the analyzer and the readout. Returns what to
  // highlight, or null for a stale frame.
  measureFrame(session, frame) {
    if (!(frame.t > session.lastT)) return null;
    session.lastT = frame.t;
    session.frames += 1;
    const panel = $("motion-panel");
    panel.dataset.motionFrames = String(session.frames);
    if (panel.dataset.motionState === "requested") this.setState("measuring");
    if (!frame.landmarks) {
      $("motion-angle").textContent = "not in view";
      return { highlight: null, angle: null };
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
      return { highlight: null, angle: null };
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
    this.buttons();
    return { highlight: this.kit.EXERCISES[session.exercise][update.side], angle };
  }

  // --- skeleton mode, the therapist's side -------------------------------------------------------

  // The patient's page announced skeleton mode on or off (through the server).
  onSkeleton(message) {
    const tile = document.querySelector(`.tile[data-pid="${message.from}"]`);
    if (message.state === "on") {
      if (!this.skeletons.has(message.from)) this.skeletons.set(message.from, { frames: 0, lastT: -Infinity });
      if (tile) {
        tile.dataset.skeleton = "on";
        tile.dataset.skeletonFrames = "0";
      }
    } else {
      this.skeletons.delete(message.from);
      if (tile) {
        tile.dataset.skeleton = "off";
        const canvas = tile.querySelector("canvas.skeleton-view");
        if (canvas) canvas.remove();
      }
    }
  }

  drawView(pid, view, frame, drawn) {
    if (!(frame.t > view.lastT)) return;
    view.lastT = frame.t;
    const canvas = this.skeletonCanvas(pid, frame);
    if (!canvas) return;
    const highlight = drawn ? drawn.highlight : null;
    const angle = drawn ? drawn.angle : null;
    this.kit.drawSkeleton(canvas, frame.landmarks, { highlight, angleDeg: angle, mirror: false });
    view.frames += 1;
    const tile = canvas.parentElement;
    tile.dataset.skeletonFrames = String(view.frames);
    tile.dataset.skeletonT = String(frame.t);
    const main = document.getElementById("visit");
    main.dataset.skeletonDrawn = String(Number(main.dataset.skeletonDrawn || 0) + 1);
    main.dataset.skeletonT = String(frame.t);
    this.delays.push(performance.timeOrigin + performance.now() - frame.sentAt);
    if (this.delays.length > DELAYS_KEPT) this.delays.shift();
  }

  // A canvas in place of the paused video, the shape of the patient's picture.
  skeletonCanvas(pid, frame) {
    const tile = document.querySelector(`.tile[data-pid="${pid}"]`);
    if (!tile) return null;
    let canvas = tile.querySelector("canvas.skeleton-view");
    if (!canvas) {
      canvas = document.createElement("canvas");
      canvas.className = "skeleton-view";
      canvas.setAttribute("role", "img");
      const name = (this.peers.get(pid) || {}).name || "the patient";
      canvas.setAttribute("aria-label", `Live skeleton of ${name} (their video is paused)`);
      tile.append(canvas);
    }
    const cw = tile.clientWidth, ch = tile.clientHeight;
    if (cw && ch) {
      const scale = Math.min(cw / frame.w, ch / frame.h);
      const w = Math.max(1, Math.round(frame.w * scale)), h = Math.max(1, Math.round(frame.h * scale));
      canvas.style.left = `${Math.round((cw - w) / 2)}px`;
      canvas.style.top = `${Math.round((ch - h) / 2)}px`;
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      if (canvas.width !== w) canvas.width = w;
      if (canvas.height !== h) canvas.height = h;
    }
    return canvas;
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
      this.measureStop("therapist");
      return;
    }
    if (!this.links.has(message.from)) {
      this.send({ type: "motion_status", state: "failed", by: "page" });
      return;
    }
    this.showIndicator(message);
    const tracking = this.tracking;
    if (tracking) { // already running (or starting): the newest request wins
      tracking.to = message.from;
      if (tracking.tracker) this.send({ type: "motion_status", state: "started" });
      return;
    }
    const started = await this.startTracker(message.from);
    if (started) this.send({ type: "motion_status", state: "started" });
  }

  // Start the pose tracker (for a measurement `to` a host, or for skeleton mode with to
  // null); true once it runs. A failure is told to the measuring host and to visit.js.
  async startTracker(to) {
    clearTimeout(this.lingerTimer);
    const tracking = { to, tracker: null, stopped: false, lastSent: 0 };
    this.tracking = tracking;
    let kit;
    try {
      kit = await import("../motion/pose.js");
    } catch (err) {
      kit = null;
    }
    if (!kit || !kit.poseSupported()) {
      this.trackerFailed(tracking, "unsupported");
      return false;
    }
    const video = this.sourceVideo();
    try {
      tracking.tracker = await kit.createPoseTracker(video, (landmarks, t) => this.onLandmarks(tracking, video, landmarks, t), {
        onError: () => this.trackerFailed(tracking, "failed"),
      });
    } catch (err) {
      console.warn("pose tracker failed to start", err);
      this.trackerFailed(tracking, "failed");
      return false;
    }
    if (tracking.stopped) {
      tracking.tracker.stop();
      return false;
    }
    return Boolean(tracking.to);
  }

  trackerFailed(tracking, state) {
    if (this.tracking !== tracking) return;
    const measuring = Boolean(tracking.to);
    this.stopTracker();
    this.hideIndicator();
    if (measuring) this.send({ type: "motion_status", state, by: "page" });
    if (this.skeletonOn && this.onTrackerLost) this.onTrackerLost(state);
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

  // Hosts in the call: where skeleton-mode frames go.
  hostTargets() {
    return [...this.links.keys()].filter((pid) => (this.peers.get(pid) || {}).host);
  }

  onLandmarks(tracking, video, landmarks, t) {
    if (tracking.stopped) return;
    const targets = new Set(tracking.to ? [tracking.to] : []);
    if (this.skeletonOn) this.hostTargets().forEach((pid) => targets.add(pid));
    if (!targets.size) return; // lingering: warm, sending nothing
    const now = performance.now();
    if (now - tracking.lastSent < (tracking.to ? FRAME_MS : SKELETON_FRAME_MS)) return;
    const frame = encodeFrame(landmarks, t, video.videoWidth, video.videoHeight);
    let sent = false;
    for (const pid of targets) {
      const link = this.links.get(pid);
      if (link && link.sendMotion(frame)) sent = true;
    }
    if (!sent) return;
    tracking.lastSent = now;
    this.sent += 1;
    const indicator = $("motion-indicator");
    if (indicator) indicator.dataset.motionSent = String(this.sent);
    const page = document.getElementById("visit"); // none on the phone's camera page
    if (page) page.dataset.skeletonSent = String(this.sent);
  }

  showIndicator(message) {
    const indicator = $("motion-indicator");
    if (!indicator) return;
    const hint = { left: tr("Measuring your left side."),
      right: tr("Measuring your right side.") }[message.side];
    $("motion-indicator-hint").textContent = hint ? `${hint} ` : "";
    indicator.hidden = false;
  }

  hideIndicator() {
    const indicator = $("motion-indicator");
    if (indicator) indicator.hidden = true;
  }

  // The measurement ends (the patient's button, the therapist's stop, the page); the tracker
  // keeps running while skeleton mode needs it.
  measureStop(by, state = "stopped") {
    const tracking = this.tracking;
    if (!tracking || !tracking.to) {
      this.hideIndicator();
      return;
    }
    console.debug(`motion: measuring ${state} (by ${by}) after ${this.sent} frames sent`);
    tracking.to = null;
    this.hideIndicator();
    if (by !== "therapist") this.send({ type: "motion_status", state, by });
    this.idle();
  }

  // Nobody needs landmarks now: stop the tracker, after a while if skeleton mode used it
  // (a call that flaps back to audio only then needs no new model load).
  idle(linger = 0) {
    const tracking = this.tracking;
    if (!tracking || tracking.to || this.skeletonOn) return;
    clearTimeout(this.lingerTimer);
    if (!linger) {
      this.stopTracker();
      return;
    }
    this.lingerTimer = setTimeout(() => {
      if (this.tracking === tracking && !tracking.to && !this.skeletonOn) this.stopTracker();
    }, linger);
  }

  stopTracker() {
    clearTimeout(this.lingerTimer);
    const tracking = this.tracking;
    if (!tracking) return;
    this.tracking = null;
    tracking.stopped = true;
    if (tracking.tracker) tracking.tracker.stop();
    if (this.ownVideo) {
      this.ownVideo.srcObject = null;
      this.ownVideo.remove();
      this.ownVideo = null;
    }
  }

  // --- skeleton mode, the patient's side -------------------------------------------------------

  // visit.js: skeleton mode on or off. False when this browser cannot track.
  async setSkeleton(on) {
    if (this.config.host) return false;
    this.skeletonOn = on;
    if (!on) {
      this.idle(LINGER_MS);
      return true;
    }
    clearTimeout(this.lingerTimer);
    if (this.tracking) return true;
    await this.startTracker(null);
    return Boolean(this.tracking);
  }

  // --- both sides ------------------------------------------------------------------------------

  peerGone(pid) {
    if (this.tracking && this.tracking.to === pid) this.measureStop("page");
    this.skeletons.delete(pid);
    if (this.session && this.session.pid === pid) {
      this.stop({ notify: false, text: "The patient left the call; measuring stopped." });
    }
  }

  shutdown() {
    this.skeletonOn = false;
    this.stopTracker();
    if (this.session) this.session.active = false;
  }
}
