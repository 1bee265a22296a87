// Assembles bench/results.md from this run's parts: bench/out/size.{json,md}
// and bench/out/speed.{json,md} (bench/size.mjs, bench/speed.mjs),
// bench/out/host.{json,md} and bench/out/react.{json,md} (bench/host.mjs,
// bench/react.mjs), and
// bench/delivery.md and bench/eventlog.md (bench/delivery.mjs,
// scripts/bench-eventlog.sh), with the machine and versions that produced
// them and the issue's targets marked met or missed. Called by scripts/bench.sh,
// which passes BENCH_STARTED (epoch s), BENCH_LOAD_START and the status of the
// delivery and event-log benches (BENCH_DELIVERY_STATUS, BENCH_EVENTLOG_STATUS).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './workload.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const env = process.env;
const started = Number(env.BENCH_STARTED || 0);
const read = (f) => readFileSync(join(HERE, f), 'utf8');
const size = JSON.parse(read('out/size.json'));
const speed = JSON.parse(read('out/speed.json')).summary;
const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

// ------------------------------------------------------------------ machine
const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
const osName = existsSync('/etc/os-release')
  ? /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : os.type();
const commit = sh('git', ['rev-parse', '--short=12', 'HEAD']) ?? 'unknown';
const dirty = sh('git', ['status', '--porcelain', '--', 'src', 'crates/core', 'js', 'scripts/build.sh', 'scripts/package.mjs', 'Cargo.toml', 'Cargo.lock']);
const pkgVersion = (f) => {
  try {
    return JSON.parse(readFileSync(join(ROOT, f), 'utf8')).version;
  } catch {
    return '?';
  }
};
const loadEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const minutes = started ? ((Date.now() / 1000 - started) / 60).toFixed(1) : null;

// ------------------------------------------------------------------ summary
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const fmtNs = (ns) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns).toLocaleString('en-US')} ns`);
const fmtMs = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const mark = (ok) => (ok ? 'met' : '**missed**');
const snowplow = size.rows.find((r) => r.name === '@snowplow/browser-tracker');
const base = snowplow?.gzip ? `${kb(snowplow.gzip)} (@snowplow/browser-tracker, the smallest analytics SDK)` : '—';

const targets = [];
for (const pg of size.pages) {
  const what = pg.name === 'module page' ? 'size: a plain `<script type="module">` page, package files fetched (SPEC 9), gzip -9 per file, summed' : `size: the same app through ${pg.name === 'esbuild + copied .wasm' ? 'esbuild (+ the .wasm copied)' : pg.name}, JS + wasm fetched`;
  const fb = pg.fallbackDownloaded.length ? ' (**the base64 fallback was downloaded**)' : '';
  targets.push(`| ${what} | ≤ ${kb(pg.target)} | ${kb(pg.total.gzip)}${fb} | ${base} | ${snowplow?.gzip ? (pg.total.gzip / snowplow.gzip).toFixed(2) : '—'} | ${mark(pg.met && !pg.fallbackDownloaded.length)} |`);
}
for (const r of speed.startup) {
  targets.push(`| start-up, ${r.runtime}: module fetched → buildWithOptions returned → first event to onEvent | ${r.target ? `≤ ${r.target} ms` : '— (no target)'} | ${fmtMs(r.okra)} | ${fmtMs(r.plain)} (plain JS) | ${(r.okra / r.plain).toFixed(2)} | ${r.target ? mark(r.met) : '—'} |`);
}
/** A ratio to two places, or three where two would read as the target itself. */
const fmtRatio = (ratio, target) => (ratio.toFixed(2) === target.toFixed(2) ? ratio.toFixed(3) : ratio.toFixed(2));
for (const r of speed.perEvent) {
  targets.push(`| per event, ${r.runtime} | ≤ ${r.target}× plain JS | ${fmtNs(r.okra)} | ${fmtNs(r.plain)} (plain JS) | ${fmtRatio(r.ratio, r.target)} | ${mark(r.met)} |`);
}
const p = speed.persisted;
targets.push(`| per event, Chromium, persisted queue (issue 5) | ≤ 2× plain JS | ${fmtNs(p.okra)} | ${fmtNs(p.plain)} (plain JS + localStorage) | ${p.ratio.toFixed(2)} | ${mark(p.met)} |`);
const fmtMiB = (b) => `${(b / 1048576).toFixed(2)} MiB`;
for (const m of speed.memory) {
  targets.push(`| \`handler.events()\` on a full log (${m.logLength.toLocaleString('en-US')} events), ${m.runtime}: wasm memory after the call | back to its size before | ${fmtMiB(m.eventsAfter)} | ${fmtMiB(m.eventsBefore)} (before the call) | ${(m.eventsAfter / m.eventsBefore).toFixed(3)} | ${mark(m.eventsAfter <= m.eventsBefore)} |`);
}

