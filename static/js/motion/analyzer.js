// Live movement analysis in the browser: a port of telept.motion.streaming.StreamingAnalyzer.
//
// Same pipeline, thresholds and arithmetic order as telept/motion/*.py (streaming.py, angles.py,
// filters.py, reps.py, view.py, analysis.py, exercises.py): per side of the body, gate frames
// where a joint landmark has visibility < 0.5, measure the angle in pixel space, causal median
// of 5, One Euro filter, hysteresis rep counter (30% / 70% of the target ROM, minimum rep
// duration, partial reps reported but not counted); the reported side is picked automatically
// unless asked; a camera-view check. telept/motion/tests/test_js_port.py replays synthetic
// sequences through both and requires the same reps, partial reps and angles: change both or
// neither.
//
// Usage:
//   const live = new LiveAnalyzer({ exercise: "squat", width: video.videoWidth,
//                                   height: video.videoHeight });
//   const u = live.push(landmarks, tSeconds); // landmarks: 33 x [x, y, z, visibility]
//   u.reps, u.angle_deg (smoothed, null when the joint is not seen), u.rep_counted ...
//   live.summary() // {reps, partial_reps, peak_deg, rom_deg, view_ok, side, reps_detail}
//
// push() returns unrounded numbers (round them for display); summary() rounds as the Python
// Analysis.to_dict does. Bad input throws an Error whose `code` is the Python error code.
// No dependencies; an ES module.

const NUM_LANDMARKS = 33;
const VISIBILITY_MIN = 0.5;
const SIDES = ["left", "right"];

// Filters (telept.motion.filters.FilterConfig defaults).
const MEDIAN_WINDOW = 5;
const MIN_CUTOFF_HZ = 1.0;
const BETA = 0.02;
const D_CUTOFF_HZ = 1.0;
const MAX_GAP_S = 1.0;

// Rep counting (telept.motion.reps).
const LOW = 0.3;
const HIGH = 0.7;
const PARTIAL_MARGIN = 0.05;
const REST = "rest";
const UP = "up";
const TOP = "top";

// Side choice (telept.motion.analysis) and view check (telept.motion.view).
const VISIBILITY_TIE = 0.05;
const FRONT_RATIO = 1.35;
const MAX_OFF_AXIS_DEG = 35.0;
const MIN_FRAMES = 5;
const L_SH = 11, R_SH = 12, L_HIP = 23, R_HIP = 24;

const RAD_TO_DEG = 180.0 / Math.PI;
const ascending = (p, q) => p - q;

export class MotionInputError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "MotionInputError";
    this.code = code;
  }
}

// Joints (telept.motion.angles): clinical angle = offset + sign * inner(a, b, c).
const KNEE_FLEXION = { name: "knee_flexion", left: [23, 25, 27], right: [24, 26, 28],
                       offset: 180.0, sign: -1.0 };
const ELBOW_FLEXION = { name: "elbow_flexion", left: [11, 13, 15], right: [12, 14, 16],
                        offset: 180.0, sign: -1.0 };
const SHOULDER_ELEVATION = { name: "shoulder_elevation", left: [13, 11, 23],
                             right: [14, 12, 24], offset: 0.0, sign: 1.0 };
const HIP_ABDUCTION = { name: "hip_abduction", left: [25, 23, 24], right: [26, 24, 23],
                        offset: -90.0, sign: 1.0 };

function exercise(fields) {
  const { joint } = fields;
  return Object.freeze({
    direction: 1, count_on: "return", time_limit_s: null, bilateral: false, ...fields,
    joint: joint.name, left: Object.freeze([...joint.left]), right: Object.freeze([...joint.right]),
    offset: joint.offset, sign: joint.sign,
  });
}

