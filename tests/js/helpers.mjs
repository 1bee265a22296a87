// Shared helpers for the node:test suite against the built package in pkg/.
//
// Run from the repository root: `node --test tests/js/`. Set OKRA_EVENTS_PKG to
// test a package directory other than ./pkg (for example an unpacked tarball).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readSchemas, validators, violations } from '../schema/validators.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = resolve(here, '..', '..');
/** The built npm package under test. */
export const PKG_DIR = resolve(process.env.OKRA_EVENTS_PKG ?? join(ROOT, 'pkg'));
/** The package's entry, as a file: URL (what its package.json `exports` resolves to). */
export const PKG_ENTRY = pathToFileURL(join(PKG_DIR, 'index.js')).href;

/**
 * Requests the SDK makes to an event_callback_url (SPEC section 6, not under
 * test here). fetch is stubbed to answer 200 at once, so no test reaches the
 * network and no delivery retry keeps the process alive.
 */
export const fetchCalls = [];
globalThis.fetch = async (url, init) => {
  fetchCalls.push({ url: String(url), init });
  return new Response(null, { status: 200 });
};

/**
 * Checks what handlers emit against the package's JSON Schemas (its own
 * copy, what `okra-events/schema/*.json` gives; the repository's for a
 * package built before it had them). Violations are collected as they
 * happen and reported by `cleanup()`, after each test.
 */
const checkSchema = validators(readSchemas(existsSync(join(PKG_DIR, 'schema')) ? join(PKG_DIR, 'schema') : undefined));
const schemaErrors = [];
const noteSchema = (recorded) => schemaErrors.push(...violations(checkSchema, recorded));

const mod = await import(PKG_ENTRY);
/** The default export. */
export const Okra = mod.default;
/** The whole module namespace (default and named exports). */
export const OkraModule = mod;

export const DEFAULT_HREF = 'https://widget.example/:ref/bank';
export const KEY = 'pk_test_0123456789';
export const TOKEN = 'tok_test_abcdef';

/**
 * A fake browser window, as a test harness would define one: an EventTarget
 * with `navigator.onLine` and `location.href` (and no `window.window`), which
 * counts its listeners.
 */
export function makeWindow({ onLine = true, href = DEFAULT_HREF } = {}) {
  const win = new EventTarget();
  win.navigator = { onLine };
  win.location = { href };
  /** Listeners currently registered: [{ type, fn, capture }]. */
  const active = [];
  const stats = { added: 0, removed: 0 };
  const capture = (opts) => (typeof opts === 'boolean' ? opts : Boolean(opts && opts.capture));
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  win.addEventListener = function (type, fn, opts) {
    stats.added += 1;
    const c = capture(opts);
    if (fn && !active.some((l) => l.type === type && l.fn === fn && l.capture === c)) {
      active.push({ type, fn, capture: c });
    }
    return add.call(this, type, fn, opts);
  };
  win.removeEventListener = function (type, fn, opts) {
    stats.removed += 1;
    const c = capture(opts);
    const i = active.findIndex((l) => l.type === type && l.fn === fn && l.capture === c);
    if (i >= 0) active.splice(i, 1);
    return remove.call(this, type, fn, opts);
  };
  win.stats = stats;
  /** How many listeners are registered now, for one event type or all. */
  win.listenerCount = (type) => active.filter((l) => type === undefined || l.type === type).length;
  win.goOffline = () => {
    win.navigator.onLine = false;
    win.dispatchEvent(new Event('offline'));
  };
  win.goOnline = () => {
    win.navigator.onLine = true;
    win.dispatchEvent(new Event('online'));
  };
  return win;
}

/** Makes a fake window and installs it as `globalThis.window`. */
export function installWindow(opts) {
  const win = makeWindow(opts);
  globalThis.window = win;
  return win;
}

const built = [];

/** `Okra.buildWithOptions` with a valid key and token; the handler is destroyed by `cleanup()`. */
export function build(options = {}) {
  const handler = Okra.buildWithOptions({ key: KEY, token: TOKEN, ...options });
  built.push(handler);
  return handler;
}

/** `Okra.buildWithOptions(options)` with the object exactly as given; destroyed by `cleanup()` too. */
export function buildExact(options) {
  const handler = Okra.buildWithOptions(options);
  built.push(handler);
  return handler;
}

/**
 * Destroys every handler made with `build()` and removes the fake window;
 * then fails if an event those handlers logged, or a callback a
 * `recorder()` got, broke the published schemas.
 */
