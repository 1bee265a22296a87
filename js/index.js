// okra-events: the package entry. The WebAssembly module is embedded below
// (see scripts/package.mjs) and instantiated synchronously, so `Okra` is
// ready the moment this module is imported: from a <script type="module">,
// Vite, webpack 5 or Node >= 20, with no bundler plugin and no await.
//
// Importing has one side effect, declared in package.json's `sideEffects`:
// it sends what earlier pages left queued for their webhooks.
import { initSync, buildWithOptions as buildHandler, catalog, resumeDelivery, widgetFrame, hostLink } from './okra_events.js';
import { openWidget, connectToHost as connect } from './bridge.js';
import wasm from './okra_events_wasm.js';

// The engine's own base64 decoder where there is one; otherwise a plain loop,
// which is ~50x faster than Uint8Array.from with a mapping function.
function decode(base64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// A page whose Content Security Policy forbids compiling WebAssembly (no
// 'wasm-unsafe-eval' in script-src) makes this throw. The import must not
// fail with it: that would take down the merchant's whole entry module, not
// just the widget. The error is kept and given by every call instead.
let unavailable = null;
try {
  initSync({ module: decode(wasm) });
} catch (error) {
  unavailable = error;
}

// Send what earlier pages left queued for their webhooks, even if this page
// never builds a handler. A no-op outside a browser.
if (!unavailable) resumeDelivery();

const events = Object.freeze(unavailable ? [] : catalog().map((e) => Object.freeze(e)));

/**
 * The Error every call gives when the wasm could not be instantiated; it is
 * passed to `onError` too, as a bad option would be.
 */
function wasmUnavailable(options) {
  const error = new Error(
    `okra-events: its WebAssembly module could not be instantiated (${unavailable?.message}). ` +
      "If the page has a Content Security Policy, its script-src must allow 'wasm-unsafe-eval'; " +
      'connect-src must allow the event_callback_url, and frame-src the widgetUrl (see the README, "Content Security Policy").',
    { cause: unavailable },
  );
  const onError = options !== null && typeof options === 'object' ? options.onError : undefined;
  if (typeof onError === 'function') {
    try {
      onError({ error: { type: 'WASM_UNAVAILABLE', message: error.message } }, error);
    } catch (thrown) {
      console.error('okra-events: the onError callback threw', thrown);
    }
  }
  return error;
}

/**
 * A same-page handler, or with `widgetUrl`, the widget opened in its own
 * origin (host mode).
 */
function buildWithOptions(options) {
  if (unavailable) throw wasmUnavailable(options);
  const host = options !== null && typeof options === 'object' && options.widgetUrl !== undefined;
  return host ? openWidget(widgetFrame(options), options) : buildHandler(options);
}

/** Inside the widget's iframe: a handler built from the host's options. */
function connectToHost(options) {
  if (unavailable) return Promise.reject(wasmUnavailable(options));
  return connect(() => hostLink(options), buildHandler, options);
}

/** The okra-events API. See index.d.ts for the documentation. */
export const Okra = Object.freeze({
  buildWithOptions,
  connectToHost,
  events,
  version: '__VERSION__',
});

export default Okra;
