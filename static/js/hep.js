// Home exercise program: the patient's session runner and the print button.
// Loaded as a module by the session and print pages (CSP: no inline scripts). Without it the
// session form still works: every exercise is shown at once and the counts are typed.
//
// On an exercise the camera can measure (its motion key, telept.motion's exercise name), the
// patient may switch on "Use my camera": MediaPipe Pose runs on this device (static/js/motion/),
// the skeleton, the live angle and the camera's rep count are shown, and each counted rep adds
// one to the reps field as a tap would (the patient can still correct it). Off by default; no
// picture or landmark leaves the device. The motion kit is imported only when it is needed.
// What the camera measured (the analyser's summary: movement, side, peak and arc in degrees,
// reps, view check) goes into the exercise's hidden camera_* fields and is saved with the
// session, for the therapist's range-of-motion trend.
//
// Without a connection (Issue 13 item 3) the page still works from the service worker's copy
// (static/js/sw.js): "Save my session" then keeps the session on the device
// (static/js/offline.js queues it in IndexedDB with a UUID of its own), sends it once when the
// connection returns, and shows the safety stop at once when the session's pain or a fall
// calls for it (static/js/offline-rules.js, the port of telept/exercises/rules.py).

import { enqueue, patient, queued, setState, stateOf, sync } from "./offline.js";
import { safetyCheck } from "./offline-rules.js";

// What the patient reads, in their language (Django's JavaScriptCatalog, else the English).
const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);

document.body.classList.add("hep-ready");

document.querySelectorAll("[data-print]").forEach((button) =>
  button.addEventListener("click", () => window.print()));

function sessionRunner(form) {
  const steps = [...form.querySelectorAll("[data-hep-step]")];
  const progress = form.querySelector("[data-hep-progress]");
  const prev = form.querySelector("[data-hep-prev]");
  const next = form.querySelector("[data-hep-next]");
  const duration = form.querySelector("input[name=duration_seconds]");
  const started = Date.now();
  const exercises = steps.length - 1;
  // After a refused save, open the first exercise with an error.
  const firstError = steps.findIndex((step) => step.querySelector(".errorlist"));
  let index = Math.max(0, firstError);

  function show(i, focus) {
    index = Math.min(Math.max(i, 0), steps.length - 1);
    steps.forEach((step, k) => {
      if (k !== index && !step.hidden) step.dispatchEvent(new CustomEvent("hep:leave"));
      step.hidden = k !== index;
    });
    progress.textContent = index < exercises
      ? tr("Exercise %(n)s of %(total)s").replace("%(n)s", index + 1)
        .replace("%(total)s", exercises)
      : tr("Last step: finish and save");
    prev.disabled = index === 0;
    next.hidden = index === steps.length - 1;
    if (focus) {
      const legend = steps[index].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus();
      steps[index].scrollIntoView({ block: "start" });
    }
  }

  prev.addEventListener("click", () => show(index - 1, true));
  next.addEventListener("click", () => show(index + 1, true));
  form.addEventListener("submit", (event) => {
    if (duration) duration.value = String(Math.round((Date.now() - started) / 1000));
    const box = document.querySelector("[data-offline]");
    if (box && !navigator.onLine && globalThis.indexedDB) {
      event.preventDefault();
      saveOffline(form, box, steps, (i) => show(i, true));
    }
  });
  steps.forEach(stepTools);
  show(index, firstError >= 0);
  offlineStatus(form);
}

// --- Without a connection ---------------------------------------------------------------------

const numberOrNull = (input) => (input && input.value !== "" ? Number(input.value) : null);
const checked = (step, name) => step.querySelector(`input[name$='-${name}']:checked`);
const stopId = (box) => `stop-${box.dataset.patient}-${box.dataset.program}`;

