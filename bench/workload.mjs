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
 * and timed (ms). load('wasm' | 'glue') imports pkg/okra_events_wasm.js or
 * pkg/okra_events.js. The decoder index.js used before is timed after, out of
 * the sum, for comparison.
 */
export async function startupParts(load) {
  const parts = {};
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    parts[name] = now - t;
    t = now;
  };
  const { default: b64 } = await load('wasm');
  lap('import okra_events_wasm.js (base64 text)');
  // Decode as pkg/index.js does: the engine's decoder where there is one,
  // else atob and a plain copy loop.
  let bytes;
  if (typeof Uint8Array.fromBase64 === 'function') {
    bytes = Uint8Array.fromBase64(b64);
    lap('Uint8Array.fromBase64 (decode)');
  } else {
    const text = atob(b64);
    lap('atob');
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    lap('copy into a Uint8Array (loop)');
  }
  const module = new WebAssembly.Module(bytes);
  lap('new WebAssembly.Module (compile)');
  const glue = await load('glue');
  lap('import okra_events.js (glue)');
  glue.initSync({ module });
  lap('instantiate (initSync)');
  glue.resumeDelivery();
  glue.catalog();
  lap('resumeDelivery() + catalog()');
  glue.buildWithOptions({ key: 'bench-key', token: 'bench-token', onEvent() {} });
  lap('first buildWithOptions');
  // For comparison: the decoder pkg/index.js used before (a mapping function per byte).
  const alt = ['Uint8Array.from(atob(b64), c => c.charCodeAt(0))', () => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))];
  t = performance.now();
  alt[1]();
  const altMs = performance.now() - t;
  return { parts, alternative: { name: alt[0], ms: altMs } };
}
