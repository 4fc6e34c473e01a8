// The video visit page: device check -> waiting room -> call, and back again after a drop.
//
// The page's state is one attribute, main#visit[data-call-state]: device-check, waiting,
// connecting, connected, reconnecting, audio-only or ended (tests and CSS read it).
// Media goes browser to browser (peers.js); this module only wires the page, the signaling
// socket (signaling.js), the device check (devices.js) and the whiteboard (whiteboard.js).

import { describeNetwork, DeviceCheck, networkCheck } from "./visit/devices.js";
import { Clips } from "./visit/clips.js";
import { Motion } from "./visit/motion.js";
import { PeerLink } from "./visit/peers.js";
import { Signaling } from "./visit/signaling.js";
import { Whiteboard } from "./visit/whiteboard.js";

const main = document.getElementById("visit");
const $ = (id) => document.getElementById(id);
const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);  // the page's language (/accounts/jsi18n/)
const config = JSON.parse(main.dataset.config);
const csrf = main.dataset.csrf;
const sid = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
const LADDER = ["audio_only", "reduced", "full"];
const QUALITY_TEXT = { good: tr("Connection: good"), warning: tr("Connection: fair"), bad: tr("Connection: poor"), unknown: tr("Connection: measuring") };

const state = {
  joined: false,
  status: "new",
  admitted: false,
  ended: false,
  dropped: false,
  links: new Map(),
  peers: new Map(),
  leaveTimers: new Map(),
  localStream: null,
  cameraTrack: null,
  screenTrack: null,
  facing: "user",
  mode: "full",
  manualAudioOnly: false,
  startedAt: config.startedAt ? Date.parse(config.startedAt) : null,
  chatIds: new Set(),
  // Skeleton mode (a patient's page): landmarks instead of video; see updateSkeleton.
  skeletonOn: false,
  skeletonAsked: false,
  skeletonDeclined: false,
  skeletonLost: false,
  skeletonWhy: "",
  pip: null,
  mainCamera: null,  // host: the pid of the tile in the main view when a patient has two cameras
};
const devices = new DeviceCheck();
let signaling = null;
let fallbackTimer = 0;
const whiteboard = new Whiteboard($("whiteboard"), {
  onStroke: (stroke) => signaling && signaling.send({
    type: "wb", op: "stroke",
    stroke: { ...stroke, points: stroke.points.map(([x, y]) => [round4(x), round4(y)]) },
  }, { queue: true }),
});

// Live movement measuring (tele-goniometry): visit/motion.js.
const motion = new Motion({
  config, csrf, links: state.links, peers: state.peers,
  send: (message) => signaling && signaling.send(message),
  cameraVideo: () => (state.screenTrack ? null : $("local-video")),
  cameraTrack: () => state.cameraTrack,
  // The patient's second camera, when it is the main view, is the one measured.
  measured: (pid) => {
    const side = state.mainCamera;
    return side && (state.peers.get(side) || {}).role === "camera" && state.links.has(side) ? side : pid;
  },
});
motion.onTrackerLost = () => { state.skeletonLost = true; updateSkeleton(); };
// Short clips with consent: visit/clips.js (recorded on this page's own camera only).
const clips = new Clips({ config, csrf, tr, cameraTrack: () => state.cameraTrack });

function round4(v) {
  return Math.round(v * 10000) / 10000;
}

// --- the one state attribute --------------------------------------------------------------

function callState() {
  if (state.ended) return "ended";
  if (!state.joined) return "device-check";
  if (state.dropped) return "reconnecting";
  if (!state.admitted) return "waiting";
  const links = [...state.links.values()];
  if (!links.length) return "waiting";
  if (links.some((l) => l.troubled)) return "reconnecting";
  if (links.some((l) => l.state === "connected" && l.remoteStream.getTracks().length)) {
    return state.mode === "audio_only" ? "audio-only" : "connected";
  }
  return "connecting";
}

function render() {
  const next = callState();
  if (main.dataset.callState !== next) main.dataset.callState = next;
  main.dataset.admitted = String(state.admitted && !state.ended);
  $("stage").dataset.peers = String(state.links.size);
  const skeleton = config.host ? motion.skeletons.size > 0 : state.skeletonOn;
  main.dataset.skeleton = skeleton ? "on" : "off";
  motion.render();
  if (next === "connected" || next === "audio-only") {
    if (state.startedAt === null) state.startedAt = Date.now();
  }
}

function banner(text) {
  $("call-banner").textContent = text || "";
}

