// Benchmark (issues 5 and 9): per-event cost, start-up and memory of okra-events,
// each beside the plain-JS baseline of plain-emitter.mjs measured in the same
// run, in Node and in headless Chromium.
//
// - Per event: one session per emitter receives BENCH_EVENTS (100,000) events
//   through track() with an onEvent callback, in BENCH_ROUNDS (5) rounds of
//   equal blocks; okra-events and the baseline alternate round by round (in
//   the same process or page) so that machine load hits both alike. Figure:
//   the median over rounds of block time / events, in ns.
// - Persisted queue (Chromium only: Node has no localStorage): the same with
//   event_callback_url pointing at a receiver in this process that answers 200
//   at once. Blocks of BENCH_PERSIST_BLOCK (1,000) events, under the queue's
//   bound of 5,000, are timed; between blocks the queue is let drain (untimed).
// - Start-up: module fetched -> buildWithOptions returned -> first event
//   delivered to onEvent: dynamic import of the entry (it fetches or reads
//   and compiles the .wasm, instantiates it, reads the catalog) plus the first
//   buildWithOptions, in a fresh page (the package's files already fetched:
//   <link rel=modulepreload> for the JS, a fetch into the HTTP cache for the
//   .wasm; also shown with the fetch from 127.0.0.1) and in a fresh Node
//   process; median of BENCH_STARTS (7).
// - Memory: wasm linear memory (read through the glue's initSync(), which
//   returns the instance's exports once initialised; the package exposes
//   nothing for it) and JS heap after the 100,000 events, with the session
//   log on; then handler.events() on the full log, and whether a destroyed,
//   garbage-collected session's memory is reused.
//
// Run: node bench/speed.mjs   (needs pkg/ and `npm ci` in bench/). Writes
// bench/out/speed.json and bench/out/speed.md. Times are reported, never asserted.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { block, drained, median, sessions, startupParts } from './workload.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = resolve(HERE, '../pkg');
/**
 * The start-up breakdown times each module's step, but the package ships them
 * bundled into one index.js: the same sources, unbundled, beside the package's
 * glue and wasm.
 */
const UNBUNDLED = join(HERE, 'out', 'unbundled');
mkdirSync(UNBUNDLED, { recursive: true });
/** The entry's modules, unbundled (the glue first), as the parts page preloads them. */
const UNBUNDLED_FILES = ['okra_events.js', 'engine.js', 'handler.js', 'options.js', 'delivery.js', 'store.js', 'bridge.js'];
for (const f of UNBUNDLED_FILES.slice(1)) {
  copyFileSync(resolve(HERE, '../js', f), join(UNBUNDLED, f));
}
for (const f of ['okra_events.js', 'okra_events_bg.wasm', 'okra_events_wasm.js']) copyFileSync(join(PKG, f), join(UNBUNDLED, f));
const env = process.env;
const EVENTS = Number(env.BENCH_EVENTS || 100_000);
const ROUNDS = Number(env.BENCH_ROUNDS || 5);
const PER_ROUND = Math.floor(EVENTS / ROUNDS);
const WARMUP = Number(env.BENCH_WARMUP || 2_000);
const PERSIST_BLOCK = Number(env.BENCH_PERSIST_BLOCK || 1_000);
const PERSIST_ROUNDS = Number(env.BENCH_PERSIST_ROUNDS || ROUNDS);
const STARTS = Number(env.BENCH_STARTS || 7);
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const BENCH_WINDOW = `globalThis.window ??= Object.assign(new EventTarget(), {
  navigator: { onLine: true }, location: { href: 'https://bench.example/' } });`;

// ---------------------------------------------------------------- child mode
// `node speed.mjs --startup okra|plain`: one fresh-process start-up sample.
if (process.argv[2] === '--startup') {
  const which = process.argv[3];
  const t0 = performance.now();
  const mod = await import(which === 'okra' ? 'okra-events' : './plain-emitter.mjs');
  const t1 = performance.now();
  vm.runInThisContext(BENCH_WINDOW);
  let first = null;
  mod.default.buildWithOptions({ key: 'bench-key', token: 'bench-token', onEvent() { first ??= performance.now(); } });
  const t2 = performance.now();
  if (first === null) throw new Error('no event delivered to onEvent');
  process.stdout.write(JSON.stringify({ import: t1 - t0, build: t2 - t1, first: first - t0 }));
  process.exit(0);
}
// `node speed.mjs --startup-parts [fallback]`: one fresh-process sample of startupParts().
if (process.argv[2] === '--startup-parts') {
  vm.runInThisContext(BENCH_WINDOW);
  const r = await startupParts({
    importModule: (f) => import(pathToFileURL(join(UNBUNDLED, f)).href),
    loadWasm(lap) {
      const bytes = readFileSync(join(PKG, 'okra_events_bg.wasm'));
      lap('read okra_events_bg.wasm (fs)');
      const module = new WebAssembly.Module(bytes);
      lap('compile (new WebAssembly.Module)');
      return module;
    },
  }, process.argv[3] === 'fallback');
  process.stdout.write(JSON.stringify(r));
  process.exit(0);
}

const started = Date.now();
const log = (...a) => console.error('[speed]', ...a);

// ------------------------------------------------------------- the measuring
/**
 * Per-event rounds and memory, driven through `d` (Node or a Chromium page):
 * d.warm(), d.build(), d.block(which, n) -> ms, d.wasmBytes(), d.heapBytes()
 * (after a full GC), d.dropPlain(), d.logLength(), d.reuse(n) -> wasm bytes.
 */
