// The widget in its own origin, in real Chromium, across loopback origins:
//   H  the merchant page (host),
//   W  the widget's origin, http://127.0.0.1:P,
//   X  a look-alike whose origin string starts with W's: http://127.0.0.1:P*10+1,
//   O  another origin, for hostile frames and refused hosts,
// plus the demo's own two origins for the whole flow. The pages under
// fixtures/ import the built package (pkg/) as a plain module page does.
// Build the package and the demo first: scripts/build.sh, scripts/demo.sh --build-only
//
// Each guard at the boundary has a test that fails when that guard alone is
// removed (each mutation was made by hand, the tests run, and it reverted;
// every variant of the merchant page fails):
//
// | mutation | killed by |
// |---|---|
// | host: no `e.origin === origin` on the window (js/host/frame.js) | "the widget's iframe sent to a page of another origin, which says syn and failed" |
// | host: no `e.source === iframe.contentWindow` (js/host/frame.js) | "a frame of the widget's own origin forges the widget's failed and syn while it loads" |
// | host: the ack posted to "*" (js/host/frame.js) | "every ack, with the options and the token, goes to the widget's exact origin" |
// | widget: no `e.source === window.parent` (js/bridge.js) | "a frame of an allowed host origin, not the parent, floods the widget with acks" |
// | widget: LINK_ACCEPT ignores allowedOrigins (the core's engine) | "a host page whose origin the widget does not allow", and natively crates/core/tests/link_origins.rs, `an_ack_is_accepted_only_from_an_allowed_origin` |
// | host: the widget's messages taken before its `ready` (js/host/session.js) | tests/js/host.test.mjs, "the handshake comes first: before the widget says ready, its messages fire no callback" |
// | host: a message's fields unchecked (js/host/protocol.js) | tests/js/host.test.mjs, "the decoder drops malformed, oversized, nested and hostile messages" |
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, DIST } from '../../www/serve.mjs';
import { serveDist } from './server.mjs';
import { launchBrowser, openDemo, until, WAIT_MS } from './demo.mjs';
import { PKG, startReceiver } from './receiver.mjs';
import { recordPayloads } from './payloads.mjs';

const TEST_TIMEOUT = 120_000;
const FIXTURES = resolve(fileURLToPath(new URL('./fixtures', import.meta.url)));
const ROOTS = { '/': DIST, '/pkg/': PKG, '/fixtures/': FIXTURES };
/** The host page's token (fixtures/host-page.js): it must never reach another origin. */
const TOKEN = 'tok_S3CR3T_host_token_0123456789';
const PROTOCOL = 'okra-events/bridge/1';

let browser;
let demo;
let H;
let W;
let X;
let O;

/** W on a 4-digit port P, and X on port P*10+1, whose origin starts with W's. */
async function servePrefixPair() {
  for (let tries = 0; tries < 100; tries++) {
    const p = 4000 + Math.floor(Math.random() * 2500);
    let w;
    try {
      w = await serve({ roots: ROOTS, port: p, record: true, headers: policyOf });
      const x = await serve({ roots: ROOTS, port: p * 10 + 1, record: true, headers: policyOf });
      return [w, x];
    } catch {
      await w?.close();
    }
  }
  throw new Error('no free pair of ports P and P*10+1');
}

before(async () => {
  demo = await serveDist();
  H = await serve({ roots: ROOTS, record: true, headers: policyOf });
  O = await serve({ roots: ROOTS, record: true, headers: policyOf });
  [W, X] = await servePrefixPair();
  assert.ok(X.origin.startsWith(W.origin) && X.origin !== W.origin, `${X.origin} starts with ${W.origin}`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([demo, H, O, W, X].map((s) => s?.close()));
});

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function widgetUrl({ origin = W.origin, allow = [H.origin], query = {}, page = 'widget.html' } = {}) {
  const params = new URLSearchParams(query);
  for (const a of allow) params.append('allow', a);
  return `${origin}/fixtures/${page}?${params}`;
}

/**
 * Watches the merchant page (not its frames) from before its scripts run:
 * every postMessage to an iframe's window, with its target origin and how
 * many ports it transfers, and every MessageChannel made (window.__spy). An
 * iframe's contentWindow, and a message's source when it is that window, are
 * the same wrapper, so the host's `event.source` check sees what it always
 * sees. The host's answers cannot otherwise be seen: a message posted to the
 * wrong origin is dropped by the browser, not delivered.
 */
function SPY() {
  if (window !== window.top) return;
  const spy = (window.__spy = { posts: [], channels: 0 });
  const wrappers = new WeakMap();
  const wrap = (w) => {
    if (!w) return w;
    let p = wrappers.get(w);
    if (!p) {
      p = new Proxy(w, {
        get(target, key) {
          if (key !== 'postMessage') return Reflect.get(target, key);
          return (message, targetOrigin, transfer) => {
            spy.posts.push({ message: typeof message === 'string' ? message : '(not text)', targetOrigin, ports: transfer?.length ?? 0 });
            return target.postMessage(message, targetOrigin, transfer);
          };
        },
      });
      wrappers.set(w, p);
    }
    return p;
  };
  const contentWindow = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow');
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { ...contentWindow, get() { return wrap(contentWindow.get.call(this)); } });
  const source = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'source');
  Object.defineProperty(MessageEvent.prototype, 'source', {
    ...source,
    get() {
      const s = source.get.call(this);
      // Another window (a frame's) is wrapped as contentWindow wraps it: one wrapper per window.
      return s && s !== window && typeof s.postMessage === 'function' && !(s instanceof MessagePort) ? wrap(s) : s;
    },
  });
  const Channel = window.MessageChannel;
  window.MessageChannel = class extends Channel {
    constructor() {
      super();
      spy.channels++;
    }
  };
}