const OFFLINE_TEXT = tr("You seem to be offline. Check your internet connection, or call the clinic.");

async function postJson(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  } catch (err) {
    // No answer at all (offline, server unreachable): say so rather than fail silently.
    return { ok: false, data: { code: "offline", message: OFFLINE_TEXT } };
  }
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, data };
}

// --- before joining ---------------------------------------------------------------------------

async function runNetworkCheck() {
  $("network-result").textContent = tr("Checking your connection…");
  const result = await networkCheck({ healthWs: config.healthWs, probeUrl: config.probeUrl });
  $("network-result").textContent = describeNetwork(result);
  if (!state.joined) {
    $("quality").dataset.level = result.level;
    $("quality").textContent = QUALITY_TEXT[result.level];
  }
}

async function prejoin() {
  // "Join" waits for the device check: a click before the submit handler exists would post
  // the form the old way and reload the page (seen in a test on a loaded machine).
  $("join-button").disabled = true;
  $("ready-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("join-button").disabled) join();
  });
  try {
    await devices.start();
  } finally {
    $("join-button").disabled = false;
  }
  runNetworkCheck();
  const restart = () => devices.start({ videoId: $("camera-select").value, audioId: $("mic-select").value });
  $("camera-select").addEventListener("change", restart);
  $("mic-select").addEventListener("change", restart);
  $("speaker-select").addEventListener("change", () => {
    devices.sinkId = $("speaker-select").value;
    document.querySelectorAll("[data-testid=remote-video]").forEach((v) => setSink(v));
  });
  $("speaker-test").addEventListener("click", () => devices.speakerTest());
  $("network-test").addEventListener("click", runNetworkCheck);
}

// The pre-join question a refusal names (the answers given stay as they were).
const READY_FIELDS = { state: "located-state", located_at: "located-at" };

function showFieldError(field, message = "") {
  Object.values(READY_FIELDS).forEach((id) => $(id) && $(id).removeAttribute("aria-invalid"));
  if ($("located-at-error")) {
    $("located-at-error").hidden = true;
    $("located-at-error").textContent = "";
  }
  const element = field && $(READY_FIELDS[field]);
  if (!element) return;
  element.setAttribute("aria-invalid", "true");
  if (field === "located_at") {
    $("located-at-error").textContent = message;
    $("located-at-error").hidden = false;
    element.querySelector("input").focus();
  } else element.focus();
}

async function join() {
  const button = $("join-button");
  button.disabled = true;
  $("ready-error").textContent = "";
  showFieldError(null);
  const value = (id) => ($(id) ? $(id).value : "");
  const place = document.querySelector("input[name=located_at]:checked");
  const { ok, data } = await postJson(config.readyUrl, {
    state: value("located-state"),
    located_at: place ? place.value : "",
    consent: $("consent-agree") ? $("consent-agree").checked : false,
    signer: value("consent-signer"),
    relation: value("consent-relation") || "self",
    relay: config.forceRelay,
  });
  if (!ok) {
    $("ready-error").textContent = data.message || tr("Something went wrong; please try again.");
    showFieldError(data.field, data.message);
    button.disabled = false;
    return;
  }
  state.localStream = devices.stream || new MediaStream();
  state.cameraTrack = state.localStream.getVideoTracks()[0] || null;
  $("local-video").srcObject = state.localStream;
  state.joined = true;
  render();
  signaling = new Signaling({ ticketUrl: config.ticketUrl, csrf, sid, relay: config.forceRelay });
  signaling.addEventListener("message", (event) => onMessage(event.detail));
  signaling.addEventListener("drop", onDrop);
  signaling.addEventListener("refused", (event) => finish(event.detail.message));
  await signaling.connect(data.ticket || null);
  setInterval(sampleQuality, 2000);
  setInterval(tickTimer, 1000);
}

// --- messages from the server -----------------------------------------------------------------

function onMessage(message) {
  switch (message.type) {
    case "hello":
    case "status": applyState(message); break;
    case "roster": renderRoster(message); break;
    case "peer_joined": addPeer(message.peer, false); break;
    case "peer_left": peerLeft(message.pid, message.dropped); break;
    case "signal": onSignal(message); break;
    case "chat": addChat(message); break;
    case "wb": onWhiteboard(message); break;
    case "wb_saved": $("wb-status").textContent = tr("%(name)s saved the whiteboard to the chart.").replace("%(name)s", message.by); break;
    case "mode": onPeerMode(message); break;
    case "motion": motion.onRequest(message); break;
    case "motion_status": motion.onStatus(message); break;
    case "skeleton": onPeerSkeleton(message); break;
    case "skeleton_ask": onSkeletonAsk(message); break;
    case "clip_request":
    case "clip_decision":
    case "clip_received": clips.onMessage(message); break;
    case "refused":
    case "ended":
    case "superseded": finish(message.message); break;
    case "left": finish(tr("You left the visit.")); break;
    case "error":
      console.warn(`visit server refused a message: ${message.code} ${message.message}`);
      banner(message.message);
      break;
    default: break;
  }
}

