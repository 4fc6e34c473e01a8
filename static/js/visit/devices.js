// The pre-join device check: camera and microphone preview with a level meter, device
// choice, a speaker test, and a network check against our own server (WebSocket round trips
// through the channel layer, plus a small download). No dependencies; an ES module.

const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);  // the page's language (/accounts/jsi18n/)
const $ = (id) => document.getElementById(id);

export class DeviceCheck {
  constructor() {
    this.stream = null;
    this.audioContext = null;
    this.meterFrame = 0;
    this.sinkId = "";
  }

  // Ask for camera and microphone; fall back to audio alone, then to nothing (a person
  // without a camera can still join by audio).
  async start({ videoId = "", audioId = "" } = {}) {
    const video = videoId ? { deviceId: { exact: videoId } }
      : { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" };
    const audio = audioId ? { deviceId: { exact: audioId }, echoCancellation: true }
      : { echoCancellation: true, noiseSuppression: true };
    let stream = null;
    let note = tr("Camera and microphone are working.");
    for (const constraints of [{ video, audio }, { audio }, { video }]) {
      try {
        stream = await navigator.mediaDevices.getUserMedia(constraints);
        if (!constraints.video) note = tr("No camera found: you can join by audio.");
        if (!constraints.audio) note = tr("No microphone found: the therapist will not hear you.");
        break;
      } catch (err) {
        note = tr("Camera and microphone are blocked (%(error)s). Allow them in the browser's address bar.").replace("%(error)s", err.name);
      }
    }
    this.stop();
    this.stream = stream || new MediaStream();
    $("preview").srcObject = this.stream;
    $("device-status").textContent = note;
    this.meter();
    await this.listDevices();
    return this.stream;
  }

  stop() {
    cancelAnimationFrame(this.meterFrame);
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
  }

  // Microphone level: RMS of the analyser's waveform, drawn on a <meter> every frame.
  meter() {
    const track = this.stream.getAudioTracks()[0];
    if (!track) return;
    try {
      this.audioContext = this.audioContext || new AudioContext();
      const source = this.audioContext.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.audioContext.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      const data = new Float32Array(analyser.fftSize);
      const meterEl = $("mic-level");
      const tick = () => {
        analyser.getFloatTimeDomainData(data);
        let sum = 0;
        for (const v of data) sum += v * v;
        meterEl.value = Math.min(1, Math.sqrt(sum / data.length) * 4);
        this.meterFrame = requestAnimationFrame(tick);
      };
      tick();
    } catch (err) {
      // No Web Audio: the preview still works; the meter stays at zero.
    }
  }

  async listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (select, kind, current) => {
      select.replaceChildren();
      devices.filter((d) => d.kind === kind).forEach((d, i) => {
        const opt = new Option(d.label || `${kind} ${i + 1}`, d.deviceId);
        opt.selected = d.deviceId === current;
        select.append(opt);
      });
      if (!select.options.length) select.append(new Option(tr("None found"), ""));
    };
    const tracks = this.stream ? this.stream.getTracks() : [];
    const current = (kind) => {
      const track = tracks.find((t) => t.kind === kind);
      return track ? track.getSettings().deviceId : "";
    };
    fill($("camera-select"), "videoinput", current("video"));
    fill($("mic-select"), "audioinput", current("audio"));
    fill($("speaker-select"), "audiooutput", this.sinkId);
  }

  // A short two-tone chime through the chosen speaker.
  async speakerTest() {
    this.audioContext = this.audioContext || new AudioContext();
    const ctx = this.audioContext;
    await ctx.resume();
    if (this.sinkId && ctx.setSinkId) {
      try { await ctx.setSinkId(this.sinkId); } catch (err) { /* keep the default */ }
    }
    [523.25, 659.25].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + i * 0.35 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.35 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.35);
      osc.stop(ctx.currentTime + i * 0.35 + 0.32);
    });
  }
}

// Round trips to our server through the channel layer, and a 256 KiB download.
export async function networkCheck({ healthWs, probeUrl }) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const rtts = await new Promise((resolve) => {
    const times = [];
    let sentAt = 0;
    const ws = new WebSocket(`${proto}//${location.host}${healthWs}`);
    const done = () => { try { ws.close(); } catch (err) { /* closed */ } resolve(times); };
    const timer = setTimeout(done, 5000);
    const ping = () => { sentAt = performance.now(); ws.send(JSON.stringify({ type: "ping" })); };
    ws.onopen = ping;
    ws.onerror = () => { clearTimeout(timer); done(); };
    ws.onmessage = () => {
      times.push(performance.now() - sentAt);
      if (times.length >= 5) { clearTimeout(timer); done(); } else ping();
    };
  });
  let kbps = null;
  try {
    const started = performance.now();
    const response = await fetch(`${probeUrl}?t=${Date.now()}`, { cache: "no-store" });
    const body = await response.arrayBuffer();
    const seconds = Math.max((performance.now() - started) / 1000, 0.001);
    kbps = (body.byteLength * 8) / 1000 / seconds;
  } catch (err) { /* leave kbps unknown */ }
  const rtt = rtts.length ? rtts.sort((a, b) => a - b)[Math.floor(rtts.length / 2)] : null;
  let level = "bad";
  if (rtt !== null && kbps !== null) {
    level = rtt < 150 && kbps > 1500 ? "good" : (rtt < 400 && kbps > 500 ? "warning" : "bad");
  }
  return { rtt, kbps, level };
}

export function describeNetwork({ rtt, kbps, level }) {
  if (rtt === null) return tr("We could not reach the visit server. Check your internet connection.");
  const speed = kbps === null ? tr("unknown speed") : kbps > 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
  const verdict = { good: tr("Your connection looks good for video."),
    warning: tr("Your connection is usable; video may be at lower quality."),
    bad: tr("Your connection is weak; the visit may switch to audio only.") }[level];
  return `${verdict} (${tr("round trip")} ${Math.round(rtt)} ms, ${speed})`;
}