function offlineStatus(form) {
  const box = document.querySelector("[data-offline]");
  if (!box) return;
  const status = box.querySelector("[data-offline-status]");
  const update = () => { status.hidden = navigator.onLine; };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
  // A safety stop logged on this device and not yet confirmed by the server: no new session.
  if (!globalThis.indexedDB) return;
  stateOf(stopId(box)).then((state) => {
    if (!state || !state.stopped) return;
    if (navigator.onLine) { setState({ id: stopId(box), stopped: false }); return; }
    finish(form, box, { stop: true, key: state.key });
  }).catch(() => {});
}

// The session as the sync endpoint takes it (telept/exercises/api.py SessionIn), or the
// index of the first exercise that still needs an answer.
function sessionBody(form, box, steps) {
  const logs = [];
  for (const [n, step] of steps.entries()) {
    if (step.hasAttribute("data-hep-last")) continue;
    const status = checked(step, "status");
    const pain = checked(step, "pain");
    step.querySelectorAll("[data-offline-error]").forEach((p) => p.remove());
    const missing = !status ? tr("Say whether you did it, partly or skipped it.")
      : (!pain && status.value !== "skipped") ? tr("Rate your pain now, from 0 to 10.") : "";
    if (missing) {
      const p = document.createElement("p");
      p.className = "errorlist";
      p.dataset.offlineError = "";
      p.setAttribute("role", "alert");
      p.textContent = missing;
      step.querySelector("legend").after(p);
      return { invalid: n };
    }
    const field = (name) => step.querySelector(`input[name$='-${name}']`);
    const difficulty = checked(step, "difficulty");
    const log = {
      item_id: Number(field("item_id").value), status: status.value,
      pain: pain ? Number(pain.value) : null, difficulty: difficulty ? difficulty.value : null,
      sets_done: numberOrNull(field("sets_done")), reps_done: numberOrNull(field("reps_done")),
    };
    const cameraExercise = field("camera_exercise");
    if (cameraExercise && cameraExercise.value && field("camera_side").value) {
      const view = field("camera_view_ok").value;
      log.camera = {
        exercise: cameraExercise.value, side: field("camera_side").value,
        reps: Number(field("camera_reps").value || 0),
        peak_deg: numberOrNull(field("camera_peak_deg")),
        rom_deg: numberOrNull(field("camera_rom_deg")),
        view_ok: view === "" ? null : view === "true",
      };
    }
    logs.push(log);
  }
  const fall = form.querySelector("input[name=fall_reported]");
  const note = form.querySelector("[name=note]");
  const duration = form.querySelector("input[name=duration_seconds]");
  return {
    body: {
      program_id: Number(box.dataset.program), logs, fall_reported: Boolean(fall && fall.checked),
      note: note ? note.value.trim().slice(0, 500) : "",
      duration_seconds: numberOrNull(duration), completed_at: new Date().toISOString(),
    },
  };
}

async function saveOffline(form, box, steps, showStep) {
  const built = sessionBody(form, box, steps);
  if (built.invalid !== undefined) { showStep(built.invalid); return; }
  const { body } = built;
  let baseline = box.dataset.baseline === "" ? null : Number(box.dataset.baseline);
  if (baseline === null) { // the first pain ever logged becomes it, queued ones included
    const earlier = (await queued()).filter((e) => e.program === box.dataset.program)
      .sort((a, b) => a.created.localeCompare(b.created))
      .flatMap((e) => e.body.logs.map((l) => l.pain)).filter((p) => p !== null);
    if (earlier.length) baseline = earlier[0];
  }
  const decision = safetyCheck({
    baseline, pains: body.logs.map((l) => l.pain).filter((p) => p !== null),
    fall: body.fall_reported, severePain: Number(box.dataset.severePain),
    painRise: Number(box.dataset.painRise),
  });
  const key = crypto.randomUUID();
  await enqueue({ key, patient: box.dataset.patient || patient, program: box.dataset.program,
                  body, stop: decision.stop });
  if (decision.stop) await setState({ id: stopId(box), stopped: true, key });
  finish(form, box, { stop: decision.stop, key });
  sync();
}