async function emitAndMemory(d) {
  await d.warm();
  const w0 = await d.wasmBytes();
  const h0 = await d.heapBytes();
  await d.build();
  const rounds = { okra: [], plain: [] };
  const wasmByRound = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['plain', 'okra'] : ['okra', 'plain'];
    for (const which of order) rounds[which].push(((await d.block(which, PER_ROUND)) * 1e6) / PER_ROUND);
    wasmByRound.push(await d.wasmBytes());
  }
  const w1 = await d.wasmBytes();
  const h1 = await d.heapBytes();
  const plainLength = await d.dropPlain();
  const h2 = await d.heapBytes();
  const { length, jsonBytes, before: eventsBefore, after: eventsAfter, afterSecond: eventsAfterSecond } = await d.logLength();
  const w1b = await d.wasmBytes(); // after one events() call on the full log
  const w2 = await d.reuse(PER_ROUND);
  return {
    rounds,
    okra: median(rounds.okra),
    plain: median(rounds.plain),
    memory: {
      wasmBefore: w0, wasmAfter: w1, wasmByRound, plainLength, wasmAfterEvents: w1b, wasmAfterReuse: w2, eventsBefore, eventsAfter, eventsAfterSecond, logLength: length, logJsonBytes: jsonBytes,
      okraJsHeap: h2 - h0, plainLogHeap: h1 - h2,
    },
  };
}

// --------------------------------------------------------------------- Node
async function nodeRun() {
  vm.runInThisContext(BENCH_WINDOW);
  const { default: Okra } = await import('okra-events');
  const Plain = await import('./plain-emitter.mjs');
  // The glue module okra-events' entry imports (same URL, so same instance).
  const glue = await import(new URL('../pkg/okra_events.js', import.meta.url));
  const wasm = () => glue.initSync().memory.buffer.byteLength;
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  let s;
  return emitAndMemory({
    warm() {
      const w = sessions(Okra, Plain);
      block(w.okra, WARMUP);
      block(w.plain, WARMUP);
      w.okra.destroy();
    },
    build() { s = sessions(Okra, Plain); },
    block: (which, n) => block(s[which], n),
    wasmBytes: wasm,
    heapBytes() { gc(); gc(); return process.memoryUsage().heapUsed; },
    dropPlain() {
      const n = s.plain.events().length;
      s.plain = null;
      return n;
    },
    logLength() {
      // Wasm memory right before and after events(), and after a second call.
      const before = wasm();
      const events = s.okra.events();
      const after = wasm();
      s.okra.events();
      return { length: events.length, jsonBytes: JSON.stringify(events).length, before, after, afterSecond: wasm() };
    },
    async reuse(n) {
      // The handler has no free(): its session is freed once it is garbage-collected.
      s.okra.destroy();
      s = null;
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((ok) => setTimeout(ok, 20));
      }
      const t = sessions(Okra, Plain);
      block(t.okra, n);
      const bytes = wasm();
      t.okra.destroy();
      return bytes;
    },
  });
}

function nodeStartups() {
  const out = { okra: [], plain: [], parts: [], fallback: [] };
  for (let i = 0; i < STARTS; i++) {
    for (const which of i % 2 ? ['plain', 'okra'] : ['okra', 'plain']) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--startup', which], {
        cwd: HERE, encoding: 'utf8', timeout: 30_000,
      });
      if (r.status !== 0) throw new Error(`startup child (${which}) failed: ${r.stderr}`);
      out[which].push(JSON.parse(r.stdout));
    }
    for (const mode of ['wasm', 'fallback']) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--startup-parts', mode], {
        cwd: HERE, encoding: 'utf8', timeout: 30_000,
      });
      if (r.status !== 0) throw new Error(`startup-parts child (${mode}) failed: ${r.stderr}`);
      out[mode === 'wasm' ? 'parts' : 'fallback'].push(JSON.parse(r.stdout));
    }
  }
  return out;
}

/**
 * Where okra-events' per-event time goes in Node: a CPU profile (node:inspector)
 * of `events` track() calls on a fresh handler, self time by kind. Frames of
 * the wasm-bindgen glue are named by the import or method they sit in.
 */
