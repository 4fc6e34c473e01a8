// Short clips with consent (Issue 14 item 3).
//
// The therapist (a host who measures) asks to keep a clip of a movement; the patient's page
// shows the request in a dialog and the patient accepts or declines. Only after the server
// recorded the accept (and handed back a one-use upload token) does this page record, with
// MediaRecorder on its OWN camera track (no media passes through the server during the
// call), for the asked seconds (never past 60), and send the clip once. The server stores it
// as a recording of the patient, analysed like a home set; the therapist's page follows it
// to "analysed" and shows the figures.
//
// State for tests: the patient's dialog #clip-dialog[data-clip-state] (asked, recording,
// sending, sent, declined, failed); the therapist's #clip-status[data-clip-state] (asked,
// accepted, declined, received, analysed, failed).

const MAX_SECONDS = 60;
const POLL_MS = 2000;
const POLL_FOR_MS = 5 * 60 * 1000;

function recorderType() {
  const types = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm", "video/mp4;codecs=avc1", "video/mp4"];
  return types.find((t) => globalThis.MediaRecorder && MediaRecorder.isTypeSupported(t)) || "";
}

export class Clips {
  constructor({ config, csrf, tr, cameraTrack }) {
    this.config = config;
    this.csrf = csrf;
    this.tr = tr;
    this.cameraTrack = cameraTrack;
    this.dialog = null;
    this.current = null;
    if (config.clipsUrl && document.getElementById("motion-panel")) this.hostControls();
  }

