// One RTCPeerConnection per remote participant (a mesh of up to 4), negotiated with the
// "perfect negotiation" pattern: both sides may offer at any time; on a collision the
// polite side (the higher participant id) rolls back and answers, the impolite side
// ignores the other offer. ICE restarts, renegotiation after a track change and the first
// offer all go through the same negotiationneeded path.
//
// Every 2 s the link reads getStats() into the call-quality controller (quality.js) and
// applies its decisions to the video sender (lower bitrate and resolution, then pause).
//
// Each link also carries a "motion" data channel for live pose landmarks (visit/motion.js).
// It is negotiated (the same id on both sides, no in-band announcement) and opened together
// with the local tracks, so it rides on the pair's first offer and answer and never starts a
// negotiation of its own. Unordered, without retransmits: a late frame is worth nothing.
// Frames are binary (visit/landmarks.js). In skeleton mode the page holds its video
// (holdVideo): the sender is paused whatever the quality controller allows, and resumes
// with the controller's profile when released.

import { QualityController, VIDEO_PROFILES } from "../quality.js";

export class PeerLink {
  constructor({ me, peer, rtc, stream, send, onChange, onAction, initiator, onMotion = null }) {
    this.pid = peer.pid;
    this.sid = peer.sid;
    this.name = peer.name;
    this.polite = me > peer.pid;
    this.send = send;
    this.onChange = onChange;
    this.onAction = onAction;
    this.onMotion = onMotion;
    this.motion = null;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.remoteStream = new MediaStream();
    this.closed = false;
    this.everConnected = false;
    this.restartTimer = 0;
    this.quality = new QualityController();
    this.profile = VIDEO_PROFILES.full;
    this.videoHeld = false;
    this.stream = stream;
    this.tracksAdded = false;
    this.pc = new RTCPeerConnection(rtc);
    const pc = this.pc;
    // One side of a new pair offers first (the newcomer); the other adds its tracks when the
    // offer arrives, so a pair's first negotiation never starts with colliding offers (which
    // Chromium does not always recover from). If no offer comes (the newcomer's page is slow
    // or was lost), it offers itself after a generous wait.
    if (initiator) this.addLocal();
    else this.lazyTimer = setTimeout(() => this.addLocal(), 12000);
    pc.onnegotiationneeded = async () => {
      console.debug(`peer ${this.pid}: negotiation needed (${pc.signalingState})`);
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.send({ description: pc.localDescription.toJSON() });
      } catch (err) {
        console.warn("negotiation failed", err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicegatheringstatechange = () => console.debug(`peer ${this.pid}: gathering ${pc.iceGatheringState}`);
    pc.onicecandidate = ({ candidate }) => {
      console.debug(`peer ${this.pid}: local candidate ${candidate ? candidate.candidate.slice(0, 40) : "end"}`);
      if (candidate && candidate.candidate) this.send({ candidate: candidate.toJSON() });
      else if (!candidate) this.send({ end_of_candidates: true });
    };
    pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      track.onunmute = () => this.onChange(this);
      this.onChange(this);
    };
    pc.onconnectionstatechange = () => {
      console.debug(`peer ${this.pid}: connection ${pc.connectionState}`);
      if (pc.connectionState === "connected") this.everConnected = true;
      this.onChange(this);
    };
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      console.debug(`peer ${this.pid}: ice ${state}`);
      clearTimeout(this.restartTimer);
      if (state === "failed") this.restartIce();
      else if (state === "disconnected") this.restartTimer = setTimeout(() => this.restartIce(), 3000);
      this.onChange(this);
    };
  }

  addLocal() {
    clearTimeout(this.lazyTimer);
    if (this.tracksAdded || this.closed) return;
    this.tracksAdded = true;
    const pc = this.pc;
    this.openMotionChannel();
    const offered = pc.getTransceivers().map((t) => t.receiver.track.kind);
    this.stream.getTracks().forEach((track) => pc.addTrack(track, this.stream));
    // Always receive audio and video, even without a camera or microphone here.
    ["audio", "video"].forEach((kind) => {
      if (!offered.includes(kind) && !this.stream.getTracks().some((t) => t.kind === kind)) {
        pc.addTransceiver(kind, { direction: "recvonly" });
      }
    });
  }