function applyState(message) {
  state.dropped = false;
  clearTimeout(fallbackTimer);
  $("fallback").hidden = true;
  if (["removed", "declined"].includes(message.status)) {
    finish(message.message);
    return;
  }
  state.status = message.status;
  state.admitted = message.status === "admitted";
  if (message.visit && message.visit.startedAt) state.startedAt = Date.parse(message.visit.startedAt);
  if (message.message) {
    $("waiting-message").textContent = message.message;
    banner(message.message);
  }
  if (state.admitted) {
    syncPeers(message.peers || []);
    if (state.mode !== "full") {
      signaling.send({ type: "mode", mode: state.mode, manual: state.manualAudioOnly, reason: "" });
    }
    if (state.skeletonOn) signaling.send({ type: "skeleton", state: "on", reason: skeletonReason() });
  } else {
    [...state.links.keys()].forEach(dropLink);
  }
  if (message.chat) message.chat.forEach(addChat);
  if (message.roster) renderRoster(message.roster);
  render();
}

// The grace period runs from the first drop: failed reconnection attempts (a socket that
// opens and closes again) must not restart it, or the fallback would never show.
function onDrop() {
  if (state.dropped) return;
  state.dropped = true;
  render();
  clearTimeout(fallbackTimer);
  fallbackTimer = setTimeout(() => {
    if (state.dropped && !state.ended) $("fallback").hidden = false;
  }, config.graceSeconds * 1000);
}

function finish(message) {
  if (state.ended) return;
  state.ended = true;
  $("ended-message").textContent = message || tr("The visit has ended. You can close this page.");
  motion.shutdown();
  if (signaling) signaling.close();
  [...state.links.keys()].forEach(dropLink);
  if (state.localStream) state.localStream.getTracks().forEach((t) => t.stop());
  if (state.screenTrack) state.screenTrack.stop();
  devices.stop();
  render();
}

// --- peers ------------------------------------------------------------------------------------

function syncPeers(peers) {
  const wanted = new Set(peers.map((p) => p.pid));
  [...state.links.keys()].filter((pid) => !wanted.has(pid)).forEach(dropLink);
  peers.forEach((peer) => addPeer(peer, true));
}

// initiator: we are the newcomer to this peer (we offer first); otherwise we wait for its
// offer (see PeerLink).
function addPeer(peer, initiator = false) {
  if (peer.role === "camera" && !config.host) return;  // a patient's phone talks to hosts only
  state.peers.set(peer.pid, peer);
  clearTimeout(state.leaveTimers.get(peer.pid));
  const link = state.links.get(peer.pid);
  if (link && link.sid === peer.sid && link.healthy) { // same page: keep the media
    const tile = document.querySelector(`.tile[data-pid="${peer.pid}"]`);
    if (tile && tile.dataset.role !== (peer.role || "")) { // its signal came before its news
      link.name = peer.name;
      tile.remove();
      makeTile(link);
    }
    return;
  }
  if (link) dropLink(peer.pid);
  createLink(peer, initiator);
}

function createLink(peer, initiator = false) {
  // A patient's second camera (camera-seat.js) only sends: nothing of ours goes to it.
  const stream = peer.role === "camera" ? new MediaStream() : state.localStream;
  const link = new PeerLink({
    me: config.pid, peer, rtc: signaling.rtc, stream, initiator,
    send: (data) => signaling.send({ type: "signal", to: peer.pid, data }),
    onChange: (l) => { keepSharing(l); updateTile(l); render(); },
    onAction: (message) => signaling.send(message),
    onMotion: (data) => motion.onFrame(peer.pid, data),
  });
  state.links.set(peer.pid, link);
  if (state.skeletonOn) {
    // A therapist page that (re)joins hears that this page is in skeleton mode.
    link.holdVideo(true);
    signaling.send({ type: "skeleton", state: "on", reason: state.skeletonWhy || skeletonReason() }, { queue: true });
  }
  if (state.screenTrack) link.replaceVideo(state.screenTrack);
  if (state.manualAudioOnly) link.setManualAudioOnly(true);
  makeTile(link);
  render();
}

