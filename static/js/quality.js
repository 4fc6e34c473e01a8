// Call-quality controller for video visits, in the browser.
//
// A line-for-line port of telept/visits/rules/webrtc_stats.py and quality.py: same
// thresholds, mode names, reason codes and arithmetic order, so a recorded getStats
// sequence gives the same decisions here and in Python (the shared JSON fixtures under
// telept/visits/tests/fixtures/ are replayed by both test suites). Change both or neither.
//
// Why: on a weak home connection a patient is better served by a steady lower picture, or
// audio alone, than by a frozen video that also drowns the audio. Step down quickly, come
// back slowly, one level at a time, and never flap; a person's own audio-only choice is
// lifted only by that person.
//
// Usage:
//   const qc = new QualityController();
//   setInterval(async () => {
//     for (const action of qc.step(await pc.getStats())) apply(action); // and tell the peer
//   }, 2000);
//   audioOnlyButton.onclick = () => qc.setManualAudioOnly(true).forEach(apply);
//
// No dependencies; an ES module.

export const MODES = Object.freeze({ FULL: "full", REDUCED: "reduced", AUDIO_ONLY: "audio_only" });
const LADDER = [MODES.AUDIO_ONLY, MODES.REDUCED, MODES.FULL]; // lowest to highest

export const QUALITIES = Object.freeze({
  GOOD: "good",
  WARNING: "warning",
  BAD: "bad",
  UNKNOWN: "unknown", // nothing measurable in the interval
});

// Stable codes for the call quality log and the UI; never reworded once shipped.
export const REASONS = Object.freeze({
  NETWORK_POOR: "network_poor",
  NETWORK_BAD: "network_bad",
  NETWORK_RECOVERED: "network_recovered",
  MANUAL_AUDIO_ONLY: "manual_audio_only",
  MANUAL_VIDEO_RESUMED: "manual_video_resumed",
});

// In a fixed order so logs compare equal.
export const CAUSES = Object.freeze({
  RTT: "rtt",
  JITTER: "jitter",
  LOSS: "loss",
  REMOTE_LOSS: "remote_loss",
  BANDWIDTH: "bandwidth",
});
const CAUSE_ORDER = Object.values(CAUSES);

// What to apply to the video RTCRtpSender in each mode (null: no limit).
export const VIDEO_PROFILES = Object.freeze({
  [MODES.FULL]: Object.freeze({
    enabled: true, maxBitrateBps: null, scaleResolutionDownBy: 1.0, maxFramerate: null,
  }),
  [MODES.REDUCED]: Object.freeze({
    enabled: true, maxBitrateBps: 250000, scaleResolutionDownBy: 2.0, maxFramerate: 15,
  }),
  [MODES.AUDIO_ONLY]: Object.freeze({
    enabled: false, maxBitrateBps: null, scaleResolutionDownBy: 1.0, maxFramerate: null,
  }),
});

// The product's thresholds and hysteresis (see quality.py Config for the sources).
export const DEFAULT_CONFIG = Object.freeze({
  warnRttMs: 400.0, // Twilio: RTT > 400 ms is trouble
  badRttMs: 800.0, // ITU-T G.114: one-way > 400 ms is unacceptable
  warnJitterMs: 30.0, // Twilio
  badJitterMs: 100.0,
  warnLossPct: 3.0, // Twilio
  badLossPct: 10.0,
  warnOutgoingKbps: 300.0,
  badOutgoingKbps: 100.0,
  minPackets: 20,
  downSamples: 3,
  downVotes: 2,
  minDwellMs: 4000.0,
  recoverMs: 10000.0,
  recoverMinSamples: 4,
  recoverMaxMs: 80000.0,
  probationMs: 30000.0,
});

export function makeConfig(overrides = {}) {
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_CONFIG)) throw new TypeError(`unknown quality config key: ${key}`);
  }
  const c = { ...DEFAULT_CONFIG, ...overrides };
  if (!(c.downVotes >= 1 && c.downVotes <= c.downSamples)) {
    throw new RangeError("downVotes must be between 1 and downSamples");
  }
  // The way up must be longer than the way down, in samples and in time.
  if (c.recoverMinSamples <= c.downSamples) {
    throw new RangeError("recoverMinSamples must exceed downSamples");
  }
  if (!(c.minDwellMs < c.recoverMs && c.recoverMs <= c.recoverMaxMs)) {
    throw new RangeError("need minDwellMs < recoverMs <= recoverMaxMs");
  }
  if (c.warnRttMs > c.badRttMs || c.warnJitterMs > c.badJitterMs || c.warnLossPct > c.badLossPct) {
    throw new RangeError("warning thresholds must not exceed bad thresholds");
  }
  if (c.badOutgoingKbps > c.warnOutgoingKbps) {
    throw new RangeError("badOutgoingKbps must not exceed warnOutgoingKbps");
  }
  return Object.freeze(c);
}