// okra-events/host (the host issue): the merchant's page.
const host = existsSync(join(HERE, 'out/host.json')) ? JSON.parse(read('out/host.json')) : null;
if (host) {
  for (const pg of host.pages) {
    const what = pg.name === 'module page' ? 'okra-events/host: a module page opening a widget, package files fetched, gzip -9 per file, summed' : `okra-events/host through ${pg.name === 'esbuild + copied .wasm' ? 'esbuild' : pg.name}, JS fetched (the app's lines included)`;
    targets.push(`| ${what} | ≤ ${host.targets.bytes.toLocaleString('en-US')} B | ${pg.total.toLocaleString('en-US')} B${pg.wasm ? ' (**a .wasm was fetched**)' : ''} | 2.1 KB (okra-js \`dist/bundle.js\`) | ${(pg.total / 2100).toFixed(2)} | ${mark(pg.met)} |`);
  }
  targets.push(`| okra-events/host's classic script (\`host.global.js\`), gzip -9 | ≤ ${host.targets.bytes.toLocaleString('en-US')} B | ${host.classic.gzip.toLocaleString('en-US')} B | 2.1 KB (okra-js) | ${(host.classic.gzip / 2100).toFixed(2)} | ${mark(host.classic.gzip <= host.targets.bytes)} |`);
  for (const [k, label] of [['warm', 'warm'], ['cold', 'first call in a page']]) {
    const r = host.timing[k];
    targets.push(`| okra-events/host, Chromium: \`buildWithOptions\` → iframe in the page (${label}) | ≤ ${host.targets.ratio}× by hand | ${r.host.toFixed(3)} ms | ${r.hand.toFixed(3)} ms (iframe inserted by hand) | ${fmtRatio(r.ratio, host.targets.ratio)} | ${mark(r.ratio <= host.targets.ratio)} |`);
  }
}

// okra-events/react (the React issue): a React app.
const react = existsSync(join(HERE, 'out/react.json')) ? JSON.parse(read('out/react.json')) : null;
if (react) {
  targets.push(`| okra-events/react's own file (\`react.js\`, React and the host excluded), gzip -9 | ≤ ${react.targets.own.toLocaleString('en-US')} B | ${react.own.gzip.toLocaleString('en-US')} B | — | — | ${mark(react.own.met)} |`);
  targets.push(`| okra-events/react: a React component using the hook, host included, esbuild with React external, gzip -9 | ≤ ${react.targets.app.toLocaleString('en-US')} B | ${react.app.with.gzip.toLocaleString('en-US')} B | ${react.app.host.gzip.toLocaleString('en-US')} B (the component calling okra-events/host itself) | ${(react.app.with.gzip / react.app.host.gzip).toFixed(2)} | ${mark(react.app.met)} |`);
}

