// The widget in its own origin: the page plumbing of both sides. What
// decides (options, message decoding, allowed origins, which host callbacks
// fire and when) is in the engine (crates/core/src/bridge.rs and engine/);
// this file only holds the iframe, the listeners, the port and the timers.
//
// The protocol: the widget posts `syn` (no data) to its parent; the host
// answers only its own iframe's window at the exact widget origin, with `ack`
// and the options posted to that origin, transferring a MessagePort; the
// widget accepts `ack` only from its parent at an allowed origin, answers
// `ready` on the port, and from then on both sides talk on the port alone.

import { OP, Dispatcher, answer, readEvents, refusal, run } from './engine.js';
import { apply, buildHandler, pageWindow, refuseWith } from './handler.js';
import { HOST_KEYS, LINK_KEYS, callbacksOf, describeOptions } from './options.js';

/** What a step of the host's rules asks of the page (the core's `bridge::Step`). */
const CONNECTED = 1;
const CLOSED = 2;
const ASK_WIDGET = 3;
/** How long `close()` waits for the widget's own closing events. */
const CLOSE_GRACE_MS = 3000;

/** The protocol's bound on a message (the core's MAX_MESSAGE_BYTES). */
const MAX_MESSAGE = 256 * 1024;

/**
 * A message's text, when it is text within the bound; anything else reads as
 * nothing. The length is checked before the text is copied into the wasm, so
 * a huge message costs nothing.
 */
const text = (data) => (typeof data === 'string' && data.length <= MAX_MESSAGE ? data : '');

/**
 * The host's rules for one widget, in the engine: `step(op, a)` runs one and
 * makes the host's callbacks, returning the step's number.
 */
function hostFrame(options) {
  const flags = '0'.repeat(33) + (pageWindow() ? '1' : '0');
  const records = run(OP.FRAME, 0, describeOptions(options, HOST_KEYS, true), flags);
  const error = refusal(records);
  if (error) refuseWith(options, error);
  const [id, url, timeout, ack, closeRequest] = answer(records);
  const dispatcher = new Dispatcher(callbacksOf(options));
  const state = { dispatcher };
  const step = (op, a = '') => {
    const records = run(op, +id, a);
    apply(records, undefined, () => state);
    return Number(answer(records)[0] ?? 0);
  };
  return { id: +id, url, timeout: +timeout, ack, closeRequest, dispatcher, step };
}

/**
 * Host mode: opens the widget in an iframe and returns its handle. Bad
 * options throw a TypeError naming the option (and go to `onError`) before
 * anything is added to the page.
 */
export function openWidget(options) {
  const frame = hostFrame(options);
  const origin = new URL(frame.url).origin;
  const iframe = document.createElement('iframe');
  iframe.src = frame.url;
  iframe.title = 'Okra widget';
  iframe.style.cssText = 'display:block;border:0;width:100%;height:100%';
  let root = iframe;
  if (!options.container) {
    root = document.createElement('div');
    root.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(15,23,42,.45)';
    root.append(iframe);
  }
  let port = null;
  let done = false;
  let timer = setTimeout(() => settle(frame.step(OP.FRAME_EXPIRE, '1')), frame.timeout);

  function settle(step) {
    if (done) return;
    if (step === CONNECTED) clearTimeout(timer);
    if (step === CLOSED) teardown();
  }

  function teardown() {
    done = true;
    clearTimeout(timer);
    removeEventListener('message', onSyn);
    port?.close();
    root.remove();
  }

  // Only a `syn` from this iframe's own window, at the exact widget origin,
  // gets an answer: a new channel each time, so a reloaded widget connects
  // again and the old page's port goes quiet.
  function onSyn(e) {
    if (done || e.source !== iframe.contentWindow || e.origin !== origin || answer(run(OP.FRAME_SYN, frame.id, text(e.data)))[0] !== '1') return;
    port?.close();
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = (m) => settle(frame.step(OP.FRAME_RECEIVE, text(m.data)));
    iframe.contentWindow.postMessage(frame.ack, origin, [channel.port2]);
  }

  addEventListener('message', onSyn);
  (options.container ?? document.body).append(root);

  return Object.freeze({
    iframe,
    get sessionId() {
      return answer(run(OP.FRAME_SESSION, frame.id))[0] || null;
    },
    events: () => readEvents(OP.FRAME_EVENTS, frame.id),
    close() {
      if (done) return;
      const step = frame.step(OP.FRAME_CLOSE);
      if (step !== ASK_WIDGET) return settle(step);
      port.postMessage(frame.closeRequest);
      clearTimeout(timer);
      timer = setTimeout(() => settle(frame.step(OP.FRAME_EXPIRE, '0')), CLOSE_GRACE_MS);
    },
    destroy() {
      if (done) return;
      frame.dispatcher.stop();
      run(OP.FRAME_DESTROY, frame.id);
      teardown();
    },
  });
}

