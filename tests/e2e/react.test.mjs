// okra-events/react in a real React app, in real Chromium: the app of
// tests/react/app, built by Vite with React's development build and rendered
// under <StrictMode>, on one origin (A); the widget's page of the bridge
// tests (fixtures/widget.html, which calls Okra.connectToHost) on another (W).
// The test drives the widget's own handler inside its iframe, and reads what
// the app's callbacks recorded (window.__log).
// Build the package first: scripts/build.sh
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve } from '../../www/serve.mjs';
import { buildApp } from '../react/build.mjs';
import { launchBrowser, until, WAIT_MS } from './demo.mjs';
import { PKG } from './receiver.mjs';

const TEST_TIMEOUT = 120_000;
const FIXTURES = resolve(fileURLToPath(new URL('./fixtures', import.meta.url)));

let browser;
let dist;
let A;
let W;

before(async () => {
  dist = await buildApp();
  A = await serve({ roots: { '/': dist } });
  W = await serve({ roots: { '/pkg/': PKG, '/fixtures/': FIXTURES } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([A?.close(), W?.close()]);
  if (dist) await rm(dist, { recursive: true, force: true });
});

/** The widget page's URL for checkout `who`; `connect: false` gives a widget that never connects. */
const widgetUrl = (who, { connect = true } = {}) =>
  `${W.origin}/fixtures/widget.html?${new URLSearchParams({ allow: A.origin, who, ...(!connect && { connect: '0' }) })}`;

/**
 * Opens the app's home page in a fresh context with the given query (see
 * tests/react/app/main.jsx), then follows the link `route` if given. Fails
 * the test on any uncaught error in the page.
 */
async function openApp(t, query, route) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && page.consoleErrors.push(m.text()));
  await page.goto(`${A.origin}/?${new URLSearchParams(query)}`);
  if (route) await page.getByRole('link', { name: route, exact: true }).click();
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors.map(String), [], 'uncaught errors in the page');
  });
  return page;
}

/** What the app's callbacks recorded, for checkout `who` (or all). */
const callLog = (page, who) => page.evaluate((w) => window.__log.filter((c) => !w || c.who === w), who);

/** The widget frame of checkout `who`, once its widget has connected. */
function connected(page, who) {
  return until(async () => {
    const frame = page.frames().find((f) => new URL(f.url()).searchParams.get('who') === who);
    return frame && (await frame.evaluate(() => window.__widget?.connected)) && frame;
  }, `widget ${who} to connect`);
}

/** Runs `body` in the widget frame with `handler`, the widget's own handler. */
const inWidget = (frame, body) => frame.evaluate((b) => new Function('handler', b)(window.__widget.handler), body);

/** Waits until checkout `who` has recorded `count` onEvent calls; returns its log. */
async function eventsAt(page, who, count) {
  return until(async () => {
    const got = await callLog(page, who);
    return got.filter((c) => c.name === 'onEvent').length >= count && got;
  }, `${count} events at checkout ${who}`);
}

/** The iframes in the app's page whose widget is checkout `who`'s. */
const iframesOf = (page, who) =>
  page.evaluate((w) => [...document.querySelectorAll('iframe')].filter((f) => new URL(f.src).searchParams.get('who') === w).length, who);

const status = (page, who) => page.getByRole('status', { name: `status ${who}` }).or(page.getByLabel(`status ${who}`)).textContent();

/** The flow's event names, from USER_CONNECTING to USER_APP_CLOSE, each once. */
const FLOW = [
  'USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_BANK_SELECTED', 'USER_LOGIN_ATTEMPTED',
  'USER_CONNECTION_SUCCESSFUL', 'USER_APP_CLOSE',
];

function assertEachOnce(events, what) {
  assert.equal(new Set(events.map((e) => e.id)).size, events.length, `${what}: each event once`);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), `${what}: in sequence, no gaps`);
}

