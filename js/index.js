// okra-events: the package entry. The WebAssembly module is embedded below
// (see scripts/package.mjs) and instantiated synchronously, so `Okra` is
// ready the moment this module is imported: from a <script type="module">,
// Vite, webpack 5 or Node >= 20, with no bundler plugin and no await.
import { initSync, buildWithOptions, catalog, resumeDelivery } from './okra_events.js';
import wasm from './okra_events_wasm.js';

initSync({ module: Uint8Array.from(atob(wasm), (c) => c.charCodeAt(0)) });

// Send what earlier pages left queued for their webhooks, even if this page
// never builds a handler. A no-op outside a browser.
resumeDelivery();

const events = Object.freeze(catalog().map((e) => Object.freeze(e)));

/** The okra-events API. See index.d.ts for the documentation. */
export const Okra = Object.freeze({
  buildWithOptions,
  events,
  version: '__VERSION__',
});

export default Okra;
