// Benchmark (issue 9, point 5): how an event should cross from wasm to JS.
//
//   (a) JSON text: the core's own writer (okra_events_core::json), then
//       JSON.parse in JS (what js/engine.js does today);
//   (b) serde_wasm_bindgen::to_value with Serializer::json_compatible(): the
//       wasm builds the JS object itself through js-sys calls.
//
// bench/boundary/ is a standalone crate (its own workspace) exporting both, built
// with the package's recipe by bench/boundary/build.sh, four ways: with every
// export (timed here) and with none / only (a) / only (b) (their bytes).
//
// Per event, in Node and in headless Chromium, interleaved rounds of equal
// blocks (the order rotates each round so machine load hits every kind alike),
// median over rounds of block time / calls, in ns:
//   - fresh: Session::track with { bank, position } then take_output, then the
//     event handed over: via_json (the JSON text the core already wrote for
//     Output::Event, as the shipped engine hands over) + JSON.parse, or
//     via_to_value. make_event (the event alone) is the floor under both.
//   - prebuilt: one event built once (only its sequence changes), written by
//     json::write_event into a new String + JSON.parse, or to_value: the
//     conversion alone.
// The receiving code reads one field of each object, as an onEvent would.
//
// Run: node bench/boundary.mjs (builds first; BENCH_BOUNDARY_NO_BUILD=1 reuses
// target/boundary/out). Writes bench/boundary.md and bench/out/boundary.json.
// Environment: BENCH_BOUNDARY_CALLS (calls per block, 20,000),
// BENCH_BOUNDARY_ROUNDS (15). Times are reported, never asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const OUT = join(ROOT, 'target/boundary/out');
const env = process.env;
const CALLS = Number(env.BENCH_BOUNDARY_CALLS || 20_000);
const ROUNDS = Number(env.BENCH_BOUNDARY_ROUNDS || 15);
const WARMUP = 2_000;
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const started = Date.now();
const loadStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const log = (...a) => console.error('[boundary]', ...a);

// ------------------------------------------------------------------ build
if (env.BENCH_BOUNDARY_NO_BUILD !== '1') {
  const r = spawnSync('bash', [join(HERE, 'boundary/build.sh')], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    console.error(`boundary: bench/boundary/build.sh failed (exit ${r.status ?? r.signal}); nothing measured`);
    process.exit(1);
  }
}
const GLUE = 'okra_boundary_bench.js';
const WASM = 'okra_boundary_bench_bg.wasm';
for (const v of ['all', 'none', 'json', 'to_value']) {
  if (!existsSync(join(OUT, v, WASM))) {
    console.error(`boundary: ${join(OUT, v, WASM)} is missing; run bench/boundary/build.sh`);
    process.exit(1);
  }
}

// ------------------------------------------------------------------ bytes
const sizes = {};
for (const v of ['none', 'json', 'to_value']) {
  const wasm = readFileSync(join(OUT, v, WASM));
  const glue = readFileSync(join(OUT, v, GLUE));
  sizes[v] = {
    wasm: wasm.length, wasmGz: gzipSync(wasm, { level: 9 }).length,
    glue: glue.length, glueGz: gzipSync(glue, { level: 9 }).length,
  };
}

// ------------------------------------------------------------------ workload
// One block of `n` calls of one kind; ms taken. Runs in Node and, as source
// text, in the Chromium page, so both run the very same code.
function block(m, kind, n, sink) {
  const t0 = performance.now();
  let acc = 0;
  switch (kind) {
    case 'none': for (let i = 0; i < n; i++) acc += m.make_event(i); break;
    case 'json': for (let i = 0; i < n; i++) acc += JSON.parse(m.via_json(i)).sequence; break;
    case 'to_value': for (let i = 0; i < n; i++) acc += m.via_to_value(i).sequence; break;
    case 'json_prebuilt': for (let i = 0; i < n; i++) acc += JSON.parse(m.via_json_prebuilt(i)).sequence; break;
    case 'to_value_prebuilt': for (let i = 0; i < n; i++) acc += m.via_to_value_prebuilt(i).sequence; break;
    default: throw new Error('unknown kind ' + kind);
  }
  const ms = performance.now() - t0;
  sink.acc = (sink.acc || 0) + acc;
  return ms;
}
// The same event both ways: the two objects, as JSON text, for the report.
function sameEvent(m) {
  return {
    json: JSON.stringify(JSON.parse(m.via_json_prebuilt(7))),
    to_value: JSON.stringify(m.via_to_value_prebuilt(7)),
    jsonBytes: m.via_json_prebuilt(7).length,
  };
}
const KINDS = ['none', 'json', 'to_value', 'json_prebuilt', 'to_value_prebuilt'];