function finish(form, box, { stop, key }) {
  form.hidden = true;
  const panel = box.querySelector(stop ? "[data-offline-stop]" : "[data-offline-saved]");
  panel.hidden = false;
  panel.dataset.key = key || "";
  panel.focus();
  document.addEventListener("telept:synced", (event) => {
    if (key && event.detail.entry.key !== key) return;
    panel.querySelectorAll("[data-offline-pending]").forEach((p) => { p.hidden = true; });
    panel.querySelectorAll("[data-offline-sent]").forEach((p) => { p.hidden = false; });
    panel.dataset.synced = String(event.detail.answer.id);
  });
}

function stepTools(step) {
  const timer = step.querySelector("[data-hep-timer]");
  const say = step.querySelector("[data-hep-say]");
  let ticking = null;

  const format = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  function stop() {
    if (ticking) clearInterval(ticking);
    ticking = null;
  }
  step.querySelectorAll("[data-hep-start]").forEach((button) => {
    button.addEventListener("click", () => {
      const kind = button.dataset.hepStart;
      let left = Number(step.dataset[kind] || 0);
      stop();
      timer.textContent = format(left);
      if (say) {
        say.textContent = (kind === "hold" ? tr("Hold for %(seconds)s seconds")
          : tr("Rest for %(seconds)s seconds")).replace("%(seconds)s", left);
      }
      ticking = setInterval(() => {
        left -= 1;
        timer.textContent = format(Math.max(left, 0));
        if (left <= 0) {
          stop();
          if (say) say.textContent = kind === "hold" ? tr("Hold done. Relax.") : tr("Rest over.");
          if (navigator.vibrate) navigator.vibrate(200);
        }
      }, 1000);
    });
  });
  const stopButton = step.querySelector("[data-hep-stop]");
  if (stopButton) stopButton.addEventListener("click", stop);

  const count = step.querySelector("[data-hep-count]");
  const reps = step.querySelector("input[name$='-reps_done']");
  const sets = step.querySelector("input[name$='-sets_done']");
  const prescribedSets = Number(step.dataset.sets || 0);
  let inSet = 0;
  const total = () => Number(reps && reps.value ? reps.value : 0);
  const setTotal = (n) => { if (reps) reps.value = String(Math.max(0, n)); };
  const tap = step.querySelector("[data-hep-rep]");
  const undo = step.querySelector("[data-hep-undo]");
  const setDone = step.querySelector("[data-hep-set]");
  const show = () => { if (count) count.textContent = String(inSet); };
  const addRep = () => { inSet += 1; setTotal(total() + 1); show(); };
  if (tap) tap.addEventListener("click", addRep);
  const camera = step.querySelector("[data-hep-camera]");
  if (camera) cameraTools(step, camera, { addRep, say });
  if (undo) {
    undo.addEventListener("click", () => {
      if (inSet > 0) { inSet -= 1; setTotal(total() - 1); }
      show();
    });
  }
  if (setDone) {
    setDone.addEventListener("click", () => {
      const done = Number(sets && sets.value ? sets.value : 0) + 1;
      if (sets) sets.value = String(done);
      inSet = 0;
      show();
      if (say) say.textContent = tr("Set %(n)s done").replace("%(n)s", done);
      if (prescribedSets && done >= prescribedSets) {
        const doneRadio = step.querySelector("input[type=radio][value=done]");
        const anyChecked = step.querySelector("input[name$='-status']:checked");
        if (doneRadio && !anyChecked) doneRadio.checked = true;
      }
    });
  }
}

// --- Camera rep counting (optional) ----------------------------------------------------------

const VIEW_HINTS = {
  side: tr("Turn side-on to the camera, so that it sees the side you are moving."),
  front: tr("Face the camera, so that it sees you from the front."),
};
const NOBODY_HINT = tr("Step back until the camera sees your whole body.");
const SEEN_HINT = tr("The camera sees you. Start when ready.");
// The camera-placement hint looks at the last few seconds only (and at least a few frames).
const PLACEMENT_WINDOW_S = 3;
const PLACEMENT_FRAMES = 5;
// The hidden camera fields are refreshed at most this often (and on each rep, stop and save).
const RECORD_EVERY_S = 1;
const MAX_DEG = 200;