// The exercises the rep counter knows (telept.motion.exercises.EXERCISES), same names.
// `left` / `right` are the landmark triplets [a, b, c] of the angle, b the joint itself.
export const EXERCISES = Object.freeze(Object.fromEntries([
  exercise({ name: "squat", label: "Squat", joint: KNEE_FLEXION, plane: "sagittal",
             view: "side", rest_deg: 0.0, target_rom_deg: 90.0, min_rep_s: 0.8,
             bilateral: true }),
  exercise({ name: "knee_flexion", label: "Knee bend (hamstring curl)", joint: KNEE_FLEXION,
             plane: "sagittal", view: "side", rest_deg: 0.0, target_rom_deg: 90.0,
             min_rep_s: 0.6 }),
  exercise({ name: "shoulder_abduction", label: "Arm raise sideways",
             joint: SHOULDER_ELEVATION, plane: "frontal", view: "front", rest_deg: 15.0,
             target_rom_deg: 135.0, min_rep_s: 0.8 }),
  exercise({ name: "shoulder_flexion", label: "Arm raise forwards", joint: SHOULDER_ELEVATION,
             plane: "sagittal", view: "side", rest_deg: 10.0, target_rom_deg: 140.0,
             min_rep_s: 0.8 }),
  exercise({ name: "elbow_flexion", label: "Elbow bend (curl)", joint: ELBOW_FLEXION,
             plane: "sagittal", view: "side", rest_deg: 10.0, target_rom_deg: 120.0,
             min_rep_s: 0.6 }),
  exercise({ name: "hip_abduction", label: "Side leg raise", joint: HIP_ABDUCTION,
             plane: "frontal", view: "front", rest_deg: 0.0, target_rom_deg: 35.0,
             min_rep_s: 0.6 }),
  exercise({ name: "chair_stand_30s", label: "30-second chair stand", joint: KNEE_FLEXION,
             plane: "sagittal", view: "side", rest_deg: 90.0, target_rom_deg: 85.0,
             min_rep_s: 0.0, direction: -1, count_on: "top", time_limit_s: 30.0,
             bilateral: true }),
].map((ex) => [ex.name, ex])));

// Angle at b between b->a and b->c in degrees (atan2 stays accurate near 0 and 180);
// NaN for a degenerate ray.
function innerAngleXY(ax, ay, bx, by, cx, cy) {
  const ux = ax - bx, uy = ay - by;
  const vx = cx - bx, vy = cy - by;
  if ((ux === 0 && uy === 0) || (vx === 0 && vy === 0)) return NaN;
  return Math.atan2(Math.abs(ux * vy - uy * vx), ux * vx + uy * vy) * RAD_TO_DEG;
}

class OneEuroFilter {
  constructor() {
    this.x = NaN;
    this.dx = 0.0;
    this.t = NaN;
  }

  step(x, t) {
    const dt = t - this.t;
    if (!(dt <= MAX_GAP_S)) { // first sample, a long gap, or NaN state: restart
      this.x = x; this.dx = 0.0; this.t = t;
      return x;
    }
    if (dt <= 0) throw new MotionInputError("bad_time", "timestamps must increase");
    let r = 2.0 * Math.PI * D_CUTOFF_HZ * dt;
    const aD = r / (r + 1.0);
    const dx = aD * (x - this.x) / dt + (1.0 - aD) * this.dx;
    r = 2.0 * Math.PI * (MIN_CUTOFF_HZ + BETA * Math.abs(dx)) * dt;
    const a = r / (r + 1.0);
    const out = a * x + (1.0 - a) * this.x;
    this.x = out; this.dx = dx; this.t = t;
    return out;
  }
}

class CausalMedian {
  constructor() {
    this.buf = [];
    this.t = NaN;
  }

  step(x, t) {
    if (!(t - this.t <= MAX_GAP_S)) {
      this.buf = new Array(MEDIAN_WINDOW).fill(x);
    } else {
      this.buf.shift();
      this.buf.push(x);
    }
    this.t = t;
    return [...this.buf].sort(ascending)[MEDIAN_WINDOW >> 1];
  }
}