export function cleanup() {
  for (const h of built.splice(0)) {
    try {
      noteSchema({ events: h.events() });
    } catch {
      // A handler the test destroyed or freed has no events() to read.
    }
    try {
      h.destroy();
    } catch {
      // destroy() must not throw, but a broken one should not hide other failures.
    }
  }
  delete globalThis.window;
  const errors = schemaErrors.splice(0);
  if (errors.length) throw new Error(`${errors.length} payloads broke schema/*.json: ${errors.slice(0, 3).join(' | ')}`);
}

/**
 * Records every callback in call order. `log` holds entries like
 * `['event', name, event]`, `['success', data]`, `['error', json, error]`,
 * `['beforeClose', json]`, `['close', json, error]`.
 */
export function recorder() {
  const log = [];
  const events = [];
  // Each payload is checked against the schemas as it arrives (see cleanup()).
  const checked = (name, args) => noteSchema(name === 'onEvent' ? { events: args } : { callbacks: [{ name, args }] });
  const callbacks = {
    onEvent: (e) => {
      checked('onEvent', [e]);
      events.push(e);
      log.push(['event', e.event_name, e]);
    },
    onSuccess: (data) => {
      checked('onSuccess', [data]);
      log.push(['success', data]);
    },
    onError: (json, error) => {
      checked('onError', [json, error]);
      log.push(['error', json, error]);
    },
    beforeClose: (json) => {
      checked('beforeClose', [json]);
      log.push(['beforeClose', json]);
    },
    onClose: (json, error) => {
      checked('onClose', [json, error]);
      log.push(['close', json, error]);
    },
  };
  return {
    log,
    events,
    callbacks,
    /** The log as short strings: 'event:USER_CONNECTING', 'success', ... */
    kinds: () => log.map(([kind, name]) => (kind === 'event' ? `event:${name}` : kind)),
    names: () => events.map((e) => e.event_name),
    find: (kind) => log.find(([k]) => k === kind),
  };
}

/** Event names of a list of events. */
/**
 * The host session's promises, over its callback log (`[name, ...args]` per
 * call), whatever the widget sent and the page called: onClose at most once
 * and last, each event_id once, each widget session's events in sequence
 * order, and at most one onSuccess per widget session (the tests that use
 * this make two). Returns how many onClose calls there were, and the events
 * onEvent got.
 */
export function assertHostPromises(calls) {
  const called = calls.map((c) => c[0]);
  const closes = called.filter((n) => n === 'onClose').length;
  assert.ok(closes <= 1, 'onClose at most once');
  if (closes) assert.equal(called.at(-1), 'onClose', 'onClose is last');
  const events = calls.filter((c) => c[0] === 'onEvent').map((c) => c[1]);
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'each event_id once');
  for (const sid of new Set(events.map((e) => e.session_id))) {
    const seq = events.filter((e) => e.session_id === sid).map((e) => e.sequence);
    assert.deepEqual(seq, [...seq].sort((a, b) => a - b), 'in sequence order');
  }
  assert.ok(called.filter((n) => n === 'onSuccess').length <= 2, 'one onSuccess per widget session');
  return { closes, events };
}

export const names = (events) => events.map((e) => e.event_name);

/**
 * Wraps the global setTimeout/clearTimeout (which the SDK resolves at call
 * time) to count timers: `live` holds the handles neither fired nor cleared.
 */
export function trackTimers() {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set();
  let created = 0;
  globalThis.setTimeout = function (fn, ms, ...args) {
    created += 1;
    const handle = realSet(
      (...a) => {
        live.delete(handle);
        return fn(...a);
      },
      ms,
      ...args,
    );
    live.add(handle);
    return handle;
  };
  globalThis.clearTimeout = function (handle) {
    live.delete(handle);
    return realClear(handle);
  };
  return {
    live,
    get created() {
      return created;
    },
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
      for (const h of live) realClear(h);
      live.clear();
    },
  };
}

/**
 * A fake clock: replaces Date.now, setTimeout and clearTimeout until
 * `restore()`. `advance(ms)` moves time forward and runs the timers that come
 * due, earliest first, each at its own due time. Use it in synchronous tests
 * only (node:test's own timers are not affected, but awaiting would be).
 */
