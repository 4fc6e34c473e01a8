// MediaPipe Pose in the browser: landmarks from a <video>, computed on this device.
//
//   if (poseSupported()) {
//     const tracker = await createPoseTracker(video, (landmarks, t) => { ... });
//     ...
//     tracker.stop();
//   }
//
// onLandmarks(landmarks, tSeconds) is called once per analysed frame: landmarks is
// 33 x [x, y, z, visibility] (x, y normalised to the video frame, as telept.motion expects),
// or null when no person was found; tSeconds increases strictly (a monotonic clock, seconds).
// Frames are fed with requestVideoFrameCallback (or requestAnimationFrame), never more than one
// in flight: a slow device analyses fewer frames, it never queues them.
//
// The runtime (static/vendor/mediapipe-pose/, copied from npm @mediapipe/pose by the Makefile)
// is served by TelePT itself, never a CDN: no video, image or request leaves the practice's
// server and this device. Only the "full" model is served, so modelComplexity must be 1.
// Needs script-src 'wasm-unsafe-eval' in the CSP (see telept/settings.py). The optional
// onError(error) hears a failure while tracking (the tracker has then stopped); loading
// failures reject createPoseTracker's promise.

const STATIC = new URL("../../vendor/mediapipe-pose/", import.meta.url).href;
const SERVED_MODEL_COMPLEXITY = 1;

let loading = null;

function loadRuntime() {
  if (window.Pose) return Promise.resolve(window.Pose);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `${STATIC}pose.js`;
      script.async = true;
      script.addEventListener("load", () => (window.Pose ? resolve(window.Pose)
        : reject(new Error("MediaPipe Pose did not load"))));
      script.addEventListener("error", () => {
        loading = null;
        script.remove();
        reject(new Error("MediaPipe Pose could not be downloaded"));
      });
      document.head.append(script);
    });
  }
  return loading;
}

let supported = null;

// True when this browser can run the tracker: WebAssembly, a camera API and WebGL.
export function poseSupported() {
  if (supported === null) {
    let webgl = false;
    try {
      const canvas = document.createElement("canvas");
      webgl = Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
    } catch {
      webgl = false;
    }
    supported = typeof WebAssembly === "object" && webgl
      && Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }
  return supported;
}

function toRows(list) {
  return list.map((p) => [p.x, p.y, p.z, p.visibility ?? 0]);
}

export async function createPoseTracker(video, onLandmarks,
                                        { modelComplexity = 1, onError = null } = {}) {
  if (modelComplexity !== SERVED_MODEL_COMPLEXITY) {
    throw new RangeError("only modelComplexity 1 (the full model) is served");
  }
  const Pose = await loadRuntime();
  const pose = new Pose({ locateFile: (file) => STATIC + file });
  pose.setOptions({
    modelComplexity, smoothLandmarks: true, enableSegmentation: false,
    minDetectionConfidence: 0.5, minTrackingConfidence: 0.5, selfieMode: false,
  });
  let frameT = 0;
  pose.onResults((results) => {
    const list = results.poseLandmarks;
    onLandmarks(list && list.length === 33 ? toRows(list) : null, frameT);
  });
  await pose.initialize();

  let stopped = false;
  let inFlight = null;
  let handle = null;
  let lastT = -Infinity;
  const byVideoFrame = typeof video.requestVideoFrameCallback === "function";

  function schedule() {
    if (stopped) return;
    handle = byVideoFrame ? video.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
  }

  async function tick(_now, metadata) {
    handle = null;
    if (stopped) return;
    // The camera's capture time when the browser gives it (same clock as performance.now).
    const ms = metadata && Number.isFinite(metadata.captureTime)
      ? metadata.captureTime : performance.now();
    const t = ms / 1000;
    if (video.readyState < 2 || !video.videoWidth || t <= lastT) {
      schedule();
      return;
    }
    lastT = t;
    frameT = t;
    inFlight = pose.send({ image: video });
    try {
      await inFlight;
    } catch (error) {
      stopped = true;
      if (onError) onError(error);
      else throw error;
      return;
    } finally {
      inFlight = null;
    }
    schedule();
  }

  schedule();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (handle !== null) {
        if (byVideoFrame) video.cancelVideoFrameCallback(handle);
        else cancelAnimationFrame(handle);
      }
      // Close once the frame being analysed (if any) is done; closing mid-frame breaks it.
      Promise.resolve(inFlight).catch(() => {}).then(() => pose.close());
    },
  };
}
