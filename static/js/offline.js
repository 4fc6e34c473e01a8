// The offline home program on the device (Issue 13 item 3). Loaded by every page
// (templates/base.html); a patient page names its patient in <meta name="telept-patient">.
//
// - On a patient's page: registers the service worker (/portal/sw.js, static/js/sw.js); on
//   "My exercises" and the session page asks it to keep those pages and what they use; sends
//   the sessions queued on this device (IndexedDB) to the server, once each, when the
//   connection is there (now, and on every "online" event).
// - Signing out sends what is queued, then clears the cache, the worker and IndexedDB.
// - A page with no patient (signed out, or a staff member on this browser) drops the cached
//   pages and the worker; sessions still waiting to be sent stay (each knows its patient and
//   is sent only while that patient is signed in).
// Each queued session carries a UUID made here: the server stores it once (a unique key per
// patient), so a sync repeated after a lost answer returns the stored session.

const SW_URL = "/portal/sw.js";
const SCOPE = "/portal/";
const SYNC_URL = "/portal/exercises/sync/";
const PAGES = ["/portal/exercises/", "/portal/exercises/session/"];
const DB = "telept-offline";
const CACHE_PREFIX = "telept-offline-";
const t = (text) => (globalThis.gettext ? globalThis.gettext(text) : text);

const supported = "serviceWorker" in navigator && "caches" in globalThis
  && "indexedDB" in globalThis && globalThis.isSecureContext;
const meta = document.querySelector("meta[name=telept-patient]");
export const patient = meta ? meta.content : "";

// --- IndexedDB: the queue ("queue", by key) and per-program local state ("state") -------

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("queue", { keyPath: "key" });
      request.result.createObjectStore("state", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(store, mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const queued = () => run("queue", "readonly", (s) => s.getAll());
const put = (store, value) => run(store, "readwrite", (s) => s.put(value));
const remove = (store, key) => run(store, "readwrite", (s) => s.delete(key));
export const stateOf = (id) => run("state", "readonly", (s) => s.get(id));
export const setState = (value) => put("state", value);

// Queue one session ({key, patient, program, body, stop}) before anything else happens.
export async function enqueue(entry) {
  await put("queue", { ...entry, status: "pending", created: new Date().toISOString() });
}

// --- sync --------------------------------------------------------------------------------

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return found ? decodeURIComponent(found.split("=")[1]) : "";
}

let syncing = null;
// Send this patient's pending sessions, one request each; resolves to the number left.
export function sync() {
  if (!supported || !patient) return Promise.resolve(0);
  syncing ??= (async () => {
    const work = async () => {
      let left = 0;
      // In the order they were logged: the server's baseline and safety stop follow it.
      const entries = (await queued()).sort((a, b) => a.created.localeCompare(b.created));
      for (const entry of entries) {
        if (entry.patient !== patient || entry.status !== "pending") continue;
        let response;
        try {
          response = await fetch(SYNC_URL, {
            method: "POST", credentials: "same-origin", redirect: "manual",
            headers: { "Content-Type": "application/json", Accept: "application/json",
              "X-CSRFToken": csrfToken() },
            body: JSON.stringify({ ...entry.body, client_key: entry.key }),
          });
        } catch {
          left += 1; // no connection yet
          continue;
        }
        const answer = await response.json().catch(() => null);
        if ((response.status === 200 || response.status === 201) && answer) {
          await remove("queue", entry.key);
          document.dispatchEvent(new CustomEvent("telept:synced", { detail: { entry, answer } }));
        } else if ([400, 404, 409].includes(response.status) && answer) {
          await put("queue", { ...entry, status: "refused", message: answer.message });
          document.dispatchEvent(new CustomEvent("telept:refused", { detail: { entry, answer } }));
        } else {
          left += 1; // signed out (a redirect), or the server is busy: try again later
        }
      }
      return left;
    };
    try {
      return navigator.locks ? await navigator.locks.request("telept-sync", work) : await work();
    } finally {
      syncing = null;
    }
  })();
  return syncing;
}

// --- the cache and the worker --------------------------------------------------------------

async function askWorker(message) {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    worker.postMessage(message, [channel.port2]);
    setTimeout(() => resolve(null), 30_000);
  });
}

async function keepThisProgram() {
  const here = location.pathname;
  const urls = new Set(PAGES);
  for (const entry of performance.getEntriesByType("resource")) {
    const url = new URL(entry.name);
    if (url.origin === location.origin) urls.add(url.pathname + url.search);
  }
  urls.add(here);
  const answer = await askWorker({ type: "cache", patient, urls: [...urls] });
  document.documentElement.dataset.offlineCached = String(answer ? answer.count : 0);
}

export async function clearDevice({ keepQueue = false } = {}) {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX)) await caches.delete(name);
  }
  for (const registration of await navigator.serviceWorker.getRegistrations()) {
    if (new URL(registration.scope).pathname === SCOPE) await registration.unregister();
  }
  if (keepQueue) { // keep only the sessions still to send, if there are any
    const names = indexedDB.databases
      ? (await indexedDB.databases()).map((d) => d.name) : [DB];
    if (!names.includes(DB)) return; // nothing was kept: do not create the database
    const pending = (await queued()).filter((e) => e.status === "pending");
    if (pending.length) {
      await run("state", "readwrite", (s) => s.clear());
      await run("queue", "readwrite", (s) => s.clear());
      for (const entry of pending) await put("queue", entry);
      return;
    }
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

function guardSignOut() {
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      const left = await Promise.race([sync(), new Promise((r) => setTimeout(() => r(-1), 5000))]);
      if (left !== 0 && (await queued()).some((e) => e.patient === patient
                                               && e.status === "pending")
          && !window.confirm(t("A session saved on this phone has not reached your clinic "
                               + "yet. Signing out deletes it from this phone. Sign out?"))) {
        return;
      }
      try { await clearDevice(); } catch { /* sign out all the same */ }
      form.dataset.cleared = "1";
      form.submit();
    });
  });
}

async function start() {
  if (!patient) {
    document.documentElement.dataset.offlineCleared = "0";
    await clearDevice({ keepQueue: true });
    document.documentElement.dataset.offlineCleared = "1";
    return;
  }
  guardSignOut();
  window.addEventListener("online", () => sync());
  try {
    await navigator.serviceWorker.register(SW_URL, { scope: SCOPE });
  } catch (error) {
    if (!navigator.serviceWorker.controller) console.warn("offline program:", error);
  }
  if (navigator.onLine) sync();
  if (PAGES.includes(location.pathname) && navigator.onLine) {
    if (document.readyState !== "complete") {
      await new Promise((r) => window.addEventListener("load", r, { once: true }));
    }
    await keepThisProgram();
  }
}

if (supported) start().catch((error) => console.warn("offline program:", error));
