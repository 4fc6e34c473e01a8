// Draw MediaPipe Pose landmarks over a video: the 33-point skeleton, the joint being measured
// and its live angle.
//
// drawSkeleton(canvas, landmarks, { highlight: [a, b, c], angleDeg: 87.4, mirror: true })
//   canvas     drawn in its own pixel size (canvas.width x canvas.height): give it the video's
//              aspect ratio and lay it over the <video> with CSS;
//   landmarks  33 x [x, y, z, visibility], x and y normalised to the image; null clears;
//   highlight  the measured triplet (EXERCISES[name].left or .right from analyzer.js), drawn
//              thicker, with the angle written next to its middle landmark b;
//   mirror     flip left-right, for a video shown as a mirror (selfie view); text stays readable.
// Landmarks with visibility < 0.5 are left out. Colours come from the canvas's CSS custom
// properties --skeleton-line, --skeleton-joint, --skeleton-highlight when set.
// No dependencies; an ES module.

export const POSE_CONNECTIONS = Object.freeze([
  [0, 1], [1, 2], [2, 3], [3, 7], [0, 4], [4, 5], [5, 6], [6, 8], [9, 10], [11, 12],
  [11, 13], [13, 15], [15, 17], [15, 19], [15, 21], [17, 19], [12, 14], [14, 16], [16, 18],
  [16, 20], [16, 22], [18, 20], [11, 23], [12, 24], [23, 24], [23, 25], [24, 26], [25, 27],
  [26, 28], [27, 29], [28, 30], [29, 31], [30, 32], [27, 31], [28, 32],
]);

const VISIBILITY_MIN = 0.5;
const DEFAULTS = { line: "#f5f5f5", joint: "#1e88e5", highlight: "#ffb300" };

function colours(canvas) {
  const style = typeof getComputedStyle === "function" ? getComputedStyle(canvas) : null;
  const read = (name, fallback) =>
    (style && style.getPropertyValue(name).trim()) || fallback;
  return {
    line: read("--skeleton-line", DEFAULTS.line),
    joint: read("--skeleton-joint", DEFAULTS.joint),
    highlight: read("--skeleton-highlight", DEFAULTS.highlight),
  };
}

export function drawSkeleton(canvas, landmarks,
                             { highlight = null, angleDeg = null, mirror = false } = {}) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  if (!landmarks || landmarks.length !== 33) return;

  const seen = (i) => landmarks[i] && landmarks[i][3] >= VISIBILITY_MIN
    && Number.isFinite(landmarks[i][0]) && Number.isFinite(landmarks[i][1]);
  const px = (i) => [(mirror ? 1 - landmarks[i][0] : landmarks[i][0]) * width,
                     landmarks[i][1] * height];
  const scale = Math.max(1, Math.min(width, height) / 240); // line widths follow the size
  const colour = colours(canvas);

  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = colour.line;
  ctx.lineWidth = 2 * scale;
  ctx.beginPath();
  for (const [i, j] of POSE_CONNECTIONS) {
    if (!seen(i) || !seen(j)) continue;
    ctx.moveTo(...px(i));
    ctx.lineTo(...px(j));
  }
  ctx.stroke();

  ctx.fillStyle = colour.joint;
  for (let i = 0; i < 33; i += 1) {
    if (!seen(i)) continue;
    const [x, y] = px(i);
    ctx.beginPath();
    ctx.arc(x, y, 2.5 * scale, 0, 2 * Math.PI);
    ctx.fill();
  }

  if (!highlight || !highlight.every(seen)) return;
  const [a, b, c] = highlight.map(px);
  ctx.strokeStyle = colour.highlight;
  ctx.lineWidth = 5 * scale;
  ctx.beginPath();
  ctx.moveTo(...a);
  ctx.lineTo(...b);
  ctx.lineTo(...c);
  ctx.stroke();
  ctx.fillStyle = colour.highlight;
  ctx.beginPath();
  ctx.arc(b[0], b[1], 5 * scale, 0, 2 * Math.PI);
  ctx.fill();

  if (angleDeg === null || !Number.isFinite(angleDeg)) return;
  const label = `${Math.round(angleDeg)}°`;
  ctx.font = `bold ${Math.round(14 * scale)}px system-ui, sans-serif`;
  ctx.textBaseline = "middle";
  const textWidth = ctx.measureText(label).width;
  const pad = 4 * scale;
  // Beside the joint, on the side away from the limb, kept inside the canvas.
  const away = (a[0] + c[0]) / 2 < b[0] ? 1 : -1;
  let x = away > 0 ? b[0] + 10 * scale : b[0] - 10 * scale - textWidth;
  x = Math.min(Math.max(x, pad), width - textWidth - pad);
  const y = Math.min(Math.max(b[1], 10 * scale), height - 10 * scale);
  ctx.fillStyle = "rgba(0, 0, 0, 0.7)";
  ctx.fillRect(x - pad, y - 9 * scale, textWidth + 2 * pad, 18 * scale);
  ctx.fillStyle = "#ffffff";
  ctx.fillText(label, x, y);
}