/** The host's acks so far (from the spy), and how many MessageChannels it made. */
async function hostAnswers(page) {
  const spy = await page.evaluate(() => window.__spy);
  const acks = spy.posts.filter((p) => p.message.includes('"type":"ack"'));
  return { acks, channels: spy.channels };
}

/** The merchant page the host cases open (VARIANTS). */
let hostPage = 'host-entry.html';

/** Content Security Policy of the pages served: okra-events/host's page gets the strictest a merchant would run. */
const HOST_ENTRY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; frame-src http://127.0.0.1:*";
/** A widget page whose policy refuses WebAssembly: its engine cannot start. */
const NO_WASM_POLICY = "default-src 'self'; script-src 'self'";
const policyOf = (path) =>
  path.endsWith('/host-entry.html') || path.endsWith('/host-classic.html')
    ? { 'content-security-policy': HOST_ENTRY_POLICY }
    : path.endsWith('/widget-strict.html')
      ? { 'content-security-policy': NO_WASM_POLICY }
      : {};

/**
 * Opens the merchant page (hostPage) on `on` (default H) in a fresh context,
 * with the given widgets, other frames and widgetTimeout. Fails the test on
 * an uncaught error or a Content Security Policy violation in the page.
 */
async function openHost(t, { on = H, widgets = [widgetUrl()], frames = [], timeout } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(SPY);
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.consoleMessages = [];
  page.on('console', (m) => page.consoleMessages.push(m.text()));
  const params = new URLSearchParams();
  for (const w of widgets) params.append('widget', w);
  for (const f of frames) params.append('frame', f);
  if (timeout) params.set('timeout', String(timeout));
  await page.goto(`${on.origin}/fixtures/${hostPage}?${params}`);
  t.after(async () => {
    // What the merchant's callbacks got, for the payload type check.
    const seen = await page.evaluate(() => window.__host?.widgets.map((w) => ({ events: w.events, callbacks: w.callbacks })) ?? []).catch(() => []);
    for (const w of seen) {
      recordPayloads('host:onEvent', w.events.map((e) => [e]));
      for (const name of ['onSuccess', 'onError', 'beforeClose', 'onClose']) {
        recordPayloads(`host:${name}`, w.callbacks.filter((c) => c.name === name).map((c) => c.args));
      }
    }
    const violations = await page.evaluate(() => window.__host?.violations ?? []).catch(() => []);
    await context.close();
    assert.deepEqual(errors.map(String), [], 'uncaught errors in the page');
    assert.deepEqual(violations, [], 'Content Security Policy violations in the page');
  });
  return page;
}

/** What the host page's callbacks got for widget `i`. */
function hostState(page, i = 0) {
  return page.evaluate((n) => {
    const w = window.__host.widgets[n];
    return {
      events: w.events,
      names: w.events.map((e) => e.event_name),
      callbacks: w.callbacks,
      calls: w.callbacks.map((c) => c.name),
      sessionId: w.widget.sessionId,
      handleEvents: w.widget.events().map((e) => e.event_id),
      iframeInPage: w.widget.iframe.isConnected,
    };
  }, i);
}

/** The i-th widget frame of the page whose URL starts with `prefix`, once connected. */
async function connectedWidget(page, i = 0, prefix = `${W.origin}/fixtures/widget.html`) {
  return until(async () => {
    const frame = page.frames().filter((f) => f.url().startsWith(prefix))[i];
    return frame && (await frame.evaluate(() => window.__widget?.connected)) && frame;
  }, `widget ${i} to connect`);
}

function widgetCall(frame, fn, arg) {
  return frame.evaluate(([body, a]) => new Function('handler', 'arg', body)(window.__widget.handler, a), [fn, arg]);
}

