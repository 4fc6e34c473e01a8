// Autosave of a draft note (Issue 16 item 8). The edit form names its endpoint
// (data-autosave-url) and interval (data-autosave-seconds). Every interval, and whenever a
// field loses focus, the form is posted as it is - the hidden `version` included - if it
// changed since the last save. The server answers {version, saved_at, message} (the time in
// the practice's zone) or {code, message}. A 409 means another tab saved first: autosave
// stops so nothing is overwritten, and saving the form opens the merge page.
//
// Pressing "Save draft" moves the focus to the button, so a field loses focus just before
// the form is submitted: an autosave then would bump the version under the page's own save,
// which the server refuses as if another tab had saved first. So leaving a field for the
// form's submit button does not autosave (the submit saves it), and a submit while an
// autosave is on its way waits for its answer and sends the version it got.
const form = document.querySelector("form[data-autosave-url]");

if (form) {
  const status = document.querySelector("[data-testid=autosave-status]");
  const version = form.querySelector("input[name=version]");
  const every = Math.max(5, Number(form.dataset.autosaveSeconds) || 20) * 1000;
  const encode = (data) => new URLSearchParams(data).toString();
  let lastSaved = encode(new FormData(form));
  let inFlight = null;  // the autosave on its way, if any
  let stopped = false;
  let released = false;  // the submit that waited for an autosave, now let through

  const show = (text, state) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
  };

  const post = async (data) => {
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        version.value = String(answer.version);
        data.set("version", version.value);
        lastSaved = encode(data);
        show(answer.message || `Saved at ${answer.saved_at}`, "saved");
      } else {
        if (response.status === 409 || response.status === 404 || response.status === 403) {
          stopped = true;
        }
        const why = answer.message || "Not saved: the server refused the draft.";
        show(response.status === 409 && answer.code === "note_changed"
          ? `${why} Press "Save draft" to compare and merge.` : why, "error");
      }
    } catch {
      show("Not saved: no connection. Trying again shortly.", "error");
    } finally {
      inFlight = null;
    }
  };

  const save = () => {
    if (inFlight || stopped) return;
    const data = new FormData(form);
    if (encode(data) === lastSaved) return;
    inFlight = post(data);
  };

  const submits = (element) => element instanceof HTMLElement && element.form === form
    && element.matches("button:not([type]), button[type=submit], input[type=submit]");

  setInterval(save, every);
  form.addEventListener("focusout", (event) => {
    if (!submits(event.relatedTarget)) save();
  });
  form.addEventListener("submit", (event) => {
    stopped = true;
    if (released || !inFlight) return;
    event.preventDefault();  // the version this page holds is about to change
    const submitter = event.submitter;
    inFlight.then(() => {
      released = true;
      form.requestSubmit(submits(submitter) ? submitter : undefined);
    });
  });
}