test('open, a whole flow, close: every callback once, and the iframe only from open() to onClose', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a'), a_overlay: '' }, 'Checkout');
  const open = page.getByRole('button', { name: 'Open a' });
  await until(() => open.isEnabled(), 'ready');
  assert.ok((await page.evaluate(() => window.__mounts.a)) >= 2, "StrictMode mounted the checkout twice (React's development build)");
  assert.equal(await page.locator('iframe').count(), 0, 'no iframe before open()');
  assert.match(await status(page, 'a'), /^closed$/);

  await open.click();
  const frame = await connected(page, 'a');
  await page.getByRole('dialog').waitFor();
  // open() again while it is open (a dispatched click: the modal covers the button) does nothing.
  await open.dispatchEvent('click');
  assert.equal(await iframesOf(page, 'a'), 1, 'one iframe');
  assert.match(await status(page, 'a'), /^open$/);

  await inWidget(frame, `
    handler.screen('bank');
    handler.track('USER_BANK_SELECTED', { bank: 'alat' });
    handler.screen('login', { bank: 'alat' });
    handler.track('USER_LOGIN_ATTEMPTED', { username: 'faith' });
    handler.success({ record_id: 'rec_react_1' });
    handler.close();`);
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), 'onClose');
  const got = await callLog(page, 'a');
  const events = got.filter((c) => c.name === 'onEvent');
  assert.deepEqual(events.map((e) => e.event), FLOW);
  assertEachOnce(events, 'the flow');
  assert.deepEqual(got.filter((c) => c.name !== 'onEvent').map((c) => c.name), ['onSuccess', 'beforeClose', 'onClose']);
  assert.equal(got.find((c) => c.name === 'onSuccess').plan, 'basic', 'onSuccess echoes the meta');
  await until(async () => (await page.locator('iframe').count()) === 0, 'the iframe to be removed');
  await until(async () => /^closed$/.test(await status(page, 'a')), 'widget to be null again');

  // open() again: a new widget, after the first is gone; the app's close() closes it (a
  // dispatched click: the modal overlay covers the app's buttons, as it should).
  await open.click();
  const again = await connected(page, 'a');
  assert.notEqual(again, frame);
  assert.equal(await iframesOf(page, 'a'), 1);
  await page.getByRole('button', { name: 'Close a' }).dispatchEvent('click');
  await until(async () => (await callLog(page, 'a')).filter((c) => c.name === 'onClose').length === 2, 'the second onClose');
  assert.equal(await page.locator('iframe').count(), 0);
});

test('a re-render with new callback identities mid-flow: the new callbacks get the rest, and nothing is reopened', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a') }, 'Checkout');
  await page.getByRole('button', { name: 'Open a' }).click();
  const frame = await connected(page, 'a');
  await inWidget(frame, "handler.screen('bank'); handler.track('USER_BANK_SELECTED', { bank: 'alat' });");
  await eventsAt(page, 'a', 4);
  await page.evaluate(() => {
    document.querySelector('iframe').dataset.first = 'yes';
  });

  // New callbacks (gen 2), then the rest of the flow.
  await page.getByRole('button', { name: 'New callbacks a' }).click();
  assert.equal(await page.locator('iframe').count(), 1);
  assert.equal(await page.locator('iframe[data-first]').count(), 1, 'the same iframe');
  const sessionId = await frame.evaluate(() => window.__widget.handler.sessionId);
  await inWidget(frame, "handler.screen('login'); handler.track('USER_LOGIN_ATTEMPTED'); handler.success({ record_id: 'r2' }); handler.close();");
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), 'onClose');
  const got = await callLog(page, 'a');
  const events = got.filter((c) => c.name === 'onEvent');
  assert.deepEqual(events.map((e) => e.event), FLOW);
  assertEachOnce(events, 'the flow');
  assert.deepEqual(events.map((e) => e.gen), [1, 1, 1, 1, 2, 2, 2], 'the events after the re-render reach its callbacks');
  assert.deepEqual(got.filter((c) => c.name !== 'onEvent').map((c) => `${c.name}@${c.gen}`), ['onSuccess@2', 'beforeClose@2', 'onClose@2']);
  assert.deepEqual([...new Set(events.map((e) => e.session))], [sessionId], 'one widget session, the first page\'s: nothing was reopened');
});

