// Benchmark (issue 5): shipped size of okra-events beside the SDKs it
// replaces. Each package is bundled from a one-line entry that imports it the
// way its README shows, with esbuild (bundle, minify, ESM, browser), and the
// single output file is measured raw, gzip -9 and brotli (quality 11). Dynamic
// imports are bundled into that file (no code splitting): everything a bundler
// pulls in. For okra-events the bundle includes the wasm as base64; the wasm
// alone, the JS alone and the cost of the base64 embedding are shown too.
//
// Run: node bench/size.mjs   (after `npm ci` in bench/). Writes bench/out/size.json
// and bench/out/size.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const require = createRequire(import.meta.url);
const NAMES_FILE = join(HERE, 'out/wasm-names.json');
const TARGET_GZIP = 18_000; // "18 KB", in bytes (1 KB = 1,000 bytes)

// The entry a user writes, as each package's README shows it.
const PACKAGES = [
  ['okra-events', "import Okra from 'okra-events'; window.x = Okra;"],
  ['okra-js', "import Okra from 'okra-js'; window.x = Okra;"],
  ['npm-okrajs', "import Okra from 'npm-okrajs'; window.x = Okra;"],
  ['@mono.co/connect.js', "import Connect from '@mono.co/connect.js'; window.x = Connect;"],
  ['@segment/analytics-next', "import { AnalyticsBrowser } from '@segment/analytics-next'; window.x = AnalyticsBrowser;"],
  ['@snowplow/browser-tracker', "import { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker'; window.x = { newTracker, trackSelfDescribingEvent };"],
  ['@rudderstack/analytics-js', "import { RudderAnalytics } from '@rudderstack/analytics-js'; window.x = RudderAnalytics;"],
  ['@amplitude/analytics-browser', "import * as amplitude from '@amplitude/analytics-browser'; window.x = amplitude;"],
  ['posthog-js', "import posthog from 'posthog-js'; window.x = posthog;"],
];

const measure = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});

async function bundle(contents, plugins = []) {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: HERE, loader: 'js', sourcefile: 'entry.js' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' }, legalComments: 'none', plugins,
  });
  return Buffer.from(r.outputFiles[0].contents);
}