async function waitForHostEvents(page, n, i = 0) {
  await until(async () => (await hostState(page, i)).events.length >= n, `${n} events at the host`);
  return hostState(page, i);
}

function assertNoToken(server, label) {
  const leaked = server.requests.filter((u) => u.includes(TOKEN));
  assert.deepEqual(leaked, [], `the token reached ${label} (${server.origin}) in a URL`);
}

// ---- the whole flow -----------------------------------------------------------

test('the demo: a whole link flow in the cross-origin widget reaches the merchant page and the webhook', { timeout: TEST_TIMEOUT }, async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const opened = await openDemo(browser, demo.url, { bankDelay: 50, webhook: receiver.endpoint('bridge-demo') });
  t.after(async () => {
    await opened.context.close();
    assert.deepEqual(opened.errors.map(String), [], 'uncaught errors in the page');
  });
  const { page, demo: ui } = opened;
  await ui.toBankList();
  await ui.chooseBank('alat');
  await ui.heading('Log in to ALAT by Wema');
  await ui.submitLogin('faith', 'hunter2-secret');
  await ui.completeLink();
  await ui.closeWidget('Done');

  // The iframe is gone once onClose has run.
  await page.waitForFunction(() => window.__okra?.callbacks.some((c) => c.name === 'onClose'));
  assert.equal(await page.locator('iframe').count(), 0, 'the iframe is removed');

  const events = await ui.events();
  assert.deepEqual(events.map((e) => e.event_name), [
    'USER_CONNECTING', 'USER_CONNECTED', 'USER_CONSENT_GRANTED', 'USER_LOGIN_SELECTION', 'USER_VIEWED_BANKS',
    'USER_BANK_SELECTED', 'USER_LOGIN_ATTEMPTED', 'USER_MFA_QUESTION', 'USER_RETRY_OTP', 'USER_COMPLETE_MFA',
    'USER_ACCOUNT_SELECTION', 'USER_ACCOUNT_SELECTED', 'USER_FETCH_BALANCE', 'USER_RETRIEVED_BALANCE',
    'USER_BALANCE_SENT', 'USER_FETCH_TRANS', 'USER_CONNECTION_SUCCESSFUL', 'USER_APP_CLOSE',
  ]);
  assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1), 'in sequence order, no gaps');
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'each event once');
  assert.ok(events.every((e) => e.event_location.startsWith(demo.widgetOrigin)), 'events were made in the widget origin');
  assert.ok(!JSON.stringify(events).includes('hunter2-secret'), 'no password crossed');

  const callbacks = await ui.callbacks();
  recordPayloads('host:onEvent', events.map((e) => [e]));
  for (const name of ['onSuccess', 'beforeClose', 'onClose']) {
    recordPayloads(`host:${name}`, callbacks.filter((c) => c.name === name).map((c) => c.args));
  }
  assert.deepEqual(callbacks.map((c) => c.name), ['onSuccess', 'beforeClose', 'onClose']);
  assert.equal(callbacks[0].args[0].success, true);
  assert.deepEqual(callbacks[0].args[0].meta, { merchant: 'Acme Wallet', orderId: 'ACME-ORDER-1001' });
  assert.equal(callbacks[2].args[0].session_id, events[0].session_id);
  assert.equal(callbacks[2].args[0].events_count, events.length);

  // Delivery ran in the widget's origin: the webhook has every event.
  await until(() => {
    const got = new Set(receiver.received('bridge-demo').filter((r) => r.answer === 200)
      .flatMap((r) => r.json.batch.map((e) => e.event_id)));
    return events.every((e) => got.has(e.event_id));
  }, 'every event at the webhook');
  const origins = new Set(receiver.received('bridge-demo').map((r) => r.origin).filter(Boolean));
  for (const o of origins) assert.equal(o, demo.widgetOrigin, 'delivered from the widget origin');
});

/**
 * The merchant pages under test: okra-events/host under a strict Content
 * Security Policy (no 'wasm-unsafe-eval', no inline script), as a module and
 * as its classic script, and the root entry's host mode. Every case below
 * runs against each.
 */
const VARIANTS = [
  ['okra-events/host, under script-src \'self\'', 'host-entry.html'],
  ['okra-events/host as a classic script (window.Okra), under script-src \'self\'', 'host-classic.html'],
  ['the root entry\'s host mode', 'host.html'],
];