// A connection made during a screen share (a newcomer, a page that reloaded) may add its
// tracks only when the other side's offer arrives (peers.js), after createLink tried to put
// the screen on it: put it there as soon as the connection has a video sender.
function keepSharing(link) {
  if (!state.screenTrack || state.screenTrack.readyState !== "live") return;
  const sender = link.videoSender();
  if (sender && sender.track !== state.screenTrack) link.replaceVideo(state.screenTrack);
}

function dropLink(pid) {
  const link = state.links.get(pid);
  if (link) link.close();
  state.links.delete(pid);
  motion.peerGone(pid);
  const tile = document.querySelector(`.tile[data-pid="${pid}"]`);
  if (tile) tile.remove();
  arrangeCameras();
  render();
}

function peerLeft(pid, dropped) {
  if (!dropped) {
    dropLink(pid);
    return;
  }
  // Their socket dropped; their media may still flow. Give them the grace period.
  clearTimeout(state.leaveTimers.get(pid));
  state.leaveTimers.set(pid, setTimeout(() => dropLink(pid), config.graceSeconds * 1000));
}

function onSignal(message) {
  let link = state.links.get(message.from);
  if (!link || link.sid !== message.sid) {
    // A page we have no connection with (it reloaded): start over with it.
    const known = state.peers.get(message.from) || { pid: message.from, name: "Participant" };
    if (known.role === "camera" && !config.host) return;
    if (link) dropLink(message.from);
    createLink({ ...known, sid: message.sid });
    link = state.links.get(message.from);
  }
  link.handle(message.data);
}

function setSink(video) {
  if (devices.sinkId && video.setSinkId) video.setSinkId(devices.sinkId).catch(() => {});
}

function makeTile(link) {
  const tile = document.createElement("div");
  tile.className = "tile";
  tile.dataset.pid = String(link.pid);
  tile.dataset.skeleton = motion.skeletons.has(link.pid) ? "on" : "off";
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  video.dataset.testid = "remote-video";
  video.setAttribute("aria-label", tr("Video of %(name)s").replace("%(name)s", link.name));
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = link.name;
  const note = document.createElement("span");
  note.className = "peer-note";
  tile.append(video, name, note);
  const peer = state.peers.get(link.pid) || {};
  tile.dataset.role = peer.role || "";
  if (config.host && ["camera", "patient"].includes(peer.role)) {
    // The patient's two cameras: one is the main view, the other a small inset; swap them.
    const swap = document.createElement("button");
    swap.type = "button";
    swap.className = "secondary tile-swap";
    swap.dataset.testid = "make-main";
    swap.textContent = "Make main view";
    swap.addEventListener("click", () => { state.mainCamera = link.pid; arrangeCameras(); });
    tile.append(swap);
  }
  $("remote-grid").append(tile);
  setSink(video);
  updateTile(link);
  arrangeCameras();
}

// A patient's second camera (a seat of role "camera") pairs with the patient's tile: the one
// chosen (state.mainCamera; the patient's own camera first) is the main view, the other an
// inset in its corner. Without a second camera, no tile is either.
function arrangeCameras() {
  const grid = $("remote-grid");
  const camera = grid.querySelector('.tile[data-role="camera"]');
  const patient = grid.querySelector('.tile[data-role="patient"]');
  grid.querySelectorAll(".tile[data-view]").forEach((t) => { delete t.dataset.view; });
  if (!camera || !patient) {
    delete $("stage").dataset.main;
    return;
  }
  const main = String(state.mainCamera) === camera.dataset.pid ? camera : patient;
  const inset = main === camera ? patient : camera;
  main.dataset.view = "main";
  inset.dataset.view = "inset";
  grid.prepend(main);
  $("stage").dataset.main = main.dataset.role;
}

function updateTile(link) {
  const video = document.querySelector(`.tile[data-pid="${link.pid}"] video`);
  if (!video) return;
  const count = link.remoteStream.getTracks().length;
  if (video.dataset.tracks !== String(count)) {
    video.dataset.tracks = String(count);
    video.srcObject = new MediaStream(link.remoteStream.getTracks());
    video.play().catch(() => {});
  }
}

// --- call quality -----------------------------------------------------------------------------

