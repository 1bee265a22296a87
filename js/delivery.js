// Delivery's I/O: storage, requests, beacons, the send lock, other tabs and
// the page's listeners. The engine decides what to send and when (its sender
// module); this file does what its records ask and reports back.
//
// Across tabs, the tab holding the webhook's Web Lock sends. Other tabs hear
// of each other's events on a BroadcastChannel (IndexedDB has no `storage`
// event): `s` an event was stored, `d` delivered, `r` refused by the webhook,
// `o` a session's events wait for room in the sending tab's queue.

import { OP, run } from './engine.js';
import { apply } from './handler.js';
import { openStore } from './store.js';

const HEADERS = { 'Content-Type': 'text/plain;charset=UTF-8' };
/** A webhook that accepts the connection but never answers must not stall the queue. */
const REQUEST_TIMEOUT_MS = 30000;

/** By engine sender index: { url, timer, scanning, adopted }. */
const senders = [];
/** The page's store (IndexedDB, localStorage or null: memory), opened on import. */
let store = null;
let channel = null;
let listening = false;

/**
 * Opens the store and the channel to other tabs; called once, on import,
 * without waiting for the store's database (see store.js).
 */
export function initDelivery() {
  try {
    store = openStore((key, url, json) => tell({ t: 's', k: key, u: url, j: json }));
  } catch {
    store = null;
  }
  if (store && typeof BroadcastChannel === 'function') {
    channel = new BroadcastChannel('okra-events');
    channel.onmessage = (e) => (Array.isArray(e.data) ? e.data : []).forEach(heard);
  }
}

/** Messages for other tabs, sent together once per microtask: one postMessage per burst of events. */
let outbox = [];
function tell(message) {
  if (!channel) return;
  if (outbox.length === 0) {
    queueMicrotask(() => {
      channel.postMessage(outbox);
      outbox = [];
    });
  }
  outbox.push(message);
}

/** The OPEN flag for storage: `1` IndexedDB, `l` localStorage, `0` memory only. */
export function storeFlag() {
  const kind = store?.kind;
  return kind === 'indexeddb' ? '1' : kind === 'localStorage' ? 'l' : '0';
}

/** Stores a queued event; tells the engine when it could not. */
export function storeEvent(index, key, json) {
  const s = senders[index];
  if (s?.stored) store.put(key, s.url, json, (k) => apply(run(OP.UNSTORED, index, k)));
}

function retryAfter(response) {
  const v = response.headers.get('Retry-After');
  if (v === null) return '';
  if (/^\s*\d+\s*$/.test(v)) return v.trim();
  const at = Date.parse(v);
  return Number.isNaN(at) ? '' : String(Math.max(0, Math.ceil((at - Date.now()) / 1000)));
}

/**
 * POSTs a batch and gives the answer to the engine: status 0 for a network
 * error or after 30 s without an answer, 1 for a redirect. A redirect is not
 * followed: fetch would follow it as a GET, and a 200 from the page it lands
 * on is not the webhook accepting the POST.
 */
function post(index, body) {
  const { url } = senders[index];
  let p;
  try {
    const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined;
    p = fetch(url, { method: 'POST', body, headers: HEADERS, credentials: 'omit', cache: 'no-store', redirect: 'manual', signal });
  } catch {
    p = Promise.reject();
  }
  const done = (status, retry) => apply(run(OP.ANSWER, index, `${status} ${Math.floor(Math.random() * 1e6)}`, retry));
  p.then(
    (r) => done(r.type === 'opaqueredirect' || (r.status >= 300 && r.status < 400) ? 1 : r.status, retryAfter(r)),
    () => done(0, ''),
  );
}

/**
 * Hands a batch to the browser to send even as the page goes away; false
 * when the browser refuses it (over its in-flight budget). fetch with
 * keepalive is only the fallback where sendBeacon is missing.
 */