test('options changed while a widget is open leave it as it is; the next open() uses them', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a') }, 'Checkout');
  await page.getByRole('button', { name: 'Open a' }).click();
  const frame = await connected(page, 'a');
  await page.evaluate(() => {
    document.querySelector('iframe').dataset.first = 'yes';
  });
  await page.getByRole('button', { name: 'Gold plan a' }).click();
  assert.equal(await page.locator('iframe[data-first]').count(), 1, 'the same iframe');
  assert.deepEqual(await frame.evaluate(() => window.__widget.handler.options.meta), { plan: 'basic' }, 'the open widget kept its options');
  await inWidget(frame, "handler.success({ record_id: 'r3' }); handler.close();");
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), 'onClose');
  assert.equal((await callLog(page, 'a')).find((c) => c.name === 'onSuccess').plan, 'basic');

  await page.getByRole('button', { name: 'Open a' }).click();
  const next = await connected(page, 'a');
  assert.deepEqual(await next.evaluate(() => window.__widget.handler.options.meta), { plan: 'gold' }, 'the next open() has the new options');
  await page.getByRole('button', { name: 'Close a' }).click();
  await until(async () => (await page.locator('iframe').count()) === 0, 'the iframe to be removed');
});

test("StrictMode's double mount of a checkout that opens as it mounts: one iframe, no doubled events", { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a'), auto: '' }, 'Checkout');
  const frame = await connected(page, 'a');
  assert.equal(await page.evaluate(() => window.__mounts.a), 2, 'StrictMode mounted, unmounted and remounted the checkout');
  assert.equal(await iframesOf(page, 'a'), 1, 'one iframe');
  assert.equal(page.frames().filter((f) => f.url().startsWith(`${W.origin}/`)).length, 1, 'one widget frame');
  await inWidget(frame, "handler.screen('bank'); handler.track('USER_BANK_SELECTED', { bank: 'gtb' }); handler.success({ record_id: 'r4' }); handler.close();");
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), 'onClose');
  const got = await callLog(page, 'a');
  const events = got.filter((c) => c.name === 'onEvent');
  assert.deepEqual(events.map((e) => e.event), [
    'USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_BANK_SELECTED', 'USER_CONNECTION_SUCCESSFUL', 'USER_APP_CLOSE',
  ]);
  assertEachOnce(events, 'the flow');
  assert.deepEqual(got.filter((c) => c.name !== 'onEvent').map((c) => c.name), ['onSuccess', 'beforeClose', 'onClose']);
  assert.equal(await page.locator('iframe').count(), 0);
});

