// The visit's WebSocket: fetch a 2-minute ticket with the page key, connect, and reconnect
// with backoff when the connection drops (a new ticket each time). Messages sent while it is
// down (chat, mode changes) wait in a short queue and go out on reconnect.

export class Signaling extends EventTarget {
  constructor({ ticketUrl, csrf, sid, relay }) {
    super();
    this.ticketUrl = ticketUrl;
    this.csrf = csrf;
    this.sid = sid;
    this.relay = relay;
    this.ws = null;
    this.rtc = { iceServers: [] };
    this.queue = [];
    this.final = false;
    this.attempt = 0;
    this.timer = 0;
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  async ticket() {
    const response = await fetch(this.ticketUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf },
      body: JSON.stringify({ relay: this.relay }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.message || `ticket refused (${response.status})`);
      error.code = body.code || "ticket_refused";
      error.final = response.status < 500;
      throw error;
    }
    return body;
  }

  // `preissued`: a ticket that came with another answer (the pre-join "ready" gives one, so
  // the first connection skips a round trip); reconnections always fetch a fresh one.
  async connect(preissued = null) {
    clearTimeout(this.timer);
    if (this.final) return;
    let issued = preissued;
    try {
      if (!issued) issued = await this.ticket();
    } catch (err) {
      if (err.final && err.code !== "ticket_refused") {
        this.final = true;
        this.dispatchEvent(new CustomEvent("refused", { detail: { code: err.code, message: err.message } }));
      } else {
        this.retry();
      }
      return;
    }
    this.rtc = issued.rtc;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${proto}//${location.host}${issued.wsPath}?t=${encodeURIComponent(issued.ticket)}&s=${this.sid}&l=${encodeURIComponent(document.documentElement.lang || "en")}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      const pending = this.queue.splice(0);
      pending.forEach((m) => ws.send(m));
    };
    ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (err) { return; }
      if (["refused", "ended", "superseded", "left"].includes(message.type)) this.final = true;
      if (message.type === "status" && ["removed", "declined"].includes(message.status)) this.final = true;
      this.dispatchEvent(new CustomEvent("message", { detail: message }));
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.final) return;
      this.dispatchEvent(new Event("drop"));
      this.retry();
    };
  }

  retry() {
    const delay = Math.min(5000, 300 * 2 ** this.attempt);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(message, { queue = false } = {}) {
    const text = JSON.stringify(message);
    if (this.open) {
      this.ws.send(text);
      return true;
    }
    if (queue && this.queue.length < 50) this.queue.push(text);
    return false;
  }

  close() {
    this.final = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
  }
}
