// Benchmark (issues 5 and 9): what okra-events costs a page, beside the SDKs
// it replaces.
//
// 1. SPEC 9's figure: a plain <script type="module"> page imports the package,
//    builds a handler and emits events, in headless Chromium; every file the
//    page fetched from the package (recorded from its responses), gzip -9
//    each, summed. Target ≤ 18 KB.
// 2. The same app through esbuild (bundle, minify, ESM, splitting, the .wasm
//    copied beside the bundle as the README says), Vite's production build and
//    webpack 5: every JS and wasm file the page fetched, gzip -9 each, summed.
//    Target ≤ 20 KB each. The setups are tests/js/setups.mjs, the ones
//    tests/js/bundlers.test.mjs proves; the base64 fallback must not be among
//    the downloads (reported if it is).
// 3. The bytes by part: the wasm by crate (twiggy, on the release wasm before
//    wasm-bindgen and wasm-opt, which still has names, scaled to the shipped
//    size), the JS modules, and the fallback file (never downloaded by default).
// 4. The incumbents: each npm SDK bundled from a one-line entry with esbuild
//    (one file, dynamic imports included), raw, gzip -9 and brotli 11.
//
// Run: node bench/size.mjs   (needs pkg/, `npm ci` in bench/, Vite in
// www/node_modules). Writes bench/out/size.json and bench/out/size.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

import { launchBrowser } from '../tests/e2e/demo.mjs';
import { fallbackMarker, isWasm, runSetup } from '../tests/js/setups.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const PKG = join(ROOT, 'pkg');
const require = createRequire(import.meta.url);
const NAMES_FILE = join(HERE, 'out/wasm-names.json');
// The widget's page (SPEC 9), the issue of the widget's page: "38 KB" (1 KB = 1,000 bytes), aim 32 KB.
const TARGET_PAGE = 38_000;
const AIM_PAGE = 32_000;
const TARGET_BUNDLED = 38_000; // each bundler's figure
const log = (...a) => console.error('[size]', ...a);

// The entry a user writes, as each package's README shows it.
const PACKAGES = [
  ['okra-js', "import Okra from 'okra-js'; window.x = Okra;"],
  ['npm-okrajs', "import Okra from 'npm-okrajs'; window.x = Okra;"],
  ['@mono.co/connect.js', "import Connect from '@mono.co/connect.js'; window.x = Connect;"],
  ['@segment/analytics-next', "import { AnalyticsBrowser } from '@segment/analytics-next'; window.x = AnalyticsBrowser;"],
  ['@snowplow/browser-tracker', "import { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker'; window.x = { newTracker, trackSelfDescribingEvent };"],
  ['@rudderstack/analytics-js', "import { RudderAnalytics } from '@rudderstack/analytics-js'; window.x = RudderAnalytics;"],
  ['@amplitude/analytics-browser', "import * as amplitude from '@amplitude/analytics-browser'; window.x = amplitude;"],
  ['posthog-js', "import posthog from 'posthog-js'; window.x = posthog;"],
];

const gzip = (buf) => gzipSync(buf, { level: 9 }).length;
const measure = (buf) => ({
  raw: buf.length,
  gzip: gzip(buf),
  brotli: brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});
const sum = (parts) => parts.reduce((a, p) => ({ raw: a.raw + p.raw, gzip: a.gzip + p.gzip, brotli: a.brotli + p.brotli }), { raw: 0, gzip: 0, brotli: 0 });

// ------------------------------------------------------- okra-events' pages
const MARKER = fallbackMarker();
const SETUP_ROWS = [
  ['module page', 'plain `<script type="module">` page, the package served as is (SPEC 9)', TARGET_PAGE],
  ['esbuild + copied .wasm', 'esbuild: bundle, minify, ESM, splitting; the .wasm copied beside the bundle', TARGET_BUNDLED],
  ['Vite build', "Vite's production build (index.html + module script, no config)", TARGET_BUNDLED],
  ['webpack 5', 'webpack 5, production, target web, no config', TARGET_BUNDLED],
];
const pages = [];
{
  const browser = await launchBrowser();
  try {
    for (const [name, how, target] of SETUP_ROWS) {
      const run = await runSetup(browser, name);
      const ok = run.result?.catalog === 37 && run.result.seen?.join() === 'USER_CONNECTING,USER_CONNECTED,USER_VIEWED_BANKS';
      if (!ok || run.errors.length) throw new Error(`${name}: the app did not run as expected: ${JSON.stringify({ result: run.result, errors: run.errors })}`);
      // The module page: what came from the package. A bundle: every JS and wasm file.
      const counted = run.responses.filter((r) => r.status === 200 && (name === 'module page'
        ? r.path.startsWith('/node_modules/okra-events/')
        : /javascript/.test(r.type) || isWasm(r)));
      const files = counted.map((r) => ({ path: r.path, wasm: isWasm(r), ...measure(r.body) }));
      pages.push({
        name, how, target, files,
        total: sum(files),
        fallbackDownloaded: run.responses.filter((r) => r.body.includes(MARKER)).map((r) => r.path),
        requests: run.responses.length,
      });
      log(`${name}: ${files.length} files, ${sum(files).gzip} B gzip`);
    }
  } finally {
    await browser.close();
  }
}
const page = pages[0];

