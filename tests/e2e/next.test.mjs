// okra-events/react in a Next.js App Router app (tests/react/next): a client
// component using the hook, built by `next build` (which prerenders the page,
// running the component's render on the server), then served by `next start`
// and used in Chromium against the real widget page on a second origin.
// The app is copied to target/next-app, inside the workspace (Turbopack
// compiles nothing outside it), with the package copied into its
// node_modules as an install would put it; Next.js and React are the
// workspace's. Build the package first: scripts/build.sh
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve } from '../../www/serve.mjs';
import { freePort } from '../js/setups.mjs';
import { launchBrowser, WAIT_MS } from './demo.mjs';
import { PKG } from './receiver.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const APP = join(ROOT, 'tests/react/next');
const BUILD = join(ROOT, 'target/next-app');
const FIXTURES = join(ROOT, 'tests/e2e/fixtures');
const NEXT = join(ROOT, 'node_modules/next/dist/bin/next');

let W;
let server;
let browser;
let origin;

/** Runs `next <args>` in the build directory; resolves with its output, rejects on a non-zero exit. */
function next(args, env) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [NEXT, ...args], { cwd: BUILD, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`next ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

before(async () => {
  W = await serve({ roots: { '/pkg/': PKG, '/fixtures/': FIXTURES } });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(join(BUILD, 'node_modules'), { recursive: true });
  cpSync(join(APP, 'app'), join(BUILD, 'app'), { recursive: true });
  cpSync(join(APP, 'package.json'), join(BUILD, 'package.json'));
  cpSync(PKG, join(BUILD, 'node_modules/okra-events'), { recursive: true, dereference: true });
  const widgetUrl = `${W.origin}/fixtures/widget.html?${new URLSearchParams({ allow: origin })}`;
  const started = Date.now();
  await next(['build'], { NEXT_PUBLIC_WIDGET_URL: widgetUrl });
  console.log(`next build took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  server = spawn(process.execPath, [NEXT, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: BUILD,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
  });
  const end = Date.now() + WAIT_MS;
  while (!(await fetch(origin).then((r) => r.ok, () => false))) {
    if (Date.now() > end || server.exitCode !== null) throw new Error(`next start did not answer on ${origin}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill();
  await W?.close();
});

test('next build prerenders the page with the client component: its render ran on the server without throwing', () => {
  const html = readFileSync(join(BUILD, '.next/server/app/index.html'), 'utf8');
  assert.match(html, /<button type="button" disabled="">Link your bank<\/button>/, 'the button, disabled until the hook has mounted');
  assert.doesNotMatch(html, /<iframe/);
});

test('in the browser, the hydrated page opens the widget, and its onSuccess reaches the component', { timeout: 120_000 }, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(origin);
  const button = page.getByRole('button', { name: 'Link your bank' });
  await button.click(); // waits until it is enabled: the hook mounted once the page hydrated
  const frame = await (async () => {
    for (const end = Date.now() + WAIT_MS; Date.now() < end; await new Promise((ok) => setTimeout(ok, 50))) {
      const f = page.frames().find((x) => x.url().startsWith(`${W.origin}/`));
      if (f && (await f.evaluate(() => window.__widget?.connected).catch(() => false))) return f;
    }
    throw new Error('the widget did not connect');
  })();
  assert.equal(await page.locator('iframe').count(), 1);
  await frame.evaluate(() => {
    window.__widget.handler.screen('bank');
    window.__widget.handler.success({ record_id: 'rec_next' });
    window.__widget.handler.close();
  });
  await page.getByText('Linked rec_next').waitFor();
  await page.locator('iframe').waitFor({ state: 'detached' });
  assert.equal(await button.isEnabled(), true, 'the widget is null again: it can be opened again');
  assert.deepEqual(errors.map(String), []);
});