async function sampleQuality() {
  if (!state.admitted || state.ended) return;
  const verdicts = [];
  for (const link of state.links.values()) {
    try {
      const actions = await link.sample();
      actions.forEach((action) => banner(action.messageSelf));
      if (actions.length) reportMode(actions[actions.length - 1]);
    } catch (err) {
      console.warn("stats failed", err);
    }
    verdicts.push(link.verdict);
  }
  const order = ["bad", "warning", "good", "unknown"];
  const worst = verdicts.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] || "unknown";
  const indicator = $("quality");
  indicator.dataset.level = worst;
  indicator.textContent = QUALITY_TEXT[worst];
  render();
}

function reportMode(action) {
  const modes = [...state.links.values()].map((l) => l.quality.mode);
  const overall = modes.sort((a, b) => LADDER.indexOf(a) - LADDER.indexOf(b))[0] || "full";
  $("btn-audio-only").setAttribute("aria-pressed", String(state.manualAudioOnly));
  if (overall === state.mode) return;
  state.mode = overall;
  signaling.send({ type: "mode", mode: overall, manual: action.manual, reason: action.reason }, { queue: true });
  updateSkeleton();
  render();
}

// --- skeleton mode ----------------------------------------------------------------------------
//
// A patient's page sends only pose landmarks (visit/motion.js) instead of video when its call
// has stepped down to audio only for the network (the quality controller's thresholds and
// hysteresis decide, uplink estimate included) or when the therapist asks; it goes back
// when the controller steps up again or the therapist lets go. The patient can stop it.
// Each change is announced to both sides and recorded through the signaling socket.

function skeletonWanted() {
  if (config.host || config.role !== "patient" || state.skeletonLost) return false;
  const network = state.mode === "audio_only" && !state.manualAudioOnly;
  return (network || state.skeletonAsked) && !state.skeletonDeclined;
}

function skeletonReason() {
  return state.mode === "audio_only" && !state.manualAudioOnly ? "network" : "therapist";
}

const SKELETON_TEXT = {
  network: "Your connection is weak, so your video is paused. Your therapist sees a live outline of your body instead: only the position of your joints is sent. Audio continues.",
  therapist: "Your therapist switched to the outline view: your video is paused and only the position of your joints is sent. Audio continues.",
  off: "Your video is back.",
  patient: "You stopped sending the outline of your body; audio continues.",
  page: "This device cannot send the outline of your body; audio continues.",
};

function skeletonStatus(text, on) {
  if (!$("skeleton-status")) return;
  $("skeleton-status-text").textContent = text;
  if ($("skeleton-stop-self")) $("skeleton-stop-self").hidden = !on;
}

async function updateSkeleton() {
  if (state.mode !== "audio_only" && !state.skeletonAsked) state.skeletonDeclined = false;
  const want = skeletonWanted();
  if (want === state.skeletonOn) return;
  state.skeletonOn = want;
  let reason;
  if (want) reason = skeletonReason();
  else if (state.skeletonLost) reason = "page";
  else if (state.skeletonDeclined) reason = "patient";
  else reason = state.skeletonAsked ? "network" : "therapist";
  if (!want && reason === "therapist" && state.skeletonWhy === "network") reason = "network";
  state.skeletonWhy = want ? reason : "";
  for (const link of state.links.values()) await link.holdVideo(want);
  if (signaling) signaling.send({ type: "skeleton", state: want ? "on" : "off", reason }, { queue: true });
  skeletonStatus(SKELETON_TEXT[want || ["patient", "page"].includes(reason) ? reason : "off"], want);
  render();
  if (want) await motion.setSkeleton(true);
  else motion.setSkeleton(false);
}

function onSkeletonAsk(message) {
  if (config.host) return;
  state.skeletonAsked = Boolean(message.on);
  if (message.on) state.skeletonDeclined = false;
  updateSkeleton();
}

function onPeerSkeleton(message) {
  motion.onSkeleton(message);
  const on = message.state === "on";
  const why = { network: "their connection is weak", therapist: "you asked for it" }[message.reason];
  let text;
  if (on) text = `${message.name}: video paused${why ? ` (${why})` : ""}; showing a live skeleton from their camera instead. Audio continues.`;
  else if (message.reason === "patient") text = `${message.name} stopped sending their skeleton; audio continues.`;
  else if (message.reason === "page") text = `${message.name}'s device cannot send a skeleton; audio continues.`;
  else text = `${message.name}: skeleton view ended; their video is back.`;
  banner(text);
  if (config.host) {
    skeletonStatus(text, on);
    const button = $("btn-skeleton");
    if (button && !on) button.setAttribute("aria-pressed", "false");
  }
  const note = document.querySelector(`.tile[data-pid="${message.from}"] .peer-note`);
  if (note) note.textContent = on ? "Live skeleton (video paused)" : "";
  render();
}