  openMotionChannel() {
    if (this.motion) return;
    const channel = this.pc.createDataChannel("motion", { negotiated: true, id: 0, ordered: false, maxRetransmits: 0 });
    channel.binaryType = "arraybuffer";
    channel.onmessage = (event) => {
      if (this.onMotion && event.data instanceof ArrayBuffer) this.onMotion(event.data);
    };
    this.motion = channel;
  }

  // Send one landmark frame (an ArrayBuffer); false when the channel is not open or is backed up (the frame
  // is dropped: the next one is newer anyway).
  sendMotion(text) {
    const channel = this.motion;
    if (!channel || channel.readyState !== "open" || channel.bufferedAmount > 64 * 1024) return false;
    try {
      channel.send(text);
    } catch (err) {
      return false;
    }
    return true;
  }

  get state() {
    return this.pc.connectionState;
  }

  get healthy() {
    return !["failed", "closed"].includes(this.pc.connectionState);
  }

  get troubled() {
    return this.everConnected && ["disconnected", "failed"].includes(this.pc.iceConnectionState);
  }

  restartIce() {
    if (this.closed) return;
    this.pc.restartIce();
    this.onAction({ type: "media", state: "ice_restart", peer: this.pid });
  }

  async handle(data) {
    const pc = this.pc;
    if (data.description) console.debug(`peer ${this.pid}: got ${data.description.type} in ${pc.signalingState}`);
    try {
      if (data.description) {
        const description = data.description;
        const collision = description.type === "offer" &&
          (this.makingOffer || pc.signalingState !== "stable");
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === "offer") {
          this.addLocal();
          await pc.setLocalDescription();
          this.send({ description: pc.localDescription.toJSON() });
        }
      } else if (data.candidate) {
        console.debug(`peer ${this.pid}: remote candidate in ${pc.signalingState}`);
        try {
          await pc.addIceCandidate(data.candidate);
        } catch (err) {
          if (!this.ignoreOffer) throw err;
        }
      }
    } catch (err) {
      console.warn("signal failed", err);
    }
  }

  videoSender() {
    return this.pc.getSenders().find((s) => s.track && s.track.kind === "video") ||
      this.pc.getSenders().find((s) => s.track === null && s.dtmf === null && this.pc.getTransceivers()
        .some((t) => t.sender === s && t.receiver.track.kind === "video"));
  }

  async replaceVideo(track) {
    const sender = this.videoSender();
    if (sender) await sender.replaceTrack(track);
  }

  async applyProfile(profile) {
    this.profile = profile;
    const sender = this.videoSender();
    if (!sender) return;
    const params = sender.getParameters();
    if (!params.encodings || !params.encodings.length) return;
    const encoding = params.encodings[0];
    encoding.active = profile.enabled && !this.videoHeld;
    if (profile.maxBitrateBps) encoding.maxBitrate = profile.maxBitrateBps; else delete encoding.maxBitrate;
    encoding.scaleResolutionDownBy = profile.scaleResolutionDownBy;
    if (profile.maxFramerate) encoding.maxFramerate = profile.maxFramerate; else delete encoding.maxFramerate;
    try {
      await sender.setParameters(params);
    } catch (err) {
      console.warn("could not apply video profile", err);
    }
  }

  // Skeleton mode: pause the video whatever the controller allows (on), or give it back (off).
  async holdVideo(on) {
    if (this.videoHeld === on) return;
    this.videoHeld = on;
    await this.applyProfile(this.profile);
  }

  // One quality sample; returns the controller's actions (already applied to the sender).
  async sample() {
    if (this.closed || this.pc.connectionState !== "connected") return [];
    const report = await this.pc.getStats();
    const actions = this.quality.step(report);
    for (const action of actions) await this.applyProfile(action.video);
    return actions;
  }

  async setManualAudioOnly(on) {
    const actions = this.quality.setManualAudioOnly(on);
    for (const action of actions) await this.applyProfile(action.video);
    return actions;
  }

  // The last interval's verdict, for the quality indicator.
  get verdict() {
    const v = this.quality.state.verdict;
    return v ? v.quality : "unknown";
  }

  close() {
    this.closed = true;
    clearTimeout(this.lazyTimer);
    clearTimeout(this.restartTimer);
    this.pc.close();
  }
}
