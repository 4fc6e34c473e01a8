// The shared whiteboard: strokes in board units (0..1 of width and height), drawn locally
// as the pen moves and sent once the stroke ends; strokes from others are drawn as they
// arrive. "Save to chart" posts the board as a PNG.

const MAX_POINTS = 2000;

export class Whiteboard {
  constructor(canvas, { onStroke }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.onStroke = onStroke;
    this.strokes = [];
    this.current = null;
    this.color = "#d62728";
    this.width = 4;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", () => this.up());
    canvas.addEventListener("pointerleave", () => this.up());
    this.clear(false);
  }

  point(event) {
    const box = this.canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
  }

  down(event) {
    this.canvas.setPointerCapture?.(event.pointerId);
    const id = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
    this.current = { id, points: [this.point(event)], color: this.color, width: this.width };
  }

  move(event) {
    if (!this.current || this.current.points.length >= MAX_POINTS) return;
    const last = this.current.points[this.current.points.length - 1];
    const next = this.point(event);
    this.current.points.push(next);
    this.segment(last, next, this.current);
  }

  up() {
    if (!this.current) return;
    const stroke = this.current;
    this.current = null;
    this.add(stroke, false);
    this.onStroke(stroke);
  }

  segment(from, to, stroke) {
    const { width, height } = this.canvas;
    const ctx = this.ctx;
    ctx.strokeStyle = stroke.color;
    ctx.lineWidth = stroke.width * (width / 1280);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from[0] * width, from[1] * height);
    ctx.lineTo(to[0] * width, to[1] * height);
    ctx.stroke();
  }

  draw(stroke) {
    const pts = stroke.points;
    if (pts.length === 1) this.segment(pts[0], pts[0], stroke);
    for (let i = 1; i < pts.length; i += 1) this.segment(pts[i - 1], pts[i], stroke);
  }

  add(stroke, draw = true) {
    this.strokes.push(stroke);
    if (draw) this.draw(stroke);
    this.canvas.dataset.strokes = String(this.strokes.length);
  }

  clear(resetList = true) {
    if (resetList) this.strokes = [];
    this.ctx.fillStyle = "#ffffff";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.dataset.strokes = String(this.strokes.length);
  }

  png() {
    return new Promise((resolve) => this.canvas.toBlob(resolve, "image/png"));
  }
}