for (const [label, file] of VARIANTS) {
  describe(label, () => {
    before(() => {
      hostPage = file;
    });
  // ---- hostile frames -------------------------------------------------------------

  /** Protocol messages a hostile frame posts to the host page. */
  function forgeries(real) {
    const msg = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });
    const fake = { ...real, event_id: '01a21a97-0000-7000-8000-000000000099', sequence: 99, event_name: 'USER_CONNECTION_SUCCESSFUL', event_category: 'network', event_screen: null };
    return [
      msg('syn'),
      msg('ready'),
      msg('event', { event: real }), // a replay of the widget's own message
      msg('event', { event: fake }),
      msg('success', { data: { record_id: 'forged', success: true } }),
      msg('error', { json: {}, error: { type: 'FORGED' } }),
      msg('before_close', { json: {} }),
      msg('close', { json: {}, error: null }),
      { okra: PROTOCOL, type: 'close', json: {}, error: null }, // an object, not text
      'x'.repeat(300_000),
    ];
  }

  for (const [label, origin] of [['another origin', () => O], ["the widget's own origin", () => W], ['a look-alike origin that starts with the widget origin', () => X]]) {
    test(`a frame of ${label} that is not the widget's iframe: forged and replayed messages change nothing, and it never gets the options`, { timeout: TEST_TIMEOUT }, async (t) => {
      const hostile = origin();
      const page = await openHost(t, { frames: [`${hostile.origin}/fixtures/hostile.html`] });
      const widget = await connectedWidget(page);
      await widgetCall(widget, "handler.screen('landing')");
      const { events } = await waitForHostEvents(page, 2);
      const frame = page.frames().find((f) => f.url().startsWith(`${hostile.origin}/fixtures/hostile.html`));
      await frame.evaluate((messages) => window.forge(messages), forgeries(events[1]));
      // The hostile frame's marker comes after its forgeries: once it is here, they all reached the host.
      await page.waitForFunction(() => window.__host.forged === 1);
      await widgetCall(widget, "handler.track('USER_CONSENT_GRANTED')");
      const state = await waitForHostEvents(page, 3);
      const final = await hostState(page);
      assert.deepEqual(final.names, ['USER_CONNECTING', 'USER_CONNECTED', 'USER_CONSENT_GRANTED'], 'only the widget’s own events');
      assert.deepEqual(final.events.map((e) => e.sequence), [1, 2, 3]);
      assert.deepEqual(final.calls, [], 'no forged success, error or close');
      assert.equal(final.iframeInPage, true, 'the widget is still open');
      assert.equal(state.sessionId, events[0].session_id);
      // The forged syn got no answer: the one ack went to the widget's own origin, with one port.
      const answers = await hostAnswers(page);
      assert.deepEqual(answers.acks.map((x) => [x.targetOrigin, x.ports]), [[W.origin, 1]], 'one ack, to the widget origin only');
      assert.equal(answers.channels, 1, 'one channel: the forged syn made none');
      assert.deepEqual(await frame.evaluate(() => window.__got), [], 'the hostile frame got nothing');
      assertNoToken(hostile, 'the hostile frame');
    });
  }

  // Each of the host's checks on the window alone: a message that only that check stops.
  test("a frame of the widget's own origin forges the widget's failed and syn while it loads: only the host's source check stops them", { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t, { widgets: [widgetUrl({ query: { connect: '0' } })], frames: [`${W.origin}/fixtures/hostile.html`], timeout: 600_000 });
    const frame = await until(() => page.frames().find((f) => f.url().startsWith(`${W.origin}/fixtures/hostile.html`)), 'the hostile frame');
    await until(() => frame.evaluate(() => Array.isArray(window.__got)), 'the hostile frame to load');
    const msg = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });
    await frame.evaluate((m) => window.forge(m), [msg('failed', { reason: 'HOST_NOT_ALLOWED' }), msg('syn')]);
    await page.waitForFunction(() => window.__host.forged === 1);
    const state = await hostState(page);
    assert.deepEqual(state.calls, [], 'no WIDGET_FAILED, no onClose');
    assert.equal(state.iframeInPage, true, 'the widget is still loading');
    assert.deepEqual(await hostAnswers(page), { acks: [], channels: 0 }, 'the forged syn made no channel and got no ack');
  });

  test("the widget's iframe sent to a page of another origin, which says syn and failed: only the host's origin check stops them", { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t, { widgets: [widgetUrl({ query: { connect: '0' } })], timeout: 600_000 });
    const widget = await until(() => page.frames().find((f) => f.url().startsWith(`${W.origin}/fixtures/widget.html`)), 'the widget frame');
    await until(() => widget.evaluate(() => !!window.__widget), 'the widget page to load');
    const away = `${O.origin}/fixtures/hostile.html`;
    await widget.evaluate((url) => {
      location.href = url;
    }, away);
    const foreign = await until(async () => {
      const f = page.frames().find((x) => x.url().startsWith(away));
      return f && (await f.evaluate(() => Array.isArray(window.__got))) && f;
    }, 'the iframe to show the foreign page');
    // Now the iframe's own window is the foreign page: the source check passes, the origin check must not.
    const msg = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });
    await foreign.evaluate((m) => window.forge(m), [msg('syn'), msg('failed', { reason: 'WASM_UNAVAILABLE' })]);
    await page.waitForFunction(() => window.__host.forged === 1);
    const state = await hostState(page);
    assert.deepEqual(state.calls, [], 'no WIDGET_FAILED from another origin');
    assert.deepEqual(await hostAnswers(page), { acks: [], channels: 0 }, 'no channel and no ack for another origin');
    assert.deepEqual(await foreign.evaluate(() => window.__got), [], 'the foreign page got nothing');
  });

  test("every ack, with the options and the token, goes to the widget's exact origin, once per syn", { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t);
    let widget = await connectedWidget(page);
    const firstSession = await widgetCall(widget, 'return handler.sessionId');
    await widget.evaluate(() => location.reload());
    widget = await until(async () => {
      const f = await connectedWidget(page);
      return (await widgetCall(f, 'return handler.sessionId')) !== firstSession && f;
    }, 'the reloaded widget to connect');
    const { acks, channels } = await hostAnswers(page);
    assert.equal(acks.length, 2, 'one ack per syn: the first load and the reload');
    for (const ack of acks) {
      assert.equal(ack.targetOrigin, W.origin, 'never "*", never another origin');
      assert.equal(ack.ports, 1);
      assert.ok(ack.message.includes(TOKEN), 'the ack is the one carrying the options');
    }
    assert.equal(channels, 2, 'a new channel for the reload');
  });

  test('a frame of an allowed host origin, not the parent, floods the widget with acks: the widget ignores them and connects to its real host', { timeout: TEST_TIMEOUT }, async (t) => {
    // The hostile frame is on H, an origin the widget allows: only the widget's
    // event.source === window.parent check stops its acks.
    const page = await openHost(t, { frames: [`${H.origin}/fixtures/hostile.html?flood=ack`] });
    const widget = await connectedWidget(page);
    const hostile = page.frames().find((f) => f.url().startsWith(`${H.origin}/fixtures/hostile.html`));
    assert.ok((await hostile.evaluate(() => window.__floods)) > 0, 'the flood ran while the widget connected');
    await widgetCall(widget, "handler.screen('landing')");
    const state = await waitForHostEvents(page, 2);
    assert.deepEqual(state.names, ['USER_CONNECTING', 'USER_CONNECTED'], 'the real host has the widget');
    assert.equal(await widgetCall(widget, 'return handler.options.token'), TOKEN, "built from the real host's options");
    assert.deepEqual(await hostile.evaluate(() => window.__got.filter((m) => m.where === 'port')), [], 'nothing answered on the forged ports');
  });

  // ---- refused hosts and widgets that never connect ------------------------------------

  for (const [label, host, allow] of [
    ['a host page whose origin the widget does not allow', () => O, () => [H.origin]],
    ['a host whose origin only starts with an allowed one', () => X, () => [W.origin]],
  ]) {
    test(`${label}: the widget refuses it and sends nothing but the reason; the host reports WIDGET_FAILED at once`, { timeout: TEST_TIMEOUT }, async (t) => {
      const on = host();
      const url = widgetUrl({ origin: H.origin, allow: allow() });
      // A widgetTimeout far past the test's own wait: onClose can only come from the widget's word.
      const page = await openHost(t, { on, widgets: [url], timeout: 600_000 });
      // The host removes the refused widget's frame at once: its word comes through the console.
      const refused = await until(() => page.consoleMessages?.find((m) => m.startsWith('widget refused: ')), 'the widget to refuse the host');
      assert.match(refused, new RegExp(`^widget refused: Error: okra-events: connectToHost refused the host page's origin "${on.origin}": it is not in allowedOrigins`));

      await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
      const state = await hostState(page);
      assert.deepEqual(state.names, [], 'no event reached the refused host');
      assert.deepEqual(state.calls, ['onError', 'onClose']);
      const [json, failure] = state.callbacks[0].args;
      assert.deepEqual(Object.keys(failure).sort(), ['message', 'reason', 'type', 'widget_url']);
      assert.equal(failure.type, 'WIDGET_FAILED');
      assert.equal(failure.reason, 'HOST_NOT_ALLOWED');
      assert.equal(failure.widget_url, url);
      assert.match(failure.message, /could not start: this page's origin is not in its allowedOrigins/);
      assert.equal(json.session_id, null);
      assert.deepEqual(state.callbacks[1].args, [json, failure], 'onClose gets the same metadata and error');
      assert.equal(state.iframeInPage, false, 'the iframe is removed');
      assert.equal(await page.locator('iframe').count(), 0);
    });
  }

  test("a widget page whose policy refuses WebAssembly: it says so at once, and the host reports WIDGET_FAILED", { timeout: TEST_TIMEOUT }, async (t) => {
    const url = widgetUrl({ page: 'widget-strict.html' });
    const page = await openHost(t, { widgets: [url], timeout: 600_000 });
    await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
    const state = await hostState(page);
    assert.deepEqual(state.calls, ['onError', 'onClose']);
    const [json, failure] = state.callbacks[0].args;
    assert.equal(failure.type, 'WIDGET_FAILED');
    assert.equal(failure.reason, 'WASM_UNAVAILABLE');
    assert.match(failure.message, /'wasm-unsafe-eval'/);
    assert.deepEqual(state.callbacks[1].args, [json, failure]);
    assert.equal(await page.locator('iframe').count(), 0);
    assertNoToken(W, 'the widget origin');
  });

  test('a widget page that never connects: WIDGET_LOAD_TIMEOUT, then onClose, and the iframe is gone', { timeout: TEST_TIMEOUT }, async (t) => {
    const url = widgetUrl({ query: { connect: '0' } });
    const page = await openHost(t, { widgets: [url], timeout: 1000 });
    await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
    const state = await hostState(page);
    assert.deepEqual(state.calls, ['onError', 'onClose']);
    const [json, error] = state.callbacks[0].args;
    assert.equal(error.type, 'WIDGET_LOAD_TIMEOUT');
    assert.equal(error.timeout, 1000);
    assert.equal(error.widget_url, url);
    assert.match(error.message, /did not connect within 1000 ms/);
    assert.equal(json.session_id, null);
    assert.deepEqual(json.options, { merchant: 'bridge-test' });
    assert.deepEqual(state.callbacks[1].args, [json, error], 'onClose gets the same metadata and error');
    assert.equal(state.sessionId, null);
    assert.equal(await page.locator('iframe').count(), 0);
    assertNoToken(W, 'the widget origin');
  });

  // ---- close, destroy, reload, two widgets ---------------------------------------------

  test("close(): the widget's closing events, beforeClose, then onClose last, and the iframe is gone", { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t);
    const widget = await connectedWidget(page);
    await widgetCall(widget, "handler.screen('bank')");
    await waitForHostEvents(page, 3);
    await page.evaluate(() => {
      window.__host.widgets[0].widget.close();
      window.__host.widgets[0].widget.close();
    });
    await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
    const state = await hostState(page);
    assert.deepEqual(state.names, ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_BOUNCE', 'USER_APP_CLOSE']);
    assert.deepEqual(state.calls, ['beforeClose', 'onClose']);
    const order = await page.evaluate(() => window.__host.order);
    assert.equal(order.at(-1), '0:onClose', 'onClose is last');
    const [json] = state.callbacks[1].args;
    assert.equal(json.session_id, state.events[0].session_id);
    assert.equal(json.bounced, true);
    assert.deepEqual(json.meta, { order: 'ORDER-1' });
    assert.deepEqual(state.handleEvents, state.events.map((e) => e.event_id), 'widget.events() matches onEvent');
    assert.equal(state.iframeInPage, false);
    await page.evaluate(() => window.__host.widgets[0].widget.close());
    await sleep(300);
    assert.deepEqual((await hostState(page)).calls, ['beforeClose', 'onClose'], 'nothing after onClose');
  });

  test('close() of a widget that does not answer: closed by the host after 3 s', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t);
    const widget = await connectedWidget(page);
    await waitForHostEvents(page, 1);
    // The widget's handler is gone, so nobody answers the host's request.
    await widgetCall(widget, 'handler.destroy()');
    await page.evaluate(() => window.__host.widgets[0].widget.close());
    // The host asked the widget (the close request went out on its port) and waits: nothing yet.
    // The widget's page answers nothing, so onClose can only come from the host's 3 s grace.
    await sleep(0);
    assert.deepEqual((await hostState(page)).calls, [], 'not closed before the grace period');
    await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
    const state = await hostState(page);
    assert.deepEqual(state.names, ['USER_CONNECTING']);
    assert.deepEqual(state.calls, ['beforeClose', 'onClose']);
    assert.equal(state.callbacks[1].args[0].events_count, 1);
    assert.equal(state.iframeInPage, false);
  });

  test('destroy(): the iframe is removed at once and no callback fires after it', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t);
    const widget = await connectedWidget(page);
    await waitForHostEvents(page, 1);
    const inPage = await page.evaluate(() => {
      const { widget } = window.__host.widgets[0];
      widget.destroy();
      widget.destroy();
      return [widget.iframe.isConnected, document.querySelectorAll('iframe').length];
    });
    assert.deepEqual(inPage, [false, 0]);
    await widget.evaluate(() => {}).catch(() => {});
    await sleep(500);
    const state = await hostState(page);
    assert.deepEqual(state.names, ['USER_CONNECTING']);
    assert.deepEqual(state.calls, [], 'no onClose after destroy()');
  });

  test('a reload in the middle of a session reconnects with the same options; every event arrives once', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t);
    let widget = await connectedWidget(page);
    await widgetCall(widget, "handler.screen('landing')");
    const before = await waitForHostEvents(page, 2);
    const firstSession = before.events[0].session_id;
    assert.equal(before.sessionId, firstSession);
    await widget.evaluate(() => location.reload());
    widget = await until(async () => {
      const f = await connectedWidget(page);
      const id = await widgetCall(f, 'return handler.sessionId');
      return id !== firstSession && f;
    }, 'the reloaded widget to connect');
    // The same options reached the reloaded widget.
    assert.deepEqual(await widgetCall(widget, 'return [handler.options.token, handler.options.key]'), [TOKEN, 'pk_test_bridge']);
    await widgetCall(widget, "handler.screen('landing')");
    const state = await waitForHostEvents(page, 4);
    const secondSession = await widgetCall(widget, 'return handler.sessionId');
    assert.deepEqual(state.events.map((e) => [e.session_id === firstSession ? 1 : 2, e.sequence, e.event_name]), [
      [1, 1, 'USER_CONNECTING'], [1, 2, 'USER_CONNECTED'],
      [2, 1, 'USER_CONNECTING'], [2, 2, 'USER_CONNECTED'],
    ]);
    assert.equal(new Set(state.events.map((e) => e.event_id)).size, 4, 'each event once');
    assert.equal(state.sessionId, secondSession);
    await widgetCall(widget, 'handler.close()');
    await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
    const closed = await hostState(page);
    assert.deepEqual(closed.calls, ['beforeClose', 'onClose']);
    assert.equal(closed.callbacks[1].args[0].session_id, secondSession);
    assert.equal(closed.iframeInPage, false);
  });

  test('the iframe navigates away to another origin and back: the foreign page gets nothing, the widget reconnects', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t);
    let widget = await connectedWidget(page);
    await widgetCall(widget, "handler.screen('landing')");
    const before = await waitForHostEvents(page, 2);
    // The widget's own page sends its iframe to another origin.
    const away = `${O.origin}/fixtures/hostile.html`;
    await widget.evaluate((url) => {
      location.href = url;
    }, away);
    const foreign = await until(async () => {
      const f = page.frames().find((x) => x.url().startsWith(away));
      return f && (await f.evaluate(() => Array.isArray(window.__got))) && f;
    }, 'the iframe to show the foreign page');
    // It says syn, as a widget would: the host must not answer another origin.
    await foreign.evaluate((m) => window.forge([m]), JSON.stringify({ okra: PROTOCOL, type: 'syn' }));
    await sleep(500);
    assert.deepEqual(await foreign.evaluate(() => window.__got), [], 'no ack, no options, no token for the foreign page');
    // And back to the widget: it connects again, with the same options.
    await foreign.evaluate((url) => {
      location.href = url;
    }, widgetUrl());
    widget = await until(async () => {
      const f = await connectedWidget(page);
      const id = await widgetCall(f, 'return handler.sessionId');
      return id !== before.sessionId && f;
    }, 'the widget to connect again');
    assert.equal(await widgetCall(widget, 'return handler.options.token'), TOKEN);
    await widgetCall(widget, "handler.screen('landing')");
    const state = await waitForHostEvents(page, 4);
    assert.deepEqual(state.names, ['USER_CONNECTING', 'USER_CONNECTED', 'USER_CONNECTING', 'USER_CONNECTED']);
    assert.equal(new Set(state.events.map((e) => e.event_id)).size, 4);
    assert.deepEqual(state.calls, []);
    assert.equal(state.sessionId, await widgetCall(widget, 'return handler.sessionId'));
    assertNoToken(O, 'the foreign page');
  });

  test('two widgets on one page: each handle gets only its own widget, and closing one leaves the other', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t, { widgets: [widgetUrl(), widgetUrl()] });
    const first = await connectedWidget(page, 0);
    const second = await connectedWidget(page, 1);
    await widgetCall(first, "handler.screen('bank')");
    await widgetCall(second, "handler.screen('landing')");
    const idA = await widgetCall(first, 'return handler.sessionId');
    const idB = await widgetCall(second, 'return handler.sessionId');
    assert.notEqual(idA, idB);
    // The frames' order in the page says nothing of which handle holds which:
    // wait for all five events, then match handles to widgets by session.
    await until(async () => (await hostState(page, 0)).events.length + (await hostState(page, 1)).events.length >= 5, 'five events at the host');
    const [a, b] = [await hostState(page, 0), await hostState(page, 1)];
    assert.ok(a.events.every((e) => e.session_id === a.sessionId) && b.events.every((e) => e.session_id === b.sessionId));
    assert.deepEqual(new Set([a.sessionId, b.sessionId]), new Set([idA, idB]));
    const expected = { [idA]: ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS'], [idB]: ['USER_CONNECTING', 'USER_CONNECTED'] };
    assert.deepEqual(a.names, expected[a.sessionId]);
    assert.deepEqual(b.names, expected[b.sessionId]);
    const closing = a.sessionId === idA ? first : second;
    await widgetCall(closing, 'handler.close()');
    await page.waitForFunction(() => window.__host?.widgets[0]?.callbacks.some((c) => c.name === 'onClose'));
    const [afterA, afterB] = [await hostState(page, 0), await hostState(page, 1)];
    assert.deepEqual(afterA.calls, ['beforeClose', 'onClose']);
    assert.deepEqual(afterB.calls, [], 'the other widget is untouched');
    assert.equal(afterB.iframeInPage, true);
    assert.equal(await page.locator('iframe').count(), 1);
  });
  });
}

