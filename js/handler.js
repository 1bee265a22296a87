// The handler `buildWithOptions` returns, and where the engine's records
// land: each handler's callbacks, timer and network listeners.

import { OP, Dispatcher, answer, readEvents, refusal, run } from './engine.js';
import { senderRecord, storeEvent, storeFlag } from './delivery.js';
import { HANDLER_KEYS, callbacksOf, dataText, describe, describeOptions, isPlain } from './options.js';

/** Live handlers by engine handle. */
const handlers = new Map();

/** Frees a garbage-collected handler's session in the engine, once nothing of it runs. */
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((state) => {
        if (state.released && !state.freed) {
          handlers.delete(state.id);
          run(OP.FREE, state.id);
        }
      })
    : null;

/**
 * Acts on an op's records: sender I/O at once, then each handler's
 * callbacks, in order. `thrown` is what fail() was given, when an Error.
 */
export function apply(records, thrown, lookup = (id) => handlers.get(id)) {
  const touched = new Set();
  // The senders whose beacon the browser refused during these records.
  const refused = new Set();
  for (const r of records) {
    const tag = r[0];
    if (tag === '=' || tag === '!' || tag === '?') continue;
    if ('npwkxmlo'.includes(tag)) {
      senderRecord(r, refused);
      continue;
    }
    if (tag === 'z') {
      console.error('okra-events: delivery problem', JSON.parse(r[2]));
      continue;
    }
    const h = lookup(+r[1]);
    if (!h) continue;
    if (tag === 't') {
      h.arm(r[2]);
      continue;
    }
    // Stored before any callback runs: a throwing callback or a closing tab cannot lose it.
    if (tag === 'e' && r[2]) storeEvent(h.sender, r[2], r[3]);
    h.dispatcher.push(r, tag === 'f' && thrown instanceof Error ? thrown : undefined);
    touched.add(h);
  }
  for (const h of touched) h.dispatcher.drain();
}

/** Runs an op for a handler: records applied, then its error thrown. */
function step(state, op, a, b, thrown) {
  const records = run(op, state.id, a, b);
  const error = refusal(records);
  apply(records, thrown);
  if (error) throw error;
  return records;
}

/** The window the handler listens to: `globalThis.window`, if it can be listened to. */
export function pageWindow() {
  const w = globalThis.window;
  return w !== null && typeof w === 'object' && typeof w.addEventListener === 'function' ? w : undefined;
}

/** 128 random bits as hex, from Web Crypto, or Math.random where there is none. */
export function seed() {
  const words = new Uint32Array(4);
  try {
    crypto.getRandomValues(words);
  } catch {
    for (let i = 0; i < 4; i++) words[i] = Math.floor(Math.random() * 2 ** 32);
  }
  return Array.from(words, (w) => w.toString(16).padStart(8, '0')).join('');
}

/**
 * Throws an options error, after passing it to the options' `onError` when
 * that is a function: `onError({ error: { type, option?, message } }, error)`.
 */
export function refuseWith(options, error) {
  const onError = isPlain(options) ? options.onError : undefined;
  if (typeof onError === 'function') {
    const { type, option, message } = error;
    try {
      onError({ error: { type, ...(option !== undefined && { option }), message } }, error);
    } catch (e) {
      console.error('okra-events: the onError callback threw', e);
    }
  }
  throw error;
}

/** Builds a same-page handler: the engine checks the options and starts the session. */
export function buildHandler(options) {
  const win = pageWindow();
  const nav = win?.navigator ?? globalThis.navigator;
  const url = isPlain(options) ? options.event_callback_url : undefined;
  const flags = seed() + (nav?.onLine === false ? '0' : '1') + (win ? '1' : '0') + (typeof url === 'string' ? storeFlag() : '0');
  const records = run(OP.OPEN, 0, describeOptions(options, HANDLER_KEYS), flags);
  const error = refusal(records);
  if (error) refuseWith(options, error);
  const [id, sessionId, trackingId, sender] = answer(records);
  const state = new State(+id, win, callbacksOf(options), +sender - 1);
  handlers.set(state.id, state);
  const handler = new Handler(state, options, sessionId, trackingId);
  registry?.register(handler, state, handler);
  state.listen();
  apply(records);
  return handler;
}

