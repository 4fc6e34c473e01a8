// The patient's phone as a second camera (visits/camera.html): video only, to the hosts.
//
// The seat was admitted when its pass was redeemed (second_camera.py), so this page goes
// straight in: it connects the signaling socket with its own page key (camera-ticket),
// opens one PeerLink per host in the room (therapist, front desk) and sends them this
// phone's camera. It sends no audio and plays nothing (the patient talks on their main
// device; a second speaker in the room would echo). Other patients' and guests' pages never
// connect to it. The page's state is main#camera[data-state]: starting, waiting, live, ended.
// When the therapist measures movement on this camera, it runs the pose tracker itself.

import { Motion } from "./visit/motion.js";
import { PeerLink } from "./visit/peers.js";
import { Signaling } from "./visit/signaling.js";

const main = document.getElementById("camera");
const $ = (id) => document.getElementById(id);
const tr = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);
const config = JSON.parse(main.dataset.config);
const csrf = main.dataset.csrf;
const sid = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
const links = new Map();
const peers = new Map();
let signaling = null;
let stream = null;
let facing = "user";
let ended = false;
// Measuring on this camera (the therapist made it the main view): the same pose tracker as
// the patient's page (visit/motion.js), run on this phone's own picture; landmarks go to the
// measuring therapist over the link's motion channel.
const motion = new Motion({
  config, csrf, links, peers,
  send: (message) => signaling && signaling.send(message),
  cameraVideo: () => $("camera-preview"),
  cameraTrack: () => (stream ? stream.getVideoTracks()[0] || null : null),
});

function setState(value) {
  if (main.dataset.state !== value) main.dataset.state = value;
}

function status(text) {
  $("camera-status").textContent = text;
}

function render() {
  if (ended) return;
  const live = [...links.values()].some((l) => l.state === "connected");
  setState(live ? "live" : "waiting");
  status(live ? tr("Your therapist can see this camera.") : tr("Connecting to your therapist…"));
}

async function openCamera() {
  const video = { facingMode: facing, width: { ideal: 1280 }, height: { ideal: 720 } };
  const next = await navigator.mediaDevices.getUserMedia({ video, audio: false });
  const track = next.getVideoTracks()[0];
  if (stream) {
    stream.getVideoTracks().forEach((old) => { stream.removeTrack(old); old.stop(); });
    stream.addTrack(track);
    for (const link of links.values()) await link.replaceVideo(track);
  } else {
    stream = next;
  }
  $("camera-preview").srcObject = stream;
}

function addHost(peer, initiator) {
  if (!peer.host || peer.pid === config.pid) return;
  peers.set(peer.pid, peer);
  const old = links.get(peer.pid);
  if (old && old.sid === peer.sid && old.healthy) return;
  if (old) drop(peer.pid);
  links.set(peer.pid, new PeerLink({
    me: config.pid, peer, rtc: signaling.rtc, stream, initiator,
    send: (data) => signaling.send({ type: "signal", to: peer.pid, data }),
    onChange: render,
    onAction: (message) => signaling.send(message),
  }));
  render();
}

function drop(pid) {
  const link = links.get(pid);
  if (link) link.close();
  links.delete(pid);
  render();
}

function finish(message) {
  if (ended) return;
  ended = true;
  motion.shutdown();
  if (signaling) signaling.close();
  [...links.keys()].forEach(drop);
  if (stream) stream.getTracks().forEach((t) => t.stop());
  $("camera-preview").srcObject = null;
  setState("ended");
  status(message || tr("The camera has stopped. You can close this page."));
  $("camera-stop").hidden = true;
  $("camera-flip").hidden = true;
}

function onMessage(message) {
  switch (message.type) {
    case "hello":
    case "status":
      if (["removed", "declined"].includes(message.status)) { finish(message.message); break; }
      if (message.status === "admitted") {
        const wanted = new Set((message.peers || []).filter((p) => p.host).map((p) => p.pid));
        [...links.keys()].filter((pid) => !wanted.has(pid)).forEach(drop);
        (message.peers || []).forEach((peer) => addHost(peer, true));
      }
      render();
      break;
    case "peer_joined": addHost(message.peer, false); break;
    case "peer_left": motion.peerGone(message.pid); if (links.has(message.pid)) drop(message.pid); break;
    case "motion": motion.onRequest(message); break;
    case "signal": {
      const known = peers.get(message.from);
      if (!known) break;  // only hosts talk to this camera
      let link = links.get(message.from);
      if (!link || link.sid !== message.sid) {
        addHost({ ...known, sid: message.sid }, false);
        link = links.get(message.from);
      }
      link.handle(message.data);
      break;
    }
    case "refused":
    case "ended":
    case "superseded": finish(message.message); break;
    case "left": finish(tr("You stopped the camera. You can close this page.")); break;
    default: break;
  }
}

async function start() {
  try {
    await openCamera();
  } catch (err) {
    finish(tr("This phone's camera could not start. Allow the camera for this page and reload it."));
    return;
  }
  signaling = new Signaling({ ticketUrl: config.ticketUrl, csrf, sid, relay: false });
  signaling.addEventListener("message", (event) => onMessage(event.detail));
  signaling.addEventListener("drop", () => { if (!ended) status(tr("Reconnecting…")); });
  signaling.addEventListener("refused", (event) => finish(event.detail.message));
  await signaling.connect();
  // The call-quality controller steps the video down on a weak link (as on the visit page).
  setInterval(() => links.forEach((link) => link.sample().catch(() => {})), 2000);
}

$("camera-stop").addEventListener("click", () => {
  if (signaling) signaling.send({ type: "leave" });
  setTimeout(() => finish(tr("You stopped the camera. You can close this page.")), 300);
});
$("camera-flip").addEventListener("click", async () => {
  facing = facing === "user" ? "environment" : "user";
  try {
    await openCamera();
  } catch (err) {
    status(tr("Could not switch the camera."));
  }
});

// Read-only facts for tests: what this page sends, per host.
window.teleptCamera = Object.freeze({
  sentTracks() {
    return [...links.values()].map((link) => link.pc.getSenders()
      .filter((s) => s.track).map((s) => s.track.kind));
  },
});

start();