async function nodeProfile(events) {
  const { Session } = await import('node:inspector/promises');
  const { default: Okra } = await import('okra-events');
  const Plain = await import('./plain-emitter.mjs');
  const glueFile = join(PKG, 'okra_events.js');
  const glueLines = readFileSync(glueFile, 'utf8').split('\n');
  const glueName = (line) => {
    const m = /^\s*(?:(__wbg_?\w+?)(?:_[0-9a-f]{16})?\s*:\s*function|function\s+(\w+)|(?:static\s+)?(?:get\s+)?(\w+)\s*\()/.exec(glueLines[line] || '');
    return m ? (m[1] || m[2] || m[3]).replace(/^__wbg_/, '') : `line ${line + 1}`;
  };
  // Wasm function names, if bench/size.mjs could rebuild the shipped wasm with them.
  let wasmNames = null;
  try {
    const { wasmSha256, names } = JSON.parse(readFileSync(join(HERE, 'out/wasm-names.json'), 'utf8'));
    if (createHash('sha256').update(readFileSync(join(PKG, 'okra_events_bg.wasm'))).digest('hex') === wasmSha256) wasmNames = names;
  } catch {}
  const s = sessions(Okra, Plain);
  block(s.okra, 1_000);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  block(s.okra, events);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  s.okra.destroy();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // The profiler's own work (Profiler.stop serialising the profile, under
  // node:inspector's post) and idle time are not okra-events' cost.
  const profiler = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) if (nodes.get(at).callFrame.url.startsWith('node:inspector')) return true;
    return false;
  };
  const self = new Map();
  const wasmSelf = new Map();
  profile.samples.forEach((id, i) => {
    const f = nodes.get(id).callFrame;
    if (f.functionName === '(idle)' || profiler(id)) return;
    let kind;
    if (f.url.startsWith('wasm://') || /^(wasm-function|\$)/.test(f.functionName)) {
      kind = 'wasm (the Rust core: parse data, build, scrub, log and serialise the event)';
      const index = /\[(\d+)\]/.exec(f.functionName)?.[1];
      const name = (wasmNames && index !== undefined && wasmNames[index]) || f.functionName;
      wasmSelf.set(name, (wasmSelf.get(name) || 0) + (profile.timeDeltas[i] || 0));
    }
    else if (f.url.endsWith('/okra_events.js')) kind = `JS glue: ${glueName(f.lineNumber)}`;
    else if (/\/pkg\/[a-z_]+\.js$/.test(f.url)) kind = `JS entry: ${f.url.split('/').pop()} ${f.functionName || '(top level)'}`;
    else if (/encoding$/.test(f.url) && /^(decode|encode|encodeInto)$/.test(f.functionName)) kind = `JS glue: TextDecoder/TextEncoder ${f.functionName} (text across the boundary)`;
    else if (f.functionName === '(garbage collector)') kind = 'garbage collector';
    else if (f.url.endsWith('/workload.mjs')) kind = 'the bench loop and onEvent callback';
    else kind = `other: ${f.functionName || '(anonymous)'} (${f.url ? f.url.split('/').pop() : 'engine'})`;
    self.set(kind, (self.get(kind) || 0) + (profile.timeDeltas[i] || 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    events, totalUs: total, kinds: [...self].sort((a, b) => b[1] - a[1]),
    named: Boolean(wasmNames), wasm: [...wasmSelf].sort((a, b) => b[1] - a[1]).slice(0, 12),
  };
}

// ----------------------------------------------------------------- Chromium
// The package's files the entry loads (not the base64 fallback, which it never needs here).
/** The package's JS a page loads: the entry first, then every other module but the base64 fallback. */
const OKRA_FILES = ['/pkg/index.js', ...readdirSync(PKG).filter((f) => f.endsWith('.js') && f !== 'index.js' && f !== 'okra_events_wasm.js').map((f) => `/pkg/${f}`)];
const OKRA_WASM = '/pkg/okra_events_bg.wasm';
const PLAIN_FILES = ['/plain-emitter.mjs'];

const BENCH_PAGE = `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>okra-events bench</title>
<script type=module>
  const [{ default: Okra }, Plain, W, glue] = await Promise.all([import('/pkg/index.js'),
    import('/plain-emitter.mjs'), import('/workload.mjs'), import('/pkg/okra_events.js')]);
  window.B = { Okra, Plain, W, wasmBytes: () => glue.initSync().memory.buffer.byteLength };
</script>`;

// ?m=okra|plain&preload=1|0: one start-up sample, in window.__startup.
// The package's files are cacheable (max-age), so that preloading them
// (modulepreload for the JS, a fetch for the .wasm) leaves them in this fresh
// context's HTTP cache: "module fetched".
const STARTUP_PAGE = (okraFiles, plainFiles) => `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>start-up</title>
<script type=module>
  const q = new URLSearchParams(location.search);
  const okra = q.get('m') === 'okra';
  const files = okra ? ${JSON.stringify(okraFiles)} : ${JSON.stringify(plainFiles)};
  if (q.get('preload') === '1') {
    await Promise.all(files.map((href) => new Promise((ok, fail) => {
      const l = Object.assign(document.createElement('link'), { rel: 'modulepreload', href });
      l.onload = ok; l.onerror = () => fail(new Error('preload failed: ' + href));
      document.head.append(l);
    })));
    if (okra) await (await fetch(${JSON.stringify(OKRA_WASM)})).arrayBuffer();
  }
  const t0 = performance.now();
  const mod = await import(files[0]);
  const t1 = performance.now();
  let first = null;
  window.__handler = mod.default.buildWithOptions({ key: 'bench-key', token: 'bench-token', onEvent() { first ??= performance.now(); } });
  const t2 = performance.now();
  const wasmFetches = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm'))
    .map((e) => ({ transferSize: e.transferSize, start: e.startTime }));
  window.__startup = { import: t1 - t0, build: t2 - t1, first: first === null ? null : first - t0, isolated: crossOriginIsolated, wasmFetches };
</script>`;

/** An earlier page of the origin: opens the package's store (creating its database), then sets window.__stored. */
const PRIOR_PAGE = `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>earlier page</title>
<script type=module>
  const { openStore } = await import('/unbundled/store.js');
  window.__stored = (await openStore())?.kind ?? 'memory';
</script>`;

// Preloads okra-events' files, then times startupParts() into window.__parts
// (?fallback=1: through the base64 fallback instead of the .wasm).
const PARTS_PAGE = () => `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>start-up parts</title>
<script type=module>
  await Promise.all(${JSON.stringify([...UNBUNDLED_FILES.map((f) => `/unbundled/${f}`), '/unbundled/okra_events_wasm.js', '/workload.mjs'])}.map((href) => new Promise((ok, fail) => {
    const l = Object.assign(document.createElement('link'), { rel: 'modulepreload', href });
    l.onload = ok; l.onerror = () => fail(new Error('preload failed: ' + href));
    document.head.append(l);
  })));
  await (await fetch(${JSON.stringify(OKRA_WASM)})).arrayBuffer();
  const W = await import('/workload.mjs');
  window.__parts = await W.startupParts({
    importModule: (f) => import('/unbundled/' + f),
    async loadWasm(lap) {
      // As pkg/index.js does where the server sends application/wasm.
      const response = await fetch(${JSON.stringify(OKRA_WASM)});
      lap('fetch okra_events_bg.wasm from the HTTP cache (until its response starts)');
      const module = await WebAssembly.compileStreaming(response);
      lap('WebAssembly.compileStreaming (reads the body as it compiles)');
      return module;
    },
  }, new URLSearchParams(location.search).get('fallback') === '1');
</script>`;

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

/** The page server and webhook receiver, on 127.0.0.1. */
function startServer() {
  const received = { requests: 0, events: 0, ids: new Set(), bySession: new Map() };
  const server = createServer((req, res) => {
    // Cross-origin isolation: performance.now() at 5 µs rather than 100 µs.
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store',
    };
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/collect') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.requests++;
        try {
          for (const e of JSON.parse(Buffer.concat(chunks).toString('utf8')).batch) {
            received.events++;
            received.ids.add(e.event_id);
            received.bySession.set(e.session_id, (received.bySession.get(e.session_id) || 0) + 1);
          }
        } catch {}
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end('{"stored":1}');
      });
      return;
    }
    let body;
    let type = 'text/html';
    if (url.pathname === '/bench.html') body = BENCH_PAGE;
    else if (url.pathname === '/startup.html') body = STARTUP_PAGE(OKRA_FILES, PLAIN_FILES);
    else if (url.pathname === '/startup-parts.html') body = PARTS_PAGE();
    else if (url.pathname === '/prior.html') body = PRIOR_PAGE;
    else {
      const file = url.pathname.startsWith('/pkg/')
        ? resolve(PKG, '.' + url.pathname.slice(4))
        : url.pathname.startsWith('/unbundled/')
          ? resolve(UNBUNDLED, '.' + url.pathname.slice('/unbundled'.length))
          : ['/plain-emitter.mjs', '/workload.mjs'].includes(url.pathname) ? join(HERE, url.pathname) : null;
      if (file && (file.startsWith(PKG + sep) || file.startsWith(HERE + sep))) {
        try {
          body = readFileSync(file);
          type = TYPES[extname(file)] || 'application/octet-stream';
          if (file.startsWith(PKG + sep) || file.startsWith(UNBUNDLED + sep)) headers['Cache-Control'] = 'max-age=600';
        } catch {}
      }
    }
    if (body === undefined) return res.writeHead(404, headers).end('not found');
    res.writeHead(200, { ...headers, 'Content-Type': type }).end(body);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    server, received, origin: `http://127.0.0.1:${server.address().port}`,
  })));
}