/** An error as data that crosses the boundary: an `Error` keeps its name and message. */
const plain = (value) => (value instanceof Error ? { name: value.name, message: value.message } : value);

/** Checks connectToHost's options in the engine: the link's handle and protocol texts. */
function hostLink(options) {
  const records = run(OP.LINK, 0, describeOptions(options, LINK_KEYS));
  const error = refusal(records);
  if (error) refuseWith(options, error);
  const [id, timeout, protocol, syn, ready] = answer(records);
  return { id: +id, timeout: +timeout, protocol, syn, ready };
}

/**
 * Widget side: resolves with a handler built from the host's options once a
 * host at an allowed origin answers. Bad options reject with a TypeError
 * naming the option.
 */
export function connectToHost(options) {
  return new Promise((resolve, reject) => {
    const host = hostLink(options);
    if (typeof window === 'undefined' || window.parent === window) {
      throw new Error("okra-events: connectToHost must run in the widget's iframe, but this page is not in a frame");
    }
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`okra-events: no host page answered connectToHost within ${host.timeout} ms (widgetTimeout); open this page with Okra.buildWithOptions({ widgetUrl }) from a page whose origin is in allowedOrigins`));
    }, host.timeout);
    const stop = () => {
      clearTimeout(timer);
      removeEventListener('message', onAck);
    };

    function onAck(e) {
      if (e.source !== window.parent || e.ports.length !== 1) return;
      const [verdict, json] = answer(run(OP.LINK_ACCEPT, host.id, text(e.data), e.origin));
      if (verdict === 'u') return;
      stop();
      if (verdict === 'n') {
        reject(new Error(`okra-events: connectToHost refused the host page's origin "${e.origin}": it is not in allowedOrigins`));
        return;
      }
      const [port] = e.ports;
      const hostOptions = JSON.parse(json);
      port.postMessage(host.ready);
      const okra = host.protocol;
      const send = (type, fields) => port.postMessage(JSON.stringify({ okra, type, ...fields }));
      // Forwarded first, then the widget's own callback: a callback that
      // throws cannot keep the host from hearing of it.
      const relay = (name, type, fields) => (...args) => {
        send(type, fields(...args));
        options[name]?.(...args);
      };
      let handler;
      try {
        handler = buildHandler({
          ...hostOptions,
          onEvent: relay('onEvent', 'event', (event) => ({ event })),
          onSuccess: relay('onSuccess', 'success', (data) => ({ data })),
          onError: relay('onError', 'error', (json, error) => ({ json, error: plain(error) })),
          beforeClose: relay('beforeClose', 'before_close', (json) => ({ json })),
          onClose: relay('onClose', 'close', (json, error) => ({ json, error: plain(error) })),
          ...(options.onDelivery && { onDelivery: options.onDelivery }),
        });
      } catch (error) {
        reject(error);
        return;
      }
      port.onmessage = (m) => {
        if (answer(run(OP.LINK_CLOSE, host.id, text(m.data)))[0] !== '1') return;
        try {
          handler.close();
        } catch (error) {
          // Destroyed already: the host closes the widget after its grace period.
          console.error('okra-events: the host asked the widget to close', error);
        }
      };
      resolve(handler);
    }

    addEventListener('message', onAck);
    // The one message sent before the host is checked: it carries no data.
    window.parent.postMessage(host.syn, '*');
  });
}