function askSkeleton() {
  const button = $("btn-skeleton");
  const on = button.getAttribute("aria-pressed") !== "true";
  button.setAttribute("aria-pressed", String(on));
  for (const pid of state.links.keys()) {
    if ((state.peers.get(pid) || {}).role === "patient") signaling.send({ type: "skeleton_ask", to: pid, on });
  }
}

function onPeerMode(message) {
  const why = message.manual ? "they chose audio only" : "their connection is weak";
  const text = {
    audio_only: `${message.name}: video paused (${why}); audio continues.`,
    reduced: `${message.name}: their connection is weak, so their video quality is lowered.`,
    full: `${message.name}: video is back.`,
  }[message.mode];
  banner(text);
  const note = document.querySelector(`.tile[data-pid="${message.from}"] .peer-note`);
  if (note) note.textContent = message.mode === "full" ? "" : text;
}

async function setAudioOnly(on) {
  state.manualAudioOnly = on;
  for (const link of state.links.values()) {
    const actions = await link.setManualAudioOnly(on);
    actions.forEach((action) => { banner(action.messageSelf); reportMode(action); });
  }
  if (!state.links.size) {
    state.mode = on ? "audio_only" : "full";
    $("btn-audio-only").setAttribute("aria-pressed", String(on));
  }
  updateSkeleton();
  render();
}

// --- chat and whiteboard ----------------------------------------------------------------------

