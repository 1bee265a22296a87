// Assembles bench/results.md from this run's parts: bench/out/size.{json,md}
// and bench/out/speed.{json,md} (bench/size.mjs, bench/speed.mjs), and
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
const loadEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const minutes = started ? ((Date.now() / 1000 - started) / 60).toFixed(1) : null;

// ------------------------------------------------------------------ summary
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const fmtNs = (ns) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns).toLocaleString('en-US')} ns`);
const fmtMs = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const mark = (ok) => (ok ? 'met' : '**missed**');
const okra = size.rows.find((r) => r.name === 'okra-events');
const analytics = size.rows.filter((r) => r.gzip && !['okra-events', 'okra-js', 'npm-okrajs', '@mono.co/connect.js'].includes(r.name));
const smallest = analytics.reduce((a, b) => (b.gzip < a.gzip ? b : a), analytics[0]);

const targets = [];
targets.push(`| size, okra-events in total, gzip -9 | ≤ 18 KB | ${kb(okra.gzip)} | ${smallest ? `${kb(smallest.gzip)} (${smallest.name}, the smallest analytics SDK)` : '—'} | ${smallest ? (okra.gzip / smallest.gzip).toFixed(2) : '—'} | ${mark(size.okra.met)} |`);
for (const r of speed.perEvent) {
  targets.push(`| per event, ${r.runtime} | ≤ 2× plain JS | ${fmtNs(r.okra)} | ${fmtNs(r.plain)} (plain JS) | ${r.ratio.toFixed(2)} | ${mark(r.met)} |`);
}
const p = speed.persisted;
targets.push(`| per event, Chromium, persisted queue | ≤ 2× plain JS | ${fmtNs(p.okra)} | ${fmtNs(p.plain)} (plain JS + localStorage) | ${p.ratio.toFixed(2)} | ${mark(p.met)} |`);
for (const r of speed.startup.filter((x) => x.target)) {
  targets.push(`| start-up, ${r.runtime} | ≤ 5 ms | ${fmtMs(r.okra)} | ${fmtMs(r.plain)} (plain JS) | ${(r.okra / r.plain).toFixed(2)} | ${mark(r.met)} |`);
}

// Where the cost goes, from this run's own figures.
const speedJson = JSON.parse(read('out/speed.json'));
const where = [];
where.push(`- **Size:** the wasm is ${kb(size.okraWasm.gzip)} gzip of the ${kb(okra.gzip)} (code ${kb(size.wasmSections.find(([n]) => n === 'code')?.[1] ?? 0)} raw, data ${kb(size.wasmSections.find(([n]) => n === 'data')?.[1] ?? 0)} raw); embedding it as base64 adds ${kb(okra.gzip - size.separate.gzip)} gzip over a separate .wasm file; the JS (entry, glue, delivery snippet) is ${kb(size.okraJs.gzip)}.` +
  (size.profile?.groups ? ` By crate: ${size.profile.groups.slice(0, 5).map(([g, b]) => `${g.replace(/ \(.*\)$/, '')} ${kb(b)}`).join(', ')} (raw). See the size section.` : ''));
const parts = speedJson.chrome.startups.parts;
if (parts?.length) {
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const names = Object.keys(parts[0].parts);
  const byStep = names.map((n) => [n, med(parts.map((x) => x.parts[n]))]).sort((a, b) => b[1] - a[1]);
  const alt = parts[0].alternative.name;
  where.push(`- **Start-up (Chromium):** the largest steps are ${byStep.slice(0, 3).map(([n, ms]) => `\`${n}\` ${fmtMs(ms)}`).join(', ')}; the decoder the entry used before, \`${alt}\`, took ${fmtMs(med(parts.map((x) => x.alternative.ms)))} for the same base64. See the start-up section.`);
}
const prof = speedJson.node.profile;
if (prof) {
  const share = (pred) => (prof.kinds.filter(([k]) => pred(k)).reduce((a, [, us]) => a + us, 0) / prof.totalUs) * 100;
  where.push(`- **Per event (Node profile):** ${share((k) => k.startsWith('wasm')).toFixed(0)}% in the wasm, ${share((k) => k === 'JS glue: parse').toFixed(0)}% in the glue's \`JSON.parse\` of the event text, ${share((k) => k.startsWith('JS glue') && k !== 'JS glue: parse').toFixed(0)}% in the rest of the glue, ${share((k) => k === 'garbage collector').toFixed(0)}% in GC. See the per-event section.`);
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
md.push(`| esbuild | ${size.esbuild} |`);
md.push(`| okra-events | commit ${commit}${dirty ? ' (with uncommitted changes to the package sources)' : ''} |`);
md.push(`| load average (1, 5, 15 min) | ${env.BENCH_LOAD_START ? `${env.BENCH_LOAD_START} at the start, ` : ''}${loadEnd} at the end |`);
md.push('');
if (Number(loadEnd.split(' ')[0]) > os.cpus().length) md.push(`The machine was busy with other work during the run (load above its ${os.cpus().length} cores), so absolute times are inflated and noisy; the ratios, measured interleaved in the same process or page, are what to compare.`, '');
md.push('## Targets (issue 5)', '');
md.push('| what | target | okra-events | baseline | ratio | result |', '| --- | --- | ---: | ---: | ---: | --- |');
md.push(...targets, '');
md.push('Where the cost goes, from this run:', '', ...where, '');
md.push('## Size', '', read('out/size.md').trim(), '');
md.push('## Per-event cost, start-up and memory', '', read('out/speed.md').trim(), '');
md.push(...part('delivery.md', 'Delivery: emit + persist', env.BENCH_DELIVERY_STATUS, 'bench/delivery.mjs'));
md.push(...part('eventlog.md', 'Event log service', env.BENCH_EVENTLOG_STATUS, 'scripts/bench-eventlog.sh'));
md.push('## Not measured', '');
const notes = [];
for (const r of size.rows.filter((x) => x.error)) notes.push(`- ${r.name}: could not be bundled (${r.error}).`);
notes.push('- The persisted-queue row in Node: Node has no `localStorage`, so okra-events keeps its queue in memory there; the row is Chromium only.');
notes.push('- Sizes of the incumbents are of their npm entry only: SDKs that load more code at run time from their CDN (e.g. RudderStack plugins, PostHog extensions, the okra-js and Mono widgets in their iframes) cost more on the page than shown.');
md.push(...notes, '');
writeFileSync(join(HERE, 'results.md'), md.join('\n'));
console.log(['| what | target | okra-events | baseline | ratio | result |', '| --- | --- | ---: | ---: | ---: | --- |', ...targets].join('\n'));
