// Animates the exercise figures drawn on the server (telept/exercises/illustrations/render.py).
//
// Each animated <svg data-figure> carries its key poses (start, end) as landmark positions
// and the figure's tree of segments. A repetition loops start -> end -> (hold) -> start at the
// exercise's tempo; between key poses every segment turns along the shorter arc from its
// parent, so limbs keep their length. The cycle is symmetric: t = 0 is the start pose and
// t = 0.5 the middle of the hold at the end pose.
//
// prefers-reduced-motion: nothing moves; the partial shows the start and end frames side by
// side instead (CSS). The pause button next to each figure stops and restarts it.

const TAU = Math.PI * 2;

/** Seconds of one repetition: a rest at the start split around the cycle, two moves, a hold. */
export function cycleSeconds(timing) {
  return timing.rest + 2 * timing.move + timing.hold;
}

/** How far towards the end pose (0..1, eased) the figure is at cycle fraction t (0..1). */
export function progress(t, timing) {
  const total = cycleSeconds(timing);
  const s = (((t % 1) + 1) % 1) * total;
  const restHalf = timing.rest / 2;
  const ease = (u) => (1 - Math.cos(Math.PI * Math.min(1, Math.max(0, u)))) / 2;
  if (s < restHalf) return 0;
  if (s < restHalf + timing.move) return ease((s - restHalf) / timing.move);
  if (s < restHalf + timing.move + timing.hold) return 1;
  if (s < restHalf + 2 * timing.move + timing.hold) {
    return 1 - ease((s - restHalf - timing.move - timing.hold) / timing.move);
  }
  return 0;
}

function shortest(from, to) {
  let d = (to - from) % TAU;
  if (d > Math.PI) d -= TAU;
  if (d < -Math.PI) d += TAU;
  return d;
}

/** Landmark positions between pose a (u = 0) and pose b (u = 1) along the segment tree. */
export function blend(a, b, tree, u) {
  const root = tree.length ? tree[0][1] : Object.keys(a)[0];
  const out = {};
  out[root] = [a[root][0] + (b[root][0] - a[root][0]) * u, a[root][1] + (b[root][1] - a[root][1]) * u];
  for (const [child, parent] of tree) {
    const va = [a[child][0] - a[parent][0], a[child][1] - a[parent][1]];
    const vb = [b[child][0] - b[parent][0], b[child][1] - b[parent][1]];
    const la = Math.hypot(va[0], va[1]);
    const lb = Math.hypot(vb[0], vb[1]);
    const len = la + (lb - la) * u;
    const angA = Math.atan2(va[1], va[0]);
    const ang = angA + shortest(angA, Math.atan2(vb[1], vb[0])) * u;
    const p = out[parent];
    out[child] = [p[0] + len * Math.cos(ang), p[1] + len * Math.sin(ang)];
  }
  return out;
}

/** The pose at cycle fraction t: t = 0 gives the start pose, t = 0.5 the end pose. */
export function poseAt(figure, t) {
  const [start, end] = figure.frames;
  return blend(start, end, figure.tree, progress(t, figure.timing));
}

function mid(points, names) {
  const [a, b] = names.split(" ");
  return [(points[a][0] + points[b][0]) / 2, (points[a][1] + points[b][1]) / 2];
}

function r2(v) {
  return Math.round(v * 100) / 100;
}

/** Moves the SVG's elements to the pose (the same attributes the server drew). */
export function draw(svg, points) {
  for (const el of svg.querySelectorAll("[data-a]")) {
    const a = points[el.dataset.a];
    const b = el.dataset.b ? points[el.dataset.b] : el.dataset.fixed.split(" ").map(Number);
    if (!a || !b) continue;
    el.setAttribute("x1", r2(a[0]));
    el.setAttribute("y1", r2(a[1]));
    el.setAttribute("x2", r2(b[0]));
    el.setAttribute("y2", r2(b[1]));
  }
  for (const el of svg.querySelectorAll("[data-mid-a]")) {
    const a = mid(points, el.dataset.midA);
    const b = mid(points, el.dataset.midB);
    el.setAttribute("x1", r2(a[0]));
    el.setAttribute("y1", r2(a[1]));
    el.setAttribute("x2", r2(b[0]));
    el.setAttribute("y2", r2(b[1]));
  }
  for (const el of svg.querySelectorAll("polygon[data-points]")) {
    el.setAttribute("points", el.dataset.points.split(" ").map((n) => `${r2(points[n][0])},${r2(points[n][1])}`).join(" "));
  }
  for (const el of svg.querySelectorAll("circle[data-mid]")) {
    const c = mid(points, el.dataset.mid);
    el.setAttribute("cx", r2(c[0]));
    el.setAttribute("cy", r2(c[1]));
  }
  for (const el of svg.querySelectorAll("circle[data-at]")) {
    const c = points[el.dataset.at];
    el.setAttribute("cx", r2(c[0]));
    el.setAttribute("cy", r2(c[1]));
  }
  for (const el of svg.querySelectorAll("g[data-at]")) {
    const c = points[el.dataset.at];
    el.setAttribute("transform", `translate(${r2(c[0])} ${r2(c[1])})`);
  }
  for (const el of svg.querySelectorAll("[data-lever]")) {
    const [an, bn] = el.dataset.lever.split(" ");
    const a = points[an];
    const b = points[bn];
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    const len = Math.hypot(el.x2.baseVal.value - el.x1.baseVal.value, el.y2.baseVal.value - el.y1.baseVal.value);
    el.setAttribute("x1", r2(a[0]));
    el.setAttribute("y1", r2(a[1]));
    el.setAttribute("x2", r2(a[0] + ((b[0] - a[0]) / d) * len));
    el.setAttribute("y2", r2(a[1] + ((b[1] - a[1]) / d) * len));
  }
}

const running = new Set();
let frameRequest = 0;

function tick(now) {
  frameRequest = 0;
  for (const fig of running) {
    if (fig.paused || !fig.visible) continue;
    if (fig.t0 === null) fig.t0 = now - fig.offset * 1000;
    const seconds = (now - fig.t0) / 1000;
    fig.offset = seconds;
    draw(fig.svg, poseAt(fig.data, seconds / cycleSeconds(fig.data.timing)));
  }
  if (running.size) frameRequest = requestAnimationFrame(tick);
}

function setLabel(button, paused) {
  button.textContent = paused ? button.dataset.labelPlay : button.dataset.labelPause;
}

function start(svg) {
  if (svg.dataset.figureReady) return;
  svg.dataset.figureReady = "1";
  const fig = { svg, data: JSON.parse(svg.dataset.figure), paused: false, visible: true, t0: null, offset: 0 };
  const wrap = svg.closest("[data-figure-wrap]");
  const button = wrap ? wrap.querySelector("[data-figure-pause]") : null;
  if (button) {
    button.hidden = false;
    setLabel(button, false);
    button.addEventListener("click", () => {
      fig.paused = !fig.paused;
      fig.t0 = null;
      setLabel(button, fig.paused);
      if (!fig.paused && !frameRequest) frameRequest = requestAnimationFrame(tick);
    });
  }
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      for (const entry of entries) {
        fig.visible = entry.isIntersecting;
        fig.t0 = null;
      }
    }).observe(svg);
  }
  running.add(fig);
  if (!frameRequest) frameRequest = requestAnimationFrame(tick);
}

function scan(root) {
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
  for (const svg of root.querySelectorAll("svg[data-figure]")) start(svg);
}

if (typeof document !== "undefined") {
  const go = () => scan(document);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
  else go();
  document.addEventListener("htmx:afterSwap", (event) => scan(event.target));
}