let motionKit = null;
function loadMotionKit() {
  motionKit ??= Promise.all([
    import("./motion/pose.js"), import("./motion/analyzer.js"), import("./motion/skeleton.js"),
  ]).then(([pose, analyzer, skeleton]) => ({ ...pose, ...analyzer, ...skeleton }));
  return motionKit;
}

function cameraTools(step, box, { addRep, say }) {
  const toggle = box.querySelector("[data-hep-camera-on]");
  const live = box.querySelector("[data-hep-camera-live]");
  const video = box.querySelector("[data-hep-video]");
  const canvas = box.querySelector("[data-hep-overlay]");
  const angleOut = box.querySelector("[data-hep-angle]");
  const repsOut = box.querySelector("[data-hep-camera-reps]");
  const hint = box.querySelector("[data-hep-camera-hint]");
  const motionKey = box.dataset.motion;
  const fields = Object.fromEntries(
    ["exercise", "side", "peak_deg", "rom_deg", "reps", "view_ok"].map(
      (k) => [k, step.querySelector(`input[name$='-camera_${k}']`)]));
  let session = null; // {stream, tracker, run}, while the camera is on
  let starting = false;
  let saved = null; // {run, reps}: the camera run whose summary is in the form

  // Put a run's summary in the hidden fields. Of several runs (camera off and on again) the
  // form keeps the one that counted the most reps. Values the server would refuse are left
  // empty rather than sent.
  function record(run) {
    if (!run || !run.analyzer || !run.analyzer.frames || !fields.exercise) return;
    let summary;
    try { summary = run.analyzer.summary(); } catch { return; }
    if (saved && saved.run !== run && summary.reps < saved.reps) return;
    saved = { run, reps: summary.reps };
    const inRange = (v) => Number.isFinite(v) && v >= 0 && v <= MAX_DEG;
    const degrees = inRange(summary.peak_deg) && inRange(summary.rom_deg);
    const values = {
      exercise: motionKey, side: summary.side, reps: String(summary.reps),
      peak_deg: degrees ? String(summary.peak_deg) : "",
      rom_deg: degrees ? String(summary.rom_deg) : "",
      view_ok: String(Boolean(summary.view_ok)),
    };
    for (const [k, input] of Object.entries(fields)) if (input) input.value = values[k];
  }

  loadMotionKit().then((kit) => {
    if (!kit.EXERCISES[motionKey] || !kit.poseSupported()) box.hidden = true;
  }).catch(() => { box.hidden = true; });

  function tell(text) { if (hint.textContent !== text) hint.textContent = text; }

  function stop() {
    if (!session) return;
    record(session.run);
    session.tracker?.stop();
    session.stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
    session = null;
    live.hidden = true;
    toggle.checked = false;
    box.dataset.poseState = "off";
  }

  async function start() {
    if (session || starting) return;
    starting = true;
    box.dataset.poseState = "starting";
    live.hidden = false;
    tell(tr("Starting the camera…"));
    let stream = null;
    try {
      const kit = await loadMotionKit();
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
      if (!toggle.checked) { // switched off while the browser asked for the camera
        stream.getTracks().forEach((t) => t.stop());
        live.hidden = true;
        box.dataset.poseState = "off";
        return;
      }
      session = { stream, tracker: null, run: { analyzer: null, recordedAt: -Infinity } };
      video.srcObject = stream;
      await video.play();
      tell(tr("Loading the movement tracker…"));
      const track = makeTrack(kit, session.run);
      const tracker = await kit.createPoseTracker(video, track, {
        onError: (error) => {
          console.warn("camera rep counting:", error);
          stop();
          live.hidden = false;
          tell(tr("The camera counter stopped. You can count with the button or type the number."));
        },
      });
      if (!session) { // switched off while loading
        tracker.stop();
        toggle.checked = false;
        return;
      }
      session.tracker = tracker;
      box.dataset.poseState = "on";
      tell(tr("Looking for you: stand where the camera sees your whole body."));
    } catch (error) {
      if (session) stop();
      else if (stream) stream.getTracks().forEach((t) => t.stop());
      live.hidden = false;
      toggle.checked = false;
      box.dataset.poseState = "error";
      console.warn("camera rep counting:", error);
      const why = error.name === "NotAllowedError" ? tr("The camera was not allowed.")
        : error.name === "NotFoundError" ? tr("No camera was found.")
          : tr("The camera counter could not start on this device.");
      tell(`${why} ${tr("You can count with the button or type the number.")}`);
    } finally {
      starting = false;
    }
  }

  // Per frame: analyse, draw, show the angle and count, fill the form on each counted rep.
  function makeTrack(kit, run) {
    const ex = kit.EXERCISES[motionKey];
    let analyzer = null;
    let placement = null;
    let placementFrom = 0;
    let frames = 0;
    let partials = 0;
    let lastSeen = -Infinity;
    return (landmarks, t) => {
      frames += 1;
      box.dataset.poseFrames = String(frames);
      box.dataset.poseLandmarks = String(landmarks ? landmarks.length : 0);
      if (landmarks) {
        box.dataset.poseLast = JSON.stringify(
          landmarks.map((row) => row.map((v) => Math.round(v * 1000) / 1000)));
      }
      if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
      }
      if (!landmarks) {
        kit.drawSkeleton(canvas, null);
        angleOut.textContent = "–";
        if (t - lastSeen > 2) tell(NOBODY_HINT);
        return;
      }
      if (hint.textContent !== SEEN_HINT && t - lastSeen > 2) tell(SEEN_HINT);
      lastSeen = t;
      const size = { exercise: motionKey, width: video.videoWidth, height: video.videoHeight };
      if (!analyzer) analyzer = run.analyzer = new kit.LiveAnalyzer(size);
      if (!placement || (t - placementFrom > PLACEMENT_WINDOW_S
                         && placement.frames >= PLACEMENT_FRAMES)) {
        if (placement) placementHint(placement.viewCheck());
        placement = new kit.LiveAnalyzer(size);
        placementFrom = t;
      }
      placement.push(landmarks, t);
      const u = analyzer.push(landmarks, t);
      kit.drawSkeleton(canvas, landmarks, {
        highlight: ex[u.side], angleDeg: u.angle_deg, mirror: true,
      });
      angleOut.textContent = u.angle_deg === null ? "–" : `${Math.round(u.angle_deg)}°`;
      repsOut.textContent = String(u.reps);
      if (u.rep_counted) {
        addRep();
        if (say) say.textContent = tr("Rep %(n)s").replace("%(n)s", u.reps);
      }
      if (u.rep_counted || t - run.recordedAt >= RECORD_EVERY_S) {
        run.recordedAt = t;
        record(run);
      }
      if (u.partial_reps > partials) {
        partials = u.partial_reps;
        tell(tr("That one stopped short of the full movement, so it was not counted."));
      }
    };
  }

  function placementHint(view) {
    if (view.frames_used < PLACEMENT_FRAMES) return; // the torso was not seen long enough
    box.dataset.poseViewOk = String(view.ok);
    if (!view.ok) tell(VIEW_HINTS[view.expected]);
    else if (hint.textContent === VIEW_HINTS[view.expected]) tell(tr("Good position. Carry on."));
  }

  toggle.addEventListener("change", () => (toggle.checked ? start() : stop()));
  step.closest("form")?.addEventListener("submit", () => record(session?.run));
  step.addEventListener("hep:leave", stop);
  window.addEventListener("pagehide", stop);
}

// Last: the module-level state above (the motion kit's loader) must be initialised first.
const form = document.querySelector("[data-hep-session]");
if (form) sessionRunner(form);