// Sample-by-sample hysteresis counter (telept.motion.reps.RepCounter).
class RepCounter {
  constructor(ex, startT) {
    this.ex = ex;
    this.startT = startT;
    this.state = REST;
    this.reps = [];
    this.partials = [];
    this.rejected = 0;
    this.d = ex.direction;
    this.scale = ex.direction / ex.target_rom_deg;
    this.partialMin = (LOW + PARTIAL_MARGIN) * ex.target_rom_deg + ex.direction * ex.rest_deg;
    this.restMin = Infinity;
    this.start = 0.0;
    this.base = 0.0;
    this.peak = -Infinity;
    this.peakT = 0.0;
    this.countedOpen = false;
    this.lastT = startT;
    this.seenRest = false;
  }

  get repCount() { return this.reps.length + (this.countedOpen ? 1 : 0); }

  withinLimit(t) {
    const limit = this.ex.time_limit_s;
    return limit === null || t - this.startT <= limit;
  }

  step(angle, t) {
    const ex = this.ex;
    const s = this.d * angle;
    const p = (angle - ex.rest_deg) * this.scale;
    this.lastT = t;
    if (!this.seenRest) {
      // Not yet seen at rest (NaN included): nothing has started (telept/motion/reps.py).
      if (!(p <= LOW)) return false;
      this.seenRest = true;
    }
    let counted = false;
    if (this.state === REST) {
      if (s < this.restMin) this.restMin = s;
      if (p > LOW && this.withinLimit(t)) {
        this.state = UP;
        this.start = t;
        this.base = this.restMin;
        this.peak = s; this.peakT = t;
      }
    } else if (s > this.peak) {
      this.peak = s; this.peakT = t;
    }
    if (this.state === UP) {
      if (p >= HIGH) {
        this.state = TOP;
        if (ex.count_on === "top") {
          if (t - this.start >= ex.min_rep_s && this.withinLimit(t)) {
            this.countedOpen = counted = true;
          } else {
            this.rejected += 1;
          }
        }
      } else if (p < LOW) {
        if (this.peak >= this.partialMin) this.partials.push(this.make(t, true));
        this.toRest(s);
      }
    } else if (this.state === TOP && p < LOW) {
      if (ex.count_on === "top") {
        if (this.countedOpen) this.reps.push(this.make(t, true));
      } else if (t - this.start >= ex.min_rep_s) {
        this.reps.push(this.make(t, true));
        counted = true;
      } else {
        this.rejected += 1;
      }
      this.countedOpen = false;
      this.toRest(s);
    }
    return counted;
  }

  make(end, complete) {
    const d = this.ex.direction;
    return { start_s: this.start, end_s: end, peak_s: this.peakT, peak_deg: d * this.peak,
             base_deg: d * this.base, rom_deg: this.peak - this.base, complete };
  }

  toRest(s) {
    this.state = REST;
    this.restMin = s;
  }

  // Close the session: a rep counted at the top but not yet back is kept, incomplete.
  finish() {
    const reps = [...this.reps];
    if (this.countedOpen) reps.push(this.make(this.lastT, false));
    return { reps, partials: [...this.partials], rejected: this.rejected,
             unfinished: this.state === TOP };
  }
}

// One side of the body: gate, angle, median, One Euro, counter.
class SideTrack {
  constructor(ex, side, startT) {
    this.side = side;
    [this.a, this.b, this.c] = ex[side];
    this.offset = ex.offset;
    this.sign = ex.sign;
    this.median = new CausalMedian();
    this.euro = new OneEuroFilter();
    this.counter = new RepCounter(ex, startT);
    this.visSum = 0.0;
    this.visible = 0;
    this.low = Infinity;
    this.high = -Infinity;
    this.raw = null;
    this.angle = null;
    this.counted = false;
  }