export function fakeClock(start = Date.UTC(2026, 10, 27, 1, 20, 54, 123)) {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const realNow = Date.now;
  let now = start;
  let nextId = 1;
  const timers = new Map();
  // Handles are objects, so a handle cleared after restore() (when a handler
  // is destroyed later) can never match a real Node timer.
  const handles = new WeakMap();
  globalThis.setTimeout = (fn, ms = 0, ...args) => {
    const id = nextId++;
    const delay = Math.max(0, Number(ms) || 0);
    timers.set(id, { id, at: now + delay, fn, args });
    const handle = { fakeTimer: id };
    handles.set(handle, id);
    return handle;
  };
  globalThis.clearTimeout = (handle) => {
    if (handle && handles.has(handle)) timers.delete(handles.get(handle));
  };
  // The monotonic clock okra-events waits on moves with the fake wall clock
  // (a test that jumps the wall clock alone uses jumpWall()).
  let wallOffset = 0;
  Date.now = () => now + wallOffset;
  Object.defineProperty(performance, 'now', { value: () => now - start, configurable: true, writable: true });
  return {
    now: () => now + wallOffset,
    /** Moves the wall clock only (an NTP correction, a user changing the time). */
    jumpWall(ms) {
      wallOffset += ms;
    },
    /** Timers neither fired nor cleared. */
    pending: () => timers.size,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next = null;
        for (const t of timers.values()) {
          if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
        }
        if (!next) break;
        timers.delete(next.id);
        now = Math.max(now, next.at);
        next.fn(...next.args);
      }
      now = end;
    },
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
      Date.now = realNow;
      delete performance.now;
    },
  };
}

/** Replaces console.error to capture its calls until `restore()`. */
export function captureConsoleError() {
  const real = console.error;
  const calls = [];
  console.error = (...args) => {
    calls.push(args);
  };
  return {
    calls,
    restore() {
      console.error = real;
    },
  };
}

/** Polls until `predicate()` is truthy; fails after `timeout` ms. */
export async function waitFor(predicate, { timeout = 3000, interval = 5, what = 'condition' } = {}) {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(interval);
  }
}

export { sleep };

/** Calls `fn` and returns what it threw (fails if it did not throw). */
export function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw, but it returned');
}

/**
 * Runs an ES module script in a fresh Node process (so no fake window or
 * global of this process can leak into it) and parses the JSON it prints last.
 */
export function runModule(source, { cwd = ROOT, env = {} } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', source],
      { cwd, env: { PATH: process.env.PATH, ...env }, timeout: 20000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`child failed: ${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
          return;
        }
        const lines = stdout.trim().split('\n');
        try {
          resolvePromise({ result: JSON.parse(lines[lines.length - 1]), stdout, stderr });
        } catch (e) {
          reject(new Error(`child printed no JSON: ${e.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      },
    );
  });
}

/** Text of the shipped TypeScript declarations. */
export async function readDts() {
  const { readFile } = await import('node:fs/promises');
  // index.d.ts re-exports the declarations it shares with host.d.ts from types.d.ts.
  const texts = await Promise.all(['index.d.ts', 'types.d.ts'].map((f) => readFile(join(PKG_DIR, f), 'utf8')));
  return texts.join('\n');
}

/** The quoted members of `export type <name> = | 'A' | 'B';` in a d.ts text. */
export function unionMembers(dts, name) {
  const m = new RegExp(`export type ${name}\\s*=([^;]*);`).exec(dts);
  if (!m) throw new Error(`type ${name} not found in index.d.ts or types.d.ts`);
  return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
}

/** Property names declared in `export interface <name> { ... }` (top level only). */
export function interfaceFields(dts, name) {
  const start = dts.indexOf(`export interface ${name} `);
  if (start < 0) throw new Error(`interface ${name} not found in index.d.ts`);
  let i = dts.indexOf('{', start) + 1;
  let depth = 1;
  let body = '';
  for (; depth > 0 && i < dts.length; i++) {
    const c = dts[i];
    if (c === '{') depth += 1;
    if (c === '}') depth -= 1;
    if (depth === 1 && c !== '}') body += c;
    else if (depth > 1) body += ' ';
  }
  body = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...body.matchAll(/^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*[:(<]/gm)].map((x) => x[1]);
}