async function chromiumRun(srv) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const pageErrors = [];
  const open = async (path) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(srv.origin + path);
    return { context, page };
  };
  try {
    // Per event + memory.
    const { context, page } = await open('/bench.html');
    await page.waitForFunction(() => window.B, null, { timeout: 30_000 });
    const cdp = await context.newCDPSession(page);
    const emit = await emitAndMemory({
      warm: () => page.evaluate((n) => {
        const { Okra, Plain, W } = window.B;
        const w = W.sessions(Okra, Plain);
        W.block(w.okra, n);
        W.block(w.plain, n);
        w.okra.destroy();
      }, WARMUP),
      build: () => page.evaluate(() => { window.S = B.W.sessions(B.Okra, B.Plain); }),
      block: (which, n) => page.evaluate(([which, n]) => B.W.block(S[which], n), [which, n]),
      wasmBytes: () => page.evaluate(() => B.wasmBytes()),
      heapBytes: async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      },
      dropPlain: () => page.evaluate(() => {
        const n = S.plain.events().length;
        S.plain = null;
        return n;
      }),
      logLength: () => page.evaluate(() => {
        // Wasm memory right before and after events(), and after a second call.
        const before = B.wasmBytes();
        const events = S.okra.events();
        const after = B.wasmBytes();
        S.okra.events();
        return { length: events.length, jsonBytes: JSON.stringify(events).length, before, after, afterSecond: B.wasmBytes() };
      }),
      reuse: async (n) => {
        // The handler has no free(): its session is freed once it is garbage-collected.
        await page.evaluate(() => { S.okra.destroy(); window.S = null; });
        for (let i = 0; i < 3; i++) {
          await cdp.send('HeapProfiler.collectGarbage');
          await page.evaluate(() => new Promise((ok) => setTimeout(ok, 20)));
        }
        return page.evaluate((n) => {
          const t = B.W.sessions(B.Okra, B.Plain);
          B.W.block(t.okra, n);
          const bytes = B.wasmBytes();
          t.okra.destroy();
          return bytes;
        }, n);
      },
    });
    await context.close();
    log(`chromium per event done (${Math.round((Date.now() - started) / 1000)} s)`);

    // Persisted queue, in a fresh context (empty localStorage).
    const p = await open('/bench.html');
    await p.page.waitForFunction(() => window.B, null, { timeout: 30_000 });
    const ids = await p.page.evaluate(async (warm) => {
      const url = location.origin + '/collect';
      window.P = B.W.sessions(B.Okra, B.Plain, { event_callback_url: url });
      for (const which of ['okra', 'plain']) {
        B.W.block(P[which], warm);
        await B.W.drained(P[which]);
      }
      return { okra: P.okra.sessionId, plain: P.plain.sessionId };
    }, 200);
    const persisted = { okra: [], plain: [], drainedAll: true };
    for (let r = 0; r < PERSIST_ROUNDS; r++) {
      for (const which of r % 2 ? ['plain', 'okra'] : ['okra', 'plain']) {
        const { ms, ok } = await p.page.evaluate(async ([which, n]) => {
          const ms = B.W.block(P[which], n);
          return { ms, ok: await B.W.drained(P[which]) };
        }, [which, PERSIST_BLOCK]);
        persisted[which].push((ms * 1e6) / PERSIST_BLOCK);
        persisted.drainedAll &&= ok;
      }
    }
    const emitted = 1 + 200 + PERSIST_ROUNDS * PERSIST_BLOCK;
    persisted.emitted = emitted;
    persisted.delivered = { okra: srv.received.bySession.get(ids.okra) || 0, plain: srv.received.bySession.get(ids.plain) || 0 };
    persisted.receivedUnique = srv.received.ids.size;
    persisted.receivedTotal = srv.received.events;
    await p.context.close();
    log(`chromium persisted done (${Math.round((Date.now() - started) / 1000)} s)`);

    // Start-up: a fresh context (no cache, no code cache) per sample.
    const startups = {};
    for (const preload of ['1', '0']) {
      for (const which of ['okra', 'plain']) startups[`${which}-${preload}`] = [];
      for (let i = 0; i < STARTS; i++) {
        for (const which of i % 2 ? ['plain', 'okra'] : ['okra', 'plain']) {
          const s = await open(`/startup.html?m=${which}&preload=${preload}`);
          await s.page.waitForFunction(() => window.__startup, null, { timeout: 30_000 });
          startups[`${which}-${preload}`].push(await s.page.evaluate(() => window.__startup));
          await s.context.close();
        }
      }
    }
    // The same, for a returning visitor: in each fresh context an earlier page
    // of the origin opened the package's store first (so its IndexedDB
    // database exists), as the first page that used okra-events leaves it.
    // That page loads only store.js, so no code cache of the entry is warm.
    for (const which of ['okra', 'plain']) startups[`${which}-returning`] = [];
    for (let i = 0; i < STARTS; i++) {
      for (const which of i % 2 ? ['plain', 'okra'] : ['okra', 'plain']) {
        const s = await open('/prior.html');
        await s.page.waitForFunction(() => window.__stored, null, { timeout: 30_000 });
        await s.page.goto(`${srv.origin}/startup.html?m=${which}&preload=1`);
        await s.page.waitForFunction(() => window.__startup, null, { timeout: 30_000 });
        startups[`${which}-returning`].push(await s.page.evaluate(() => window.__startup));
        await s.context.close();
      }
    }
    startups.parts = [];
    startups.fallback = [];
    for (let i = 0; i < STARTS; i++) {
      for (const mode of ['parts', 'fallback']) {
        const s = await open(`/startup-parts.html?fallback=${mode === 'fallback' ? 1 : 0}`);
        await s.page.waitForFunction(() => window.__parts, null, { timeout: 30_000 });
        startups[mode].push(await s.page.evaluate(() => window.__parts));
        await s.context.close();
      }
    }
    return { version: browser.version(), emit, persisted, startups, pageErrors };
  } finally {
    await browser.close();
  }
}

