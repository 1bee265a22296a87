// The widget in its own origin, the widget's side: `connectToHost`. What
// decides (its options, the host's messages, the allowed origins) is in the
// engine (crates/core/src/bridge.rs and engine/); this file only holds the
// listener, the port and the timer. The host's side is okra-events/host
// (js/host/).
//
// The protocol (README, "The protocol"): the widget posts `syn` (no data) to
// its parent; the host answers only its own iframe's window at the exact
// widget origin, with `ack` and the options posted to that origin,
// transferring a MessagePort; the widget accepts `ack` only from its parent
// at an allowed origin, answers `ready` on the port, and from then on both
// sides talk on the port alone.

import { OP, answer, refusal, run } from './engine.js';
import { buildHandler, refuseWith } from './handler.js';
import { LINK_KEYS, describeOptions } from './options.js';
import { MAX_BYTES, encode } from './host/wire.js';

/**
 * A message's text, when it is text within the bound; anything else reads as
 * nothing. The length is checked before the text is copied into the wasm, so
 * a huge message costs nothing.
 */
const text = (data) => (typeof data === 'string' && data.length <= MAX_BYTES ? data : '');

/**
 * Tells the page that framed this one that the widget cannot start, and why
 * (`WASM_UNAVAILABLE` or `HOST_NOT_ALLOWED`): a reason code and nothing else,
 * since that page has not been checked. Its host ends the widget at once.
 */
export function tellParent(reason) {
  const parent = globalThis.window?.parent;
  if (parent && parent !== window) parent.postMessage(encode('failed', { reason }), '*');
}

/** An error as data that crosses the boundary: an `Error` keeps its name and message. */
const plain = (value) => (value instanceof Error ? { name: value.name, message: value.message } : value);

/** Checks connectToHost's options in the engine: the link's handle, and the texts of `syn` and `ready`. */
function hostLink(options) {
  const records = run(OP.LINK, 0, describeOptions(options, LINK_KEYS));
  const error = refusal(records);
  if (error) refuseWith(options, error);
  const [id, timeout, syn, ready] = answer(records);
  return { id: +id, timeout: +timeout, syn, ready };
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
        // The host hears at once that it is refused (a reason code, no data),
        // instead of waiting for its widgetTimeout.
        tellParent('HOST_NOT_ALLOWED');
        reject(new Error(`okra-events: connectToHost refused the host page's origin "${e.origin}": it is not in allowedOrigins`));
        return;
      }
      const [port] = e.ports;
      const hostOptions = JSON.parse(json);
      port.postMessage(host.ready);
      const send = (type, fields) => port.postMessage(encode(type, fields));
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
      // Escape closes the widget, as it closes any modal dialog, unless the
      // widget's page used it for something of its own (preventDefault).
      addEventListener('keydown', (k) => {
        if (k.key !== 'Escape' || k.defaultPrevented) return;
        try {
          handler.close();
        } catch {
          // Destroyed already: nothing to close.
        }
      });
      resolve(handler);
    }

    addEventListener('message', onAck);
    // The one message sent before the host is checked: it carries no data.
    window.parent.postMessage(host.syn, '*');
  });
}
