// The package works unmodified in every browser environment of SPEC 1, in
// real headless Chromium, against the built package: a plain
// <script type="module"> page, webpack 5 (default production config), Vite's
// production build, the Vite dev server, and esbuild (bundle, minify, ESM,
// splitting). Each app is built from the same source (tests/js/setups.mjs),
// served over HTTP on 127.0.0.1 and loaded in a fresh browser context; the
// test reads what the app saw and every response the page received.
//
// What each test proves:
// - the app ran: Okra.events lists the 37 catalog events, buildWithOptions +
//   screen('bank') delivered USER_CONNECTING, USER_CONNECTED and
//   USER_VIEWED_BANKS to onEvent, and sessionId is a UUID; no page error;
// - the wasm came as its own file: the page fetched exactly one wasm module,
//   byte for byte the package's okra_events_bg.wasm;
// - the base64 fallback was not downloaded: no response holds its text
//   (whatever the bundler named the file or chunk that contains it), although
//   the build does contain it (so the check can fail);
// - except esbuild without the .wasm copied beside the bundle: there the
//   .wasm request fails (404), the page imports the fallback chunk, and the
//   app works all the same.
//
// Node (import in a child process), import by package name and SSR are
// tested in tests/js/import.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser } from '../e2e/demo.mjs';
import { PKG_DIR, SETUPS, fallbackMarker, isWasm, runSetup } from './setups.mjs';

const WASM = readFileSync(join(PKG_DIR, 'okra_events_bg.wasm'));
const MARKER = fallbackMarker();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