  async post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch { /* a 404 page */ }
    return { ok: response.ok, status: response.status, data };
  }

  // --- the socket's events ---------------------------------------------------------------

  onMessage(message) {
    switch (message.type) {
      case "clip_request": this.showRequest(message); break;
      case "clip_decision": this.hostDecision(message.clip); break;
      case "clip_received": this.hostReceived(message.clip); break;
      default: break;
    }
  }

  // --- the patient's page ----------------------------------------------------------------

  ensureDialog() {
    if (this.dialog) return this.dialog;
    const tr = this.tr;
    const dialog = document.createElement("dialog");
    dialog.id = "clip-dialog";
    dialog.className = "card clip-dialog";
    dialog.setAttribute("aria-labelledby", "clip-title");
    dialog.setAttribute("aria-describedby", "clip-text");
    dialog.innerHTML = `
      <h2 id="clip-title"></h2>
      <p id="clip-text"></p>
      <p id="clip-progress" role="status" aria-live="polite"></p>
      <p class="clip-buttons">
        <button type="button" id="clip-accept"></button>
        <button type="button" id="clip-decline" class="secondary"></button>
        <button type="button" id="clip-close" class="secondary" hidden></button>
      </p>`;
    dialog.querySelector("#clip-accept").textContent = tr("Yes, record the clip");
    dialog.querySelector("#clip-decline").textContent = tr("No, thank you");
    dialog.querySelector("#clip-close").textContent = tr("Close");
    dialog.querySelector("#clip-accept").addEventListener("click", () => this.answer(true));
    dialog.querySelector("#clip-decline").addEventListener("click", () => this.answer(false));
    dialog.querySelector("#clip-close").addEventListener("click", () => dialog.close());
    // Escape is a "no": nothing is ever recorded without the Yes button.
    dialog.addEventListener("cancel", (event) => {
      if (dialog.dataset.clipState === "asked") { event.preventDefault(); this.answer(false); }
    });
    document.body.appendChild(dialog);
    this.dialog = dialog;
    return dialog;
  }

  setDialog(stateName, progress) {
    const dialog = this.ensureDialog();
    dialog.dataset.clipState = stateName;
    const asking = stateName === "asked";
    dialog.querySelector("#clip-accept").hidden = !asking;
    dialog.querySelector("#clip-decline").hidden = !asking;
    dialog.querySelector("#clip-close").hidden = !["sent", "declined", "failed"].includes(stateName);
    dialog.querySelector("#clip-progress").textContent = progress || "";
  }

  showRequest(message) {
    const clip = message.clip;
    const tr = this.tr;
    this.current = { clip, version: message.version };
    const dialog = this.ensureDialog();
    const seconds = Math.min(clip.seconds, MAX_SECONDS);
    dialog.querySelector("#clip-title").textContent = tr("Your therapist asks to keep a short clip");
    // The movement's name and the consent wording come from the server in English; both are
    // in djangojs.po (telept.accounts.js_messages.server_strings), so tr() says them here.
    const length = seconds === 1 ? tr("1 second") : tr("%(seconds)s seconds").replace("%(seconds)s", seconds);
    dialog.querySelector("#clip-text").textContent = `${tr(clip.label)} · ${length}. ${tr(message.text)}`;
    this.setDialog("asked");
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("#clip-accept").focus();
  }

  async answer(accept) {
    const tr = this.tr;
    const current = this.current;
    if (!current || this.dialog.dataset.clipState !== "asked") return;
    this.setDialog(accept ? "recording" : "declined", accept ? tr("Starting…") : "");
    const url = `${this.config.clipsUrl}${current.clip.id}/decide/`;
    const { ok, data } = await this.post(url, { accept, version: current.version });
    if (!ok) { this.setDialog("failed", data.message || tr("Something went wrong; please try again.")); return; }
    if (!accept) { this.setDialog("declined", tr("No clip was recorded.")); return; }
    try {
      const blob = await this.record(Math.min(current.clip.seconds, MAX_SECONDS));
      this.setDialog("sending", tr("Sending the clip to your therapist…"));
      const form = new FormData();
      form.append("token", data.uploadToken);
      form.append("file", blob, blob.type.includes("mp4") ? "clip.mp4" : "clip.webm");
      const response = await fetch(data.uploadUrl, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": this.csrf }, body: form,
      });
      let answer = {};
      try { answer = await response.json(); } catch { /* not JSON */ }
      if (!response.ok) throw new Error(answer.message || tr("The clip could not be sent."));
      this.setDialog("sent", tr("The clip was sent to your therapist."));
    } catch (error) {
      this.setDialog("failed", error.message || tr("The clip could not be sent."));
    }
  }

  record(seconds) {
    const tr = this.tr;
    const track = this.cameraTrack();
    if (!track || track.readyState !== "live" || !globalThis.MediaRecorder) {
      return Promise.reject(new Error(tr("Your camera is off, so no clip can be recorded.")));
    }
    const type = recorderType();
    const recorder = new MediaRecorder(new MediaStream([track]), type ? { mimeType: type } : {});
    const chunks = [];
    return new Promise((resolve, reject) => {
      let left = seconds;
      const tick = () => this.setDialog("recording", left === 1 ? tr("Recording the clip: 1 second left")
        : tr("Recording the clip: %(seconds)s seconds left").replace("%(seconds)s", left));
      recorder.ondataavailable = (event) => { if (event.data && event.data.size) chunks.push(event.data); };
      recorder.onerror = () => reject(new Error(tr("The clip could not be recorded.")));
      recorder.onstop = () => {
        clearInterval(timer);
        resolve(new Blob(chunks, { type: (recorder.mimeType || type || "video/webm").split(";")[0] }));
      };
      const timer = setInterval(() => {
        left -= 1;
        if (left <= 0 && recorder.state === "recording") recorder.stop(); else tick();
      }, 1000);
      tick();
      recorder.start(1000);
    });
  }

  // --- the therapist's page --------------------------------------------------------------

  hostControls() {
    const panel = document.getElementById("motion-panel");
    const box = document.createElement("div");
    box.className = "clip-controls";
    box.innerHTML = `
      <label for="clip-seconds">Clip length (seconds)</label>
      <input id="clip-seconds" type="number" min="1" max="${MAX_SECONDS}" value="15" inputmode="numeric">
      <button type="button" id="clip-ask" class="secondary">Ask to keep a clip</button>
      <p id="clip-status" role="status" aria-live="polite" data-clip-state=""></p>`;
    panel.appendChild(box);
    box.querySelector("#clip-ask").addEventListener("click", () => this.ask());
  }

  hostStatus(stateName, text) {
    const status = document.getElementById("clip-status");
    if (!status) return;
    status.dataset.clipState = stateName;
    status.textContent = text;
  }

  async ask() {
    const seconds = Math.min(MAX_SECONDS, Math.max(1, Number(document.getElementById("clip-seconds").value) || 15));
    const { ok, data } = await this.post(this.config.clipsUrl, {
      participant: Number(document.getElementById("motion-patient").value),
      exercise: document.getElementById("motion-exercise").value,
      side: document.getElementById("motion-side").value,
      seconds,
    });
    if (!ok) { this.hostStatus("failed", data.message || "The request could not be sent."); return; }
    this.hostStatus("asked", `Asked the patient to keep a ${seconds}-second clip of ${data.clip.label.toLowerCase()}. Waiting for their answer…`);
  }

  hostDecision(clip) {
    if (clip.decision === "accepted") {
      this.hostStatus("accepted", `The patient agreed; their browser is recording ${clip.seconds} seconds.`);
    } else {
      this.hostStatus("declined", "The patient declined: no clip is kept.");
    }
  }

  hostReceived(clip) {
    this.hostStatus("received", "Clip received, analysing…");
    const url = `${this.config.clipsUrl}${clip.id}/status/`;
    const until = Date.now() + POLL_FOR_MS;
    const poll = async () => {
      const { ok, data } = await this.post(url);
      const row = ok ? data.clip : null;
      if (row && row.status === "analysed") {
        const f = row.figures || {};
        const angle = f.peak_deg == null ? "no angle measured" : `peak ${Math.round(f.peak_deg)}°, range ${Math.round(f.rom_deg)}°`;
        this.hostStatus("analysed", `Clip analysed: ${f.reps ?? 0} reps, ${angle}. Filed to the chart's recordings.`);
        return;
      }
      if (row && row.status === "failed") { this.hostStatus("failed", `The clip's analysis failed: ${row.failure}`); return; }
      if (Date.now() < until) setTimeout(poll, POLL_MS);
    };
    setTimeout(poll, POLL_MS);
  }
}
