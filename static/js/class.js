// The group class page (telept/groupvideo): pre-join, waiting room, then the class through
// Janus's VideoRoom. Our WebSocket carries the control plane (admit, spotlight, mute-all,
// hands, remove, chat, movement summaries); media goes browser <-> Janus only.
//
// A small Janus client over its WebSocket API (not janus.js): the core token is refreshed
// from our server before it expires and every request reads the current one, so a seat the
// host removed loses Janus as soon as its last token expires (and is kicked at once).

const main = document.getElementById("class");
const config = JSON.parse(main.dataset.config);
const csrf = main.dataset.csrf;
const $ = (id) => document.getElementById(id);
const sid = Math.random().toString(36).slice(2, 12);
const PAGE_SIZE = 9;

const state = {
  local: null, audioOnly: false, ws: null, janus: null, roster: { waiting: [], room: [] },
  spotlight: null, hostPid: null, tiles: new Map(), page: 0, muted: false, hands: new Set(),
  motion: null, summaries: new Map(), ended: false,
};

function setState(value) { main.dataset.callState = value; }
function banner(text) { const el = $("banner"); if (el) el.textContent = text; }

async function post(url, body = {}) {
  const response = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body), credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message || "refused"), { code: data.code });
  return data;
}

// --- devices ----------------------------------------------------------------------------------

async function startDevices() {
  const status = $("device-status");
  try {
    state.local = await navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: 640, height: 480, frameRate: 15 } });
    $("preview").srcObject = state.local;
    status.textContent = "Camera and microphone ready.";
  } catch {
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: true });
      state.audioOnly = true;
      status.textContent = "No camera found: you will join with audio only.";
    } catch {
      status.textContent = "We could not use your camera or microphone. Check the browser's permission.";
    }
  }
}

// --- our WebSocket ------------------------------------------------------------------------------

