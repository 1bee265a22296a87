// The browser calls delivery needs, each guarded so that a missing or
// blocked API degrades to a clear fallback instead of an exception in wasm.

const HEADERS = { 'Content-Type': 'text/plain;charset=UTF-8' };

/** localStorage if it can be written, else null (missing, blocked, or full). */
export function openStorage() {
  try {
    const s = globalThis.localStorage;
    const probe = '__okra_events_probe';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}

/** Writes one entry; false when the write fails (e.g. over quota). */
export function store(s, key, value) {
  try {
    s.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

export function unstore(s, key) {
  try {
    s.removeItem(key);
  } catch {}
}

/** [key, value, key, value, ...] of the entries whose key starts with prefix. */
export function scan(s, prefix) {
  const out = [];
  try {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k !== null && k.startsWith(prefix)) out.push(k, s.getItem(k));
    }
  } catch {}
  return out;
}

function retryAfter(response) {
  const v = response.headers.get('Retry-After');
  if (v === null) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return v.trim();
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : String(Math.max(0, Math.ceil((at - Date.now()) / 1000)));
}

/** A webhook that accepts the connection but never answers must not stall the queue. */
const REQUEST_TIMEOUT_MS = 30000;

/** The status given to done() for a redirect (REDIRECTED in io.rs). */
const REDIRECTED = 1;

/**
 * POSTs a batch; calls done(status, retryAfterSeconds): status 0 for a network
 * error or after 30 s without an answer, REDIRECTED for a redirect. A redirect
 * is not followed: fetch would follow it as a GET, and a 200 from the page it
 * lands on is not the webhook accepting the POST.
 */
export function post(url, body, done) {
  let p;
  try {
    const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined;
    p = fetch(url, { method: 'POST', body, headers: HEADERS, credentials: 'omit', cache: 'no-store', redirect: 'manual', signal });
  } catch {
    p = Promise.reject();
  }
  p.then(
    (r) => done(r.type === 'opaqueredirect' || (r.status >= 300 && r.status < 400) ? REDIRECTED : r.status, retryAfter(r)),
    () => done(0, undefined),
  );
}

/**
 * Hands a batch to the browser to send even as the page goes away. false when
 * the browser refuses it (over its in-flight budget), so the caller stops.
 * fetch with keepalive is only the fallback where sendBeacon is missing: it
 * shares sendBeacon's budget, so it cannot help when sendBeacon said no.
 */
export function beacon(url, body) {
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
 * Holds the Web Lock `name` for the life of the page and calls granted() once
 * it is held. Without Web Locks the page sends on its own: granted() at once.
 */
export function holdLock(name, granted) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks || typeof locks.request !== 'function') {
    granted();
    return;
  }
  locks.request(name, () => {
    granted();
    return new Promise(() => {});
  }).catch(() => granted());
}

/** false only when the browser says it is offline (true is just a hint). */
export function online() {
  return !(globalThis.navigator && navigator.onLine === false);
}

export function random() {
  return Math.random();
}
