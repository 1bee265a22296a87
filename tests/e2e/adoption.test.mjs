// What stops a real team, in real Chromium against the built package (pkg/):
//   - a strict Content Security Policy must not break the merchant's import;
//   - a side-effect-only `import 'okra-events'`, bundled by esbuild, must
//     still send what an earlier page left queued.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { serve } from '../../www/serve.mjs';
import { launchBrowser, WAIT_MS } from './demo.mjs';
import { PKG, startReceiver } from './receiver.mjs';

const TEST_TIMEOUT = 120_000;
const FIXTURES = resolve(fileURLToPath(new URL('./fixtures', import.meta.url)));
const ROOTS = { '/pkg/': PKG, '/fixtures/': FIXTURES };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(() => browser?.close());

async function cspPage(t, policy) {
  const server = await serve({ roots: ROOTS, headers: { 'content-security-policy': policy } });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const violations = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) violations.push(m.text());
  });
  t.after(async () => {
    await context.close();
    await server.close();
  });
  await page.goto(`${server.url}fixtures/csp.html`);
  await page.waitForFunction(() => window.__csp, null, { timeout: WAIT_MS });
  return { result: await page.evaluate(() => window.__csp), errors, violations };
}

test("under script-src 'self' (no 'wasm-unsafe-eval') the import still works; buildWithOptions and connectToHost explain the CSP", { timeout: TEST_TIMEOUT }, async (t) => {
  const { result, errors } = await cspPage(t, "default-src 'self'; script-src 'self'");
  assert.deepEqual(errors, [], 'the import did not throw');
  assert.equal(result.imported, true);
  assert.equal(result.built, undefined);
  assert.equal(result.error.name, 'Error');
  assert.match(result.error.message, /WebAssembly module could not be instantiated/);
  assert.match(result.error.message, /script-src must allow 'wasm-unsafe-eval'/);
  assert.match(result.error.message, /connect-src .*event_callback_url.*frame-src .*widgetUrl/);
  assert.deepEqual(result.reported.map((r) => r.type), ['WASM_UNAVAILABLE'], 'onError got it too');
  assert.equal(result.error.reportedSame, true, 'onError got the thrown Error itself');
  assert.deepEqual(result.events, []);
  assert.match(result.connectError, /'wasm-unsafe-eval'/);
});

test("with 'wasm-unsafe-eval' in script-src the same page works", { timeout: TEST_TIMEOUT }, async (t) => {
  const { result, errors, violations } = await cspPage(t, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'");
  assert.deepEqual(errors, []);
  assert.deepEqual(violations, []);
  assert.equal(result.built, true);
  assert.equal(result.catalog, 37);
  assert.deepEqual(result.events, ['USER_CONNECTING']);
  assert.deepEqual(result.reported, []);
});

test("a connect-src that refuses the package's own .wasm: the base64 copy loads instead and the page works", { timeout: TEST_TIMEOUT }, async (t) => {
  const { result, errors, violations } = await cspPage(t, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'none'");
  assert.deepEqual(errors, []);
  assert.equal(result.built, true);
  assert.equal(result.catalog, 37);
  assert.deepEqual(result.events, ['USER_CONNECTING']);
  assert.deepEqual(result.reported, []);
  // Chromium logs the violation and the refused fetch: both about the .wasm.
  assert.ok(violations.length >= 1);
  for (const v of violations) assert.match(v, /okra_events_bg\.wasm/, 'the only refused request is the .wasm');
});

test("a side-effect-only import bundled by esbuild sends what an earlier page left queued", { timeout: TEST_TIMEOUT }, async (t) => {
  // The bundle a merchant's app ships when it only imports the package to
  // flush leftovers: esbuild honours the package's sideEffects field.
  const dir = await mkdtemp(join(tmpdir(), 'okra-side-effect-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(PKG, join(dir, 'node_modules', 'okra-events'), 'dir');
  const warnings = [];
  const built = await esbuild.build({
    stdin: { contents: "import 'okra-events';\nwindow.__bundled = true;\n", resolveDir: dir, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
  });
  // Without the sideEffects declaration esbuild warns "Ignoring this import
  // because ... was marked as having no side effects" and drops the package.
  warnings.push(...built.warnings.map((w) => w.text).filter((w) => /side effects/.test(w)));
  assert.deepEqual(warnings, [], 'esbuild kept the import');
  const bundle = built.outputFiles[0].text;

  const receiver = await startReceiver({
    pages: {
      '/bundled.html': '<!doctype html><meta charset="utf-8"><title>bundled</title><script type="module" src="/bundled.js"></script>',
      '/bundled.js': bundle,
    },
  });
  t.after(() => receiver.close());
  const ch = 'side-effect-only';
  receiver.plan(ch, [], 503); // the webhook is down while the first page runs

  const context = await browser.newContext();
  t.after(() => context.close());
  const first = await context.newPage();
  await first.goto(receiver.pageUrl(ch));
  await first.waitForFunction(() => window.__t?.handler);
  await first.evaluate(() => {
    window.__t.handler.screen('landing');
    window.__t.handler.screen('bank');
  });
  const made = await first.evaluate(() => window.__t.events.map((e) => e.event_id));
  assert.equal(made.length, 3);
  await first.close({ runBeforeUnload: true });

  receiver.plan(ch, [], 200); // back up: only the bundled page can send now
  const second = await context.newPage();
  await second.goto(`${receiver.pageOrigin}/bundled.html`);
  await second.waitForFunction(() => window.__bundled === true);
  const end = Date.now() + WAIT_MS;
  const delivered = () => new Set(receiver.received(ch).filter((r) => r.answer === 200)
    .flatMap((r) => r.json?.batch?.map((e) => e.event_id) ?? []));
  while (!made.every((id) => delivered().has(id))) {
    if (Date.now() > end) assert.fail(`the bundled page sent ${delivered().size} of ${made.length} leftovers`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
});
