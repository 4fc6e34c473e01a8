// Pose landmark frames on the call's data channel: compact binary, quantised.
//
// Live tele-goniometry and skeleton mode (visit/motion.js) send one frame per analysed camera
// picture, peer to peer. In skeleton mode this is all the patient's page sends besides audio,
// on a connection too weak for video, so a frame is kept small: 84 bytes with a person, 14
// without (bench/bench_skeleton.py measures what that costs on the wire).
//
//   byte 0      version (3)
//   byte 1      flags: bit 0 = a person was found (landmarks follow)
//   bytes 2-5   picture width, height (uint16 each)
//   bytes 6-9   capture time, milliseconds of the patient's monotonic clock (uint32, wraps)
//   bytes 10-13 when the frame left the page: performance.timeOrigin + now(), ms, modulo 2^32
//   then, with a person: the 23 landmarks SENT (the nose and the body, 11-32: the face's
//   eyes, ears and mouth measure nothing), x and y as 10-bit numbers (0..1023 over
//   -0.25..1.25 of the picture: 1 px at 720 px), packed 4 numbers to 5 bytes (58 bytes), then
//   their visibilities as 4-bit numbers (0..15, two to a byte; 12 bytes).
// All little-endian. z is not sent: nothing on the therapist's side uses it. The landmarks
// not sent come back with visibility 0 (not drawn, not measured).

export const VERSION = 3;
export const POINTS = 33;
export const SENT = Object.freeze([0, ...Array.from({ length: 22 }, (_, i) => 11 + i)]);
const HEADER = 14;
const XY_BYTES = Math.ceil((SENT.length * 2 * 10) / 8);
const VIS_BYTES = Math.ceil(SENT.length / 2);
export const FRAME_BYTES = HEADER + XY_BYTES + VIS_BYTES;
const LO = -0.25;
const SPAN = 1.5;
const MAX10 = 1023;
const WRAP = 2 ** 32;

function q10(value) {
  const v = Number.isFinite(value) ? value : LO;
  return Math.max(0, Math.min(MAX10, Math.round(((v - LO) / SPAN) * MAX10)));
}

function dq10(n) {
  return LO + (n / MAX10) * SPAN;
}

// The send stamp of a received frame, as a full epoch time in ms near `now` (undoes the wrap).
export function unwrapStamp(stamp, now = performance.timeOrigin + performance.now()) {
  const base = now - (now % WRAP);
  let full = base + stamp;
  if (full - now > WRAP / 2) full -= WRAP;
  else if (now - full > WRAP / 2) full += WRAP;
  return full;
}

// landmarks: 33 x [x, y, z, visibility] or null; t: capture time in seconds; sentAt: epoch ms.
export function encodeFrame(landmarks, t, width, height, sentAt = performance.timeOrigin + performance.now()) {
  const person = Array.isArray(landmarks) && landmarks.length === POINTS;
  const buffer = new ArrayBuffer(person ? FRAME_BYTES : HEADER);
  const view = new DataView(buffer);
  view.setUint8(0, VERSION);
  view.setUint8(1, person ? 1 : 0);
  view.setUint16(2, Math.max(0, Math.min(65535, Math.round(width) || 0)), true);
  view.setUint16(4, Math.max(0, Math.min(65535, Math.round(height) || 0)), true);
  view.setUint32(6, Math.round(t * 1000) % WRAP, true);
  view.setUint32(10, Math.round(sentAt) % WRAP, true);
  if (!person) return buffer;
  const bytes = new Uint8Array(buffer);
  let bits = 0;
  let acc = 0;
  let at = HEADER;
  SENT.forEach((index, k) => {
    const [x, y, , visibility] = landmarks[index];
    for (const n of [q10(x), q10(y)]) {
      acc |= n << bits;
      bits += 10;
      while (bits >= 8) {
        bytes[at] = acc & 0xff;
        at += 1;
        acc >>>= 8;
        bits -= 8;
      }
    }
    const v = Math.max(0, Math.min(15, Math.round((Number.isFinite(visibility) ? visibility : 0) * 15)));
    const vat = HEADER + XY_BYTES + (k >> 1);
    bytes[vat] = k & 1 ? (bytes[vat] | (v << 4)) : v;
  });
  if (bits > 0) bytes[at] = acc & 0xff;
  return buffer;
}

// A frame from the other browser, checked like any untrusted input; null when unusable.
// Returns {t: seconds, w, h, sentAt: epoch ms, landmarks: 33 x [x, y, 0, visibility] | null}.
export function decodeFrame(data) {
  if (!(data instanceof ArrayBuffer) || (data.byteLength !== HEADER && data.byteLength !== FRAME_BYTES)) {
    return null;
  }
  const view = new DataView(data);
  if (view.getUint8(0) !== VERSION) return null;
  const person = view.getUint8(1) === 1;
  if (person !== (data.byteLength === FRAME_BYTES)) return null;
  const w = view.getUint16(2, true);
  const h = view.getUint16(4, true);
  if (!(w > 0 && h > 0 && w <= 10000 && h <= 10000)) return null;
  const t = view.getUint32(6, true) / 1000;
  const sentAt = unwrapStamp(view.getUint32(10, true));
  if (!person) return { t, w, h, sentAt, landmarks: null };
  const bytes = new Uint8Array(data);
  const landmarks = Array.from({ length: POINTS }, () => [0, 0, 0, 0]);
  let bits = 0;
  let acc = 0;
  let at = HEADER;
  const next = () => {
    while (bits < 10) {
      acc |= bytes[at] << bits;
      at += 1;
      bits += 8;
    }
    const n = acc & MAX10;
    acc >>>= 10;
    bits -= 10;
    return n;
  };
  SENT.forEach((index, k) => {
    const x = dq10(next());
    const y = dq10(next());
    const packed = bytes[HEADER + XY_BYTES + (k >> 1)];
    landmarks[index] = [x, y, 0, (k & 1 ? packed >> 4 : packed & 0x0f) / 15];
  });
  return { t, w, h, sentAt, landmarks };
}