function connectSocket(ticket) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}${ticket.wsPath}?t=${encodeURIComponent(ticket.ticket)}&s=${sid}`);
  state.ws = ws;
  ws.onmessage = (event) => onFrame(JSON.parse(event.data));
  ws.onclose = () => {
    if (state.ended || state.ws !== ws) return;
    setTimeout(async () => {
      try { connectSocket(await post(config.ticketUrl)); } catch (exc) { refused(exc.code, exc.message); }
    }, 1000);
  };
}

function send(frame) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(frame));
}

function refused(code, message) {
  state.ended = true;
  setState("ended");
  $("ended-message").textContent = message || "You cannot join this class now.";
  main.dataset.refused = code || "";
  stopJanus();
}

function onFrame(frame) {
  switch (frame.type) {
    case "hello": case "state": applyState(frame); break;
    case "roster": applyRoster(frame); break;
    case "class": applyClass(frame); break;
    case "mute": muteSelf(true, `${frame.by} muted ${frame.all ? "everyone" : "you"}.`); break;
    case "chat": addChat(frame); break;
    case "hand": onHand(frame); break;
    case "motion": onMotion(frame); break;
    case "motion_summary": onSummary(frame); break;
    case "refused": refused(frame.code, frame.message); break;
    case "ended": state.ended = true; stopJanus(); setState("ended");
      $("ended-message").textContent = frame.message; break;
    case "error": banner(frame.message); break;
    default: break;
  }
}

function applyState(frame) {
  applyRoster(frame.roster);
  applyClass(frame.class);
  (frame.chat || []).forEach(addChat);
  if (frame.status === "admitted") {
    setState("in-call");
    if (!state.janus) startJanus().catch((exc) => banner(exc.message || "Video could not start."));
  } else if (frame.status === "waiting") {
    setState("waiting");
  }
}

function applyRoster(roster) {
  state.roster = roster;
  const host = roster.room.find((s) => s.host);
  if (host) state.hostPid = host.pid;
  if (config.host) {
    const lobby = $("lobby");
    lobby.replaceChildren(...roster.waiting.map((seat) => {
      const li = document.createElement("li");
      li.textContent = `${seat.name} `;
      const admit = document.createElement("button");
      admit.type = "button"; admit.textContent = `Admit ${seat.name}`;
      admit.dataset.testid = "admit";
      admit.onclick = () => send({ type: "admit", pid: seat.pid });
      li.append(admit);
      return li;
    }));
    $("lobby-empty").hidden = roster.waiting.length > 0;
    $("btn-admit-all").hidden = roster.waiting.length < 2;
  }
  renderTiles();
  layout();
}

function applyClass(info) {
  if (!info) return;
  state.spotlight = info.spotlight;
  main.dataset.spotlight = String(info.spotlight ?? "");
  layout();
}

// --- Janus ---------------------------------------------------------------------------------------

class JanusClient {
  constructor(server, tokens) {
    this.server = server; this.tokens = tokens; this.pending = new Map(); this.handlers = new Map();
    this.session = null;
  }
  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.server, "janus-protocol");
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error("The video server did not answer."));
      this.ws.onclose = () => { if (!state.ended) banner("The video connection closed."); };
      this.ws.onmessage = (event) => this.onMessage(JSON.parse(event.data));
    });
  }
  request(body) {
    const transaction = Math.random().toString(36).slice(2);
    const message = { ...body, transaction, token: this.tokens.token };
    if (this.session && !message.session_id) message.session_id = this.session;
    return new Promise((resolve, reject) => {
      this.pending.set(transaction, { resolve, reject, ack: body.janus === "message" || body.janus === "trickle" });
      this.ws.send(JSON.stringify(message));
    });
  }
  onMessage(msg) {
    const waiting = msg.transaction && this.pending.get(msg.transaction);
    if (waiting && (msg.janus !== "ack" || waiting.ack)) {
      this.pending.delete(msg.transaction);
      if (msg.janus === "error") waiting.reject(Object.assign(new Error(msg.error.reason), { janusCode: msg.error.code }));
      else waiting.resolve(msg);
      if (msg.janus === "ack" || msg.janus === "success") return;
    }
    const handler = msg.sender && this.handlers.get(msg.sender);
    if (handler) handler(msg);
  }
  async start() {
    await this.open();
    const created = await this.request({ janus: "create" });
    this.session = created.data.id;
    this.keepalive = setInterval(() => this.request({ janus: "keepalive" }).catch(() => {}), 25000);
  }
  async attach(onEvent) {
    const attached = await this.request({ janus: "attach", plugin: "janus.plugin.videoroom" });
    const handle = attached.data.id;
    this.handlers.set(handle, onEvent);
    return handle;
  }
  message(handle, body, jsep) {
    return this.request({ janus: "message", handle_id: handle, body, ...(jsep ? { jsep } : {}) });
  }
  trickle(handle, candidate) {
    return this.request({ janus: "trickle", handle_id: handle, candidate: candidate || { completed: true } }).catch(() => {});
  }
  close() {
    clearInterval(this.keepalive);
    try { this.ws.close(); } catch { /* closed */ }
  }
}

async function refreshTokens() {
  try {
    const fresh = await post(config.janusUrl);
    state.janus.tokens.token = fresh.token;
    state.janus.tokens.roomToken = fresh.roomToken;
  } catch (exc) {
    if (exc.code) refused(exc.code, exc.message);
  }
}

function stopJanus() {
  clearInterval(state.refresh);
  if (state.janus) state.janus.close();
  for (const tile of state.tiles.values()) tile.pc && tile.pc.close();
  if (state.publisherPc) state.publisherPc.close();
}

async function startJanus() {
  const tokens = await post(config.janusUrl);
  state.feed = tokens.feed;
  const client = new JanusClient(tokens.server, tokens);
  state.janus = client;
  await client.start();
  state.refresh = setInterval(refreshTokens, Math.max(10, tokens.expiresIn / 2) * 1000);
  const handle = await client.attach((msg) => onPublisherEvent(msg));
  state.publisherHandle = handle;
  await client.message(handle, {
    request: "join", ptype: "publisher", room: tokens.room, pin: tokens.pin,
    token: tokens.roomToken, id: tokens.feed, display: config.name,
  });
  state.room = tokens.room; state.pin = tokens.pin;
  $("self-video").srcObject = state.local;
}

async function publish() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  state.publisherPc = pc;
  pc.onicecandidate = (e) => state.janus.trickle(state.publisherHandle, e.candidate);
  const audio = state.local && state.local.getAudioTracks()[0];
  const video = !state.audioOnly && state.local && state.local.getVideoTracks()[0];
  if (audio) pc.addTransceiver(audio, { direction: "sendonly", streams: [state.local] });
  if (video) {
    // Simulcast: three layers; small tiles ask Janus for the low one.
    pc.addTransceiver(video, { direction: "sendonly", streams: [state.local], sendEncodings: [
      { rid: "h", maxBitrate: 300000 },
      { rid: "m", maxBitrate: 100000, scaleResolutionDownBy: 2 },
      { rid: "l", maxBitrate: 40000, scaleResolutionDownBy: 4 }] });
  }
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await state.janus.message(state.publisherHandle, { request: "publish", audio: Boolean(audio), video: Boolean(video) },
    { type: offer.type, sdp: offer.sdp });
  if (state.muted) setAudioEnabled(false);
}

function onPublisherEvent(msg) {
  const data = msg.plugindata && msg.plugindata.data;
  if (msg.jsep && state.publisherPc) state.publisherPc.setRemoteDescription(msg.jsep);
  if (msg.janus === "trickle" && state.publisherPc && msg.candidate && !msg.candidate.completed) {
    state.publisherPc.addIceCandidate(msg.candidate).catch(() => {});
  }
  if (!data) return;
  if (data.videoroom === "joined") {
    state.privateId = data.private_id;
    publish().catch((exc) => banner(`Could not send your video: ${exc.message}`));
    (data.publishers || []).forEach(onPublisher);
  } else if (data.videoroom === "event") {
    (data.publishers || []).forEach(onPublisher);
    const gone = data.unpublished || data.leaving;
    if (gone && gone !== "ok") dropFeed(gone);
    if (data.error_code) banner(data.error);
  } else if (data.videoroom === "talking" || data.videoroom === "stopped-talking") {
    const tile = state.tiles.get(data.id);
    if (tile) { tile.el.dataset.speaking = String(data.videoroom === "talking"); if (data.videoroom === "talking") tile.spoke = Date.now(); layout(); }
  } else if (data.videoroom === "destroyed") {
    refused("ended", "The class has ended.");
  }
}

function seatOf(feed) { return Math.floor(feed / 1000); }

function wants(feed) {
  // The host watches everyone; a participant the host and whoever is spotlighted.
  if (config.host) return true;
  const pid = seatOf(feed);
  return pid === state.hostPid || pid === state.spotlight;
}

function onPublisher(pub) {
  if (state.tiles.has(pub.id) || pub.id === state.feed) return;
  const pid = seatOf(pub.id);
  if (pid === config.pid) return; // an older page of ours
  if (!state.hostPid && state.roster.room.some((s) => s.host && s.pid === pid)) state.hostPid = pid;
  const tile = makeTile(pub.id, pid, pub.display);
  state.tiles.set(pub.id, tile);
  if (wants(pub.id)) subscribe(tile).catch((exc) => banner(exc.message));
  layout();
}

function dropFeed(feed) {
  const tile = state.tiles.get(feed);
  if (!tile) return;
  if (tile.pc) tile.pc.close();
  tile.el.remove();
  state.tiles.delete(feed);
  layout();
}

function nameOf(pid, fallback) {
  const seat = state.roster.room.find((s) => s.pid === pid);
  return seat ? seat.name : (fallback || "Participant");
}

function makeTile(feed, pid, display) {
  const el = document.createElement("figure");
  el.className = "class-tile";
  el.dataset.pid = String(pid);
  el.dataset.testid = "tile";
  const video = document.createElement("video");
  video.autoplay = true; video.playsInline = true; video.dataset.testid = "remote-video";
  const name = document.createElement("span");
  name.className = "tile-name"; name.textContent = nameOf(pid, display);
  const flags = document.createElement("span");
  flags.className = "tile-flags"; flags.dataset.testid = "flags";
  const media = document.createElement("div");
  media.className = "tile-media";
  media.append(video, name, flags);
  el.append(media);
  if (config.host) {
    const actions = document.createElement("div");
    actions.className = "tile-actions";
    for (const [label, frame] of [["Mute", { type: "mute", pid }], ["Spotlight", { type: "spotlight", pid }],
      ["Remove", { type: "remove", pid }]]) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = label; b.className = "secondary";
      b.dataset.testid = `tile-${label.toLowerCase()}`;
      b.setAttribute("aria-label", `${label} ${name.textContent}`);
      b.onclick = () => {
        if (label === "Remove" && !confirm(`Remove ${name.textContent} from the class?`)) return;
        send(frame);
      };
      actions.append(b);
    }
    el.append(actions);
  }
  return { feed, pid, el, video, flags, pc: null, handle: null, substream: null };
}

async function subscribe(tile) {
  const client = state.janus;
  const pc = new RTCPeerConnection({ iceServers: [] });
  tile.pc = pc;
  const stream = new MediaStream();
  pc.ontrack = (e) => { stream.addTrack(e.track); tile.video.srcObject = stream; };
  tile.handle = await client.attach(async (msg) => {
    if (msg.janus === "trickle" && msg.candidate && !msg.candidate.completed) {
      pc.addIceCandidate(msg.candidate).catch(() => {});
    }
    if (msg.jsep && msg.jsep.type === "offer") {
      await pc.setRemoteDescription(msg.jsep);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await client.message(tile.handle, { request: "start", room: state.room },
        { type: answer.type, sdp: answer.sdp });
    }
  });
  pc.onicecandidate = (e) => client.trickle(tile.handle, e.candidate);
  await client.message(tile.handle, {
    request: "join", ptype: "subscriber", room: state.room, pin: state.pin,
    token: client.tokens.roomToken, private_id: state.privateId,
    streams: [{ feed: tile.feed }],
  });
}

function setSubstream(tile, substream) {
  if (!tile.handle || tile.substream === substream) return;
  tile.substream = substream;
  state.janus.message(tile.handle, { request: "configure", substream }).catch(() => {});
}

function layout() {
  const spot = $("spotlight");
  const grid = $("grid");
  if (!spot || !grid) return;
  const bigPid = state.spotlight ?? state.hostPid;
  const tiles = [...state.tiles.values()];
  // Active speaker first beyond a page (whoever spoke last leads).
  tiles.sort((a, b) => (b.spoke || 0) - (a.spoke || 0) || a.pid - b.pid);
  const big = tiles.find((t) => t.pid === bigPid);
  const small = tiles.filter((t) => t !== big && (config.host || wants(t.feed)));
  if (!config.host) {
    for (const t of tiles) if (wants(t.feed) && !t.pc) subscribe(t).catch(() => {});
  }
  spot.replaceChildren(...(big ? [big.el] : []));
  if (big) setSubstream(big, 2);
  const pages = Math.max(1, Math.ceil(small.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const shown = small.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  grid.replaceChildren(...shown.map((t) => t.el));
  shown.forEach((t) => setSubstream(t, 0));
  $("pager").hidden = pages < 2;
  $("page-label").textContent = `Page ${state.page + 1} of ${pages}`;
  // Self large when spotlighted, small otherwise.
  $("self-video").classList.toggle("class-self", state.spotlight !== config.pid);
  if (state.spotlight === config.pid) spot.replaceChildren($("self-video"));
  else if ($("self-video").parentElement === spot) $("call").append($("self-video"));
}

function renderTiles() {
  for (const tile of state.tiles.values()) {
    tile.el.querySelector(".tile-name").textContent = nameOf(tile.pid);
    const seat = state.roster.room.find((s) => s.pid === tile.pid);
    const flags = [];
    if (state.hands.has(tile.pid)) flags.push("✋ hand raised");
    if (seat && seat.audioOnly) flags.push("audio only");
    const summary = state.summaries.get(tile.pid);
    if (summary) {
      flags.push(summary.reps === 1 ? "1 rep" : `${summary.reps} reps`);
      const stopped = !summary.inView || Date.now() - summary.lastMove > 8000;
      tile.el.dataset.stopped = String(stopped);
      if (!summary.inView) flags.push("out of frame"); else if (stopped) flags.push("stopped");
    }
    tile.flags.textContent = flags.join(" · ");
    tile.el.dataset.reps = summary ? String(summary.reps) : "";
    tile.el.dataset.inView = summary ? String(Boolean(summary.inView)) : "";
  }
}

// --- controls ------------------------------------------------------------------------------------

function setAudioEnabled(on) {
  if (state.local) state.local.getAudioTracks().forEach((t) => { t.enabled = on; });
}

function muteSelf(muted, why = "") {
  state.muted = muted;
  setAudioEnabled(!muted);
  const btn = $("btn-mute");
  btn.setAttribute("aria-pressed", String(muted));
  btn.textContent = muted ? "Unmute" : "Mute";
  if (why) banner(why);
}

function addChat(msg) {
  const li = document.createElement("li");
  li.textContent = `${msg.name}: ${msg.text}`;
  $("chat-log").append(li);
}

function onHand(frame) {
  if (frame.raised) state.hands.add(frame.pid); else state.hands.delete(frame.pid);
  if (config.host && frame.raised) banner(`${frame.name} raised a hand.`);
  renderTiles();
}

function onSummary(frame) {
  const old = state.summaries.get(frame.pid);
  const moved = !old || old.reps !== frame.reps || frame.moving;
  state.summaries.set(frame.pid, { ...frame, lastMove: moved ? Date.now() : old.lastMove });
  renderTiles();
}

async function onMotion(frame) {
  if (config.host) return;
  const indicator = $("motion-indicator");
  if (state.motion) { state.motion.stop(); state.motion = null; }
  indicator.hidden = !frame.on;
  if (!frame.on || state.audioOnly) return;
  const { createPoseTracker, poseSupported } = await import("./motion/pose.js");
  const { LiveAnalyzer } = await import("./motion/analyzer.js");
  const video = $("self-video");
  let analyzer = null;
  let last = { reps: 0, angle: null, inView: false, moving: false };
  const sendTimer = setInterval(() => send({ type: "motion_summary", ...last }), 300);
  let tracker = null;
  state.motion = { stop() { clearInterval(sendTimer); if (tracker) tracker.stop(); } };
  if (!poseSupported()) return;
  try {
    tracker = await createPoseTracker(video, (landmarks, t) => {
      if (!landmarks) { last = { ...last, inView: false }; return; }
      analyzer = analyzer || new LiveAnalyzer({ exercise: frame.exercise, width: video.videoWidth || 640, height: video.videoHeight || 480 });
      // Pose also guesses joints outside the picture (the knees of someone framed from the
      // waist up), sometimes with a confident visibility: a guess is neither "in view" nor
      // counted, so the host sees "out of frame" instead of reps nobody did.
      if (!inPicture(analyzer.exercise, landmarks)) { last = { ...last, inView: false }; return; }
      try {
        const out = analyzer.push(landmarks, t);
        const angle = Number.isFinite(out.angle_deg) ? Math.max(0, Math.min(200, out.angle_deg)) : null;
        last = { reps: out.reps, angle, inView: true, moving: last.angle !== null && angle !== null && Math.abs(angle - last.angle) > 2 };
      } catch { /* a bad frame */ }
    });
  } catch { /* pose could not start: the summary says out of frame */ }
}

// True when, on at least one side of the body, the three landmarks the exercise measures are
// seen (visibility >= 0.5, the analyzer's own gate) and inside the picture.
function inPicture(exercise, landmarks) {
  const inside = (i) => {
    const [x, y, , v] = landmarks[i] || [];
    return v >= 0.5 && x >= 0 && x <= 1 && y >= 0 && y <= 1;
  };
  return ["left", "right"].some((side) => exercise[side].every(inside));
}

function bindControls() {
  $("btn-mute").onclick = () => muteSelf(!state.muted);
  $("btn-camera").onclick = () => {
    const track = state.local && state.local.getVideoTracks()[0];
    if (!track) return;
    track.enabled = !track.enabled;
    $("btn-camera").setAttribute("aria-pressed", String(!track.enabled));
    send({ type: "mode", audioOnly: !track.enabled });
  };
  $("btn-end").onclick = () => {
    if (config.host) { if (confirm("End the class for everyone?")) send({ type: "end" }); }
    else { send({ type: "leave" }); state.ended = true; stopJanus(); setState("ended"); }
  };
  $("chat-form").onsubmit = (e) => {
    e.preventDefault();
    const text = $("chat-text").value.trim();
    if (text) send({ type: "chat", text });
    $("chat-text").value = "";
  };
  $("page-prev").onclick = () => { state.page = Math.max(0, state.page - 1); layout(); };
  $("page-next").onclick = () => { state.page += 1; layout(); };
  if (config.host) {
    $("btn-mute-all").onclick = () => send({ type: "mute" });
    $("btn-spotlight-me").onclick = () => send({ type: "spotlight", pid: config.pid });
    $("btn-admit-all").onclick = () => send({ type: "admit_all" });
    $("btn-measure").onclick = () => {
      const on = $("btn-measure").getAttribute("aria-pressed") !== "true";
      $("btn-measure").setAttribute("aria-pressed", String(on));
      $("btn-measure").textContent = on ? "Stop counting" : "Start counting";
      send({ type: "motion", on, exercise: $("exercise").value });
    };
    setInterval(renderTiles, 2000);
  } else {
    $("btn-hand").onclick = () => {
      const raised = $("btn-hand").getAttribute("aria-pressed") !== "true";
      $("btn-hand").setAttribute("aria-pressed", String(raised));
      $("btn-hand").textContent = raised ? "Lower hand" : "Raise hand";
      send({ type: "hand", raised });
    };
  }
}

async function main_() {
  if (!config.sfu) return;
  bindControls();
  const devices = startDevices();
  $("ready-form").onsubmit = async (e) => {
    e.preventDefault();
    $("ready-error").textContent = "";
    await devices;
    const form = new FormData($("ready-form"));
    if ($("audio-only-choice").checked && state.local) {
      state.audioOnly = true;
      state.local.getVideoTracks().forEach((t) => t.stop());
    }
    try {
      const answer = await post(config.readyUrl, {
        state: form.get("state") || "", located_at: form.get("located_at") || "",
        consent: Boolean($("consent-agree") && $("consent-agree").checked),
        signer: form.get("signer") || "",
      });
      connectSocket(answer.ticket);
    } catch (exc) {
      $("ready-error").textContent = exc.message;
    }
  };
}

main_();