test('two checkouts, two widgets: each gets its own events and closes on its own', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a'), b: widgetUrl('b') }, 'Two checkouts');
  await page.getByRole('button', { name: 'Open a' }).click();
  await page.getByRole('button', { name: 'Open b' }).click();
  const [fa, fb] = [await connected(page, 'a'), await connected(page, 'b')];
  assert.equal(await page.locator('iframe').count(), 2);
  for (const who of ['a', 'b']) {
    assert.equal(await page.getByRole('region', { name: `checkout ${who}` }).locator('iframe').count(), 1, `${who}'s iframe is in its container, given as a ref`);
  }
  await inWidget(fa, "handler.screen('bank');");
  await inWidget(fb, "handler.screen('bank'); handler.track('USER_BANK_SELECTED', { bank: 'kuda' });");
  await eventsAt(page, 'a', 3);
  await eventsAt(page, 'b', 4);

  await inWidget(fa, "handler.success({ record_id: 'ra' }); handler.close();");
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), "a's onClose");
  assert.equal(await iframesOf(page, 'a'), 0, "a's iframe is removed");
  assert.equal(await iframesOf(page, 'b'), 1, "b's stays");
  assert.match(await status(page, 'b'), /^open$/);
  await inWidget(fb, 'handler.close();');
  await until(async () => (await callLog(page, 'b')).some((c) => c.name === 'onClose'), "b's onClose");

  const a = await callLog(page, 'a');
  const b = await callLog(page, 'b');
  const [ea, eb] = [a.filter((c) => c.name === 'onEvent'), b.filter((c) => c.name === 'onEvent')];
  assert.deepEqual(ea.map((e) => e.event), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_CONNECTION_SUCCESSFUL', 'USER_APP_CLOSE']);
  assert.deepEqual(eb.map((e) => e.event), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_BANK_SELECTED', 'USER_BOUNCE', 'USER_APP_CLOSE']);
  assertEachOnce(ea, 'a');
  assertEachOnce(eb, 'b');
  assert.notEqual(ea[0].session, eb[0].session, 'two widget sessions');
  assert.deepEqual(a.filter((c) => c.name !== 'onEvent').map((c) => c.name), ['onSuccess', 'beforeClose', 'onClose']);
  assert.deepEqual(b.filter((c) => c.name !== 'onEvent').map((c) => c.name), ['beforeClose', 'onClose']);
});

test('unmount while open: the iframe is gone and no callback fires afterwards; a load timeout still reaches error', { timeout: TEST_TIMEOUT }, async (t) => {
  // a: a connected widget in the default overlay; c: a widget that never connects, whose
  // 2 s load timeout would call onError and onClose unless it is destroyed; b stays mounted,
  // and its widget, opened after the unmount with a longer timeout, times out after c's would have.
  const page = await openApp(t, {
    a: widgetUrl('a'), a_overlay: '',
    c: widgetUrl('c', { connect: false }), c_timeout: '2000',
    b: widgetUrl('b', { connect: false }), b_timeout: '2500',
  }, 'Unmount');
  await page.getByRole('button', { name: 'Open a' }).click();
  const frame = await connected(page, 'a');
  await inWidget(frame, "handler.screen('bank');");
  await eventsAt(page, 'a', 3);

  // The app opens c and unmounts a and c while a's modal overlay is up (dispatched clicks:
  // the overlay covers the app's buttons).
  await page.getByRole('button', { name: 'Open c' }).dispatchEvent('click');
  assert.equal(await iframesOf(page, 'c'), 1, "c's iframe");
  await page.getByRole('button', { name: 'Unmount a and c' }).dispatchEvent('click');
  assert.equal(await iframesOf(page, 'a'), 0, "a's iframe is gone from the page");
  assert.equal(await page.getByRole('dialog').count(), 0, "a's overlay is gone");
  assert.equal(await iframesOf(page, 'c'), 0, "c's iframe is gone");
  assert.equal(page.frames().filter((f) => f.url().startsWith(`${W.origin}/`)).length, 0, 'no widget frame is left');

  await page.getByRole('button', { name: 'Open b' }).click();
  await until(async () => (await callLog(page, 'b')).some((c) => c.name === 'onClose'), "b's load timeout and onClose");
  assert.deepEqual((await callLog(page, 'b')).map((c) => `${c.name}${c.type ? ` ${c.type} ${c.error}` : ''}`), ['onError WIDGET_LOAD_TIMEOUT data', 'onClose']);
  assert.match(await status(page, 'b'), /^closed; error WIDGET_LOAD_TIMEOUT: okra-events: the widget at .* did not connect within 2500 ms/);

  const all = await callLog(page);
  const unmounted = all.findIndex((c) => c.name === 'unmounted a and c');
  assert.deepEqual(all.slice(0, unmounted).filter((c) => c.who === 'c'), [], 'c was still loading when it was unmounted');
  const late = all.slice(unmounted + 1).filter((c) => c.who === 'a' || c.who === 'c');
  assert.deepEqual(late, [], 'no callback of a or c after the unmount');
  assert.deepEqual((await callLog(page, 'a')).filter((c) => c.name !== 'onEvent'), [], 'a was destroyed, not closed');
});