  push(rows, t, width, height) {
    const a = rows[this.a], b = rows[this.b], c = rows[this.c];
    for (const row of [a, b, c]) {
      const v = row[3];
      this.visSum += Number.isFinite(v) ? v : 0.0;
    }
    this.raw = this.angle = null;
    this.counted = false;
    if (!(a[3] >= VISIBILITY_MIN && b[3] >= VISIBILITY_MIN && c[3] >= VISIBILITY_MIN)) return;
    const inner = innerAngleXY(a[0] * width, a[1] * height, b[0] * width, b[1] * height,
                               c[0] * width, c[1] * height);
    const raw = this.offset + this.sign * inner;
    if (!Number.isFinite(raw)) return;
    this.visible += 1;
    this.raw = raw;
    const angle = this.euro.step(this.median.step(raw, t), t);
    this.angle = angle;
    if (angle < this.low) this.low = angle;
    if (angle > this.high) this.high = angle;
    this.counted = this.counter.step(angle, t);
  }

  stats(frames) {
    return { side: this.side, meanVisibility: frames ? this.visSum / (3 * frames) : 0.0,
             visibleFrames: this.visible,
             spreadDeg: this.visible ? this.high - this.low : 0.0 };
  }
}

// "auto": the better-seen side; on a near tie (front view) the side that moved more.
function sidePick(requested, left, right) {
  if (requested === "left" || requested === "right") return requested;
  if (Math.abs(left.meanVisibility - right.meanVisibility) >= VISIBILITY_TIE) {
    return left.meanVisibility > right.meanVisibility ? "left" : "right";
  }
  return left.spreadDeg >= right.spreadDeg ? "left" : "right";
}

// Horizontal shoulder + hip width and torso length in pixels for one frame (NaN if unseen).
function torsoWidth(rows, width, height) {
  const ls = rows[L_SH], rs = rows[R_SH], lh = rows[L_HIP], rh = rows[R_HIP];
  if (!((ls[3] >= VISIBILITY_MIN || rs[3] >= VISIBILITY_MIN)
        && (lh[3] >= VISIBILITY_MIN || rh[3] >= VISIBILITY_MIN))) return [NaN, NaN];
  const lsx = ls[0] * width, rsx = rs[0] * width, lhx = lh[0] * width, rhx = rh[0] * width;
  const lsy = ls[1] * height, rsy = rs[1] * height, lhy = lh[1] * height, rhy = rh[1] * height;
  const w = Math.abs(lsx - rsx) + Math.abs(lhx - rhx);
  const dx = (lsx + rsx - lhx - rhx) * 0.5;
  const dy = (lsy + rsy - lhy - rhy) * 0.5;
  const torso = Math.sqrt(dx * dx + dy * dy);
  if (!(torso > 0 && Number.isFinite(w) && Number.isFinite(torso))) return [NaN, NaN];
  return [w, torso];
}

