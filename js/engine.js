// The one door into the wasm: `run(op, id, a, b)` calls the engine with the
// time on both clocks and returns its records, split. Every rule is in the
// engine (crates/core/src/engine); this file only moves text.

import { call } from './okra_events.js';

/** Op codes: crates/core/src/engine/mod.rs. */
export const OP = Object.freeze({
  LOCATION: 0, OPEN: 1, SCREEN: 2, TRACK: 3, SUCCESS: 4, FAIL: 5, CLOSE: 6, DESTROY: 7,
  ONLINE: 8, OFFLINE: 9, TICK: 10, PENDING: 11, EVENTS: 12, FREE: 13,
  STORAGE: 19, SENDER: 20, LEAD: 21, ANSWER: 22, ADOPT: 23, SETTLED: 24, WAKE: 25, FLUSH: 26, UNSTORED: 27, RESUME: 28, WAITING: 29,
  HOST: 30, LINK: 40, LINK_ACCEPT: 41, LINK_CLOSE: 42, CATALOG: 50,
  NOT_A_STRING: 0x100,
});
const OFFLINE_NOW = 0x200;

/** Monotonic now: every wait is measured on it, so a wall clock that jumps delays nothing. */
const mono = () => (globalThis.performance ? performance.now() : Date.now());

/** The page's URL as last given to the engine. */
let href;

/**
 * The page's URL now. `document.URL` is the same text as `location.href`
 * (both are the document's URL) and costs a tenth of it in Chromium, where
 * `location.href` takes about a microsecond per read. A form or image named
 * "URL" shadows `document.URL`, and a non-browser `window` has no document:
 * then `location.href`.
 */
function pageUrl() {
  const url = globalThis.document?.URL;
  return typeof url === 'string' ? url : globalThis.window?.location?.href;
}

/** false only when the browser says it is offline (true is just a hint). */
export const online = () => globalThis.navigator?.onLine !== false;

/** Gives the engine the page's URL, when it is not the one it was last given. */
export function locate() {
  const loc = pageUrl();
  if (loc !== href) {
    href = loc;
    call(OP.LOCATION, 0, 0, 0, typeof loc === 'string' ? loc : '', typeof loc === 'string' ? '1' : '');
  }
}

/**
 * Runs one op. Returns the records as arrays of fields, `[tag, id, ...]`;
 * fields are split on tabs, which no field holds (see the engine's `out`).
 */
export function run(op, id = 0, a = '', b = '') {
  locate();
  const text = call(online() ? op : op | OFFLINE_NOW, id, Date.now(), mono(), a, b);
  return text === '' ? [] : text.split('\n').map((line) => line.split('\t'));
}

/** The `=` record's fields after its id: the op's return value. */
export const answer = (records) => records.find((r) => r[0] === '=')?.slice(2) ?? [];

/**
 * The error an op refused with (`!` record), or undefined. Options errors
 * (`?` record) carry their kind as `error.type`, and the option as
 * `error.option` when one was wrong, as every error okra-events reports does.
 */
export function refusal(records) {
  const r = records[0]?.[0] === '!' ? records[0] : undefined;
  if (!r) return undefined;
  const error = new (r[2] === 'T' ? TypeError : Error)(JSON.parse(r[3]));
  const detail = records.find((x) => x[0] === '?');
  if (detail) {
    const [, , type, option] = detail;
    error.type = type;
    if (option !== undefined) error.option = option;
  }
  return error;
}

/** Events from an EVENTS-like op, chunk by chunk, as fresh objects. */
export function readEvents(op, id) {
  const all = [];
  for (;;) {
    const chunk = JSON.parse(answer(run(op, id, String(all.length)))[0] ?? '[]');
    if (chunk.length === 0) return all;
    for (const e of chunk) all.push(e);
  }
}

/** Reports an exception thrown by a host callback without stopping anything. */
export function invoke(name, fn, ...args) {
  if (typeof fn !== 'function') return;
  try {
    fn(...args);
  } catch (error) {
    console.error(`okra-events: the ${name} callback threw`, error);
  }
}

/**
 * Calls one handler's (or host's) callbacks in order, never while another
 * of its calls runs: a callback that calls back in only adds to the queue,
 * so nested events come after the current callback returns, still in order.
 */
export class Dispatcher {
  constructor(callbacks) {
    this.callbacks = callbacks;
    this.queue = [];
    this.draining = false;
    this.stopped = false;
  }

  push(record, thrown) {
    if (!this.stopped) this.queue.push(thrown === undefined ? record : [...record, thrown]);
  }

  drain() {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length && !this.stopped) this.call(this.queue.shift());
    } finally {
      this.draining = false;
    }
  }

  call(r) {
    const cb = this.callbacks;
    switch (r[0]) {
      case 'e': return cb.onEvent && invoke('onEvent', cb.onEvent, JSON.parse(r[3]));
      case 's': return invoke('onSuccess', cb.onSuccess, JSON.parse(r[2]));
      // An Error given to fail() reaches onError as itself, so its stack is kept.
      case 'f': return invoke('onError', cb.onError, JSON.parse(r[2]), r.length > 4 ? r[4] : JSON.parse(r[3]));
      case 'r': return invoke('onError', cb.onError, JSON.parse(r[2]), JSON.parse(r[3]));
      case 'b': return invoke('beforeClose', cb.beforeClose, JSON.parse(r[2]));
      case 'c': return invoke('onClose', cb.onClose, JSON.parse(r[2]), JSON.parse(r[3]));
      case 'd': return invoke('onDelivery', cb.onDelivery, JSON.parse(r[2]));
    }
  }

  /** Makes no more calls, not even those already queued. */
  stop() {
    this.stopped = true;
    this.queue.length = 0;
  }
}
