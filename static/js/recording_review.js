// Recording review: draws the MediaPipe skeleton found on the server over the patient's
// video, frame by frame with the video's currentTime, and lets "Watch" buttons jump to a rep.
// Loaded as a module by exercises/recording_review.html (CSP: no inline scripts).

// MediaPipe Pose connections (mp.solutions.pose.POSE_CONNECTIONS), body only: the face
// points are drawn as dots.
export const CONNECTIONS = [
  [11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [15, 17], [15, 19], [15, 21], [17, 19],
  [16, 18], [16, 20], [16, 22], [18, 20], [11, 23], [12, 24], [23, 24], [23, 25], [24, 26],
  [25, 27], [26, 28], [27, 29], [28, 30], [29, 31], [30, 32], [27, 31], [28, 32],
];
const VISIBLE = 0.5;
const LEFT = "#e8710a";   // subject's left (odd indices)
const RIGHT = "#1a73e8";  // subject's right (even indices)

// Index of the last frame whose time is <= t (frame 0 before the first).
export function frameAt(times, t) {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t) lo = mid; else hi = mid - 1;
  }
  return lo;
}

// Where the picture lies inside the element (object-fit: contain letterboxes it).
export function contentBox(boxWidth, boxHeight, videoWidth, videoHeight) {
  if (!videoWidth || !videoHeight) return { x: 0, y: 0, w: boxWidth, h: boxHeight };
  const scale = Math.min(boxWidth / videoWidth, boxHeight / videoHeight);
  const w = videoWidth * scale;
  const h = videoHeight * scale;
  return { x: (boxWidth - w) / 2, y: (boxHeight - h) / 2, w, h };
}

const root = document.querySelector("[data-review]");
if (root) review(root);

document.querySelectorAll("[data-seek]").forEach((button) => {
  button.addEventListener("click", () => {
    const video = document.querySelector("[data-review-video]");
    if (!video) return;
    video.currentTime = Number(button.dataset.seek) || 0;
    video.focus();
  });
});

async function review(root) {
  document.body.classList.add("hep-ready");
  const video = root.querySelector("[data-review-video]");
  const canvas = root.querySelector("[data-review-overlay]");
  const toggle = document.querySelector("[data-review-toggle]");
  const url = root.dataset.landmarksUrl;
  if (!url || !canvas) return;
  let track;
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    track = await response.json();
  } catch (error) {
    return;
  }
  const frames = track.frames || [];
  const times = track.times || frames.map((_, i) => i / (track.fps || 30));
  if (!frames.length) return;
  const context = canvas.getContext("2d");

  function size() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);  // CSS lays it over the video
    canvas.height = Math.round(canvas.clientHeight * ratio);
    draw();
  }

  function draw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (toggle && !toggle.checked) return;
    const index = frameAt(times, video.currentTime);
    const points = frames[index];
    if (!points) return;
    const box = contentBox(canvas.width, canvas.height, video.videoWidth || track.width,
      video.videoHeight || track.height);
    const at = (p) => [box.x + p[0] * box.w, box.y + p[1] * box.h];
    const line = Math.max(2, canvas.width / 250);
    context.lineWidth = line;
    context.lineCap = "round";
    for (const [a, b] of CONNECTIONS) {
      if (points[a][3] < VISIBLE || points[b][3] < VISIBLE) continue;
      const [x1, y1] = at(points[a]);
      const [x2, y2] = at(points[b]);
      context.strokeStyle = a % 2 && b % 2 ? LEFT : (a % 2 || b % 2 ? "#ffffff" : RIGHT);
      context.beginPath();
      context.moveTo(x1, y1);
      context.lineTo(x2, y2);
      context.stroke();
    }
    points.forEach((p, i) => {
      if (p[3] < VISIBLE) return;
      const [x, y] = at(p);
      context.fillStyle = i === 0 ? "#ffffff" : (i % 2 ? LEFT : RIGHT);
      context.beginPath();
      context.arc(x, y, line * 1.4, 0, 2 * Math.PI);
      context.fill();
    });
  }

  // Follow every painted frame where the browser says which one it is; else animation frames.
  if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
    const onFrame = () => { draw(); video.requestVideoFrameCallback(onFrame); };
    video.requestVideoFrameCallback(onFrame);
  } else {
    const loop = () => { if (!video.paused && !video.ended) { draw(); requestAnimationFrame(loop); } };
    video.addEventListener("play", () => requestAnimationFrame(loop));
  }
  ["seeked", "loadeddata", "pause", "timeupdate"].forEach((name) => video.addEventListener(name, draw));
  toggle?.addEventListener("change", draw);
  new ResizeObserver(size).observe(canvas);
  size();
}