function beacon(url, body) {
  const nav = globalThis.navigator;
  if (nav && typeof nav.sendBeacon === 'function') {
    try {
      return nav.sendBeacon(url, body);
    } catch {
      return false;
    }
  }
  try {
    fetch(url, { method: 'POST', body, headers: HEADERS, credentials: 'omit', keepalive: true }).catch(() => {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Holds the Web Lock `name` for the life of the page and calls granted()
 * once it is held. Without Web Locks the page sends on its own.
 */
function holdLock(name, granted) {
  const locks = globalThis.navigator?.locks;
  if (!locks || typeof locks.request !== 'function') return granted();
  locks
    .request(name, () => {
      granted();
      return new Promise(() => {});
    })
    .catch(() => granted());
}

/**
 * This page holds the URL's lock (or a full queue has room again): hand the
 * engine what storage holds for it. Events other tabs store meanwhile are
 * kept and handed over after.
 */
async function lead(index) {
  const s = senders[index];
  if (s.scanning) return;
  s.scanning = [];
  let found = '';
  for (const [key, url, json] of await store.scan()) if (url === s.url) found += `${key}\t${json}\n`;
  const later = s.scanning;
  s.scanning = null;
  apply(run(OP.LEAD, index, found.slice(0, -1)));
  for (const [key, json] of later) apply(run(OP.ADOPT, index, key, json));
}

/**
 * Acts on a sender's record: n (new), p (post), w (wait), k (beacon),
 * x (delivered), m (refused), l (scan again), o (a session waits).
 */
export function senderRecord(r, refused) {
  const index = +r[1];
  const s = senders[index];
  switch (r[0]) {
    case 'n': {
      const stored = r[3] === '1';
      senders[index] = { url: r[2], stored, timer: undefined, scanning: null };
      listenToPage();
      if (stored) holdLock(`okra-events:send:${r[2]}`, () => lead(index));
      return;
    }
    case 'p':
      return post(index, r[2]);
    case 'w':
      clearTimeout(s.timer);
      s.timer = setTimeout(() => apply(run(OP.WAKE, index)), Math.min(+r[2], 2 ** 31 - 1));
      return;
    case 'k':
      // Chunks go in order and stop at the first the browser refuses, so no
      // later event overtakes an earlier one; the rest stays stored.
      if (!refused.has(index) && !beacon(s.url, r[2])) refused.add(index);
      return;
    case 'x':
      if (s.stored) store.remove(r[2]);
      return tell({ t: 'd', k: r[2], u: s.url });
    case 'm':
      if (s.stored) store.remove(r[2]);
      return tell({ t: 'r', k: r[2], u: s.url, s: +r[3] });
    case 'l':
      return lead(index);
    case 'o':
      return tell({ t: 'o', u: s.url, session: r[2], ended: r[3] === '1' });
  }
}

const senderOf = (url) => senders.findIndex((s) => s?.url === url);

/** What another tab said (see the top of this file). */
function heard(m) {
  const index = senderOf(m?.u);
  if (index < 0 || typeof m.k !== 'string' && m.t !== 'o') return;
  if (m.t === 's') {
    const s = senders[index];
    if (s.scanning) s.scanning.push([m.k, m.j]);
    else apply(run(OP.ADOPT, index, m.k, m.j));
  } else if (m.t === 'd') apply(run(OP.SETTLED, index, m.k, ''));
  else if (m.t === 'r') apply(run(OP.SETTLED, index, m.k, String(m.s)));
  else if (m.t === 'o') apply(run(OP.WAITING, index, String(m.session), m.ended ? '1' : '0'));
}

/**
 * Page-level listeners, registered once for the page's life: leaving the
 * page flushes by beacon, `online` resumes sending.
 */
function listenToPage() {
  const win = globalThis.window;
  if (listening || !win || typeof win.addEventListener !== 'function') return;
  listening = true;
  const flush = () => apply(run(OP.FLUSH));
  win.addEventListener('pagehide', () => {
    // What IndexedDB has not committed yet goes to localStorage first.
    store?.rescue();
    flush();
  });
  win.addEventListener('online', () => apply(run(OP.RESUME)));
  const doc = win.document;
  if (doc && typeof doc.addEventListener === 'function') {
    doc.addEventListener('visibilitychange', () => {
      if (doc.visibilityState === 'hidden') flush();
    });
  }
}

/**
 * Once the store is open: tells the engine if its database could not open
 * after all (what storage is left), and starts senders for what earlier
 * pages left in storage, so it goes out even if this page never builds a
 * handler. Called when the package has loaded its engine.
 */
export async function resumeDelivery() {
  if (!store) return;
  await store.ready;
  if (store.kind !== 'indexeddb') apply(run(OP.STORAGE, 0, storeFlag()));
  const win = globalThis.window;
  if (!win || typeof win.addEventListener !== 'function') return;
  const urls = new Set();
  for (const [, url] of await store.scan()) urls.add(url);
  for (const url of urls) apply(run(OP.SENDER, 0, url, storeFlag()));
}
