// "Record a set": film one set with the camera, watch it back, send it with a progress bar.
// Loaded as a module by exercises/recording_new.html (CSP: no inline scripts). Without this
// script, or without MediaRecorder, the page's form still uploads a chosen video file.
// The server checks the file again (contents, size, length); its field errors are shown here.

// What the patient reads, in their language (Django's JavaScriptCatalog, else the English).
const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);

const root = document.querySelector("[data-recorder]");
if (root) recorder(root);

// WebM first (Chrome, Firefox, Edge); MP4 where that is what the browser records (Safari).
const TYPES = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];

export function pickType(isSupported) {
  return TYPES.find((type) => isSupported(type)) || "";
}

function recorder(root) {
  const $ = (name) => root.querySelector(`[data-${name}]`);
  const live = $("rec-live");
  const playback = $("rec-playback");
  const clock = $("rec-clock");
  const status = $("rec-status");
  const form = $("rec-form");
  const fileRow = $("rec-file");
  const progress = $("rec-progress");
  const send = $("rec-send");
  const buttons = { camera: $("rec-camera"), start: $("rec-start"), stop: $("rec-stop"),
    again: $("rec-again") };
  const maxSeconds = Number(root.dataset.maxSeconds) || 120;
  const canRecord = Boolean(navigator.mediaDevices?.getUserMedia && window.MediaRecorder);
  let stream = null;
  let media = null;
  let chunks = [];
  let recorded = null;
  let startedAt = 0;
  let ticking = null;

  document.body.classList.add("hep-ready");
  const say = (text) => { status.textContent = text; };
  const show = (...names) => Object.entries(buttons).forEach(([name, el]) => {
    el.hidden = !names.includes(name);
  });
  const format = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

  if (!canRecord) {
    show();
    say(tr("This browser cannot record here: record the set with your camera app, then choose the video below."));
  } else {
    show("camera");
  }

  buttons.camera.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" }, audio: false });
    } catch (error) {
      say(tr("The camera could not be turned on. Allow camera access for this site, or choose a video file below."));
      return;
    }
    live.srcObject = stream;
    live.hidden = false;
    playback.hidden = true;
    show("start");
    say(tr("Check that your whole body is in the picture, then start recording."));
  });

  buttons.start.addEventListener("click", () => {
    if (!stream) return;
    const mimeType = pickType((t) => MediaRecorder.isTypeSupported(t));
    media = new MediaRecorder(stream, { ...(mimeType && { mimeType }), videoBitsPerSecond: 1_500_000 });
    chunks = [];
    media.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
    media.addEventListener("stop", finished);
    media.start(1000);
    startedAt = performance.now();
    clock.hidden = false;
    ticking = setInterval(() => {
      const seconds = (performance.now() - startedAt) / 1000;
      clock.textContent = format(seconds);
      if (seconds >= maxSeconds) stop();
    }, 250);
    show("stop");
    say(tr("Recording. Do your set, then press Stop (at most %(seconds)s seconds).")
      .replace("%(seconds)s", maxSeconds));
  });

  function stop() {
    if (media && media.state !== "inactive") media.stop();
    clearInterval(ticking);
  }
  buttons.stop.addEventListener("click", stop);

  function finished() {
    const type = (media.mimeType || chunks[0]?.type || "video/webm").split(";")[0];
    recorded = new Blob(chunks, { type });
    stream.getTracks().forEach((track) => track.stop());
    live.hidden = true;
    live.srcObject = null;
    if (playback.src) URL.revokeObjectURL(playback.src);
    playback.src = URL.createObjectURL(recorded);
    playback.hidden = false;
    fileRow.hidden = true;
    show("again");
    say(tr("Recorded %(time)s. Watch it back, then send it.")
      .replace("%(time)s", format((performance.now() - startedAt) / 1000)));
  }

  buttons.again.addEventListener("click", () => {
    recorded = null;
    playback.hidden = true;
    fileRow.hidden = false;
    clock.hidden = true;
    buttons.camera.click();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (recorded) {
      const extension = recorded.type.includes("mp4") ? "mp4" : "webm";
      data.set("file", recorded, `recording.${extension}`);
    }
    upload(data);
  });

  function upload(data) {
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.responseType = "json";
    progress.hidden = false;
    progress.value = 0;
    send.disabled = true;
    clearErrors();
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
    });
    request.addEventListener("load", () => {
      send.disabled = false;
      const body = request.response || {};
      if (request.status === 201 && body.redirect) {
        say(tr("Sent. Your therapist will watch it and reply."));
        window.location.assign(body.redirect);
        return;
      }
      progress.hidden = true;
      const failed = tr("Sending failed (%(status)s). Try again.")
        .replace("%(status)s", request.status);
      showErrors(body.errors || { __all__: [{ message: failed }] });
    });
    request.addEventListener("error", () => {
      send.disabled = false;
      progress.hidden = true;
      showErrors({ __all__: [{ message: tr("The connection failed. Check it, then send again.") }] });
    });
    say(tr("Sending…"));
    request.send(data);
  }

  function clearErrors() {
    root.querySelectorAll("[data-rec-error]").forEach((el) => el.remove());
  }

  function showErrors(errors) {
    const box = document.createElement("div");
    box.className = "error-summary";
    box.setAttribute("role", "alert");
    box.dataset.recError = "";
    Object.values(errors).flat().forEach((error) => {
      const line = document.createElement("p");
      line.textContent = error.message;
      box.append(line);
    });
    form.before(box);
    say("");
  }
}