function addChat(message) {
  if (state.chatIds.has(message.id)) return;
  state.chatIds.add(message.id);
  const item = document.createElement("li");
  const from = document.createElement("span");
  from.className = "from";
  from.textContent = message.from === config.pid ? tr("You") : message.name;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = message.text;
  item.append(from, text);
  $("chat-log").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function onWhiteboard(message) {
  if (message.from === config.pid) return; // drawn already
  if (message.op === "clear") whiteboard.clear();
  else whiteboard.add(message.stroke);
  if ($("whiteboard").hidden) banner(tr("Someone is drawing on the whiteboard: open Whiteboard to see it."));
}

// --- controls ---------------------------------------------------------------------------------

function toggle(button, on, onText, offText) {
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? onText : offText;
}

async function switchCamera() {
  const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
  const current = state.cameraTrack ? state.cameraTrack.getSettings().deviceId : "";
  let constraints;
  if (cameras.length > 1) {
    const next = cameras[(cameras.findIndex((c) => c.deviceId === current) + 1) % cameras.length];
    constraints = { deviceId: { exact: next.deviceId } };
  } else {
    state.facing = state.facing === "user" ? "environment" : "user";
    constraints = { facingMode: state.facing };
  }
  let track;
  try {
    track = (await navigator.mediaDevices.getUserMedia({ video: constraints })).getVideoTracks()[0];
  } catch (err) {
    banner(tr("Could not switch the camera."));
    return;
  }
  const old = state.cameraTrack;
  if (old) { state.localStream.removeTrack(old); old.stop(); }
  track.enabled = $("btn-camera").getAttribute("aria-pressed") !== "true";
  state.localStream.addTrack(track);
  state.cameraTrack = track;
  if (!state.screenTrack) {
    for (const link of state.links.values()) await link.replaceVideo(track);
    $("local-video").srcObject = new MediaStream(state.localStream.getTracks());
  }
}

async function stopShare() {
  if (!state.screenTrack) return;
  state.screenTrack.stop();
  state.screenTrack = null;
  for (const link of state.links.values()) await link.replaceVideo(state.cameraTrack);
  $("local-video").srcObject = state.localStream;
  toggle($("btn-share"), false, tr("Stop sharing"), tr("Share screen"));
}

async function toggleShare() {
  if (state.screenTrack) {
    await stopShare();
    return;
  }
  let track;
  try {
    track = (await navigator.mediaDevices.getDisplayMedia({ video: true })).getVideoTracks()[0];
  } catch (err) {
    return; // the person cancelled
  }
  track.onended = stopShare;
  state.screenTrack = track;
  for (const link of state.links.values()) await link.replaceVideo(track);
  $("local-video").srcObject = new MediaStream([track]);
  toggle($("btn-share"), true, tr("Stop sharing"), tr("Share screen"));
}

function wireControls() {
  $("btn-mute").addEventListener("click", () => {
    const muted = $("btn-mute").getAttribute("aria-pressed") !== "true";
    state.localStream.getAudioTracks().forEach((t) => { t.enabled = !muted; });
    toggle($("btn-mute"), muted, tr("Unmute"), tr("Mute"));
  });
  $("btn-camera").addEventListener("click", () => {
    const off = $("btn-camera").getAttribute("aria-pressed") !== "true";
    if (state.cameraTrack) state.cameraTrack.enabled = !off;
    toggle($("btn-camera"), off, tr("Camera on"), tr("Camera off"));
  });
  $("btn-switch").addEventListener("click", switchCamera);
  $("btn-share").addEventListener("click", toggleShare);
  $("btn-audio-only").addEventListener("click", () => setAudioOnly(!state.manualAudioOnly));
  if ($("btn-skeleton")) $("btn-skeleton").addEventListener("click", askSkeleton);
  if ($("skeleton-stop-self")) {
    $("skeleton-stop-self").addEventListener("click", () => { state.skeletonDeclined = true; updateSkeleton(); });
  }
  if ($("btn-pip")) $("btn-pip").addEventListener("click", togglePip);
  $("btn-whiteboard").addEventListener("click", () => {
    const open = $("whiteboard").hidden;
    $("whiteboard").hidden = !open;
    $("wb-tools").hidden = !open;
    $("btn-whiteboard").setAttribute("aria-pressed", String(open));
  });
  $("wb-color").addEventListener("change", () => { whiteboard.color = $("wb-color").value; });
  $("wb-clear").addEventListener("click", () => {
    whiteboard.clear();
    signaling.send({ type: "wb", op: "clear" }, { queue: true });
  });
  if ($("wb-save")) {
    $("wb-save").addEventListener("click", async () => {
      const blob = await whiteboard.png();
      const response = await fetch(config.whiteboardUrl, {
        method: "POST", headers: { "Content-Type": "image/png", "X-CSRFToken": csrf }, body: blob,
      });
      const body = response.ok ? {} : await response.json().catch(() => ({}));
      $("wb-status").textContent = response.ok ? "Saved to the chart."
        : (body.message || "Could not save the whiteboard.");
    });
  }
  // A host's End visit ends everyone's call: it asks first (Cancel keeps the call going).
  const endDialog = $("end-dialog");
  if (endDialog) {
    endDialog.addEventListener("close", () => {
      if (endDialog.returnValue === "end") signaling.send({ type: "end" });
      endDialog.returnValue = "";
    });
  }
  $("btn-end").addEventListener("click", () => {
    if (config.host && endDialog) {
      endDialog.showModal();
      return;
    }
    signaling.send({ type: config.host ? "end" : "leave" });
    if (!config.host) setTimeout(() => finish(tr("You left the visit.")), 500);
  });
  $("leave-waiting").addEventListener("click", () => {
    signaling.send({ type: "leave" });
    setTimeout(() => finish(tr("You left the waiting room.")), 500);
  });
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-input");
    const text = input.value.trim();
    if (!text) return;
    signaling.send({ type: "chat", text }, { queue: true });
    input.value = "";
  });
  $("text-link").addEventListener("click", async () => {
    const { ok, data } = await postJson(config.textUrl, {});
    $("text-link-result").textContent = ok ? tr("Sent to %(number)s.").replace("%(number)s", data.sentTo) : data.message || tr("Could not send a text.");
  });
  if (config.host) wireHost();
}

// --- the host's waiting-room controls ---------------------------------------------------------

function personLabel(person) {
  const extra = [person.guestRole, person.language].filter(Boolean).join(", ");
  const name = extra ? `${person.name} (${extra})` : person.name;
  return person.where ? `${name} · ${person.where}` : name;  // a patient: "At home, New York"
}

function actionButton(label, action, pid, cls = "secondary") {
  const button = document.createElement("button");
  button.type = "button";
  button.className = cls;
  button.textContent = label;
  button.dataset.action = action;
  button.dataset.pid = String(pid);
  if (action === "admit") button.dataset.testid = "admit";
  return button;
}

