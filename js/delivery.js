// Delivery's I/O: storage, requests, beacons, the send lock and the page's
// listeners. The engine decides what to send and when (its sender module);
// this file does what its records ask and reports back.

import { OP, run } from './engine.js';
import { apply } from './handler.js';
import { KEY_PREFIX, REJECTED_MARK, openStorage, scan, store, unstore } from './store.js';

const HEADERS = { 'Content-Type': 'text/plain;charset=UTF-8' };
/** A webhook that accepts the connection but never answers must not stall the queue. */
const REQUEST_TIMEOUT_MS = 30000;

/** By engine sender index: { url, storage, timer }. */
const senders = [];
/** The storage found by the last probe, given to the next sender made. */
let probed = null;
let listening = false;

/** Whether events can be stored; remembers the storage for the sender about to be made. */
export function probeStorage() {
  probed = openStorage();
  return probed !== null;
}

/** Stores a queued event; tells the engine when it could not. */
export function storeEvent(index, key, json) {
  const s = senders[index];
  if (s?.storage && !store(s.storage, key, `${s.url}\n${json}`)) apply(run(OP.UNSTORED, index, key));
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

/** This page holds the URL's lock: hand the engine what storage holds for it. */
function lead(index) {
  const s = senders[index];
  let found = '';
  for (const [key, value] of scan(s.storage)) {
    const cut = value?.indexOf('\n') ?? -1;
    if (cut > 0 && value.slice(0, cut) === s.url) found += `${key}\t${value.slice(cut + 1)}\n`;
  }
  apply(run(OP.LEAD, index, found.slice(0, -1)));
}

/** Acts on a sender's record: n (new), p (post), w (wait), k (beacon), x (remove), m (mark refused). */
export function senderRecord(r, beacons) {
  const index = +r[1];
  const s = senders[index];
  switch (r[0]) {
    case 'n': {
      senders[index] = { url: r[2], storage: r[3] === '1' ? probed : null, timer: undefined };
      listenToPage();
      if (r[3] === '1') holdLock(`okra-events:send:${r[2]}`, () => lead(index));
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
      if (!beacons.refused.has(index) && !beacon(s.url, r[2])) beacons.refused.add(index);
      return;
    case 'x':
      return s.storage && unstore(s.storage, r[2]);
    case 'm':
      if (s.storage) {
        store(s.storage, r[2], REJECTED_MARK + r[3]);
        unstore(s.storage, r[2]);
      }
  }
}

const senderOf = (url) => senders.findIndex((s) => s?.url === url);
const urlOf = (value) => (typeof value === 'string' && value.includes('\n') ? value.slice(0, value.indexOf('\n')) : undefined);

/** Another tab stored or settled an event (`storage` event). */
function onStorage(e) {
  const key = e.key;
  if (typeof key !== 'string' || !key.startsWith(KEY_PREFIX)) return;
  const next = e.newValue;
  if (typeof next === 'string' && next.startsWith(REJECTED_MARK)) {
    const index = senderOf(urlOf(e.oldValue));
    const status = Number.parseInt(next.slice(REJECTED_MARK.length), 10) || 400;
    if (index >= 0) apply(run(OP.SETTLED, index, key, String(status)));
  } else if (typeof next === 'string') {
    const index = senderOf(urlOf(next));
    if (index >= 0) apply(run(OP.ADOPT, index, key, next.slice(next.indexOf('\n') + 1)));
  } else {
    // Removed without a mark: another tab got a 2xx for it.
    const index = senderOf(urlOf(e.oldValue));
    if (index >= 0) apply(run(OP.SETTLED, index, key, ''));
  }
}

/**
 * Page-level listeners, registered once for the page's life: leaving the
 * page flushes by beacon, `online` resumes sending, `storage` carries other
 * tabs' events to the page that sends them.
 */
function listenToPage() {
  const win = globalThis.window;
  if (listening || !win || typeof win.addEventListener !== 'function') return;
  listening = true;
  const flush = () => apply(run(OP.FLUSH));
  win.addEventListener('pagehide', flush);
  win.addEventListener('online', () => apply(run(OP.RESUME)));
  win.addEventListener('storage', onStorage);
  const doc = win.document;
  if (doc && typeof doc.addEventListener === 'function') {
    doc.addEventListener('visibilitychange', () => {
      if (doc.visibilityState === 'hidden') flush();
    });
  }
}

/**
 * Starts senders for what earlier pages left in storage, so it goes out
 * even if this page never builds a handler. Called when the package loads.
 */
export function resumeDelivery() {
  const win = globalThis.window;
  if (!win || typeof win.addEventListener !== 'function' || !probeStorage()) return;
  const urls = new Set();
  for (const [, value] of scan(probed)) {
    const url = urlOf(value);
    if (url) urls.add(url);
  }
  for (const url of urls) {
    probeStorage();
    apply(run(OP.SENDER, 0, url, '1'));
  }
}
