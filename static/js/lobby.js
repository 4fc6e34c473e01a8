// The staff dashboard's live waiting-room list: who waits in which open visit of the
// practice, pushed over /ws/visits/lobby/ (reconnects after a drop). Read-only.

const card = document.getElementById("lobby-live");
const list = document.getElementById("lobby-live-list");
const visits = new Map();

function render() {
  list.replaceChildren();
  const waiting = [...visits.values()].filter((v) => v.open && v.waiting.length);
  if (!waiting.length) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = "Nobody is waiting.";
    list.append(empty);
    return;
  }
  waiting.forEach((visit) => {
    const item = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${visit.waiting.map((w) => w.name).join(", ")} · waiting for ${visit.provider}`;
    const link = document.createElement("a");
    link.href = visit.url;
    link.textContent = "Open visit";
    item.append(who, link);
    list.append(item);
  });
}

function connect(attempt = 0) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${proto}//${location.host}${card.dataset.ws}`);
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "lobby_visit") {
      visits.set(message.visit, message);
      render();
    } else if (message.type === "signed_out") {
      // The session ended (logout, idle logoff): take the names off the screen.
      visits.clear();
      list.replaceChildren();
      const note = document.createElement("li");
      note.className = "muted";
      note.textContent = message.message;
      list.append(note);
    }
  };
  ws.onopen = () => { attempt = 0; };
  ws.onclose = (event) => {
    if (event.code === 4401) return; // signed out: reconnecting cannot help
    setTimeout(() => connect(attempt + 1), Math.min(10000, 500 * 2 ** attempt));
  };
}

if (card) connect();