function renderRoster(roster) {
  if (!config.host) return;
  const lobby = $("lobby-list");
  lobby.replaceChildren();
  roster.waiting.forEach((person) => {
    const item = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    const minutes = person.since ? Math.max(0, Math.round((Date.now() - Date.parse(person.since)) / 60000)) : 0;
    who.textContent = `${personLabel(person)} · waiting ${minutes} min`;
    item.append(who, actionButton("Admit", "admit", person.pid, ""), actionButton("Decline", "decline", person.pid));
    lobby.append(item);
  });
  if (!roster.waiting.length) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = "Nobody is waiting.";
    lobby.append(empty);
  }
  $("lobby-count").textContent = String(roster.waiting.length);
  $("admit-all").disabled = roster.waiting.length === 0;
  const room = $("room-list");
  room.replaceChildren();
  roster.room.filter((person) => person.role !== "camera").forEach((person) => {
    const item = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = personLabel(person) + (person.pid === config.pid ? " (you)" : "") +
      (person.connected ? "" : " (reconnecting)");
    item.append(who);
    if (!person.host) item.append(actionButton("Send back", "send_back", person.pid), actionButton("Remove", "remove", person.pid));
    room.append(item);
  });
}

function wireHost() {
  const act = (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    signaling.send({ type: button.dataset.action, pid: Number(button.dataset.pid) });
  };
  $("lobby-list").addEventListener("click", act);
  $("room-list").addEventListener("click", act);
  $("admit-all").addEventListener("click", () => signaling.send({ type: "admit_all" }));
  const invite = $("invite-form");
  if (invite) {
    invite.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { ok, data } = await postJson(config.guestsUrl, {
        name: $("invite-name").value, guest_role: $("invite-role").value, language: $("invite-language").value,
      });
      $("invite-result").textContent = ok ? `Send this link to the guest: ${data.url}` : data.message;
      if (ok) invite.reset();
    });
  }
}

// --- the visit timer --------------------------------------------------------------------------

function tickTimer() {
  if (state.startedAt === null || state.ended) return;
  const seconds = Math.max(0, Math.floor((Date.now() - state.startedAt) / 1000));
  const h = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  $("timer").textContent = h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// --- the video in view while documenting -------------------------------------------------------
//
// CSS keeps the stage pinned (position: sticky) while the page or the docked note scrolls.
// Where the browser has the Document Picture-in-Picture API, the host can also move the
// stage into a small always-on-top window, and back (closing that window brings it back).

async function togglePip() {
  const stage = $("stage");
  const button = $("btn-pip");
  if (state.pip) {
    state.pip.close();
    return;
  }
  let pip;
  try {
    pip = await window.documentPictureInPicture.requestWindow({ width: 480, height: 270 });
  } catch (err) {
    banner("The video cannot open in its own window here; it stays pinned at the top.");
    return;
  }
  state.pip = pip;
  [...document.styleSheets].forEach((sheet) => {
    if (sheet.href) {
      const link = pip.document.createElement("link");
      link.rel = "stylesheet";
      link.href = sheet.href;
      pip.document.head.append(link);
    }
  });
  pip.document.body.className = "visit-pip";
  const placeholder = document.createElement("div");
  placeholder.id = "stage-placeholder";
  placeholder.className = "stage-placeholder";
  placeholder.textContent = "The video is in its own window.";
  stage.before(placeholder);
  pip.document.body.append(stage);
  button.setAttribute("aria-pressed", "true");
  pip.addEventListener("pagehide", () => {
    placeholder.replaceWith(stage);
    state.pip = null;
    button.setAttribute("aria-pressed", "false");
    stage.querySelectorAll("video").forEach((v) => v.play().catch(() => {}));
  });
}

// Read-only facts for tests and support: which ICE candidate types carry each connection.
window.teleptVisit = Object.freeze({
  async selectedCandidateTypes() {
    const types = [];
    for (const link of state.links.values()) {
      const report = await link.pc.getStats();
      report.forEach((entry) => {
        if (entry.type === "candidate-pair" && entry.nominated && entry.state === "succeeded") {
          const local = report.get(entry.localCandidateId);
          const remote = report.get(entry.remoteCandidateId);
          types.push([local && local.candidateType, remote && remote.candidateType]);
        }
      });
    }
    return types;
  },
  // Skeleton mode (therapist): ms from a landmark frame leaving the patient's page to its
  // skeleton drawn here, newest last (both pages' performance.timeOrigin + now()).
  skeletonDelays() {
    return [...motion.delays];
  },
  // What each connection sends as video now: the track's label and state (camera, screen).
  sentVideo() {
    return [...state.links.values()].map((link) => {
      const sender = link.videoSender();
      const track = sender && sender.track;
      return track ? { id: track.id, label: track.label, state: track.readyState } : null;
    });
  },
});

if ($("btn-pip") && "documentPictureInPicture" in window) $("btn-pip").hidden = false;
wireControls();
prejoin();