// ---- widgets with no host ------------------------------------------------------------

test('a widget framed by a page where no host answers: connectToHost rejects after its widgetTimeout', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const src = widgetUrl({ allow: [O.origin], query: { timeout: '1000' } });
  await page.goto(`${O.origin}/fixtures/parent.html?src=${encodeURIComponent(src)}`);
  const frame = await until(async () => {
    const f = page.frames().find((x) => x.url().startsWith(`${W.origin}/fixtures/widget.html`));
    return f && (await f.evaluate(() => window.__widget?.error)) && f;
  }, 'the widget to give up');
  const error = await frame.evaluate(() => window.__widget.error);
  assert.equal(error.name, 'Error');
  assert.match(error.message, /no host page answered connectToHost within 1000 ms \(widgetTimeout\)/);
});

test('connectToHost outside a frame rejects with a clear Error', { timeout: TEST_TIMEOUT }, async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(widgetUrl());
  await page.waitForFunction(() => window.__widget?.error);
  const { error, callbacks } = await page.evaluate(() => window.__widget);
  assert.match(error.message, /must run in the widget's iframe \(or, with allowNativeHost: true, in a React Native WebView\), but this page is not in a frame/);
  assert.deepEqual(callbacks, ['onError'], 'onError hears it too (NOT_FRAMED)');
});

