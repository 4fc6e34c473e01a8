// The service worker of the patient portal (Issue 13 item 3), served by
// telept/exercises/views_offline.service_worker at /portal/sw.js, which puts CONFIG before
// this file: {pages: ["/portal/exercises/", "/portal/exercises/session/"], static: "/static/",
// sync: ...}. Its scope is /portal/: staff pages are never under it.
//
// What it keeps, in one cache, for the one patient the page names (static/js/offline.js
// sends {type: "cache", patient, urls}):
// - CONFIG.pages, the patient's "My exercises" and session pages: network first, the copy
//   kept when there is no connection; a redirect (signed out, program paused) drops the copy;
// - same-origin static files, the program's exercise media and the script views in
//   CONFIG.assets (the JavaScript translation catalogue) that those pages use.
// Nothing else is answered from the cache or stored: no other page, no API or sync answer,
// no POST. {type: "clear"} (sign-out, or a page of nobody or of someone else) drops it all.
/* global CONFIG */

const CACHE = "telept-offline-v1";
const OWNER = "/__telept_offline_owner__";
const MEDIA = /^\/exercises\/\d+\/media\/$/;
const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("telept-offline-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

const sameOrigin = (url) => url.origin === self.location.origin;
const isPage = (url) => CONFIG.pages.includes(url.pathname) && !url.search;
const isAsset = (url) => url.pathname.startsWith(CONFIG.static) || MEDIA.test(url.pathname)
  || (CONFIG.assets || []).includes(url.pathname);

async function owner(cache) {
  const answer = await cache.match(OWNER);
  return answer ? answer.text() : null;
}

async function store(cache, url, response) {
  if (!response.ok || response.redirected || response.type !== "basic") return false;
  const size = Number(response.headers.get("Content-Length") || 0);
  if (MEDIA.test(url.pathname) && size > MAX_MEDIA_BYTES) return false;
  await cache.put(url.pathname + url.search, response);
  return true;
}

// The static files and media a cached page refers to (so "My exercises" also keeps what the
// session page needs before that page was ever opened).
function referenced(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const url = new URL(match[1].replaceAll("&amp;", "&"), self.location.origin);
    if (sameOrigin(url) && (isAsset(url) || isPage(url))) found.add(url.pathname + url.search);
  }
  return found;
}

async function cacheFor(patient, urls) {
  let cache = await caches.open(CACHE);
  const current = await owner(cache);
  if (current !== null && current !== String(patient)) {
    await caches.delete(CACHE); // another patient's copy: never mixed
    cache = await caches.open(CACHE);
  }
  await cache.put(OWNER, new Response(String(patient)));
  const todo = new Set(urls);
  const done = new Set();
  let count = 0;
  while (todo.size) {
    const path = todo.values().next().value;
    todo.delete(path);
    if (done.has(path)) continue;
    done.add(path);
    const url = new URL(path, self.location.origin);
    if (!sameOrigin(url) || !(isPage(url) || isAsset(url))) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
      if (isPage(url)) {
        if (response.redirected || !response.ok) { await cache.delete(url.pathname); continue; }
        const html = await response.clone().text();
        for (const more of referenced(html)) if (!done.has(more)) todo.add(more);
      }
      if (await store(cache, url, response)) count += 1;
    } catch { /* offline or refused: keep what was there */ }
  }
  return count;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
  if (data.type === "cache" && data.patient) {
    event.waitUntil(cacheFor(data.patient, data.urls || [])
      .then((count) => reply({ ok: true, count }), () => reply({ ok: false, count: 0 })));
  } else if (data.type === "clear") {
    event.waitUntil(caches.delete(CACHE).then(() => reply({ ok: true })));
  }
});

async function page(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (await owner(cache) !== null) {
      if (response.redirected || !response.ok) await cache.delete(url.pathname);
      else await store(cache, url, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(url.pathname);
    if (kept) return kept;
    throw error;
  }
}

async function asset(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (await owner(cache) !== null) await store(cache, url, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(url.pathname + url.search);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!sameOrigin(url)) return;
  if (isPage(url) && request.mode === "navigate") event.respondWith(page(request, url));
  else if (isAsset(url)) event.respondWith(asset(request, url));
});
