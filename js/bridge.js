// The widget in its own origin: the page plumbing of both sides. What
// decides (options, message decoding, allowed origins, which host callbacks
// fire and when) is in the wasm (src/bridge.rs and the core's bridge module);
// this file only holds the iframe, the listeners, the port and the timers.
//
// The protocol: the widget posts `syn` (no data) to its parent; the host
// answers only its own iframe's window at the exact widget origin, with `ack`
// and the options posted to that origin, transferring a MessagePort; the
// widget accepts `ack` only from its parent at an allowed origin, answers
// `ready` on the port, and from then on both sides talk on the port alone.

/** What a step of the host's rules asks of the page (src/bridge.rs, `Step`). */
const CONNECTED = 1;
const CLOSED = 2;
const ASK_WIDGET = 3;
/** How long `close()` waits for the widget's own closing events. */
const CLOSE_GRACE_MS = 3000;

/**
 * Host mode: opens the widget in an iframe and returns its handle.
 * `frame` is the checked WidgetFrame; `options` what the merchant passed.
 */
export function openWidget(frame, options) {
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
  let timer = setTimeout(() => settle(frame.expire(true)), frame.timeout);

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
    if (done || e.source !== iframe.contentWindow || e.origin !== origin || !frame.syn(e.data)) return;
    port?.close();
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = (m) => settle(frame.receive(m.data));
    iframe.contentWindow.postMessage(frame.ack, origin, [channel.port2]);
  }

  addEventListener('message', onSyn);
  (options.container ?? document.body).append(root);

  return Object.freeze({
    iframe,
    get sessionId() {
      return frame.sessionId ?? null;
    },
    events: () => frame.events(),
    close() {
      if (done) return;
      const step = frame.close();
      if (step !== ASK_WIDGET) return settle(step);
      port.postMessage(frame.closeRequest);
      clearTimeout(timer);
      timer = setTimeout(() => settle(frame.expire(false)), CLOSE_GRACE_MS);
    },
    destroy() {
      if (done) return;
      frame.destroy();
      teardown();
    },
  });
}

/** An error as data that crosses the boundary: an `Error` keeps its name and message. */
const plain = (value) => (value instanceof Error ? { name: value.name, message: value.message } : value);

/**
 * Widget side: resolves with a handler built from the host's options once a
 * host at an allowed origin answers. `link` makes the checked HostLink (it
 * throws a TypeError for bad options); `build` is the same-page
 * buildWithOptions.
 */
export function connectToHost(link, build, options) {
  return new Promise((resolve, reject) => {
    const host = link();
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
      const hostOptions = host.accept(e.data, e.origin);
      if (hostOptions === undefined) return;
      stop();
      if (hostOptions === null) {
        reject(new Error(`okra-events: connectToHost refused the host page's origin "${e.origin}": it is not in allowedOrigins`));
        return;
      }
      const [port] = e.ports;
      port.postMessage(host.bare('ready'));
      // Read once: each read copies the marker out of the wasm.
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
        handler = build({
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
        if (!host.isCloseRequest(m.data)) return;
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
    window.parent.postMessage(host.bare('syn'), '*');
  });
}
