// Where queued events wait for the webhook: one record per event, keyed
// `okra-events:v1:<session start>:<session id>:<sequence>` so keys sort in
// delivery order, with the webhook URL stored beside the event's JSON.
//
// The durable home is IndexedDB: a committed IndexedDB write survives the
// browser process being killed, where localStorage is written to disk lazily
// and only a clean close is sure to save it. `onEvent` is synchronous and
// IndexedDB is not, so they meet like this: an event is queued in the
// engine's memory and handed to `put()` before any callback runs; `put()`
// only adds it to a list, and one transaction per microtask writes the list
// (so a burst of events costs one transaction, and the write is started
// before the current task ends). Until it commits the event lives in memory,
// and the page would lose it only if killed within those milliseconds. A
// write that fails (quota, a blocked store) goes to localStorage, and if that
// fails too the event stays in memory and the engine is told (`onFail`).
//
// localStorage is the fallback where IndexedDB is missing or blocked (some
// private modes and enterprise policies); memory is the last one. Each is
// reported by the engine (STORAGE_DEGRADED, STORAGE_UNAVAILABLE).
//
// Nothing waits for the database to open (it takes tens of milliseconds on a
// first visit, when it is created): the store is usable at once, and what is
// handed to it before the database is open waits in memory, in order, is
// written when it opens, and is copied to localStorage at pagehide like any
// other write not yet committed.

export const KEY_PREFIX = 'okra-events:v1:';
const DB = 'okra-events';
const STORE = 'queue';

/** localStorage if it can be written, else null (missing, blocked, or full). */
function openLocal() {
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

/** The queue's database, or null where IndexedDB is missing or blocked. */
function openDatabase() {
  return new Promise((resolve) => {
    let request;
    try {
      request = globalThis.indexedDB.open(DB, 1);
    } catch {
      return resolve(null);
    }
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'k' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
}

/** Waits for a transaction; false when it failed or aborted. */
const committed = (tx) =>
  new Promise((resolve) => {
    tx.oncomplete = () => resolve(true);
    tx.onerror = tx.onabort = () => resolve(false);
  });

/** The localStorage store: synchronous, one entry per event, `url\njson`. */
function localStore(s, committedPut) {
  return {
    kind: 'localStorage',
    rescue() {},
    put(key, url, json, onFail) {
      try {
        s.setItem(key, `${url}\n${json}`);
      } catch {
        return onFail(key);
      }
      committedPut(key, url, json);
    },
    remove(key) {
      try {
        s.removeItem(key);
      } catch {}
    },
    async scan() {
      return scanLocal(s);
    },
  };
}

/** [[key, url, json], ...] of the events in localStorage. */
function scanLocal(s) {
  const out = [];
  try {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k === null || !k.startsWith(KEY_PREFIX)) continue;
      const v = s.getItem(k) ?? '';
      const cut = v.indexOf('\n');
      if (cut > 0) out.push([k, v.slice(0, cut), v.slice(cut + 1)]);
    }
  } catch {}
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * The IndexedDB store. Writes and removals go in order, one transaction per
 * microtask. A page that goes away does not wait for its last transaction,
 * and some engines drop it (WebKit drops the writes begun in the page's last
 * task), so `rescue()`, called at pagehide, copies every event not yet
 * committed into localStorage, synchronously; the next page finds it there.
 */
function databaseStore(opening, local, committedPut) {
  /** Where a write IndexedDB refuses goes instead. */
  const fallback = local && localStore(local, committedPut);
  /** The database once open, null if it could not be; undefined while it opens. */
  let db;
  let ops = [];
  /** key -> [url, json] of the events handed to IndexedDB and not yet committed. */
  const uncommitted = new Map();
  const flush = () => {
    const batch = ops;
    ops = [];
    let tx;
    try {
      tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      for (const op of batch) {
        if (op.json === undefined) store.delete(op.key);
        else store.put({ k: op.key, u: op.url, j: op.json });
      }
    } catch {
      tx = null;
    }
    (tx ? committed(tx) : Promise.resolve(false)).then((ok) => {
      for (const op of batch) {
        if (op.json === undefined) continue;
        uncommitted.delete(op.key);
        if (ok) committedPut(op.key, op.url, op.json);
        // IndexedDB refused (quota, a closed database): the next store down.
        else if (fallback) fallback.put(op.key, op.url, op.json, op.onFail);
        else op.onFail(op.key);
      }
    });
  };
  const queue = (op) => {
    if (ops.length === 0 && db !== undefined) queueMicrotask(flush);
    ops.push(op);
  };
  const store = {
    kind: 'indexeddb',
    /** Resolves once the database is open (or known to be unavailable). */
    ready: opening.then((opened) => {
      db = opened;
      if (!db) store.kind = local ? 'localStorage' : 'memory';
      // What was handed over while the database opened, in one transaction.
      if (ops.length) flush();
    }),
    put(key, url, json, onFail) {
      uncommitted.set(key, [url, json]);
      queue({ key, url, json, onFail });
    },
    remove(key) {
      uncommitted.delete(key);
      queue({ key });
      try {
        local?.removeItem(key);
      } catch {}
    },
    rescue() {
      if (!local) return;
      for (const [key, [url, json]] of uncommitted) {
        try {
          local.setItem(key, `${url}\n${json}`);
        } catch {
          return;
        }
      }
    },
    async scan() {
      await store.ready;
      const rows = await new Promise((resolve) => {
        try {
          const request = db.transaction(STORE, 'readonly').objectStore(STORE).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => resolve([]);
        } catch {
          resolve([]);
        }
      });
      // Events that went to localStorage when IndexedDB refused them.
      const all = new Map(rows.map((r) => [r.k, [r.k, r.u, r.j]]));
      if (local) for (const row of scanLocal(local)) all.set(row[0], row);
      return [...all.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    },
  };
  return store;
}

/**
 * Moves what an earlier version left in localStorage into IndexedDB, so no
 * queued event is left behind by the upgrade. Removed from localStorage only
 * once the copy has committed.
 */
async function migrate(db, local) {
  const old = scanLocal(local);
  if (old.length === 0) return;
  try {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (const [k, u, j] of old) store.put({ k, u, j });
    if (await committed(tx)) for (const [k] of old) local.removeItem(k);
  } catch {}
}

/**
 * The best store this page has, at once: IndexedDB (opening in the
 * background), else localStorage, else null (memory only).
 * `committedPut(key, url, json)` hears of each event once IndexedDB has
 * committed it, so other tabs can be told. An IndexedDB store whose database
 * then fails to open becomes `kind` 'localStorage' or 'memory' when its
 * `ready` resolves.
 */
export function openStore(committedPut = () => {}) {
  const local = openLocal();
  let idb = false;
  try {
    idb = Boolean(globalThis.indexedDB);
  } catch {}
  if (!idb) return local ? { ...localStore(local, committedPut), ready: Promise.resolve() } : null;
  const opening = openDatabase().then(async (db) => {
    if (db && local) await migrate(db, local);
    return db;
  });
  return databaseStore(opening, local, committedPut);
}