/** Interleaved rounds through run(kind, n) -> ms; ns per call by kind and per-round ratios. */
async function measure(run) {
  for (const k of KINDS) await run(k, WARMUP);
  const rounds = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = KINDS.map((_, i) => KINDS[(i + r) % KINDS.length]);
    if (r % 2) order.reverse();
    for (const k of order) rounds[k].push(((await run(k, CALLS)) * 1e6) / CALLS);
  }
  const med = Object.fromEntries(KINDS.map((k) => [k, median(rounds[k])]));
  const per = (a, b) => rounds[a].map((x, i) => x / rounds[b][i]);
  const fresh = per('to_value', 'json');
  const prebuilt = per('to_value_prebuilt', 'json_prebuilt');
  return {
    rounds, median: med,
    ratio: { fresh: median(fresh), prebuilt: median(prebuilt) },
    spread: { fresh: [Math.min(...fresh), Math.max(...fresh)], prebuilt: [Math.min(...prebuilt), Math.max(...prebuilt)] },
    // What handing over adds to making the event, per event.
    over: { json: med.json - med.none, to_value: med.to_value - med.none },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

// ------------------------------------------------------------------ Node
async function nodeRun() {
  const m = await import(pathToFileURL(join(OUT, 'all', GLUE)).href);
  m.initSync({ module: readFileSync(join(OUT, 'all', WASM)) });
  const sink = {};
  const r = await measure((k, n) => block(m, k, n, sink));
  return { ...r, same: sameEvent(m) };
}

// ------------------------------------------------------------------ Chromium
const PAGE = `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>boundary bench</title>
<script type=module>
  const m = await import('/out/${GLUE}');
  await m.default({ module_or_path: '/out/${WASM}' });
  window.B = { m, sink: {}, block: ${block.toString()}, sameEvent: ${sameEvent.toString()} };
</script>`;

function serve() {
  const server = createServer((req, res) => {
    // Cross-origin isolation: performance.now() at 5 µs rather than 100 µs.
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store',
    };
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    const files = {
      '/bench.html': [PAGE, 'text/html'],
      [`/out/${GLUE}`]: [() => readFileSync(join(OUT, 'all', GLUE)), 'text/javascript'],
      [`/out/${WASM}`]: [() => readFileSync(join(OUT, 'all', WASM)), 'application/wasm'],
    };
    const f = files[path];
    if (!f) return res.writeHead(404, headers).end('not found');
    res.writeHead(200, { ...headers, 'Content-Type': f[1] }).end(typeof f[0] === 'function' ? f[0]() : f[0]);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function chromiumRun() {
  const { chromium } = await import('playwright-core');
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
    await page.waitForFunction(() => window.B, null, { timeout: 30_000 }).catch((e) => {
      throw new Error(`the page did not load the bench: ${errors.join('; ') || e.message}`);
    });
    const r = await measure((k, n) => page.evaluate(([k, n]) => B.block(B.m, k, n, B.sink), [k, n]));
    return { ...r, same: await page.evaluate(() => B.sameEvent(B.m)), version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

// ------------------------------------------------------------------ run
log(`node: ${ROUNDS} rounds of ${CALLS} calls per kind`);
const node = await nodeRun();
log(`chromium (${Math.round((Date.now() - started) / 1000)} s)`);
let chromium;
try {
  chromium = await chromiumRun();
} catch (e) {
  chromium = { error: String(e.message || e) };
  log('chromium failed:', chromium.error);
}
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out/boundary.json'), JSON.stringify({ calls: CALLS, rounds: ROUNDS, sizes, node, chromium }, null, 2));

// ------------------------------------------------------------------ report
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
const osName = existsSync('/etc/os-release')
  ? /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : os.type();
const lock = existsSync(join(HERE, 'boundary/Cargo.lock')) ? readFileSync(join(HERE, 'boundary/Cargo.lock'), 'utf8') : '';
const crate = (name) => new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock)?.[1] ?? '?';
const loadEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const kb = (b) => `${(b / 1000).toFixed(2)} KB`;
const plus = (b) => `${b >= 0 ? '+' : '−'}${kb(Math.abs(b))}`;
const ns = (x) => `${Math.round(x).toLocaleString('en-US')} ns`;
const x2 = (r) => `${r.toFixed(2)}×`;

const md = [];
md.push('# Events across the wasm → JS boundary: JSON text or serde-wasm-bindgen', '');
md.push(`Generated by \`node bench/boundary.mjs\` (step of \`make bench\`, \`scripts/bench.sh\`; \`BENCH_SKIP_BOUNDARY=1\` skips it) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${((Date.now() - started) / 60000).toFixed(1)} min. Issue 9, point 5. Times are reported, never asserted.`, '');
md.push('| machine | |', '| --- | --- |');
md.push(`| CPU | ${cpu}, ${os.cpus().length} cores |`);
md.push(`| RAM | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`);
md.push(`| OS | ${osName}, Linux ${os.release()} |`);
md.push(`| Node | ${process.version} |`);
md.push(`| Chromium | ${chromium.version ?? 'not run'} (headless, via playwright-core) |`);
md.push(`| crates | wasm-bindgen ${crate('wasm-bindgen')}, serde-wasm-bindgen ${crate('serde-wasm-bindgen')}, js-sys ${crate('js-sys')}, serde ${crate('serde')} |`);
md.push(`| okra-events | commit ${sh('git', ['rev-parse', '--short=12', 'HEAD']) ?? 'unknown'} |`);
md.push(`| load average (1, 5, 15 min) | ${loadStart} at the start, ${loadEnd} at the end |`);
md.push('');
if (Number(loadEnd.split(' ')[0]) > os.cpus().length || Number(loadStart.split(' ')[0]) > os.cpus().length) {
  md.push(`The machine was busy with other work during the run (load above its ${os.cpus().length} cores), so absolute times are inflated and noisy; the ratios, measured interleaved in the same process or page, are what to compare.`, '');
}

md.push('## What was measured', '');
md.push('`bench/boundary/` is a standalone crate (its own Cargo workspace, not shipped) on `okra-events-core`, built with the package\'s recipe (`bench/boundary/build.sh`: release wasm32, `opt-level = "z"`, LTO, `wasm-bindgen --target web`, `wasm-opt -Oz` with the flags of `scripts/build.sh`). The event is the one `bench/speed.mjs` emits most: `Session::track("USER_BANK_SELECTED", { bank: "alat", position: n })`, taken from `take_output()`, a real event of ' + `${node.same.jsonBytes} bytes of JSON.`, '');
md.push('- **JSON text** (today\'s path): the wasm returns the event\'s JSON text (a `String`, copied out as UTF-8 and decoded by the glue), JS calls `JSON.parse`.');
md.push('- **`to_value`**: `serde_wasm_bindgen::Serializer::json_compatible()` serializes the `Event` (its `serde::Serialize` derive, `Value`\'s own impl) into a JS object, one js-sys call per object, key and value.');
md.push('');
md.push('Both give the same object: ' + (node.same.json === node.same.to_value ? 'checked in Node' : '**no, in Node they differ**') +
  (chromium.same ? (chromium.same.json === chromium.same.to_value ? ' and in Chromium' : '; **in Chromium they differ**') : '') + ' (same keys in the same order, same values).', '');

md.push('## Bytes (gzip -9)', '');
md.push('Three builds of the crate: the event alone (`make_event`), and the same plus one export that hands it over one way. What a way adds is its build over the event-alone build. In the event-alone build the core already holds the JSON writer, since it writes every event\'s JSON to hold it to MAX_EVENT_BYTES; the shipped package has it for the same reason.', '');
md.push('| build | wasm | wasm gzip -9 | JS glue | JS glue gzip -9 | added over the event alone, gzip -9 (wasm + glue) |');
md.push('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [v, label] of [['none', 'the event alone'], ['json', '+ JSON text'], ['to_value', '+ `to_value`']]) {
  const s = sizes[v];
  const add = v === 'none' ? '' : `${plus(s.wasmGz - sizes.none.wasmGz)} + ${plus(s.glueGz - sizes.none.glueGz)} = **${plus(s.wasmGz + s.glueGz - sizes.none.wasmGz - sizes.none.glueGz)}**`;
  md.push(`| ${label} | ${kb(s.wasm)} | ${kb(s.wasmGz)} | ${kb(s.glue)} | ${kb(s.glueGz)} | ${add} |`);
}
md.push('', '1 KB = 1,000 bytes. The glue is wasm-bindgen\'s output as is (not minified).', '');
md.push('Where `to_value`\'s bytes come from (twiggy on the unoptimised build when this bench was written): mostly not serde-wasm-bindgen itself but `<f64 as FromStr>` (core\'s `dec2flt`, with its power-of-five tables in the data section), which `Value`\'s `Serialize` impl calls for every non-integer number (`Value::Number` keeps JSON text), then `Value`\'s and `Event`\'s serializers, serde-wasm-bindgen\'s interned-key table (a hashbrown map of `JsString`s) and its error formatting. A `to_value` that handed numbers over as text or parsed them in JS would cost less; it would still be an addition to the JSON text the core writes anyway.', '');

md.push('## Per event', '');
md.push(`Median over ${ROUNDS} interleaved rounds of ${CALLS.toLocaleString('en-US')} calls per kind (order rotated each round). Ratio: \`to_value\` over JSON text, the median of the per-round ratios (each pair measured in the same round), so above 1 means JSON text is faster.`, '');
const envs = [['Node ' + process.version, node], ['Chromium ' + (chromium.version ?? ''), chromium]];
md.push('| environment | event alone | fresh event, JSON text + `JSON.parse` | fresh event, `to_value` | ratio (rounds\' range) | pre-built event, `write_event` + `JSON.parse` | pre-built event, `to_value` | ratio (rounds\' range) |');
md.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const range = ([lo, hi]) => `${lo.toFixed(2)}–${hi.toFixed(2)}`;
for (const [name, r] of envs) {
  if (r.error) { md.push(`| ${name} | not measured: ${r.error.replace(/\|/g, '\\|').split('\n')[0]} | | | | | | |`); continue; }
  const m = r.median;
  md.push(`| ${name} | ${ns(m.none)} | ${ns(m.json)} | ${ns(m.to_value)} | **${x2(r.ratio.fresh)}** (${range(r.spread.fresh)}) | ${ns(m.json_prebuilt)} | ${ns(m.to_value_prebuilt)} | **${x2(r.ratio.prebuilt)}** (${range(r.spread.prebuilt)}) |`);
}
md.push('');
md.push('- *Fresh event*: what a `track()` costs end to end with each way across. The JSON text is the one the core wrote already for `Output::Event`, so that column is what the shipped engine pays. The core writes that JSON from the event\'s fields and builds no `Event`; `to_value` needs one, so its column reads the event back from that JSON (`Event::from_json`) and converts it: what a `to_value` design would add on top of the write, with the read-back standing in for building the struct.');
md.push('- *Pre-built event*: the conversion alone. One event built once, its `sequence` set per call, then written by `json::write_event` into a new `String` and parsed, or passed to `to_value`.');
md.push('- Handing over, beyond making the event (fresh minus event alone): ' + envs.filter(([, r]) => !r.error)
  .map(([name, r]) => `${name}: JSON text ${ns(r.over.json)}, \`to_value\` ${ns(r.over.to_value)}`).join('; ') + '.');
md.push('');

md.push('## The choice', '');
const measured = envs.filter(([, r]) => !r.error);
// What the engine would pay is the fresh-event figure; the pre-built one only says
// where the difference comes from.
const jsonFaster = measured.filter(([, r]) => r.ratio.fresh > 1).map(([n]) => n);
const tvFaster = measured.filter(([, r]) => r.ratio.fresh < 1).map(([n]) => n);
const addedTv = sizes.to_value.wasmGz + sizes.to_value.glueGz - sizes.none.wasmGz - sizes.none.glueGz;
const addedJson = sizes.json.wasmGz + sizes.json.glueGz - sizes.none.wasmGz - sizes.none.glueGz;
const ratios = measured.map(([n, r]) => `${x2(r.ratio.fresh)} per event (conversion alone ${x2(r.ratio.prebuilt)}) in ${n}`).join(', ');
const bytes = `it adds ${kb(addedTv)} gzip against ${kb(addedJson)} for the JSON text`;
if (measured.length && jsonFaster.length === measured.length) {
  md.push(`**Keep the JSON text path for events.** In this run \`to_value\` took ${ratios} of the JSON text and \`JSON.parse\`: per event it is slower everywhere measured, because the core writes each event's JSON in any case (size bound, delivery queue) and \`to_value\` only adds to that write; the conversion alone is ${measured.every(([, r]) => r.ratio.prebuilt > 1) ? 'slower too' : 'about even'}. And ${bytes}.`);
} else if (measured.length && tvFaster.length === measured.length) {
  md.push(`**\`to_value\` is faster per event in this run** (${ratios} of the JSON text), but ${bytes}. The core still writes each event's JSON (size bound, delivery queue), so weigh the time saved against the bytes before switching.`);
} else {
  md.push(`**The figures are mixed in this run** (${ratios}): neither way is faster per event everywhere. With no clear time gain the bytes decide: ${bytes}, and the core writes each event's JSON in any case; keep the JSON text path.`);
}
md.push('');
writeFileSync(join(HERE, 'boundary.md'), md.join('\n') + '\n');
log(`wrote bench/boundary.md in ${Math.round((Date.now() - started) / 1000)} s`);
for (const [name, r] of measured) log(`${name}: to_value / JSON text = ${x2(r.ratio.fresh)} fresh, ${x2(r.ratio.prebuilt)} pre-built`);