const rows = [];
for (const [name, entry] of PACKAGES) {
  let version = null;
  try {
    version = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    try { // packages whose "exports" hide package.json
      version = JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {}
  }
  try {
    rows.push({ name, version, entry, ...measure(await bundle(entry)) });
  } catch (e) {
    rows.push({ name, version, entry, error: (e.errors?.[0]?.text || e.message).split('\n')[0] });
  }
}

// okra-events in parts: the wasm (what ships, decoded from the package), the
// JS without it, and what the base64 embedding costs against a .wasm file.
const wasmJs = readFileSync(join(ROOT, 'pkg/okra_events_wasm.js'), 'utf8');
const wasm = Buffer.from(/"([A-Za-z0-9+/=]+)"/.exec(wasmJs)[1], 'base64');
const bindgenWasm = join(ROOT, 'target/bindgen/okra_events_bg.wasm');
const sameAsBuilt = existsSync(bindgenWasm) ? readFileSync(bindgenWasm).equals(wasm) : null;
const noWasm = {
  name: 'no-wasm',
  setup(b) {
    b.onLoad({ filter: /okra_events_wasm\.js$/ }, () => ({ contents: 'export default "";', loader: 'js' }));
  },
};
const okraJs = measure(await bundle(PACKAGES[0][1], [noWasm]));
const okraWasm = measure(wasm);
const okra = rows.find((r) => r.name === 'okra-events');
const separate = { raw: okraJs.raw + okraWasm.raw, gzip: okraJs.gzip + okraWasm.gzip, brotli: okraJs.brotli + okraWasm.brotli };

// Wasm sections, for where the bytes go.
function readSections(buf) {
  const out = [];
  let i = 8;
  const leb = () => {
    let v = 0;
    let shift = 0;
    let b;
    do { b = buf[i++]; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return v >>> 0;
  };
  while (i < buf.length) {
    const head = i;
    const id = buf[i++];
    const size = leb();
    const start = i;
    let name = null;
    if (id === 0) {
      const n = leb();
      name = buf.subarray(i, i + n).toString('utf8');
      i += n;
    }
    out.push({ id, name, head, start, payload: i, end: start + size });
    i = start + size;
  }
  return { list: out, leb: (at) => { i = at; const v = leb(); return [v, i]; } };
}
function sections(buf) {
  const names = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];
  const out = {};
  for (const sec of readSections(buf).list) {
    const name = sec.id === 0 ? `custom "${sec.name}"` : names[sec.id] || `section ${sec.id}`;
    out[name] = (out[name] || 0) + (sec.end - sec.head);
  }
  return out;
}
/** Sizes of the function bodies, in order (to check two builds have the same code). */
function bodySizes(buf) {
  const { list, leb } = readSections(buf);
  const code = list.find((s) => s.id === 10);
  let [count, at] = leb(code.start);
  const sizes = [];
  while (count--) {
    const [size, next] = leb(at);
    sizes.push(size);
    at = next + size;
  }
  return sizes;
}
/** { function index: name } from the "name" section. */
function functionNames(buf) {
  const { list, leb } = readSections(buf);
  const sec = list.find((s) => s.id === 0 && s.name === 'name');
  const names = {};
  if (!sec) return names;
  let at = sec.payload;
  while (at < sec.end) {
    const kind = buf[at++];
    const [size, body] = leb(at);
    if (kind === 1) {
      let [count, p] = leb(body);
      while (count--) {
        const [index, q] = leb(p);
        const [len, r] = leb(q);
        names[index] = buf.subarray(r, r + len).toString('utf8');
        p = r + len;
      }
    }
    at = body + size;
  }
  return names;
}
const wasmSections = Object.entries(sections(wasm)).sort((a, b) => b[1] - a[1]);

// Where the wasm's bytes go, per crate and per function: the release wasm
// (which still has names) through the same wasm-bindgen and wasm-opt -Oz as
// scripts/build.sh, keeping the names (-g), then `twiggy top`. Optional: needs
// twiggy (cargo install twiggy) and a release build under target/; skipped with
// BENCH_SIZE_PROFILE=0.
function profile() {
  if (process.env.BENCH_SIZE_PROFILE === '0') return { missing: 'skipped (BENCH_SIZE_PROFILE=0)' };
  const release = [process.env.CARGO_TARGET_DIR, 'target/wasm-debian', 'target'].filter(Boolean)
    .map((d) => resolve(ROOT, d, 'wasm32-unknown-unknown/release/okra_events.wasm')).find(existsSync);
  if (!release) return { missing: 'no release wasm under target/' };
  const run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const why = (r) => String(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
  const dir = mkdtempSync(join(tmpdir(), 'okra-size-'));
  try {
    let r = run('wasm-bindgen', ['--target', 'web', '--weak-refs', '--no-typescript', '--out-dir', dir, release]);
    if (r.status !== 0) return { missing: `wasm-bindgen failed: ${why(r)}` };
    const named = join(dir, 'named.wasm');
    r = run(join(ROOT, 'node_modules/.bin/wasm-opt'), ['-Oz', '-g', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
      '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
      '--strip-producers', join(dir, 'okra_events_bg.wasm'), '-o', named]);
    if (r.status !== 0) return { missing: `wasm-opt failed: ${why(r)}` };
    // Function names by index for bench/speed.mjs's CPU profile, if this build's
    // code is the shipped code, function for function.
    const namedBuf = readFileSync(named);
    const a = bodySizes(namedBuf);
    const b = bodySizes(wasm);
    const sameCode = a.length === b.length && a.every((x, k) => x === b[k]);
    rmSync(NAMES_FILE, { force: true });
    if (sameCode) {
      const sha256 = createHash('sha256').update(wasm).digest('hex');
      writeFileSync(NAMES_FILE, JSON.stringify({ wasmSha256: sha256, names: functionNames(namedBuf) }));
    }
    if (run('twiggy', ['--version']).status !== 0) return { sameCode, missing: 'twiggy is not installed (cargo install twiggy)' };
    r = run('twiggy', ['top', '-n', '100000', '-f', 'json', named]);
    if (r.status !== 0) return { missing: `twiggy failed: ${why(r)}` };
    const items = JSON.parse(r.stdout).filter((it) => !/subsection|^custom section|^producers/.test(it.name));
    const group = (n) => {
      if (/^data segment/.test(n)) return 'data segments (string constants, catalog text, tables)';
      if (/ shim/.test(n)) return 'wasm-bindgen export shims (with the exported functions inlined into them)';
      if (/^(import|export) /.test(n)) return 'import/export entries';
      const m = /([A-Za-z_][A-Za-z0-9_]*)\[[0-9a-f]+\]/.exec(n);
      if (m) return m[1];
      if (/^<(str|char|u\d+|i\d+|usize|isize|f\d+|bool|\[)/.test(n)) return 'core';
      if (/^__rustc|^__rust_/.test(n)) return 'std';
      return 'other (tables, types, glue)';
    };
    const groups = new Map();
    for (const it of items) groups.set(group(it.name), (groups.get(group(it.name)) || 0) + it.shallow_size);
    const total = items.reduce((a, it) => a + it.shallow_size, 0);
    return {
      sameCode, release: release.slice(ROOT.length + 1), total,
      groups: [...groups].sort((a, b) => b[1] - a[1]),
      top: items.sort((a, b) => b.shallow_size - a.shallow_size).slice(0, 15).map((it) => [it.name, it.shallow_size]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
mkdirSync(join(HERE, 'out'), { recursive: true });
const prof = profile();

// -------------------------------------------------------------------- report
rows.sort((a, b) => (a.gzip ?? Infinity) - (b.gzip ?? Infinity));
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const md = [];
md.push(`### Shipped size (target: okra-events ≤ 18 KB gzip in total)`, '');
md.push(`Each package bundled from a one-line entry (as its README imports it) with esbuild ${esbuild.version} (\`bundle, minify, format: esm, platform: browser\`; dynamic imports bundled into the one file), then gzip -9 and brotli quality 11 (Node zlib). 1 KB = 1,000 bytes. Ratio: the package's gzip size over okra-events'. Sorted by gzip.`, '');
md.push('| package | version | raw | gzip -9 | brotli | gzip ratio vs okra-events |', '| --- | --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  if (r.error) md.push(`| ${r.name} | ${r.version ?? '—'} | — | — | — | failed to bundle: ${r.error} |`);
  else md.push(`| ${r.name === 'okra-events' ? '**okra-events**' : r.name} | ${r.version} | ${kb(r.raw)} | ${r.name === 'okra-events' ? `**${kb(r.gzip)}**` : kb(r.gzip)} | ${kb(r.brotli)} | ${(r.gzip / okra.gzip).toFixed(2)} |`);
}
md.push('');
md.push(`okra-events target (≤ 18 KB gzip): **${okra.gzip <= TARGET_GZIP ? 'met' : 'missed'}** (${kb(okra.gzip)}). Entries:`, '');
md.push('<details><summary>The entry file of each bundle</summary>', '');
for (const r of rows) md.push(`- ${r.name}: \`${r.entry}\``);
md.push('', '</details>', '');
md.push('okra-events in parts:', '');
md.push('| part | raw | gzip -9 | brotli |', '| --- | ---: | ---: | ---: |');
md.push(`| wasm alone, after wasm-opt (decoded from pkg/okra_events_wasm.js${sameAsBuilt === true ? '; identical to target/bindgen/okra_events_bg.wasm' : sameAsBuilt === false ? '; **differs from target/bindgen/okra_events_bg.wasm**' : ''}) | ${kb(okraWasm.raw)} | ${kb(okraWasm.gzip)} | ${kb(okraWasm.brotli)} |`);
md.push(`| JS alone (entry, wasm-bindgen glue, delivery snippet; bundled and minified) | ${kb(okraJs.raw)} | ${kb(okraJs.gzip)} | ${kb(okraJs.brotli)} |`);
md.push(`| as a JS bundle + a separate .wasm file (sum of the two rows above) | ${kb(separate.raw)} | ${kb(separate.gzip)} | ${kb(separate.brotli)} |`);
md.push(`| as shipped: one JS bundle, wasm embedded as base64 | ${kb(okra.raw)} | ${kb(okra.gzip)} | ${kb(okra.brotli)} |`);
md.push(`| cost of the base64 embedding (shipped − separate) | ${kb(okra.raw - separate.raw)} (+${((okra.raw / separate.raw - 1) * 100).toFixed(0)}%) | ${kb(okra.gzip - separate.gzip)} (+${((okra.gzip / separate.gzip - 1) * 100).toFixed(0)}%) | ${kb(okra.brotli - separate.brotli)} (+${((okra.brotli / separate.brotli - 1) * 100).toFixed(0)}%) |`);
md.push('');
md.push('Wasm sections (raw bytes): ' + wasmSections.map(([n, b]) => `${n} ${kb(b)}`).join(', ') + '.', '');
if (prof.groups) {
  md.push(`Where the wasm's bytes go (\`twiggy top\` of ${prof.release} put through the same wasm-bindgen and \`wasm-opt -Oz\`, names kept: ${kb(prof.total)} without the names section, against ${kb(wasm.length)} shipped; ${prof.sameCode ? 'function bodies identical to the shipped wasm' : '**function bodies differ from the shipped wasm**: the release build under target/ is not the one in pkg/'}):`, '');
  md.push('| crate or kind | bytes | share |', '| --- | ---: | ---: |');
  for (const [g, b] of prof.groups.slice(0, 12)) md.push(`| ${g} | ${kb(b)} | ${((b / prof.total) * 100).toFixed(1)}% |`);
  md.push('', '<details><summary>The 15 largest items</summary>', '', '| item | bytes |', '| --- | ---: |');
  const short = (n) => n.replace(/\[[0-9a-f]{8,}\]/g, '').replace(/\|/g, '\\|').slice(0, 140);
  for (const [n, b] of prof.top) md.push(`| \`${short(n)}\` | ${b.toLocaleString('en-US')} |`);
  md.push('', '</details>', '');
} else md.push(`(No per-crate breakdown: ${prof.missing}.)`, '');

const summary = { profile: prof, rows, okra: { ...okra, target: TARGET_GZIP, met: okra.gzip <= TARGET_GZIP }, okraJs, okraWasm, separate, wasmSections, esbuild: esbuild.version };
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out/size.json'), JSON.stringify(summary, null, 1));
writeFileSync(join(HERE, 'out/size.md'), md.join('\n'));
console.log(md.join('\n'));
