// The host's rules for one widget, whatever carries its messages (an iframe's
// MessagePort, or a React Native WebView's bridge): each `event_id` once and in
// `sequence` order, at most one `onSuccess` per widget session, `onClose`
// exactly once and last, the load and close timeouts, and the metadata of the
// host's own errors. The transport only checks where a message comes from and
// moves text; everything it receives is judged here.

import { decode } from './protocol.js';
import { encode } from './wire.js';
import { P } from './options.js';

/** How long `close()` waits for the widget's own closing events. */
export const CLOSE_GRACE_MS = 3000;

/** How many events `events()` keeps: the newest, as a same-page handler does. */
export const MAX_LOGGED_EVENTS = 10000;

// Where the widget is in its life. Each step sets the phase before it calls
// back, so a callback that calls the handle finds the step already taken.
const WAITING = 0; // loading: no widget has accepted the host yet
const CONNECTED = 1; // a widget accepted the host and talks to it
const CLOSING = 2; // close() was asked of the widget; its closing events are awaited
const CLOSED = 3; // onClose has fired, or the host was destroyed
const DESTROYED = 4; // destroy(): nothing at all fires any more

/** A fresh copy of JSON data, so no two callbacks share an object. */
const copy = (v) => JSON.parse(JSON.stringify(v ?? null));

/**
 * One widget seen by one host. `checked` is what `check()` returned;
 * `link.send(text)` sends a message to the connected widget, and
 * `link.end()` (safe to call twice) removes the widget from the page once it
 * is closed; `link.hint`, when given, replaces the iframe's likely causes in
 * the WIDGET_LOAD_TIMEOUT message. Returns the handle's methods, and what the transport calls:
 * `syn()` (a `syn` came from the widget: the `ack` to answer it with, or
 * nothing once closed) and `receive(text)` (a message on the connected
 * channel).
 */
export function hostSession(checked, link) {
  const [url, timeout, options, meta, , callbacks, ack] = checked;
  let phase = WAITING;
  /** The widget sessions seen, by id: `{ id, last, ok }`. */
  const seen = new Map();
  /** The session that spoke last: the widget's current one. */
  let current;
  /** The newest events, as JSON text. */
  const log = [];
  let count = 0;
  let lastError = null;
  let timer;

  /** Calls back, unless destroyed; a callback that throws is reported, and the rest goes on. */
  const fire = (name, ...args) => {
    const fn = callbacks[name];
    if (fn && phase !== DESTROYED) {
      try {
        fn(...args);
      } catch (error) {
        console.error(`okra-events: the ${name} callback threw`, error);
      }
    }
  };

  /** The metadata of the host's own errors and close, in the shape of the widget's. */
  const metadata = () => {
    const last = log.length ? JSON.parse(log[log.length - 1]) : null;
    const success = Boolean(current?.ok);
    return {
      session_id: current?.id ?? null,
      tracking_id: last?.event_data.tracking_id ?? null,
      last_screen: last?.event_screen ?? null,
      bounced: !success,
      success,
      events_count: count,
      error: copy(lastError),
      options: JSON.parse(options),
      meta: JSON.parse(meta),
    };
  };

  /** `onClose` last, then the widget leaves the page. */
  const finish = (json, error, before) => {
    if (phase > CLOSING) return;
    phase = CLOSED;
    clearTimeout(timer);
    if (before) fire('beforeClose', metadata());
    fire('onClose', json ?? metadata(), json ? error : copy(lastError));
    link.end();
  };

  function receive(text) {
    const m = decode(text);
    if (!m || phase > CLOSING) return;
    if (phase === WAITING) {
      if (m.type === 'ready') {
        phase = CONNECTED;
        clearTimeout(timer);
      }
      return;
    }
    const e = m.event;
    if (e) {
      let s = seen.get(e.session_id);
      if (s && e.sequence <= s.last) return;
      if (!s) seen.set(e.session_id, (s = { id: e.session_id, ok: false }));
      s.last = e.sequence;
      current = s;
      count++;
      if (log.push(JSON.stringify(e)) > MAX_LOGGED_EVENTS) log.shift();
      fire('onEvent', e);
    } else if (m.type === 'success') {
      if (current && !current.ok) {
        current.ok = true;
        fire('onSuccess', m.data);
      }
    } else if (m.type === 'close') finish(m.json, m.error);
    else if (m.type === 'error') {
      lastError = m.error;
      fire('onError', m.json, copy(m.error));
    } else if (m.type === 'before_close') fire('beforeClose', m.json);
  }

  /** The widget will not connect: `onError(json, error)`, then `onClose`. */
  const fail = (error) => {
    if (phase !== WAITING) return;
    phase = CLOSING;
    lastError = { ...error, widget_url: url };
    fire('onError', metadata(), copy(lastError));
    finish();
  };

  timer = setTimeout(
    () =>
      fail({
        type: 'WIDGET_LOAD_TIMEOUT',
        message: `${P}the widget at ${url} did not connect within ${timeout} ms (widgetTimeout). ${
          link.hint ?? "Did its page load in the iframe (HTTP status, this page's frame-src, its frame-ancestors)? Does it call Okra.connectToHost?"
        }`,
        timeout,
      }),
    timeout,
  );

  /** Why a widget could not start, by the reason its `failed` message gives. */
  const why = {
    __proto__: null,
    WASM_UNAVAILABLE: "its page's script-src lacks 'wasm-unsafe-eval'",
    HOST_NOT_ALLOWED: "this page's origin is not in its allowedOrigins",
    NOT_FRAMED: 'it is not framed',
  };

  return {
    syn: () => (phase > CLOSING ? undefined : ack),
    /** The widget says it could not start: `onError` with `WIDGET_FAILED` and the reason, then `onClose`. */
    failed: (reason) =>
      why[reason] && fail({ type: 'WIDGET_FAILED', reason, message: `${P}the widget at ${url} could not start: ${why[reason]}` }),
    receive,
    /** The widget's current session id: that of its latest event. */
    sessionId: () => current?.id ?? null,
    /** The events received, oldest first, as new objects. */
    events: () => log.map((e) => JSON.parse(e)),
    /** Closes at once a widget that has not connected; otherwise asks it to, and waits for its closing events. */
    close() {
      if (phase === WAITING) finish(undefined, undefined, true);
      else if (phase === CONNECTED) {
        phase = CLOSING;
        link.send(encode('close_request'));
        clearTimeout(timer);
        timer = setTimeout(() => finish(undefined, undefined, true), CLOSE_GRACE_MS);
      }
    },
    /** Nothing fires from now on, and the widget leaves the page at once. */
    destroy() {
      phase = DESTROYED;
      clearTimeout(timer);
      link.end();
    },
  };
}