// Where the cost goes, from this run's own figures.
const speedJson = JSON.parse(read('out/speed.json'));
const where = [];
{
  const pg = size.pages.find((x) => x.name === 'module page');
  const prof = size.profile;
  const coreGzip = prof?.modules ? (prof.modules.reduce((a, [, b]) => a + b, 0) / prof.total) * size.okraWasm.gzip : 0;
  where.push(`- **Size (module page, ${kb(pg.total.gzip)} gzip):** the wasm is ${kb(size.okraWasm.gzip)} gzip (code ${kb(size.wasmSections.find(([n]) => n === 'code')?.[1] ?? 0)} raw, data ${kb(size.wasmSections.find(([n]) => n === 'data')?.[1] ?? 0)} raw); the ${pg.files.length - 1} JS modules as shipped ${kb(size.okraJs.gzip)} (${kb(size.bundledJs.gzip)} once a bundler minifies them). The base64 fallback (${kb(size.fallback.gzip)} gzip) is not downloaded by any default path.` +
    (prof?.groups ? ` The wasm by crate (twiggy before wasm-opt, scaled to the shipped gzip): ${prof.groups.slice(0, 5).map(([g, b]) => `${g.replace(/ \(.*\)$/, '')} ≈ ${kb((b / prof.total) * size.okraWasm.gzip)}`).join(', ')}.` : '') +
    (prof?.modules?.length
      ? ` The core's rules alone (okra_events_core, kept in Rust by the issue's constraints) are ≈ ${kb(coreGzip)} gzip, ${coreGzip > pg.target ? 'more than' : 'within'} the whole page's ${kb(pg.target)} budget before any JS, std code or data; by module: ${prof.modules.slice(0, 6).map(([m, b]) => `\`${m}\` ≈ ${kb((b / prof.total) * size.okraWasm.gzip)}`).join(', ')}.`
      : '') +
    ' See the size section.');
}
const parts = speedJson.chrome.startups.parts;
if (parts?.length) {
  const names = Object.keys(parts[0].parts);
  const stepMed = (n) => median(parts.map((x) => x.parts[n]));
  const byStep = names.map((n) => [n, stepMed(n)]).sort((a, b) => b[1] - a[1]);
  const fb = speedJson.chrome.startups.fallback ?? [];
  const sumOf = (xs) => median(xs.map((x) => Object.values(x.parts).reduce((a, b) => a + b, 0)));
  const first = names.find((n) => n.startsWith('first buildWithOptions'));
  const again = parts[0].secondBuild === undefined ? undefined : median(parts.map((x) => x.secondBuild));
  const target = speedJson.summary.startup.find((r) => r.target);
  const returning = speedJson.summary.startup.find((r) => r.runtime.includes('returning visitor'));
  const once = first && again !== undefined ? ` The first \`buildWithOptions\` took ${fmtMs(stepMed(first))} and a second one ${fmtMs(again)}: the difference is one-time work (code run for the first time).` : '';
  where.push(`- **Start-up (Chromium):** the steps of the entry sum to ${fmtMs(sumOf(parts))} (the whole plain-JS start-up: ${fmtMs(target.plain)}); the largest are ${byStep.slice(0, 3).map(([n, ms]) => `\`${n}\` ${fmtMs(ms)}`).join(', ')}.${once}${returning ? ` For a returning visitor, whose queue database an earlier page created, the whole start-up is ${fmtMs(returning.okra)} (first visit ${fmtMs(target.okra)}).` : ''}${fb.length ? ` Through the base64 fallback instead: ${fmtMs(sumOf(fb))}.` : ''} See the start-up section.`);
}
const prof = speedJson.node.profile;
const nodeRow = speedJson.summary.perEvent.find((r) => r.runtime.startsWith('Node'));
if (prof) {
  const share = (pred) => (prof.kinds.filter(([k]) => pred(k)).reduce((a, [, us]) => a + us, 0) / prof.totalUs) * 100;
  const wasmNs = ((share((k) => k.startsWith('wasm')) / 100) * prof.totalUs * 1000) / prof.events;
  where.push(`- **Per event (Node profile):** ${share((k) => k.startsWith('wasm')).toFixed(0)}% in the wasm, ${share((k) => k.startsWith('JS entry')).toFixed(0)}% in the package's JS modules (records split and parsed, callbacks), ${share((k) => k.startsWith('JS glue')).toFixed(0)}% in the wasm-bindgen glue, ${share((k) => k === 'garbage collector').toFixed(0)}% in GC.${nodeRow ? ` The wasm alone took ≈ ${fmtNs(wasmNs)} per event under the profiler, ${(wasmNs / nodeRow.plain).toFixed(2)}× the plain-JS emitter's whole event (${fmtNs(nodeRow.plain)}).` : ''} See the per-event section.`);
}