// --------------------------------------------------------------------- main
const srv = await startServer();
let node;
let chrome;
try {
  log(`node: ${ROUNDS} rounds x ${PER_ROUND} events per emitter`);
  node = await nodeRun();
  node.profile = await nodeProfile(Number(env.BENCH_PROFILE_EVENTS || 20_000));
  node.startups = nodeStartups();
  log(`node done (${Math.round((Date.now() - started) / 1000)} s); chromium`);
  chrome = await chromiumRun(srv);
} finally {
  srv.server.close();
}

// ------------------------------------------------------------------- report
const fmtNs = (ns) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns).toLocaleString('en-US')} ns`);
const fmtMs = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const fmtB = (b) => (Math.abs(b) >= 1048576 ? `${(b / 1048576).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const range = (xs, f) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
const ratio = (a, b) => (a / b).toFixed(2);
const mark = (ok) => (ok ? 'met' : '**missed**');
const st = (samples) => ({
  import: median(samples.map((s) => s.import)),
  build: median(samples.map((s) => s.build)),
  first: median(samples.map((s) => s.first)),
  total: median(samples.map((s) => s.import + s.build)),
});

const perEvent = [
  { runtime: `Node ${process.version}`, r: node },
  { runtime: `Chromium ${chrome.version} (headless)`, r: chrome.emit },
].map(({ runtime, r }, i) => ({ runtime, okra: r.okra, plain: r.plain, ratio: r.okra / r.plain, rounds: r.rounds, target: i === 0 ? 3 : 2 }));
const pers = chrome.persisted;
const persOkra = median(pers.okra);
const persPlain = median(pers.plain);
const startRows = [
  { runtime: 'Chromium, module already fetched (JS modulepreloaded, .wasm in the HTTP cache)', okra: st(chrome.startups['okra-1']), plain: st(chrome.startups['plain-1']), target: 10 },
  { runtime: "Chromium, module already fetched, returning visitor (an earlier page created the queue's IndexedDB database)", okra: st(chrome.startups['okra-returning']), plain: st(chrome.startups['plain-returning']), target: 8 },
  { runtime: 'Chromium, fetch from 127.0.0.1 included', okra: st(chrome.startups['okra-0']), plain: st(chrome.startups['plain-0']), target: false },
  { runtime: `Node ${process.version}, fresh process`, okra: st(node.startups.okra), plain: st(node.startups.plain), target: false },
];
const memRows = [
  { runtime: 'Node', m: node.memory },
  { runtime: 'Chromium', m: chrome.emit.memory },
];

const md = [];
md.push(`### Per-event cost (targets, the widget's page: Chromium ≤ 2×, Node ≤ 3× the plain-JS baseline)`, '');
md.push(`One session per emitter receives ${EVENTS.toLocaleString('en-US')} events through \`track()\` with an \`onEvent\` callback, in ${ROUNDS} rounds of ${PER_ROUND.toLocaleString('en-US')}; the two emitters alternate round by round in the same process or page. Figure: median over the rounds of round time / events (range in brackets). The baseline is \`bench/plain-emitter.mjs\`: the same event object (SPEC §4), session log and callback, without option checks, credential scrubbing or data validation.`, '');
md.push('| runtime | okra-events | plain JS | ratio okra / plain | target | result |', '| --- | ---: | ---: | ---: | --- | --- |');
for (const r of perEvent) {
  md.push(`| ${r.runtime} | ${fmtNs(r.okra)} (${range(r.rounds.okra, fmtNs)}) | ${fmtNs(r.plain)} (${range(r.rounds.plain, fmtNs)}) | **${ratio(r.okra, r.plain)}** | ≤ ${r.target}× | ${mark(r.ratio <= r.target)} |`);
}
md.push(`| Chromium, persisted queue (event_callback_url → 127.0.0.1, localStorage) | ${fmtNs(persOkra)} (${range(pers.okra, fmtNs)}) | ${fmtNs(persPlain)} (${range(pers.plain, fmtNs)}) | **${ratio(persOkra, persPlain)}** | ≤ 2× (issue 5) | ${mark(persOkra / persPlain <= 2)} |`);
md.push('');
md.push(`Persisted row: ${PERSIST_ROUNDS} rounds of ${PERSIST_BLOCK.toLocaleString('en-US')} events per emitter (under the queue's bound of 5,000), in a fresh browser context; between blocks the queue drains to the receiver (untimed). Its baseline is the same plain emitter with \`persist\`: one \`localStorage\` entry per event, POSTed in batches of 100 from a timer, removed on 2xx (no retry, backoff, bound or pagehide flush). Against the in-memory plain emitter the persisted okra-events costs ${ratio(persOkra, chrome.emit.plain)}×. Delivered to the receiver: okra-events ${pers.delivered.okra.toLocaleString('en-US')} of ${pers.emitted.toLocaleString('en-US')} events, baseline ${pers.delivered.plain.toLocaleString('en-US')} of ${pers.emitted.toLocaleString('en-US')}${pers.drainedAll ? '' : ' (**some blocks did not drain within 20 s**)'}; ${pers.receivedTotal - pers.receivedUnique} duplicate deliveries.`, '');
const prof = node.profile;
md.push(`Where okra-events' per-event time goes, in Node: CPU profile (node:inspector, 50 µs sampling) of ${prof.events.toLocaleString('en-US')} \`track()\` calls on a fresh handler, self time by kind, without the profiler's own work and idle time (JS rows include the engine built-ins they call, e.g. \`JSON.parse\` in \`call\` of engine.js's Dispatcher):`, '');
md.push('| where | share | µs per event |', '| --- | ---: | ---: |');
for (const [k, us] of prof.kinds.slice(0, 10)) md.push(`| ${k} | ${((us / prof.totalUs) * 100).toFixed(1)}% | ${(us / prof.events).toFixed(2)} |`);
const rest = prof.kinds.slice(10).reduce((a, [, us]) => a + us, 0);
if (rest) md.push(`| everything else | ${((rest / prof.totalUs) * 100).toFixed(1)}% | ${(rest / prof.events).toFixed(2)} |`);
md.push('');
if (prof.named) {
  md.push('<details><summary>Inside the wasm: the functions with the most self time (names from bench/size.mjs\'s rebuild of the same code with names kept)</summary>', '');
  md.push('| wasm function | share of all | µs per event |', '| --- | ---: | ---: |');
  const short = (n) => n.replace(/\[[0-9a-f]{8,}\]/g, '').replace(/\|/g, '\\|').slice(0, 150);
  for (const [n, us] of prof.wasm) md.push(`| \`${short(n)}\` | ${((us / prof.totalUs) * 100).toFixed(1)}% | ${(us / prof.events).toFixed(2)} |`);
  md.push('', '</details>', '');
} else md.push('(Wasm functions are unnamed in this profile: bench/out/wasm-names.json is missing or for another build; bench/size.mjs writes it.)', '');
md.push('<details><summary>Per round (ns/event)</summary>', '');
md.push('| round | Node okra / plain | Chromium okra / plain |', '| ---: | --- | --- |');
for (let i = 0; i < ROUNDS; i++) {
  md.push(`| ${i + 1} | ${fmtNs(node.rounds.okra[i])} / ${fmtNs(node.rounds.plain[i])} | ${fmtNs(chrome.emit.rounds.okra[i])} / ${fmtNs(chrome.emit.rounds.plain[i])} |`);
}
md.push('', '| persisted round | okra-events | plain JS |', '| ---: | ---: | ---: |');
for (let i = 0; i < PERSIST_ROUNDS; i++) md.push(`| ${i + 1} | ${fmtNs(pers.okra[i])} | ${fmtNs(pers.plain[i])} |`);
md.push('', '</details>', '');

md.push(`### Start-up (targets, the widget's page: ≤ 10 ms in Chromium from the module fetched to the first event delivered, ≤ 8 ms for a returning visitor)`, '');
md.push(`Module fetched → \`buildWithOptions\` returned → first event delivered to \`onEvent\`: dynamic \`import()\` of the entry (for okra-events: the .wasm fetched from the HTTP cache or read with fs, compiled and instantiated) plus the first \`buildWithOptions\`, timed with \`performance.now()\`. USER_CONNECTING reaches \`onEvent\` inside \`buildWithOptions\` (column "first event"), so the total is import + build. Median of ${STARTS} samples (each column its own median), each in a fresh browser context (own HTTP cache; the package's files sent with \`max-age\` so the preload sticks, pages with \`no-store\`) or a fresh Node process. Chromium pages are cross-origin isolated, so the clock resolves 5 µs. No start-up target is set for Node; it is shown beside its baseline.`, '');
md.push('| runtime | okra-events import | first build | first event at | okra-events total | plain JS total | ratio | target |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of startRows) {
  md.push(`| ${r.runtime} | ${fmtMs(r.okra.import)} | ${fmtMs(r.okra.build)} | ${fmtMs(r.okra.first)} | **${fmtMs(r.okra.total)}** | ${fmtMs(r.plain.total)} | ${ratio(r.okra.total, r.plain.total)} | ${r.target ? `≤ ${r.target} ms: ${mark(r.okra.total <= r.target)}` : '—'} |`);
}
md.push('');
{
  const fetched = chrome.startups['okra-1'].map((x) => x.wasmFetches?.[x.wasmFetches.length - 1]?.transferSize ?? null);
  md.push(`In the "module already fetched" row the entry's own fetch of the .wasm was served from the HTTP cache in ${fetched.filter((b) => b === 0).length} of ${fetched.length} samples (transfer size 0).`, '');
}

md.push('Where okra-events\' start-up goes: the steps of `pkg/index.js` done one by one in a fresh page (its modules, unbundled, modulepreloaded; the .wasm in the HTTP cache) or process, median ms of each step over ' + STARTS + ' samples. The entry opens the store while the wasm compiles, so at import those two overlap; here they are timed apart. The second `buildWithOptions` is the same call once its code has run: the first one\'s excess over it is one-time work (the engine compiling the functions it runs for the first time, wasm and JS).', '');
// The decode steps differ by runtime (Node 20 has no Uint8Array.fromBase64), so list every step of either.
const partNames = [...new Set([...Object.keys(chrome.startups.parts[0].parts), ...Object.keys(node.startups.parts[0].parts)])];
const partMed = (samples, k) => (k in samples[0].parts ? median(samples.map((x) => x.parts[k])) : undefined);
md.push('| step | Chromium | Node |', '| --- | ---: | ---: |');
const fmtPart = (ms) => (ms === undefined ? '—' : fmtMs(ms));
for (const k of partNames) md.push(`| ${k} | ${fmtPart(partMed(chrome.startups.parts, k))} | ${fmtPart(partMed(node.startups.parts, k))} |`);
const sumParts = (samples) => median(samples.map((x) => Object.values(x.parts).reduce((a, b) => a + b, 0)));
md.push(`| **sum** | **${fmtMs(sumParts(chrome.startups.parts))}** | **${fmtMs(sumParts(node.startups.parts))}** |`);
const again = (samples) => fmtMs(median(samples.map((x) => x.secondBuild)));
md.push(`| not a start-up step: a second buildWithOptions (the same, its code run once already) | ${again(chrome.startups.parts)} | ${again(node.startups.parts)} |`);
md.push('');
{
  // The same steps through the base64 fallback, in their own fresh pages and processes.
  const fb = [chrome.startups.fallback, node.startups.fallback];
  const steps = Object.keys(fb[0][0].parts).filter((k) => k.startsWith('fallback:'));
  md.push(`For comparison, the same start-up through the base64 fallback (what the entry does when the .wasm cannot be fetched; each sample in its own fresh page or process): ${steps.map((k) => `\`${k.slice(10)}\` ${fmtMs(partMed(fb[0], k))} in Chromium, ${fmtMs(partMed(fb[1], k))} in Node`).join('; ')}; sum of all steps ${fmtMs(sumParts(fb[0]))} in Chromium, ${fmtMs(sumParts(fb[1]))} in Node.`, '');
}

md.push(`### Memory after ${EVENTS.toLocaleString('en-US')} events, session log on`, '');
md.push(`Wasm linear memory is read through the glue (\`initSync()\` returns the instance's exports once initialised), after each round of ${PER_ROUND.toLocaleString('en-US')} events; JS heap after a full GC (\`process.memoryUsage()\` in Node, CDP \`Runtime.getHeapUsage\` in Chromium). Memory grows in whole 64 KiB pages, with allocator and vector slack.`, '');
md.push('| runtime | wasm linear memory: before, then after each round | events kept in the log | per kept event | log as JSON, per event | after one `events()` call | okra-events JS heap growth | plain-JS log in the JS heap | a new session after the old one is destroyed and garbage-collected, ' + PER_ROUND.toLocaleString('en-US') + ' events |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { runtime, m } of memRows) {
  const grew = m.wasmAfterReuse - m.wasmAfterEvents;
  md.push(`| ${runtime} | ${[m.wasmBefore, ...m.wasmByRound].map(fmtB).join(' → ')} | ${m.logLength.toLocaleString('en-US')} | ${Math.round((m.wasmAfter - m.wasmBefore) / m.logLength)} B | ${Math.round(m.logJsonBytes / m.logLength)} B | ${fmtB(m.wasmAfterEvents)} | ${m.okraJsHeap < 0 ? `≈ 0 (${fmtB(m.okraJsHeap)})` : fmtB(m.okraJsHeap)} | ${fmtB(m.plainLogHeap)} (${m.plainLength.toLocaleString('en-US')} events, ${Math.round(m.plainLogHeap / m.plainLength)} B each) | ${grew > 0 ? 'grew ' + fmtB(grew) : 'no growth (reused)'} |`);
}
md.push('');
const nm = node.memory;
const kept = nm.logLength;
const all = EVENTS + 1;
const lastRounds = nm.wasmByRound.slice(Math.min(2, ROUNDS - 1));
const flat = lastRounds.every((x) => x === lastRounds[0]);
if (kept < all) {
  md.push(`**${flat ? 'Bounded' : 'Log bounded, but memory still grew'}.** The session log (\`handler.events()\`) keeps the newest ${kept.toLocaleString('en-US')} of the ${all.toLocaleString('en-US')} events (each in full: all SPEC §4 fields and its event_data), in wasm linear memory. ${flat ? `Linear memory stops growing once the log is full (the same size after rounds ${Math.min(3, ROUNDS)}–${ROUNDS}): ${fmtB(nm.wasmAfter - nm.wasmBefore)} above the start in Node, about ${Math.round((nm.wasmAfter - nm.wasmBefore) / kept)} bytes per kept event.` : `Linear memory still grew in the last rounds (${lastRounds.map(fmtB).join(' → ')}): see the per-round figures.`}`, '');
} else {
  md.push(`**Not bounded.** The session log (\`handler.events()\`) keeps every event of the session in full (all SPEC §4 fields and its event_data) in wasm linear memory for as long as the handler lives: ${EVENTS.toLocaleString('en-US')} events took ${fmtB(nm.wasmAfter - nm.wasmBefore)} in Node, about ${Math.round((nm.wasmAfter - nm.wasmBefore) / kept)} bytes per event.`, '');
}
{
  // events() hands each event over as its own short JSON text, so a call on a
  // full log should leave linear memory at its size (target: no growth).
  const grown = memRows.map(({ runtime, m }) => [runtime, m.eventsAfter - m.eventsBefore]);
  const none = grown.every(([, g]) => g <= 0);
  md.push(`### \`handler.events()\` on a full log (target, issue 9: wasm memory back to its size before the call)`, '');
  md.push('Wasm linear memory read through the glue just before and just after one `handler.events()` call on the session above (its log full: the newest 10,000 events and up to 10% more between trims), then after a second call. Baseline: the size before the call.', '');
  md.push('| runtime | events returned | wasm memory before the call | after the call | ratio after / before | after a second call | result |', '| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const { runtime, m } of memRows) {
    md.push(`| ${runtime} | ${m.logLength.toLocaleString('en-US')} | ${fmtB(m.eventsBefore)} (${m.eventsBefore.toLocaleString('en-US')} B) | ${fmtB(m.eventsAfter)} (${m.eventsAfter.toLocaleString('en-US')} B) | **${(m.eventsAfter / m.eventsBefore).toFixed(3)}** | ${fmtB(m.eventsAfterSecond)} | ${mark(m.eventsAfter <= m.eventsBefore)} |`);
  }
  md.push('');
  md.push(`One \`events()\` call on the full log (${grown.map(([r, g]) => `${r}: ${g > 0 ? 'grew ' + fmtB(g) : 'no growth'}`).join(', ')}; target: wasm memory back to its size before the call) ${none ? 'leaves linear memory as it was' : 'grows linear memory, which never shrinks: that peak stays reserved for the page\'s life (a second call shows whether it grows again)'}. After \`destroy()\` and garbage collection (the handler has no \`free()\`; a FinalizationRegistry frees its session) the space is reused by the next session (last column). The plain-JS baseline keeps the same log (the newest 10,000) in the JS heap.`, '');
}
if (chrome.pageErrors.length) md.push(`Page errors during the run: ${chrome.pageErrors.slice(0, 5).map((e) => '`' + e.slice(0, 200) + '`').join('; ')}`, '');

const summary = {
  perEvent: perEvent.map(({ runtime, okra, plain, ratio: r, target }) => ({ runtime, okra, plain, ratio: r, target, met: r <= target })),
  persisted: { okra: persOkra, plain: persPlain, ratio: persOkra / persPlain, met: persOkra / persPlain <= 2 },
  startup: startRows.map((r) => ({ runtime: r.runtime, okra: r.okra.total, first: r.okra.first, plain: r.plain.total, target: r.target, met: r.target ? r.okra.total <= r.target : null })),
  memory: memRows.map(({ runtime, m }) => ({ runtime, ...m, perKeptEvent: (m.wasmAfter - m.wasmBefore) / m.logLength })),
  chromium: chrome.version,
  seconds: (Date.now() - started) / 1000,
};
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out/speed.json'), JSON.stringify({ summary, node, chrome: { ...chrome, persisted: { ...pers } } }, null, 1));
writeFileSync(join(HERE, 'out/speed.md'), md.join('\n'));
console.log(md.join('\n'));
log(`done in ${summary.seconds.toFixed(0)} s`);