function assertRan(run) {
  assert.deepEqual(run.errors, [], 'no error in the page');
  assert.equal(run.result.catalog, 37, 'Okra.events lists the catalog');
  assert.deepEqual(run.result.seen, ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS'], 'onEvent got the events, in order');
  assert.match(run.result.sessionId, UUID, 'sessionId is a UUID');
}

const fallbackResponses = (run) => run.responses.filter((r) => r.body.includes(MARKER));
const describe = (run) => run.responses.map((r) => `${r.status} ${r.path}`).join(', ');

/** The default path: the .wasm fetched once, the fallback never. */
function assertWasmFileNoFallback(run) {
  const wasm = run.responses.filter(isWasm);
  assert.equal(wasm.length, 1, `exactly one wasm module fetched (responses: ${describe(run)})`);
  assert.ok(wasm[0].body.equals(WASM), `${wasm[0].path} is the package's okra_events_bg.wasm`);
  assert.deepEqual(fallbackResponses(run).map((r) => r.path), [], 'the base64 fallback is not downloaded');
  assert.ok(!run.responses.some((r) => /okra_events_wasm/.test(r.path)), `no request for okra_events_wasm (responses: ${describe(run)})`);
  if (run.served) assert.ok(!run.served.some((p) => /okra_events_wasm/.test(p)), 'the server was never asked for okra_events_wasm');
}

/** The output holds the fallback: the name of the file that does (so "not requested" means something). */
function fallbackFile(run) {
  const found = run.files.filter((f) => readFileSync(join(run.dir, 'dist', f)).includes(MARKER));
  assert.equal(found.length, 1, `one output file holds the base64 fallback (output: ${run.files.join(', ')})`);
  assert.ok(!run.files.some((f) => f !== found[0] && f.endsWith('.js') && readFileSync(join(run.dir, 'dist', f)).includes(MARKER)));
  return found[0];
}

const opts = { timeout: 240_000 };

test('a plain <script type="module"> page imports pkg/index.js and runs; it fetches the .wasm, not the fallback', opts, async () => {
  const run = await runSetup(browser, 'module page');
  assertRan(run);
  assertWasmFileNoFallback(run);
  const fetched = run.responses.filter((r) => r.path.startsWith('/node_modules/okra-events/')).map((r) => r.path.split('/').pop());
  assert.ok(fetched.includes('index.js') && fetched.includes('okra_events_bg.wasm'), `fetched ${fetched.join(', ')}`);
});

test('webpack 5 (production, target web, no configuration) bundles it; the bundle runs and fetches the .wasm asset', opts, async () => {
  const run = await runSetup(browser, 'webpack 5', { keep: true });
  try {
    assertRan(run);
    assertWasmFileNoFallback(run);
    assert.ok(run.files.some((f) => f.endsWith('.wasm')), `webpack emitted the .wasm as an asset (output: ${run.files.join(', ')})`);
    const chunk = fallbackFile(run);
    assert.notEqual(chunk, 'main.js', 'the fallback is its own chunk, not in the entry bundle');
  } finally {
    cleanup(run);
  }
});

test("Vite's production build (index.html + module script, no config, no plugin) runs and fetches the .wasm asset", opts, async () => {
  const run = await runSetup(browser, 'Vite build', { keep: true });
  try {
    assertRan(run);
    assertWasmFileNoFallback(run);
    assert.ok(run.files.some((f) => /^assets\/.*\.wasm$/.test(f)), `Vite emitted the .wasm as an asset (output: ${run.files.join(', ')})`);
    const chunk = fallbackFile(run);
    const entry = run.responses.find((r) => /^\/assets\/index-.*\.js$/.test(r.path));
    assert.ok(entry && `/${chunk}` !== entry.path, 'the fallback is its own chunk, not in the entry bundle');
  } finally {
    cleanup(run);
  }
});

test("Vite's production build with the README's line that leaves the fallback out: nothing in the build holds the base64 copy, and the app runs", opts, async () => {
  const run = await runSetup(browser, 'Vite build, fallback left out', { keep: true });
  try {
    assertRan(run);
    assertWasmFileNoFallback(run);
    const marker = fallbackMarker();
    const holding = run.files.filter((f) => readFileSync(join(run.dir, 'dist', f), 'latin1').includes(marker));
    assert.deepEqual(holding, [], 'no emitted file holds the base64 fallback');
  } finally {
    cleanup(run);
  }
});

test('the Vite dev server (dependencies pre-bundled) serves the app; it runs and fetches the .wasm', opts, async () => {
  const run = await runSetup(browser, 'Vite dev server');
  assertRan(run);
  assertWasmFileNoFallback(run);
  assert.ok(run.responses.some((r) => r.path.startsWith('/node_modules/.vite/deps/okra-events')), `okra-events was pre-bundled (responses: ${describe(run)})`);
});

test('esbuild (bundle, minify, ESM, splitting) with the .wasm copied beside the bundle: runs, fetches the .wasm, not the fallback', opts, async () => {
  const run = await runSetup(browser, 'esbuild + copied .wasm', { keep: true });
  try {
    assertRan(run);
    assertWasmFileNoFallback(run);
    assert.notEqual(fallbackFile(run), 'app.js', 'the fallback is its own chunk, not in the entry bundle');
  } finally {
    cleanup(run);
  }
});

test('esbuild without the .wasm copied: the .wasm request fails, the entry imports the base64 fallback, and the app still works', opts, async () => {
  const run = await runSetup(browser, 'esbuild, no .wasm copied', { keep: true });
  try {
    assert.equal(SETUPS['esbuild, no .wasm copied'].usesFallback, true);
    assertRan(run);
    const wasmRequest = run.responses.find((r) => r.path.endsWith('/okra_events_bg.wasm'));
    assert.equal(wasmRequest?.status, 404, `the .wasm was asked for first and is not there (responses: ${describe(run)})`);
    assert.equal(run.responses.filter(isWasm).length, 0, 'no wasm file was served');
    const chunk = fallbackFile(run);
    const used = fallbackResponses(run);
    assert.deepEqual(used.map((r) => r.path), [`/${chunk}`], 'the fallback chunk was downloaded, once');
    assert.equal(used[0].status, 200);
  } finally {
    cleanup(run);
  }
});

function cleanup(run) {
  rmSync(run.dir, { recursive: true, force: true });
}