// ------------------------------------------------------------ other benches
const shift = (md) => md.replace(/^(#{1,5}) /gm, '#$1 ');
function part(file, title, status, how) {
  const path = join(HERE, file);
  if (!existsSync(path)) return [`## ${title}`, '', `Not measured: ${status || 'not run'} (${how}).`, ''];
  const fresh = started && statSync(path).mtimeMs / 1000 >= started;
  const out = [];
  if (!fresh) {
    out.push(`## ${title}`, '', `**Not regenerated in this run** (${status || 'not run'}); below is \`bench/${file}\` as written on ${statSync(path).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC, possibly by another machine or commit.`, '');
    out.push(shift(readFileSync(path, 'utf8')).replace(/^## /m, '### '), '');
  } else out.push(shift(readFileSync(path, 'utf8')).trim(), '');
  return out;
}

// -------------------------------------------------------------------- write
const md = [];
md.push('# okra-events benchmarks', '');
md.push(`Generated by \`make bench\` (\`scripts/bench.sh\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${minutes ? `, in ${minutes} min` : ''}. Every figure is shown beside a baseline measured in the same run; times are reported, never asserted. Regenerate with \`make bench\`.`, '');
md.push('| machine | |', '| --- | --- |');
md.push(`| CPU | ${cpu}, ${os.cpus().length} cores |`);
md.push(`| RAM | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`);
md.push(`| OS | ${osName}, Linux ${os.release()} |`);
md.push(`| Node / npm | ${process.version} / ${sh('npm', ['-v']) ?? '?'} |`);
md.push(`| Chromium | ${speed.chromium} (headless, via playwright-core) |`);
md.push(`| esbuild / Vite / webpack | ${size.esbuild} / ${pkgVersion('www/node_modules/vite/package.json')} / ${pkgVersion('node_modules/webpack/package.json')} |`);
md.push(`| okra-events | commit ${commit}${dirty ? ' (with uncommitted changes to the package sources)' : ''} |`);
md.push(`| load average (1, 5, 15 min) | ${env.BENCH_LOAD_START ? `${env.BENCH_LOAD_START} at the start, ` : ''}${loadEnd} at the end |`);
md.push('');
if (Number(loadEnd.split(' ')[0]) > os.cpus().length) md.push(`The machine was busy with other work during the run (load above its ${os.cpus().length} cores), so absolute times are inflated and noisy; the ratios, measured interleaved in the same process or page, are what to compare.`, '');
md.push('## Targets', '');
md.push('| what | target | okra-events | baseline | ratio | result |', '| --- | --- | ---: | ---: | ---: | --- |');
md.push(...targets, '');
md.push('Where the cost goes, from this run:', '', ...where, '');
md.push('## Size', '', read('out/size.md').trim(), '');
if (host) md.push(shift(read('out/host.md')).trim().replace(/^### /, '## '), '');
if (react) md.push(shift(read('out/react.md')).trim().replace(/^### /, '## '), '');
md.push('## Per-event cost, start-up and memory', '', read('out/speed.md').trim(), '');
md.push(...part('delivery.md', 'Delivery: emit + persist', env.BENCH_DELIVERY_STATUS, 'bench/delivery.mjs'));
md.push(...part('eventlog.md', 'Event log service', env.BENCH_EVENTLOG_STATUS, 'scripts/bench-eventlog.sh'));
md.push('## Not measured', '');
const notes = [];
for (const r of size.rows.filter((x) => x.error)) notes.push(`- ${r.name}: could not be bundled (${r.error}).`);
notes.push('- The Vite dev server: tests/js/bundlers.test.mjs proves it runs the app and fetches the .wasm, not the fallback; it is not sized here, since it serves unminified development files.');
notes.push('- `serde_wasm_bindgen::to_value` against the JSON-text path per event (issue 9, point 5): measured on its own in [bench/boundary.md](boundary.md) (`make bench` runs it unless `BENCH_SKIP_BOUNDARY=1`): `to_value` was slower per event (1.35× in Node, 1.45× in Chromium) and 19.5 KB gzip heavier, so events cross as JSON text.');
notes.push('- The persisted-queue row in Node: Node has no `localStorage`, so okra-events keeps its queue in memory there; the row is Chromium only.');
notes.push('- Sizes of the incumbents are of their npm entry only: SDKs that load more code at run time from their CDN (e.g. RudderStack plugins, PostHog extensions, the okra-js and Mono widgets in their iframes) cost more on the page than shown.');
md.push(...notes, '');
writeFileSync(join(HERE, 'results.md'), md.join('\n'));
console.log(['| what | target | okra-events | baseline | ratio | result |', '| --- | --- | ---: | ---: | ---: | --- |', ...targets].join('\n'));