function median(values) {
  const sorted = [...values].sort(ascending);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// numpy.percentile with its default linear interpolation.
function percentile(values, q) {
  const sorted = [...values].sort(ascending);
  const pos = (sorted.length - 1) * (q / 100);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function round(value, digits) {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function positive(value, name) {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new MotionInputError(`bad_${name}`, `${name} must be a positive number`);
  }
  return value;
}

function asRows(landmarks) {
  if (!landmarks || landmarks.length !== NUM_LANDMARKS) {
    throw new MotionInputError("bad_shape", "landmarks must be 33 rows of 4 numbers");
  }
  return Array.from(landmarks, (row) => {
    if (!row || row.length !== 4) {
      throw new MotionInputError("bad_shape", "landmarks must be 33 rows of 4 numbers");
    }
    return Array.from(row, (v) => (v === null || v === undefined ? NaN : Number(v)));
  });
}

export class LiveAnalyzer {
  constructor({ exercise, side = "auto", width, height, targetRomDeg = null }) {
    const ex = EXERCISES[exercise];
    if (!ex) {
      const known = Object.keys(EXERCISES).sort().join(", ");
      throw new MotionInputError("unknown_exercise",
                                 `unknown exercise ${exercise}; known: ${known}`);
    }
    if (!["left", "right", "auto"].includes(side)) {
      throw new MotionInputError("bad_side", "side must be left, right or auto");
    }
    this.width = positive(width, "width");
    this.height = positive(height, "height");
    if (targetRomDeg !== null && targetRomDeg !== undefined) {
      if (!(targetRomDeg > 0)) {
        throw new MotionInputError("bad_target_rom", "target ROM must be a positive angle");
      }
      this.exercise = Object.freeze({ ...ex, target_rom_deg: Number(targetRomDeg) });
    } else {
      this.exercise = ex;
    }
    this.requestedSide = side;
    this.tracks = [];
    this.widths = [];
    this.torsos = [];
    this.frames = 0;
    this.t0 = NaN;
    this.t = NaN;
  }

  // Analyse one frame of 33 landmarks [x, y, z, visibility] (x, y normalised) at tSeconds.
  push(landmarks, tSeconds) {
    const rows = asRows(landmarks);
    const t = Number(tSeconds);
    if (!Number.isFinite(t) || (this.frames && !(t > this.t))) {
      throw new MotionInputError("bad_time", "timestamps must be finite and increasing");
    }
    if (!this.frames) {
      this.t0 = t;
      this.tracks = SIDES.map((s) => new SideTrack(this.exercise, s, t));
    }
    this.frames += 1;
    this.t = t;
    for (const track of this.tracks) track.push(rows, t, this.width, this.height);
    const [w, torso] = torsoWidth(rows, this.width, this.height);
    this.widths.push(w);
    this.torsos.push(torso);
    const track = this.reported();
    return {
      t, side: track.side, angle_deg: track.angle, raw_angle_deg: track.raw,
      reps: track.counter.repCount, partial_reps: track.counter.partials.length,
      state: track.counter.state, rep_counted: track.counted,
    };
  }

  reported() {
    const pick = sidePick(this.requestedSide, this.tracks[0].stats(this.frames),
                          this.tracks[1].stats(this.frames));
    return this.tracks[pick === "left" ? 0 : 1];
  }

  // Camera-view check over the frames so far: {expected, estimated, off_axis_deg, ok,
  // frames_used}; ok is false until 5 frames showed the torso.
  viewCheck() {
    const expected = this.exercise.view;
    const widths = [], torsos = [];
    for (let i = 0; i < this.widths.length; i += 1) {
      if (Number.isFinite(this.widths[i]) && Number.isFinite(this.torsos[i])) {
        widths.push(this.widths[i]);
        torsos.push(this.torsos[i]);
      }
    }
    const used = widths.length;
    if (used < MIN_FRAMES) {
      return { expected, estimated: "unknown", off_axis_deg: null, ok: false,
               frames_used: used };
    }
    const ratio = median(widths) / percentile(torsos, 90);
    const fromFront = Math.acos(Math.min(1.0, ratio / FRONT_RATIO)) * RAD_TO_DEG;
    const offAxis = expected === "front" ? fromFront : 90.0 - fromFront;
    const estimated = fromFront < 30.0 ? "front" : fromFront > 60.0 ? "side" : "oblique";
    return { expected, estimated, off_axis_deg: offAxis, ok: offAxis <= MAX_OFF_AXIS_DEG,
             frames_used: used };
  }

  // The set so far, as telept.motion.Analysis.to_dict() reports it (a subset of its keys).
  summary() {
    if (!this.frames) throw new MotionInputError("no_frames", "no frame was pushed");
    const [left, right] = this.tracks;
    const side = sidePick(this.requestedSide, left.stats(this.frames),
                          right.stats(this.frames));
    const count = (side === "left" ? left : right).counter.finish();
    const d = this.exercise.direction;
    let peak = null, rom = null;
    for (const rep of count.reps) {
      if (peak === null || rep.peak_deg * d > peak * d) peak = rep.peak_deg;
      if (rom === null || rep.rom_deg > rom) rom = rep.rom_deg;
    }
    return {
      reps: count.reps.length,
      partial_reps: count.partials.length,
      peak_deg: round(peak, 1),
      rom_deg: round(rom, 1),
      view_ok: this.viewCheck().ok,
      side,
      reps_detail: count.reps.map((r) => ({
        start_s: round(r.start_s, 3), end_s: round(r.end_s, 3),
        peak_deg: round(r.peak_deg, 1), rom_deg: round(r.rom_deg, 1),
      })),
    };
  }
}
