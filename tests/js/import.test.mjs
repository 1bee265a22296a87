// Importing the package: in this process, without `window` (SSR) in a clean
// child process, by its package name through `exports`, and with a minimal
// fake window.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { Okra, OkraModule, PKG_DIR, PKG_ENTRY, runModule } from './helpers.mjs';

test('the default export is Okra, also exported by name, and ready right after import', () => {
  assert.equal(typeof Okra, 'object');
  assert.equal(OkraModule.Okra, Okra);
  assert.equal(typeof Okra.buildWithOptions, 'function');
  assert.ok(Array.isArray(Okra.events));
  assert.equal(Okra.events.length, 37);
});

test('Okra.version is the package version', async () => {
  const pkg = JSON.parse(await readFile(join(PKG_DIR, 'package.json'), 'utf8'));
  assert.equal(Okra.version, pkg.version);
});

test('importing without window (SSR) works; buildWithOptions then throws a clear Error and reports it to onError', async () => {
  const { result } = await runModule(`
    const before = { window: typeof window, navigator: typeof navigator };
    const { default: Okra, Okra: Named } = await import(${JSON.stringify(PKG_ENTRY)});
    const out = { before, sameNamed: Named === Okra, catalog: Okra.events.length, windowAfterImport: typeof window };
    const calls = [];
    try {
      Okra.buildWithOptions({ key: 'pk', token: 'tk', onError: (json, error) => calls.push({ json, error, errorIsObject: typeof error === 'object' && error !== null }) });
      out.threw = false;
    } catch (e) {
      out.threw = true;
      out.name = e.name;
      out.isError = e instanceof Error;
      out.message = e.message;
      out.onErrorCalls = calls.length;
      out.sameError = calls.length === 1 && calls[0].error === e;
      out.json = calls[0] && calls[0].json;
    }
    try {
      Okra.buildWithOptions({ key: 'pk', token: 5 });
      out.badThrew = false;
    } catch (e) {
      out.badThrew = true;
      out.badName = e.name;
      out.badMessage = e.message;
    }
    console.log(JSON.stringify(out));
  `);
  assert.deepEqual(result.before, { window: 'undefined', navigator: 'undefined' });
  assert.equal(result.sameNamed, true);
  assert.equal(result.catalog, 37);
  assert.equal(result.windowAfterImport, 'undefined', 'importing must not define window');
  assert.equal(result.threw, true, 'buildWithOptions must throw without window');
  assert.equal(result.isError, true);
  assert.match(result.message, /window/);
  assert.equal(result.onErrorCalls, 1, 'onError is called once');
  assert.equal(result.sameError, true, 'onError gets the thrown error object');
  assert.equal(result.json.error.message, result.message);
  assert.equal(result.json.error.type, 'NO_WINDOW');
  // Bad options are still reported as such where there is no window.
  assert.equal(result.badThrew, true);
  assert.equal(result.badName, 'TypeError');
  assert.match(result.badMessage, /`token`/);
});

test('the SSR child process exits on its own after importing (nothing keeps it alive)', async () => {
  const { result } = await runModule(`
    await import(${JSON.stringify(PKG_ENTRY)});
    console.log(JSON.stringify({ ok: true }));
  `);
  assert.deepEqual(result, { ok: true });
});

let scratch;
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test("importing by the package name 'okra-events' resolves through package.json exports", async () => {
  scratch = await mkdtemp(join(tmpdir(), 'okra-events-import-'));
  await mkdir(join(scratch, 'node_modules'), { recursive: true });
  await symlink(PKG_DIR, join(scratch, 'node_modules', 'okra-events'), 'dir');
  const { result } = await runModule(
    `
    import Okra, { Okra as Named } from 'okra-events';
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const pkg = require('okra-events/package.json');
    console.log(JSON.stringify({
      same: Okra === Named,
      build: typeof Okra.buildWithOptions,
      catalog: Okra.events.length,
      resolved: import.meta.resolve('okra-events'),
      name: pkg.name,
      version: Okra.version === pkg.version,
    }));
  `,
    { cwd: scratch },
  );
  assert.equal(result.same, true);
  assert.equal(result.build, 'function');
  assert.equal(result.catalog, 37);
  assert.match(result.resolved, /\/index\.js$/);
  assert.equal(result.name, 'okra-events');
  assert.equal(result.version, true);
});

// A minimal fake window, exactly as a test or SSR-hydration harness would
// set it up: an EventTarget with navigator and location, and no `window`
// property pointing to itself. Both the first window the SDK sees and a later
// replacement must be the ones it uses.
test('a minimal fake window (no window.window) is used, also when it is replaced later', async () => {
  const { result } = await runModule(`
    const { default: Okra } = await import(${JSON.stringify(PKG_ENTRY)});
    const mk = (href) => Object.assign(new EventTarget(), { navigator: { onLine: true }, location: { href } });
    const out = {};
    const seen1 = [], seen2 = [];
    globalThis.window = mk('https://first.example/:ref/landing');
    try {
      Okra.buildWithOptions({ key: 'pk', token: 'tk', onEvent: (e) => seen1.push([e.event_name, e.event_location]) });
      out.first = 'ok';
    } catch (e) {
      out.first = e.message;
    }
    globalThis.window = mk('https://second.example/:ref/bank');
    try {
      Okra.buildWithOptions({ key: 'pk', token: 'tk', onEvent: (e) => seen2.push([e.event_name, e.event_location]) });
      out.second = 'ok';
    } catch (e) {
      out.second = e.message;
    }
    window.dispatchEvent(new Event('offline'));
    Object.assign(out, { seen1, seen2 });
    console.log(JSON.stringify(out));
    process.exit(0);
  `);
  assert.equal(result.first, 'ok', 'buildWithOptions must accept the first fake window');
  assert.equal(result.second, 'ok', 'buildWithOptions must accept the second fake window');
  assert.deepEqual(result.seen1, [['USER_CONNECTING', 'https://first.example/:ref/landing']]);
  assert.deepEqual(result.seen2, [
    ['USER_CONNECTING', 'https://second.example/:ref/bank'],
    ['USER_NETWORK_DISCONNECTED', 'https://second.example/:ref/bank'],
  ]);
});
