// The package works unmodified from a bundler: webpack 5 and Vite (its
// production build, Rollup-based) each bundle an app that imports
// 'okra-events' with no plugin and no wasm or asset configuration, and the
// bundle runs: the catalog is there and buildWithOptions emits USER_CONNECTING.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, symlinkSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const require = createRequire(import.meta.url);

// An app as a user writes it: it imports the package by name.
const APP = `
import Okra from 'okra-events';
const seen = [];
const handler = Okra.buildWithOptions({ key: 'pk', token: 'tok', onEvent: (e) => seen.push(e.event_name) });
handler.screen('bank');
globalThis.result = { catalog: Okra.events.length, seen, sessionId: handler.sessionId };
`;

/** A scratch project whose node_modules/okra-events is the built package. */
function project() {
  const dir = mkdtempSync(join(tmpdir(), 'okra-bundle-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(root, 'pkg'), join(dir, 'node_modules', 'okra-events'), 'dir');
  writeFileSync(join(dir, 'app.js'), APP);
  return dir;
}

/** Runs a bundle in a fresh context with a minimal browser window. */
function run(code) {
  const window = new EventTarget();
  Object.assign(window, { navigator: { onLine: true }, location: { href: 'https://shop.example/checkout' } });
  // The context has its own built-ins (WebAssembly, typed arrays, JSON);
  // only what a page adds to them is passed in.
  const context = { window, atob, TextDecoder, TextEncoder, console, setTimeout, clearTimeout, crypto: globalThis.crypto };
  context.globalThis = context;
  runInNewContext(code, context);
  // Values from another realm: compare them as plain data.
  return JSON.parse(JSON.stringify(context.result));
}

function assertRan(result) {
  assert.equal(result.catalog, 37, 'Okra.events lists the catalog');
  assert.deepEqual(result.seen, ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS']);
  assert.match(result.sessionId, /^[0-9a-f-]{36}$/);
}

test('webpack 5 bundles the package with its default configuration, and the bundle runs', { timeout: 120_000 }, async (t) => {
  const webpack = require('webpack');
  const dir = project();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const stats = await new Promise((ok, fail) => webpack({
    mode: 'production',
    context: dir,
    entry: './app.js',
    target: 'web',
    output: { path: join(dir, 'dist'), filename: 'bundle.js' },
    resolve: { symlinks: false },
  }, (err, s) => (err ? fail(err) : ok(s))));
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  const files = readdirSync(join(dir, 'dist'));
  assert.deepEqual(files.filter((f) => !f.endsWith('.txt')), ['bundle.js'], 'one JS file, no wasm asset to serve');
  assertRan(run(readFileSync(join(dir, 'dist', 'bundle.js'), 'utf8')));
});

test('Vite builds an app that imports the package, with no plugin, and the bundle runs', { timeout: 120_000 }, async (t) => {
  let vite;
  try {
    vite = await import(join(root, 'www', 'node_modules', 'vite', 'dist', 'node', 'index.js'));
  } catch {
    assert.fail('Vite is not installed: run scripts/demo.sh --build-only first (make test does)');
  }
  const dir = project();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./app.js"></script>');
  await vite.build({
    root: dir,
    logLevel: 'silent',
    configFile: false,
    build: { outDir: join(dir, 'dist'), lib: { entry: join(dir, 'app.js'), formats: ['iife'], name: 'app', fileName: () => 'app.js' } },
  });
  const files = readdirSync(join(dir, 'dist'));
  assert.deepEqual(files, ['app.js'], 'one JS file, no wasm asset to serve');
  assertRan(run(readFileSync(join(dir, 'dist', 'app.js'), 'utf8')));
});
