// okra-events: the package entry. It loads the WebAssembly module (a
// separate file beside this one) with top-level await, so `Okra` is ready
// the moment the import resolves: from a <script type="module">, Vite,
// webpack 5 or Node >= 20, with no bundler plugin.
//
// Importing has one side effect, declared in package.json's `sideEffects`:
// it sends what earlier pages left queued for their webhooks.
import { initSync } from './okra_events.js';
import { OP, answer, locate, run } from './engine.js';
import { buildHandler } from './handler.js';
import { connectToHost as connect, tellParent } from './bridge.js';
import { openWidget } from './hostmode.js';
import { initDelivery, resumeDelivery } from './delivery.js';

/**
 * The compiled module. Browsers and bundlers fetch the file beside this one
 * (Vite and webpack 5 emit it as an asset from the `new URL` below); Node
 * reads it from disk. Where neither can reach it (a bundler that copies no
 * assets), the base64 copy in okra_events_wasm.js is imported instead: a
 * fallback that the default path never downloads.
 */
async function compile() {
  const url = new URL('./okra_events_bg.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    // Node (20.16+): read it from disk, with no import a bundler would follow.
    const fs = globalThis.process?.getBuiltinModule?.('fs');
    if (!fs) throw new Error('Node.js 20.16 or later is needed (process.getBuiltinModule) to read okra_events_bg.wasm');
    return new WebAssembly.Module(fs.readFileSync(url));
  }
  let response;
  try {
    response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch {
    const { default: base64 } = await import('./okra_events_wasm.js');
    return new WebAssembly.Module(decode(base64));
  }
  // compileStreaming needs the application/wasm type; a server without it still works.
  const bytes = response.headers.get('Content-Type')?.startsWith('application/wasm') ? null : await response.arrayBuffer();
  return bytes ? WebAssembly.compile(bytes) : WebAssembly.compileStreaming(response);
}

/** Base64 to bytes: the engine's own decoder where there is one. */
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
// The module's fetch starts first (its request goes out before the store's
// synchronous localStorage probe), and the queue's store opens while it
// compiles. The import never waits for the store: events made before its
// database is open are held and written when it opens (store.js).
const compiled = compile();
initDelivery();
try {
  initSync({ module: await compiled });
  // The engine's first call, made while the store is still opening: it
  // starts the engine, and the wasm engine compiles the code it runs (lazily,
  // on first use), off the path of the first buildWithOptions.
  locate();
} catch (error) {
  unavailable = error;
}

// Send what earlier pages left queued for their webhooks, even if this page
// never builds a handler, once the store is open. A no-op outside a browser.
// Not awaited: importing does not wait for storage.
if (!unavailable) resumeDelivery();

/** The catalog, read from the engine the first time it is asked for (not at import, which it would slow). */
let catalog;
const events = () =>
  (catalog ??= Object.freeze(unavailable ? [] : JSON.parse(answer(run(OP.CATALOG))[0]).map((e) => Object.freeze(e))));

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
  error.type = 'WASM_UNAVAILABLE';
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
 * origin (host mode: okra-events/host's code, loaded on first use).
 */
function buildWithOptions(options) {
  if (unavailable) throw wasmUnavailable(options);
  const host = options !== null && typeof options === 'object' && options.widgetUrl !== undefined;
  return host ? openWidget(options) : buildHandler(options);
}

/** Inside the widget's iframe: a handler built from the host's options. */
function connectToHost(options) {
  if (unavailable) {
    tellParent('WASM_UNAVAILABLE', options);
    return Promise.reject(wasmUnavailable(options));
  }
  return connect(options);
}

/** The okra-events API. See index.d.ts for the documentation. */
export const Okra = Object.freeze({
  buildWithOptions,
  connectToHost,
  get events() {
    return events();
  },
  // Replaced with the package's version when scripts/package.mjs bundles the entry.
  // eslint-disable-next-line no-undef
  version: __VERSION__,
});

export default Okra;