describe('options', () => {
  test('a bad widgetUrl is a TypeError naming widgetUrl, and nothing is added to the page', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t, { widgets: [] });
    const result = await page.evaluate(async () => {
      const { default: Okra } = await import('/pkg/index.js');
      const errors = [];
      const reported = [];
      for (const widgetUrl of ['http://widget.example/', 'javascript:alert(1)', '/relative', 42, '']) {
        try {
          Okra.buildWithOptions({ key: 'k', token: 't', widgetUrl, onError: (json) => reported.push(json.error.option) });
        } catch (e) {
          errors.push([e.name, e.message]);
        }
      }
      return { errors, reported, children: document.body.querySelectorAll('iframe, div').length };
    });
    assert.equal(result.errors.length, 5);
    for (const [name, message] of result.errors) {
      assert.equal(name, 'TypeError');
      assert.match(message, /^okra-events: option `widgetUrl` must be an https: URL/);
    }
    assert.deepEqual(result.reported, Array(5).fill('widgetUrl'));
    assert.equal(result.children, 0);
  });

  test('allowedOrigins must be exact origins: "*", patterns and paths are a TypeError', { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await openHost(t, { widgets: [] });
    const messages = await page.evaluate(async () => {
      const { default: Okra } = await import('/pkg/index.js');
      const out = [];
      for (const allowedOrigins of [['*'], ['https://*.merchant.example'], ['https://merchant.example/'], [], 'https://merchant.example', undefined]) {
        await Okra.connectToHost({ allowedOrigins }).then(() => out.push('resolved'), (e) => out.push(`${e.name}: ${e.message}`));
      }
      return out;
    });
    assert.equal(messages.length, 6);
    for (const m of messages) assert.match(m, /^TypeError: okra-events: option `allowedOrigins` must be /);
  });
});

test('the token never reached a foreign origin, nor the widget origin in a URL', () => {
  assertNoToken(O, 'another origin');
  assertNoToken(X, 'the look-alike origin');
  assertNoToken(W, 'the widget origin');
});
