// The workload of bench/speed.mjs, shared by Node and the Chromium page (which
// loads it as /workload.mjs): the same sessions, calls and callback for
// okra-events and the plain-JS baseline (plain-emitter.mjs).

/** One okra-events handler and one baseline emitter with the same onEvent. */
export function sessions(Okra, Plain, extra = {}) {
  const sink = { count: 0, last: null };
  const onEvent = (event) => {
    sink.count++;
    sink.last = event;
  };
  const base = { key: 'bench-key', token: 'bench-token', onEvent };
  return {
    okra: Okra.buildWithOptions({ ...base, ...extra }),
    plain: Plain.buildWithOptions({ ...base, ...extra, persist: Boolean(extra.event_callback_url) }),
    sink,
  };
}

/** n track() calls, alternating an event with data and one without; ms taken. */
export function block(handler, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (i & 1) handler.track('USER_CONSENT_REVIEW');
    else handler.track('USER_BANK_SELECTED', { bank: 'alat', position: i });
  }
  return performance.now() - t0;
}

/** Resolves once handler.pending() is 0 (false after timeoutMs). */
export async function drained(handler, timeoutMs = 20_000) {
  const end = performance.now() + timeoutMs;
  while (handler.pending() > 0) {
    if (performance.now() > end) return false;
    await new Promise((ok) => setTimeout(ok, 5));
  }
  return true;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Where okra-events' start-up goes: the steps of pkg/index.js, done one by one
 * and timed (ms), ending with the first event delivered to onEvent.
 * env.importModule(file) imports one of the package's modules (file name);
 * env.loadWasm(lap) gets the compiled WebAssembly.Module as the entry does in
 * that runtime, calling lap(name) after each step. With `fallback`, the
 * module comes from the base64 copy instead (imported, decoded, compiled), as
 * the entry does when the .wasm cannot be fetched.
 */
export async function startupParts(env, fallback = false) {
  const parts = {};
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    parts[name] = now - t;
    t = now;
  };
  const [glue, engine, handler, delivery] = await Promise.all(
    ['okra_events.js', 'engine.js', 'handler.js', 'delivery.js'].map((f) => env.importModule(f)),
  );
  lap('import the JS modules (glue, engine, handler, delivery, options, store)');
  const module = fallback ? await fromBase64(env, lap) : await env.loadWasm(lap);
  glue.initSync({ module });
  lap('instantiate (initSync)');
  engine.locate();
  lap("the engine's first call (the page's URL), made at import while the store opens");
  await delivery.initDelivery();
  lap("open the queue's store (IndexedDB in a browser; nothing in Node)");
  delivery.resumeDelivery();
  lap('resumeDelivery()');
  JSON.parse(engine.answer(engine.run(engine.OP.CATALOG))[0]);
  lap('catalog (Okra.events)');
  let first = null;
  handler.buildHandler({ key: 'bench-key', token: 'bench-token', onEvent() { first ??= performance.now(); } });
  if (first === null) throw new Error('no event was delivered to onEvent during buildWithOptions');
  lap('first buildWithOptions, its USER_CONNECTING delivered to onEvent');
  // Not a start-up step: the same call again, once its code has run, so the
  // first one's excess over it shows what it did only once.
  let second = null;
  handler.buildHandler({ key: 'bench-key', token: 'bench-token', onEvent() { second ??= performance.now(); } });
  if (second === null) throw new Error('no event was delivered to onEvent during the second buildWithOptions');
  const secondBuild = performance.now() - t;
  return { parts, secondBuild, fallback };
}

/** The fallback path of pkg/index.js: the base64 copy imported, decoded, compiled. */
async function fromBase64(env, lap) {
  const { default: b64 } = await env.importModule('okra_events_wasm.js');
  lap('fallback: import okra_events_wasm.js (base64)');
  let bytes;
  if (typeof Uint8Array.fromBase64 === 'function') bytes = Uint8Array.fromBase64(b64);
  else {
    const text = atob(b64);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  }
  lap('fallback: decode the base64');
  const module = new WebAssembly.Module(bytes);
  lap('fallback: compile (new WebAssembly.Module)');
  return module;
}