// ------------------------------------------------------------ the incumbents
async function bundle(contents) {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: HERE, loader: 'js', sourcefile: 'entry.js' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' }, legalComments: 'none',
  });
  return Buffer.from(r.outputFiles[0].contents);
}
const version = (name) => {
  for (const f of [() => require.resolve(`${name}/package.json`), () => join(HERE, 'node_modules', name, 'package.json')]) {
    try {
      return JSON.parse(readFileSync(f(), 'utf8')).version;
    } catch {}
  }
  return null;
};
const rows = [];
for (const [name, entry] of PACKAGES) {
  try {
    rows.push({ name, version: version(name), entry, ...measure(await bundle(entry)) });
  } catch (e) {
    rows.push({ name, version: version(name), entry, error: (e.errors?.[0]?.text || e.message).split('\n')[0] });
  }
}
// okra-events beside them: the same esbuild, as its page downloads it.
const viaEsbuild = pages.find((p) => p.name === 'esbuild + copied .wasm');
rows.push({ name: 'okra-events', version: version('okra-events'), entry: 'tests/js/setups.mjs app (import, buildWithOptions, screen)', ...viaEsbuild.total, okra: true });
rows.sort((a, b) => (a.gzip ?? Infinity) - (b.gzip ?? Infinity));

// ----------------------------------------------------------------- by part
const wasm = readFileSync(join(PKG, 'okra_events_bg.wasm'));
const okraWasm = measure(wasm);
const bindgenWasm = join(ROOT, 'target/bindgen/okra_events_bg.wasm');
const sameAsBuilt = existsSync(bindgenWasm) ? readFileSync(bindgenWasm).equals(wasm) : null;
const fallback = measure(readFileSync(join(PKG, 'okra_events_wasm.js')));
const jsModules = page.files.filter((f) => !f.wasm);
const okraJs = sum(jsModules);
const bundledJs = sum(viaEsbuild.files.filter((f) => !f.wasm));

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

