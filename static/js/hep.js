// Home exercise program: the patient's session runner and the print button.
// Loaded as a module by the session and print pages (CSP: no inline scripts). Without it the
// session form still works: every exercise is shown at once and the counts are typed.

document.body.classList.add("hep-ready");

document.querySelectorAll("[data-print]").forEach((button) =>
  button.addEventListener("click", () => window.print()));

const form = document.querySelector("[data-hep-session]");
if (form) sessionRunner(form);

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
    steps.forEach((step, k) => { step.hidden = k !== index; });
    progress.textContent = index < exercises
      ? `Exercise ${index + 1} of ${exercises}` : "Last step: finish and save";
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
  form.addEventListener("submit", () => {
    if (duration) duration.value = String(Math.round((Date.now() - started) / 1000));
  });
  steps.forEach(stepTools);
  show(index, firstError >= 0);
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
      if (say) say.textContent = `${kind === "hold" ? "Hold" : "Rest"} for ${left} seconds`;
      ticking = setInterval(() => {
        left -= 1;
        timer.textContent = format(Math.max(left, 0));
        if (left <= 0) {
          stop();
          if (say) say.textContent = kind === "hold" ? "Hold done. Relax." : "Rest over.";
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
  if (tap) {
    tap.addEventListener("click", () => { inSet += 1; setTotal(total() + 1); show(); });
  }
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
      if (say) say.textContent = `Set ${done} done`;
      if (prescribedSets && done >= prescribedSets) {
        const doneRadio = step.querySelector("input[type=radio][value=done]");
        const anyChecked = step.querySelector("input[name$='-status']:checked");
        if (doneRadio && !anyChecked) doneRadio.checked = true;
      }
    });
  }
}