test('back and forward in the app router: the checkout unmounts and remounts, and no callback is doubled', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a'), a_overlay: '' }, 'Checkout');
  await page.getByRole('button', { name: 'Open a' }).click();
  const first = await connected(page, 'a');
  await inWidget(first, "handler.screen('bank');");
  await eventsAt(page, 'a', 3);

  await page.goBack();
  await page.getByRole('link', { name: 'Two checkouts' }).waitFor();
  assert.equal(await page.locator('iframe').count(), 0, 'leaving the route removed the widget');
  await page.goForward();
  const open = page.getByRole('button', { name: 'Open a' });
  await until(() => open.isEnabled(), 'ready again');
  assert.equal(await page.locator('iframe').count(), 0, 'coming back opens nothing by itself');
  const mark = (await callLog(page)).length;

  await open.click();
  const second = await connected(page, 'a');
  assert.equal(await page.locator('iframe').count(), 1, 'one iframe');
  await inWidget(second, "handler.screen('bank'); handler.success({ record_id: 'r5' }); handler.close();");
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), 'onClose');
  const after = (await callLog(page)).slice(mark);
  const events = after.filter((c) => c.name === 'onEvent');
  assert.deepEqual(events.map((e) => e.event), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_CONNECTION_SUCCESSFUL', 'USER_APP_CLOSE']);
  assertEachOnce(events, 'the second widget');
  assert.deepEqual(after.filter((c) => c.name !== 'onEvent').map((c) => c.name), ['onSuccess', 'beforeClose', 'onClose'], 'each once');
  const all = await callLog(page);
  assert.equal(all.filter((c) => c.name === 'onSuccess').length, 1, 'one onSuccess in all');
  assert.equal(all.filter((c) => c.name === 'onClose').length, 1, 'one onClose in all: the first widget was destroyed');
});

test('a bad option: error is the TypeError, onError got it, and nothing is added to the page', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a'), bad: '' }, 'Checkout');
  await page.getByRole('button', { name: 'Open a' }).click();
  await until(async () => /error/.test(await status(page, 'a')), 'error');
  assert.equal(await status(page, 'a'), 'closed; error INVALID_OPTIONS (TypeError): okra-events: option `key` must be a non-empty string, got "" (empty string)');
  assert.deepEqual((await callLog(page, 'a')).map((c) => `${c.name} ${c.type} ${c.error}`), ['onError INVALID_OPTIONS TypeError']);
  assert.equal(await page.locator('iframe').count(), 0);
});

test('callbacks that throw: the app still gets every call, and the hook still sees the close', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await openApp(t, { a: widgetUrl('a'), throw: '' }, 'Checkout');
  await page.getByRole('button', { name: 'Open a' }).click();
  const frame = await connected(page, 'a');
  await inWidget(frame, "handler.screen('bank'); handler.success({ record_id: 'r6' }); handler.close();");
  await until(async () => (await callLog(page, 'a')).some((c) => c.name === 'onClose'), 'onClose');
  const got = await callLog(page, 'a');
  assert.deepEqual(got.map((c) => c.event ?? c.name), [
    'USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_CONNECTION_SUCCESSFUL', 'onSuccess', 'beforeClose', 'USER_APP_CLOSE', 'onClose',
  ]);
  await until(async () => (await status(page, 'a')) === 'closed', 'widget to be null after a throwing onClose');
  assert.equal(await page.locator('iframe').count(), 0, 'the iframe is removed');
  assert.ok(page.consoleErrors.some((m) => m.includes('the onClose callback threw')), 'the throw is reported');
});