const run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const why = (r) => String(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
const releaseWasm = () => [process.env.CARGO_TARGET_DIR, 'target/wasm-debian', 'target'].filter(Boolean)
  .map((d) => resolve(ROOT, d, 'wasm32-unknown-unknown/release/okra_events.wasm')).find(existsSync);

// Function names by index for bench/speed.mjs's CPU profile: the release wasm
// through the same wasm-bindgen and wasm-opt -Oz as scripts/build.sh, names
// kept (-g), if its code is the shipped code, function for function.
function writeNames(release) {
  rmSync(NAMES_FILE, { force: true });
  const dir = mkdtempSync(join(tmpdir(), 'okra-size-'));
  try {
    let r = run('wasm-bindgen', ['--target', 'web', '--weak-refs', '--no-typescript', '--out-dir', dir, release]);
    if (r.status !== 0) return `wasm-bindgen failed: ${why(r)}`;
    const named = join(dir, 'named.wasm');
    r = run(join(ROOT, 'node_modules/.bin/wasm-opt'), ['-Oz', '-g', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
      '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
      '--strip-producers', join(dir, 'okra_events_bg.wasm'), '-o', named]);
    if (r.status !== 0) return `wasm-opt failed: ${why(r)}`;
    const namedBuf = readFileSync(named);
    const a = bodySizes(namedBuf);
    const b = bodySizes(wasm);
    if (!(a.length === b.length && a.every((x, k) => x === b[k]))) return 'the release build under target/ is not the one in pkg/';
    const sha256 = createHash('sha256').update(wasm).digest('hex');
    writeFileSync(NAMES_FILE, JSON.stringify({ wasmSha256: sha256, names: functionNames(namedBuf) }));
    return 'written';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The core crate's modules (`engine::sender` for crates/core/src/engine/sender.rs),
 * each with the first line of its module doc: what the module holds.
 */
const CORE_MODULES = (() => {
  const src = join(ROOT, 'crates/core/src');
  const out = new Map();
  const walk = (dir, prefix) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), [...prefix, e.name]);
      else if (e.name.endsWith('.rs') && e.name !== 'lib.rs') {
        const path = e.name === 'mod.rs' ? prefix : [...prefix, e.name.slice(0, -3)];
        // The module doc's first sentence (its first paragraph, up to the first full stop).
        const lines = [];
        for (const line of readFileSync(join(dir, e.name), 'utf8').split('\n')) {
          const m = /^\/\/!\s?(.*)$/.exec(line);
          if (!m || (m[1] === '' && lines.length)) break;
          if (m[1]) lines.push(m[1]);
        }
        const para = lines.join(' ');
        const doc = (/^.*?\.(?=\s|$)/.exec(para)?.[0] ?? para).replace(/\[`([^`]+)`\]/g, '`$1`');
        out.set(path.join('::'), doc);
      }
    }
  };
  walk(src, []);
  return out;
})();

// Where the wasm's bytes go, by crate: `twiggy top` of the release wasm as
// cargo leaves it (before wasm-bindgen and wasm-opt; it still has names).
// What wasm-bindgen removes (its descriptors and custom section) and the names
// are left out; the rest is scaled to the shipped wasm's size. An estimate:
// wasm-opt -Oz does not shrink every crate alike.
function crates(release) {
  if (process.env.BENCH_SIZE_PROFILE === '0') return { missing: 'skipped (BENCH_SIZE_PROFILE=0)' };
  if (!release) return { missing: 'no release wasm under target/' };
  if (run('twiggy', ['--version']).status !== 0) return { missing: 'twiggy is not installed (cargo install twiggy)' };
  const r = run('twiggy', ['top', '-n', '1000000', '-f', 'json', release]);
  if (r.status !== 0) return { missing: `twiggy failed: ${why(r)}` };
  const all = JSON.parse(r.stdout);
  const dropped = (n) => /subsection|^custom section|__wbindgen_describe/.test(n);
  const items = all.filter((it) => !dropped(it.name));
  const group = (n) => {
    if (/^data segment/.test(n)) return 'data segments (string constants, catalog text, tables)';
    if (/__wbindgen|__externref|^import __wbindgen|externref/.test(n)) return 'wasm-bindgen runtime (malloc/free exports, externref table)';
    if (/^(import|export) /.test(n)) return 'import/export entries';
    if (/^(type|table|memory|global|elem)\b/.test(n)) return 'wasm structure (types, table, globals)';
    if (/^__rustc|^__rust_/.test(n)) return 'std';
    if (/^call_[0-9a-f]{16}$/.test(n)) return 'wasm-bindgen export shim of `call`';
    const m = /([A-Za-z_][A-Za-z0-9_]*)\[[0-9a-f]+\]/.exec(n);
    if (m) return m[1];
    if (/^<(str|char|u\d+|i\d+|usize|isize|f\d+|bool|\[)/.test(n)) return 'core';
    return 'other';
  };
  const groups = new Map();
  for (const it of items) groups.set(group(it.name), (groups.get(group(it.name)) || 0) + it.shallow_size);
  const total = items.reduce((a, it) => a + it.shallow_size, 0);
  // okra_events_core by module: the longest module path of crates/core/src an item is named by.
  const modules = new Map();
  for (const it of items) {
    const m = /okra_events_core(?:\[[0-9a-f]+\])?((?:::[a-z_][a-z0-9_]*)+)/.exec(it.name);
    if (!m || group(it.name) !== 'okra_events_core') continue;
    const path = m[1].slice(2).split('::');
    while (path.length > 1 && !CORE_MODULES.has(path.join('::'))) path.pop();
    const mod = CORE_MODULES.has(path.join('::')) ? path.join('::') : '(crate root)';
    modules.set(mod, (modules.get(mod) || 0) + it.shallow_size);
  }
  return {
    release: release.slice(ROOT.length + 1),
    releaseBytes: readFileSync(release).length,
    droppedBytes: all.filter((it) => dropped(it.name)).reduce((a, it) => a + it.shallow_size, 0),
    total,
    groups: [...groups].sort((a, b) => b[1] - a[1]),
    modules: [...modules].sort((a, b) => b[1] - a[1]),
    top: items.sort((a, b) => b.shallow_size - a.shallow_size).slice(0, 15).map((it) => [it.name, it.shallow_size]),
  };
}
mkdirSync(join(HERE, 'out'), { recursive: true });
const release = releaseWasm();
const names = release ? writeNames(release) : 'no release wasm under target/';
const prof = crates(release);

// -------------------------------------------------------------------- report
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const mark = (ok) => (ok ? 'met' : '**missed**');
const snowplow = rows.find((r) => r.name === '@snowplow/browser-tracker');
const md = [];
md.push('### What a page downloads (SPEC 9; target ≤ 18 KB gzip for the module page, ≤ 20 KB through each bundler)', '');
md.push(`The same app (import \`okra-events\`, \`buildWithOptions\` with \`onEvent\`, \`screen('bank')\`; tests/js/setups.mjs) loaded over HTTP on 127.0.0.1 in headless Chromium, in a fresh context. Counted: every file the page fetched from the package (module page), or every JS and wasm file it fetched (bundlers; their JS includes the app's few lines). Each file compressed on its own with gzip -9 and brotli 11 (Node zlib), then summed. 1 KB = 1,000 bytes. Baseline: @snowplow/browser-tracker${snowplow?.gzip ? ` (${kb(snowplow.gzip)} gzip)` : ''}, the smallest analytics SDK below.`, '');
md.push('| how the page gets okra-events | files fetched | raw | gzip -9 | brotli | base64 fallback downloaded | target | result | ratio vs Snowplow (gzip) |', '| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |');
for (const p of pages) {
  const fb = p.fallbackDownloaded.length ? `**yes** (${p.fallbackDownloaded.join(', ')})` : 'no';
  md.push(`| ${p.how} | ${p.files.length} | ${kb(p.total.raw)} | **${kb(p.total.gzip)}** | ${kb(p.total.brotli)} | ${fb} | ≤ ${kb(p.target)}${p.name === 'module page' ? ` (aim ${kb(AIM_PAGE)})` : ''} | ${mark(p.total.gzip <= p.target)} | ${snowplow?.gzip ? (p.total.gzip / snowplow.gzip).toFixed(2) : '—'} |`);
}
md.push('');
md.push('<details><summary>The files each page fetched</summary>', '');
md.push('| page | file | raw | gzip -9 | brotli |', '| --- | --- | ---: | ---: | ---: |');
for (const p of pages) for (const f of p.files) md.push(`| ${p.name} | \`${f.path}\` | ${f.raw.toLocaleString('en-US')} B | ${f.gzip.toLocaleString('en-US')} B | ${f.brotli.toLocaleString('en-US')} B |`);
md.push('', '</details>', '');

md.push('### okra-events by part', '');
md.push('| part | raw | gzip -9 | brotli | downloaded by default |', '| --- | ---: | ---: | ---: | --- |');
md.push(`| wasm, \`okra_events_bg.wasm\` after wasm-opt -Oz${sameAsBuilt === true ? ' (identical to target/bindgen/)' : sameAsBuilt === false ? ' (**differs from target/bindgen/**)' : ''} | ${kb(okraWasm.raw)} | ${kb(okraWasm.gzip)} | ${kb(okraWasm.brotli)} | yes |`);
md.push(`| JS modules as shipped, ${jsModules.length} files (sum of each file; below) | ${kb(okraJs.raw)} | ${kb(okraJs.gzip)} | ${kb(okraJs.brotli)} | yes |`);
for (const f of jsModules) md.push(`| &nbsp;&nbsp;\`${f.path.split('/').pop()}\` | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.brotli)} | yes |`);
md.push(`| the same JS bundled and minified by esbuild (with the app) | ${kb(bundledJs.raw)} | ${kb(bundledJs.gzip)} | ${kb(bundledJs.brotli)} | yes |`);
md.push(`| base64 fallback, \`okra_events_wasm.js\` | ${kb(fallback.raw)} | ${kb(fallback.gzip)} | ${kb(fallback.brotli)} | **no**: only where the .wasm cannot be fetched (tests/js/bundlers.test.mjs proves no setup's default path fetches it) |`);
md.push('');
md.push('Wasm sections (raw bytes): ' + wasmSections.map(([n, b]) => `${n} ${kb(b)}`).join(', ') + '.', '');
if (prof.groups) {
  const scale = okraWasm.raw / prof.total;
  md.push(`The wasm by crate: \`twiggy top\` of \`${prof.release}\` (${kb(prof.releaseBytes)}: the release wasm before wasm-bindgen and wasm-opt, which still has names), leaving out what never ships (the names section, wasm-bindgen's descriptors and custom section: ${kb(prof.droppedBytes)}), i.e. ${kb(prof.total)}, then **scaled** to the shipped ${kb(okraWasm.raw)} (× ${scale.toFixed(3)}) and its ${kb(okraWasm.gzip)} gzip by share. An estimate: wasm-opt -Oz and gzip do not shrink every crate alike.`, '');
  md.push('| crate or kind | before wasm-opt | share | ≈ in the shipped wasm, raw | ≈ gzip |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [g, b] of prof.groups.slice(0, 12)) md.push(`| ${g} | ${kb(b)} | ${((b / prof.total) * 100).toFixed(1)}% | ${kb(b * scale)} | ${kb((b / prof.total) * okraWasm.gzip)} |`);
  const rest = prof.groups.slice(12).reduce((a, [, b]) => a + b, 0);
  if (rest) md.push(`| everything else | ${kb(rest)} | ${((rest / prof.total) * 100).toFixed(1)}% | ${kb(rest * scale)} | ${kb((rest / prof.total) * okraWasm.gzip)} |`);
  if (prof.modules?.length) {
    const core = prof.modules.reduce((a, [, b]) => a + b, 0);
    md.push('', `okra_events_core by module (the same estimate; ${kb((core / prof.total) * okraWasm.gzip)} gzip in all). These are the rules the issue keeps in Rust:`, '');
    md.push('| module | what it holds (its module doc) | before wasm-opt | ≈ gzip |', '| --- | --- | ---: | ---: |');
    for (const [m, b] of prof.modules) md.push(`| \`${m}\` | ${(CORE_MODULES.get(m) ?? '').replace(/\|/g, '\\|')} | ${kb(b)} | ${kb((b / prof.total) * okraWasm.gzip)} |`);
  }
  md.push('', '<details><summary>The 15 largest items before wasm-opt</summary>', '', '| item | bytes |', '| --- | ---: |');
  const short = (n) => n.replace(/\[[0-9a-f]{8,}\]/g, '').replace(/\|/g, '\\|').slice(0, 140);
  for (const [n, b] of prof.top) md.push(`| \`${short(n)}\` | ${b.toLocaleString('en-US')} |`);
  md.push('', '</details>', '');
} else md.push(`(No per-crate breakdown: ${prof.missing}.)`, '');

md.push('### Incumbents', '');
md.push(`Each SDK bundled from a one-line entry (as its README imports it) with esbuild ${esbuild.version} (\`bundle, minify, format: esm, platform: browser\`, one file: dynamic imports bundled in), then gzip -9 and brotli 11. okra-events' row is its esbuild page above (bundle + .wasm, what the page downloads). Sorted by gzip.`, '');
md.push('| package | version | raw | gzip -9 | brotli | gzip ratio vs okra-events |', '| --- | --- | ---: | ---: | ---: | ---: |');
const okraRow = rows.find((r) => r.okra);
for (const r of rows) {
  if (r.error) md.push(`| ${r.name} | ${r.version ?? '—'} | — | — | — | failed to bundle: ${r.error} |`);
  else md.push(`| ${r.okra ? '**okra-events**' : r.name} | ${r.version} | ${kb(r.raw)} | ${r.okra ? `**${kb(r.gzip)}**` : kb(r.gzip)} | ${kb(r.brotli)} | ${(r.gzip / okraRow.gzip).toFixed(2)} |`);
}
md.push('', '<details><summary>The entry file of each bundle</summary>', '');
for (const r of rows) md.push(`- ${r.name}: ${r.okra ? r.entry : `\`${r.entry}\``}`);
md.push('', '</details>', '');

const summary = {
  pages: pages.map(({ files, ...p }) => ({ ...p, files: files.map((f) => ({ ...f })), met: p.total.gzip <= p.target })),
  rows, okraWasm, okraJs, bundledJs, fallback, wasmSections, profile: prof, names, sameAsBuilt, esbuild: esbuild.version,
};
writeFileSync(join(HERE, 'out/size.json'), JSON.stringify(summary, null, 1));
writeFileSync(join(HERE, 'out/size.md'), md.join('\n'));
console.log(md.join('\n'));