/** The catalog as the seed documents it: name, category, screen (documentation order). */
export const SEED_CATALOG = [
  ['USER_CONNECTING', 'auth', 'landing'],
  ['USER_CONNECTED', 'auth', 'landing'],
  ['USER_CONSENT_GRANTED', 'auth', 'login_method'],
  ['USER_CONSENT_REVIEW', 'auth', 'login_method'],
  ['USER_LOGIN_SELECTION', 'auth', 'login_method'],
  ['USER_VIEWED_BANKS', 'auth', 'bank'],
  ['USER_ACCOUNT_TYPE_SELECTION', 'auth', 'bank'],
  ['USER_BANK_SEARCH', 'auth', 'search'],
  ['USER_BANK_SELECTED', 'auth', 'search'],
  ['USER_BANK_SEARCH_NO_RESULTS', 'auth', 'no_search_result'],
  ['USER_LOGIN_ATTEMPTED', 'auth', 'login'],
  ['USER_ACCOUNT_SELECTION', 'auth', 'account_selection'],
  ['USER_ACCOUNT_SELECTED', 'auth', 'account_selection'],
  ['USER_FETCH_BALANCE', 'auth', 'balance'],
  ['USER_RETRIEVED_BALANCE', 'auth', 'balance'],
  ['USER_BALANCE_SENT', 'auth', 'balance'],
  ['USER_FETCH_TRANS', 'auth', 'balance'],
  ['USER_RETRY_OTP', 'auth', 'mfa'],
  ['USER_MFA_QUESTION', 'auth', 'mfa'],
  ['USER_COMPLETE_MFA', 'auth', 'mfa'],
  ['USER_PAYMENT_REVIEW', 'payment', 'review_payment'],
  ['USER_CONFIRM_PAYMENT', 'payment', 'review_payment'],
  ['USER_AUTHORIZE_PAYMENT', 'payment', 'authorize_payment'],
  ['USER_PAYMENT_ACKNOWLEDGED', 'payment', 'authorize_payment'],
  ['USER_RUX_SELECTION', 'returning_user', 'rux_bank_selection'],
  ['USER_RUX_BANK_SELECTED', 'returning_user', 'rux_bank_selection'],
  ['USER_RUX_NOT_FOUND', 'returning_user', 'rux_bank_selection'],
  ['USER_NETWORK_DISCONNECTED', 'network', null],
  ['USER_NETWORK_RECONNECTED', 'network', null],
  ['USER_TIMEOUT', 'network', null],
  ['USER_BOUNCE', 'network', null],
  ['USER_CONNECTION_FAILED', 'network', null],
  ['USER_CONNECTION_SUCCESSFUL', 'network', null],
  ['WIDGET_COMPLETE_PROFILING', 'general', null],
  ['USER_PROFILE_ACCOUNT_REVIEW', 'general', null],
  ['USER_APP_CLOSE', 'general', null],
  ['USER_APP_REDIRECT', 'general', null],
];

/** The screens of SPEC section 3. */
export const SCREENS = [
  'landing',
  'login_method',
  'bank',
  'search',
  'no_search_result',
  'login',
  'account_selection',
  'balance',
  'mfa',
  'review_payment',
  'authorize_payment',
  'rux_bank_selection',
  'success',
  'failure',
];

/** Screens whose entry emits a landing event (SPEC section 5). */
export const LANDING_EVENTS = {
  bank: 'USER_VIEWED_BANKS',
  account_selection: 'USER_ACCOUNT_SELECTION',
  mfa: 'USER_MFA_QUESTION',
  review_payment: 'USER_PAYMENT_REVIEW',
  rux_bank_selection: 'USER_RUX_SELECTION',
  no_search_result: 'USER_BANK_SEARCH_NO_RESULTS',
};

/**
 * Events the emitter produces by itself, with a fragment the TypeError of
 * `track(name)` should contain to say what emits it.
 */
export const AUTOMATIC_EVENTS = {
  USER_CONNECTING: /buildWithOptions/,
  USER_CONNECTED: /screen/,
  USER_VIEWED_BANKS: /screen\(.bank.\)/,
  USER_BANK_SEARCH: /search/,
  USER_BANK_SEARCH_NO_RESULTS: /screen\(.no_search_result.\)/,
  USER_ACCOUNT_SELECTION: /screen\(.account_selection.\)/,
  USER_MFA_QUESTION: /screen\(.mfa.\)/,
  USER_PAYMENT_REVIEW: /screen\(.review_payment.\)/,
  USER_RUX_SELECTION: /screen\(.rux_bank_selection.\)/,
  USER_NETWORK_DISCONNECTED: /offline/,
  USER_NETWORK_RECONNECTED: /online/,
  USER_TIMEOUT: /attempt|outage|timeout/i,
  USER_BOUNCE: /close\(\)/,
  USER_CONNECTION_FAILED: /fail\(/,
  USER_CONNECTION_SUCCESSFUL: /success\(/,
  USER_APP_CLOSE: /close\(\)/,
};

/** Catalog names the widget reports itself with track(). */
export const TRACKABLE_EVENTS = SEED_CATALOG.map(([n]) => n).filter((n) => !(n in AUTOMATIC_EVENTS));

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
