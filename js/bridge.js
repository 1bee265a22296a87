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
//
// In a React Native WebView (not framed, `allowNativeHost: true`), the same
// messages go through `window.ReactNativeWebView.postMessage`, and come as
// the `message` events the app dispatches into the page. There is no port:
// the widget takes one `ack`, ever, then only the app's close request.

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
 * The React Native WebView's bridge to the app around this page, when there
 * is one: `window.ReactNativeWebView`, with its `postMessage(string)`.
 */
const appBridge = () => {
  const app = globalThis.window?.ReactNativeWebView;
  return typeof app?.postMessage === 'function' ? app : undefined;
};

/** Whether this page is in a frame. */
const framed = () => !!globalThis.window && window.parent !== window;

/**
 * Tells the page that framed this one (or, in a React Native WebView, the
 * app, when `options` allow it to host the widget) that the widget cannot
 * start, and why (`WASM_UNAVAILABLE` or `HOST_NOT_ALLOWED`): a reason code
 * and nothing else, since that host has not been checked. Its host ends the
 * widget at once.
 */
export function tellParent(reason, options) {
  const text = encode('failed', { reason });
  if (framed()) window.parent.postMessage(text, '*');
  // Without the engine (the wasm could not start), this is the one place the
  // widget reads allowNativeHost itself, as the engine would: true only.
  else if (options?.allowNativeHost === true) appBridge()?.postMessage(text);
}

/** An error as data that crosses the boundary: an `Error` keeps its name and message. */
const plain = (value) => (value instanceof Error ? { name: value.name, message: value.message } : value);

/**
 * Checks connectToHost's options in the engine, which also picks the
 * transport from where the page runs: the link's handle, its timeout, the
 * texts of `syn` and `ready`, and whether the host is an app.
 */
function hostLink(options) {
  const where = `${+framed()}${appBridge() ? 1 : 0}`;
  const records = run(OP.LINK, 0, describeOptions(options, LINK_KEYS), where);
  const error = refusal(records);
  if (error) refuseWith(options, error);
  const [id, timeout, syn, ready, via] = answer(records);
  return { id: +id, timeout: +timeout, syn, ready, native: via === 'n' };
}

/**
 * Widget side: resolves with a handler built from the host's options once a
 * host answers: the page that framed this one, at an allowed origin; or,
 * outside a frame in a React Native WebView, with `allowNativeHost: true`,
 * the app. Bad options reject with a TypeError naming the option.
 */
export function connectToHost(options) {
  return new Promise((resolve, reject) => {
    const host = hostLink(options);
    const app = host.native && appBridge();
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(
          app
            ? `okra-events: no app answered connectToHost within ${host.timeout} ms (widgetTimeout); open this page with okra-events/react-native's OkraWidget`
            : `okra-events: no host page answered connectToHost within ${host.timeout} ms (widgetTimeout); open this page with Okra.buildWithOptions({ widgetUrl }) from a page whose origin is in allowedOrigins`,
        ),
      );
    }, host.timeout);
    const stop = () => {
      clearTimeout(timer);
      removeEventListener('message', onAck);
      removeEventListener('message', onApp, true);
    };

    let handler;
    /** Builds the handler from the options a host sent; `send(text)` reaches that host alone. */
    function connect(json, send) {
      const hostOptions = JSON.parse(json);
      send(host.ready);
      // Forwarded first, then the widget's own callback: a callback that
      // throws cannot keep the host from hearing of it.
      const relay = (name, type, fields) => (...args) => {
        send(encode(type, fields(...args)));
        options[name]?.(...args);
      };
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
      // Escape closes the widget, as it closes any modal dialog, unless the
      // widget's page used it for something of its own (preventDefault).
      addEventListener('keydown', (k) => {
        if (k.key === 'Escape' && !k.defaultPrevented) close(false);
      });
      resolve(handler);
    }

    /** Closes the widget; `asked` when its host asked. */
    function close(asked) {
      try {
        handler?.close();
      } catch (error) {
        // Destroyed already: the host closes the widget after its grace period.
        if (asked) console.error('okra-events: the host asked the widget to close', error);
      }
    }

    // A frame's host: an `ack` only from the parent window, with one port,
    // at an allowed origin; then everything goes on that port.
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
      connect(json, (t) => port.postMessage(t));
      port.onmessage = (m) => {
        if (answer(run(OP.LINK_CLOSE, host.id, text(m.data)))[0] === '1') close(true);
      };
    }

    // An app's messages are `message` events that react-native-webview's
    // own script dispatches into the page: on `document` on Android, on
    // `window` on iOS. A capture listener on `window` hears both, once each.
    // No window sent them, so `source` is null: a message posted by any
    // window (a frame, an opener, this page) is never the app's. The engine
    // takes one `ack`, ever, then only the app's close request.
    function onApp(e) {
      if (e.source !== null) return;
      const [verdict, json] = answer(run(OP.LINK_ACCEPT, host.id, text(e.data)));
      if (verdict === 'o') {
        clearTimeout(timer);
        connect(json, (t) => app.postMessage(t));
      } else if (verdict === 'c') close(true);
    }

    // The one message sent before the host is checked: it carries no data.
    if (app) {
      addEventListener('message', onApp, true);
      app.postMessage(host.syn);
    } else {
      addEventListener('message', onAck);
      window.parent.postMessage(host.syn, '*');
    }
  });
}
