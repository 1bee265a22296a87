// okra-events: the package entry. The WebAssembly module is embedded below
// (see scripts/package.mjs) and instantiated synchronously, so `Okra` is
// ready the moment this module is imported: from a <script type="module">,
// Vite, webpack 5 or Node >= 20, with no bundler plugin and no await.
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

initSync({ module: decode(wasm) });

// Send what earlier pages left queued for their webhooks, even if this page
// never builds a handler. A no-op outside a browser.
resumeDelivery();

const events = Object.freeze(catalog().map((e) => Object.freeze(e)));

/**
 * A same-page handler, or with `widgetUrl`, the widget opened in its own
 * origin (host mode).
 */
function buildWithOptions(options) {
  const host = options !== null && typeof options === 'object' && options.widgetUrl !== undefined;
  return host ? openWidget(widgetFrame(options), options) : buildHandler(options);
}

/** Inside the widget's iframe: a handler built from the host's options. */
function connectToHost(options) {
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