// --- snapshots (webrtc_stats.py) ----------------------------------------------------------

function num(entry, key) {
  const value = entry[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function sum(values) {
  const present = values.filter((v) => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}

function max(values) {
  const present = values.filter((v) => v !== null);
  return present.length ? Math.max(...present) : null;
}

// The first of keys that has a value (null and undefined count as absent).
function present(entry, ...keys) {
  for (const key of keys) {
    if (entry[key] !== undefined && entry[key] !== null) return entry[key];
  }
  return null;
}

function text(value) {
  return value === null ? "" : String(value);
}

function kindOf(entry) {
  return present(entry, "kind", "mediaType"); // older Chromium says mediaType
}

function stream(entries) {
  if (!entries.length) return null;
  const keys = entries.map((e) => text(present(e, "ssrc", "id")));
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.freeze({
    key: keys.join("|"),
    packetsReceived: sum(entries.map((e) => num(e, "packetsReceived"))),
    packetsLost: sum(entries.map((e) => num(e, "packetsLost"))),
    bytesReceived: sum(entries.map((e) => num(e, "bytesReceived"))),
    framesDecoded: sum(entries.map((e) => num(e, "framesDecoded"))),
    jitterS: max(entries.map((e) => num(e, "jitter"))),
    framesPerSecond: max(entries.map((e) => num(e, "framesPerSecond"))),
  });
}

function remote(entries) {
  if (!entries.length) return null;
  return Object.freeze({
    rttS: max(entries.map((e) => num(e, "roundTripTime"))),
    fractionLost: max(entries.map((e) => num(e, "fractionLost"))),
  });
}

// The candidate pair in use: the transport names it; Firefox flags it; else nominated.
function selectedPair(entries) {
  const pairs = entries.filter((e) => e.type === "candidate-pair");
  const selectedIds = new Set(
    entries.filter((e) => e.type === "transport").map((e) => e.selectedCandidatePairId),
  );
  const tests = [
    (p) => selectedIds.has(p.id),
    (p) => p.selected === true,
    (p) => p.nominated === true && p.state === "succeeded",
  ];
  for (const test of tests) {
    const pair = pairs.find(test);
    if (pair !== undefined) return pair;
  }
  return null;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// Accepts an RTCStatsReport, [...report] ([id, stats] pairs), [...report.values()], or a
// plain {id: stats} object.
function entriesOf(report) {
  let items;
  if (Array.isArray(report)) items = report;
  else if (report && typeof report.values === "function") items = Array.from(report.values());
  else if (isObject(report)) items = Object.values(report);
  else items = [];
  const entries = [];
  for (let item of items) {
    if (Array.isArray(item) && item.length === 2) item = item[1];
    if (isObject(item)) entries.push(item);
  }
  return entries;
}

export function snapshotFromReport(report) {
  const entries = entriesOf(report);
  const of = (type, kind) => entries.filter((e) => e.type === type && kindOf(e) === kind);
  const pair = selectedPair(entries);
  return Object.freeze({
    timestampMs: max(entries.map((e) => num(e, "timestamp"))),
    audio: stream(of("inbound-rtp", "audio")),
    video: stream(of("inbound-rtp", "video")),
    remoteAudio: remote(of("remote-inbound-rtp", "audio")),
    remoteVideo: remote(of("remote-inbound-rtp", "video")),
    rttS: pair !== null ? num(pair, "currentRoundTripTime") : null,
    availableOutgoingBps: pair !== null ? num(pair, "availableOutgoingBitrate") : null,
  });
}

// --- metrics ----------------------------------------------------------------------------

// Growth of one cumulative counter, or null if it cannot be trusted.
function delta(prev, cur, name) {
  if (prev === null || cur === null || prev.key !== cur.key) return null;
  const before = prev[name];
  const after = cur[name];
  if (before === null || after === null) return null;
  if (
    prev.packetsReceived !== null &&
    cur.packetsReceived !== null &&
    cur.packetsReceived < prev.packetsReceived
  ) {
    return null; // the stream restarted under the same SSRC: its counters reset
  }
  const difference = after - before;
  return difference >= 0 ? difference : null;
}

function lossPct(prev, cur, minPackets) {
  const received = delta(prev, cur, "packetsReceived");
  if (received === null || prev === null || cur === null) return null;
  if (prev.packetsLost === null || cur.packetsLost === null) return null;
  // packetsLost may shrink when duplicates arrive (RFC 3550 counts expected - received).
  const lost = Math.max(0.0, cur.packetsLost - prev.packetsLost);
  const expected = received + lost;
  if (expected < minPackets) return null;
  return (100 * lost) / expected;
}

export function metricsBetween(previous, current, minPackets) {
  if (previous.timestampMs === null || current.timestampMs === null) {
    throw new RangeError("both snapshots need a timestamp");
  }
  const intervalMs = current.timestampMs - previous.timestampMs;
  if (intervalMs <= 0) throw new RangeError("current snapshot must be later than previous");

  let rttS = current.rttS;
  for (const r of [current.remoteAudio, current.remoteVideo]) {
    if (rttS === null && r !== null) rttS = r.rttS;
  }
  // Audio jitter is the signal: video jitter is inflated by frames sent as paced bursts.
  let jitterS = current.audio !== null ? current.audio.jitterS : null;
  if (jitterS === null && current.video !== null) jitterS = current.video.jitterS;

  const losses = [
    lossPct(previous.audio, current.audio, minPackets),
    lossPct(previous.video, current.video, minPackets),
  ];
  const received = sum([
    delta(previous.audio, current.audio, "bytesReceived"),
    delta(previous.video, current.video, "bytesReceived"),
  ]);
  const frames = delta(previous.video, current.video, "framesDecoded");
  let fps = current.video !== null ? current.video.framesPerSecond : null;
  if (frames !== null) fps = (frames * 1000) / intervalMs;
  const pct = (r) => (r === null || r.fractionLost === null ? null : r.fractionLost * 100);

  return Object.freeze({
    intervalMs,
    rttMs: rttS !== null ? rttS * 1000 : null,
    jitterMs: jitterS !== null ? jitterS * 1000 : null,
    lossPct: max(losses),
    remoteAudioLossPct: pct(current.remoteAudio),
    remoteVideoLossPct: pct(current.remoteVideo),
    outgoingKbps: current.availableOutgoingBps !== null ? current.availableOutgoingBps / 1000 : null,
    receivedKbps: received !== null ? (received * 8) / intervalMs : null,
    videoFps: fps,
  });
}

// --- classification ---------------------------------------------------------------------

// Grade one interval; mode says what is being sent, so stale video stats are ignored
// (without video on the wire, judging them would keep audio-only from ever recovering).
export function classify(metrics, mode, config) {
  const bad = [];
  const warn = [];
  let measured = false;
  const grade = (value, warnAt, badAt, cause) => {
    if (value === null || value === undefined) return;
    measured = true;
    if (value > badAt) bad.push(cause);
    else if (value > warnAt) warn.push(cause);
  };
  const videoSent = mode !== MODES.AUDIO_ONLY;
  let remoteLoss = metrics.remoteAudioLossPct ?? null;
  if (videoSent) {
    const videoLoss = metrics.remoteVideoLossPct ?? null;
    if (videoLoss !== null && (remoteLoss === null || videoLoss > remoteLoss)) {
      remoteLoss = videoLoss;
    }
  }
  grade(metrics.rttMs, config.warnRttMs, config.badRttMs, CAUSES.RTT);
  grade(metrics.jitterMs, config.warnJitterMs, config.badJitterMs, CAUSES.JITTER);
  grade(metrics.lossPct, config.warnLossPct, config.badLossPct, CAUSES.LOSS);
  grade(remoteLoss, config.warnLossPct, config.badLossPct, CAUSES.REMOTE_LOSS);
  const outgoing = metrics.outgoingKbps ?? null;
  if (videoSent && outgoing !== null) {
    measured = true;
    if (outgoing < config.badOutgoingKbps) bad.push(CAUSES.BANDWIDTH);
    else if (mode === MODES.FULL && outgoing < config.warnOutgoingKbps) {
      warn.push(CAUSES.BANDWIDTH);
    }
  }
  if (!measured) return Object.freeze({ quality: QUALITIES.UNKNOWN, causes: [] });
  const causes = CAUSE_ORDER.filter((c) => bad.includes(c) || warn.includes(c));
  if (bad.length) return Object.freeze({ quality: QUALITIES.BAD, causes });
  if (warn.length) return Object.freeze({ quality: QUALITIES.WARNING, causes });
  return Object.freeze({ quality: QUALITIES.GOOD, causes: [] });
}

// --- the state machine ------------------------------------------------------------------

const MESSAGES = {
  [`${REASONS.NETWORK_POOR}/${MODES.REDUCED}`]: [
    "Your connection is weak, so video quality is lowered; audio continues.",
    "The other person's connection is weak, so video quality is lowered; audio continues.",
  ],
  [`${REASONS.NETWORK_BAD}/${MODES.AUDIO_ONLY}`]: [
    "Your connection is weak, so video is paused; audio continues.",
    "The other person's connection is weak, so video is paused; audio continues.",
  ],
  [`${REASONS.NETWORK_RECOVERED}/${MODES.REDUCED}`]: [
    "Your connection is better, so video is back at lower quality.",
    "The other person's connection is better, so video is back at lower quality.",
  ],
  [`${REASONS.NETWORK_RECOVERED}/${MODES.FULL}`]: [
    "Your connection is good again, so video is back at full quality.",
    "The other person's connection is good again, so video is back at full quality.",
  ],
  [`${REASONS.MANUAL_AUDIO_ONLY}/${MODES.AUDIO_ONLY}`]: [
    "You switched to audio only; video stays paused until you turn it back on.",
    "The other person switched to audio only; video is paused.",
  ],
  [`${REASONS.MANUAL_VIDEO_RESUMED}/${MODES.FULL}`]: [
    "You turned video back on.",
    "The other person turned video back on.",
  ],
  [`${REASONS.MANUAL_VIDEO_RESUMED}/${MODES.REDUCED}`]: [
    "You turned video back on; it is at lower quality because the connection is weak.",
    "The other person turned video back on; it is at lower quality because the " +
      "connection is weak.",
  ],
  [`${REASONS.MANUAL_VIDEO_RESUMED}/${MODES.AUDIO_ONLY}`]: [
    "You turned video back on, but the connection is too weak for now; audio continues.",
    "The other person turned video back on, but the connection is too weak for now; " +
      "audio continues.",
  ],
};

// Same keys as Action.as_dict() in Python.
function makeAction(fromMode, toMode, reason, causes, atMs) {
  const [messageSelf, messagePeer] = MESSAGES[`${reason}/${toMode}`];
  return Object.freeze({
    fromMode,
    toMode,
    reason,
    causes: [...causes],
    manual: reason === REASONS.MANUAL_AUDIO_ONLY || reason === REASONS.MANUAL_VIDEO_RESUMED,
    atMs,
    video: { ...VIDEO_PROFILES[toMode] },
    messageSelf,
    messagePeer,
  });
}

export function initialState(config = DEFAULT_CONFIG) {
  const cfg = config === DEFAULT_CONFIG ? DEFAULT_CONFIG : makeConfig(config);
  return Object.freeze({
    config: cfg,
    mode: MODES.FULL, // what the call does
    autoMode: MODES.FULL, // what the network alone allows, tracked under a manual override
    manualAudioOnly: false,
    last: null,
    clockMs: null,
    inModeMs: 0.0,
    window: [],
    goodMs: 0.0,
    goodCount: 0,
    recoverMs: cfg.recoverMs,
    probation: false,
    verdict: null,
    metrics: null,
  });
}

const update = (state, changes) => Object.freeze({ ...state, ...changes });

// New clock and elapsed time; a clock that goes back does not move time backwards.
function advance(state, atMs) {
  if (state.clockMs === null) return [atMs, 0.0];
  if (atMs > state.clockMs) return [atMs, atMs - state.clockMs];
  return [state.clockMs, 0.0];
}

// Samples taken before a change say nothing about the new mode: start every count over.
function fresh(state, autoMode, clockMs) {
  return update(state, { autoMode, clockMs, inModeMs: 0.0, window: [], goodMs: 0.0, goodCount: 0 });
}

// Pure: (state, snapshot) -> [newState, actions].
export function step(state, snapshot) {
  const ts = snapshot.timestampMs;
  if (ts === null) return [state, []]; // cannot be placed in time
  const previous = state.last;
  if (previous !== null && previous.timestampMs === ts) return [state, []]; // cached stats
  const [clockMs, elapsed] = advance(state, ts);
  const inModeMs = state.inModeMs + elapsed;
  if (previous === null || previous.timestampMs === null || ts < previous.timestampMs) {
    // First snapshot, or a clock that went back: keep it as the base for the next delta.
    return [update(state, { last: snapshot, clockMs, inModeMs }), []];
  }

  const cfg = state.config;
  const metrics = metricsBetween(previous, snapshot, cfg.minPackets);
  const verdict = classify(metrics, state.mode, cfg);

  let { recoverMs, probation } = state;
  if (probation && inModeMs >= cfg.probationMs) {
    recoverMs = cfg.recoverMs; // the last step up held: forgive
    probation = false;
  }
  let { window, goodMs, goodCount } = state;
  if (verdict.quality === QUALITIES.GOOD) {
    window = [...window, verdict].slice(-cfg.downSamples);
    goodMs += elapsed;
    goodCount += 1;
  } else if (verdict.quality !== QUALITIES.UNKNOWN) {
    window = [...window, verdict].slice(-cfg.downSamples);
    goodMs = 0.0;
    goodCount = 0;
  }

  let after = update(state, {
    last: snapshot, clockMs, inModeMs, window, goodMs, goodCount, recoverMs, probation,
    verdict, metrics,
  });

  const auto = state.autoMode;
  let target = null;
  let reason = REASONS.NETWORK_RECOVERED;
  const poor = {
    [MODES.FULL]: [QUALITIES.WARNING, QUALITIES.BAD],
    [MODES.REDUCED]: [QUALITIES.BAD],
    [MODES.AUDIO_ONLY]: [],
  }[auto];
  const votes = window.filter((v) => poor.includes(v.quality));
  const settled = inModeMs >= cfg.minDwellMs;
  if (settled && window.length >= cfg.downSamples && votes.length >= cfg.downVotes) {
    target = LADDER[LADDER.indexOf(auto) - 1];
    reason = auto === MODES.FULL ? REASONS.NETWORK_POOR : REASONS.NETWORK_BAD;
    if (probation) recoverMs = Math.min(recoverMs * 2, cfg.recoverMaxMs); // step up failed
    probation = false;
  } else if (
    settled &&
    auto !== MODES.FULL &&
    goodMs >= recoverMs &&
    goodCount >= cfg.recoverMinSamples
  ) {
    target = LADDER[LADDER.indexOf(auto) + 1];
    probation = true;
  }
  if (target === null) return [after, []];

  after = update(fresh(after, target, clockMs), { recoverMs, probation });
  if (state.manualAudioOnly) return [after, []]; // the person chose audio only
  after = update(after, { mode: target });
  let causes = CAUSE_ORDER.filter((c) => votes.some((v) => v.causes.includes(c)));
  if (reason === REASONS.NETWORK_RECOVERED) causes = [];
  return [after, [makeAction(auto, target, reason, causes, ts)]];
}

// The person's own audio-only switch; only this ever lifts it. Lifting lands on the mode
// the network allows now, with a fresh window.
export function manualAudioOnlySet(state, on, atMs) {
  if (on === state.manualAudioOnly) return [state, []];
  const [clockMs, elapsed] = advance(state, atMs);
  let after;
  let reason;
  if (on) {
    after = update(state, {
      manualAudioOnly: true, mode: MODES.AUDIO_ONLY, clockMs, inModeMs: state.inModeMs + elapsed,
    });
    reason = REASONS.MANUAL_AUDIO_ONLY;
  } else {
    after = update(fresh(state, state.autoMode, clockMs), {
      manualAudioOnly: false, mode: state.autoMode,
    });
    reason = REASONS.MANUAL_VIDEO_RESUMED;
  }
  // Stamped with the controller's clock, which never goes back, not the caller's.
  return [after, [makeAction(state.mode, after.mode, reason, [], clockMs)]];
}

// The stateful wrapper a page uses: feed it getStats() results every ~2 s.
export class QualityController {
  constructor(config = {}) {
    this._state = initialState(makeConfig(config));
  }

  get state() {
    return this._state;
  }

  get mode() {
    return this._state.mode;
  }

  // report: an RTCStatsReport, [...report], [...report.values()] or {id: stats}.
  step(report) {
    const [state, actions] = step(this._state, snapshotFromReport(report));
    this._state = state;
    return actions;
  }

  setManualAudioOnly(on, atMs = Date.now()) {
    const [state, actions] = manualAudioOnlySet(this._state, Boolean(on), atMs);
    this._state = state;
    return actions;
  }
}