/** What runs for a handler: its callbacks, its one timer, its listeners. */
class State {
  constructor(id, win, callbacks, sender) {
    this.id = id;
    this.win = win;
    this.dispatcher = new Dispatcher(callbacks);
    this.sender = sender;
    this.timer = undefined;
    this.listeners = [];
    this.released = false;
  }

  /** Keeps exactly one timeout, for the session's earliest deadline. */
  arm(ms) {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ms === '') return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      apply(run(OP.TICK, this.id));
    }, Math.min(+ms, 2 ** 31 - 1));
  }

  listen() {
    for (const [type, op] of [['offline', OP.OFFLINE], ['online', OP.ONLINE]]) {
      const fn = () => apply(run(op, this.id));
      this.win.addEventListener(type, fn);
      this.listeners.push([type, fn]);
    }
  }

  /** Removes the listeners and the timer. */
  release() {
    for (const [type, fn] of this.listeners.splice(0)) this.win.removeEventListener(type, fn);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.released = true;
  }
}

/** A string argument, or its description with the op's NOT_A_STRING flag. */
const nameArg = (op, name) => (typeof name === 'string' ? [op, name] : [op | OP.NOT_A_STRING, describe(name)]);

/** A widget session's event emitter. Build one with `Okra.buildWithOptions`. */
export class Handler {
  #state;
  #options;
  #sessionId;
  #trackingId;

  constructor(state, options, sessionId, trackingId) {
    this.#state = state;
    this.#options = options;
    this.#sessionId = sessionId;
    this.#trackingId = trackingId;
  }

  /** Records a screen transition, e.g. `handler.screen('bank')`. */
  screen(name, details) {
    const [op, a] = nameArg(OP.SCREEN, name);
    step(this.#state, op, a, dataText(details));
  }

  /** Records a catalog event the widget observed. */
  track(name, data) {
    const [op, a] = nameArg(OP.TRACK, name);
    step(this.#state, op, a, dataText(data));
  }

  /** The account was linked: emits USER_CONNECTION_SUCCESSFUL and calls `onSuccess`. */
  success(data) {
    step(this.#state, OP.SUCCESS, '', dataText(data));
  }

  /** The connection failed: emits USER_CONNECTION_FAILED and calls `onError`. */
  fail(error) {
    const text = error instanceof Error ? JSON.stringify({ name: error.name, message: error.message }) : dataText(error);
    step(this.#state, OP.FAIL, '', text, error);
  }

  /** The widget closes: USER_BOUNCE unless linked, USER_APP_CLOSE, then `onClose`. */
  close() {
    step(this.#state, OP.CLOSE, '', '');
    this.#state.release();
  }

  /** Releases every listener and timer and sends what is queued right away. */
  destroy() {
    this.#state.release();
    apply(run(OP.DESTROY, this.#state.id));
  }

  /** How many of this session's events wait for the webhook's 2xx. */
  pending() {
    return Number(answer(run(OP.PENDING, this.#state.id))[0] ?? 0);
  }

  /** This session's id. */
  get sessionId() {
    return this.#sessionId;
  }

  /** This session's tracking id, as carried in every event's data. */
  get trackingId() {
    return this.#trackingId;
  }

  /** The options object this handler was built with, as given. */
  get options() {
    return this.#options;
  }

  /** This session's events, oldest first, as new objects. */
  events() {
    return readEvents(OP.EVENTS, this.#state.id);
  }

  /**
   * Frees the session's memory in the wasm at once (optional: it is freed
   * when the handler is garbage-collected). Destroys the handler first;
   * events already queued are still delivered.
   */
  free() {
    const state = this.#state;
    if (state.freed) return;
    this.destroy();
    state.freed = true;
    handlers.delete(state.id);
    registry?.unregister(this);
    run(OP.FREE, state.id);
  }
}
