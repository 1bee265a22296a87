// The widget in a React Native app, in real Chromium: the widget's real page
// (fixtures/widget.html, the built package) on its own origin W, with
// window.ReactNativeWebView as react-native-webview provides it, and the test
// as the app, through okra-events/react-native's pure module exactly as the
// component uses it (webview.mjs). O is another origin. Each flow runs as
// on Android and as on iOS, whose bridges differ (see webview.mjs).
// Build the package first: scripts/build.sh
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../www/serve.mjs';
import { launchBrowser, until } from './demo.mjs';
import { PKG } from './receiver.mjs';
import { recordPayloads } from './payloads.mjs';
import { appEvents, callNames, openWebView } from './webview.mjs';

const TEST_TIMEOUT = 120_000;
const FIXTURES = resolve(fileURLToPath(new URL('./fixtures', import.meta.url)));
const ROOTS = { '/pkg/': PKG, '/fixtures/': FIXTURES };
const TOKEN = 'tok_S3CR3T_app_token_0123456789';
const PROTOCOL = 'okra-events/bridge/1';
const msg = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });
/** A widget page whose policy refuses WebAssembly: its engine cannot start. */
const policyOf = (path) => (path.endsWith('/widget-strict.html') ? { 'content-security-policy': "default-src 'self'; script-src 'self'" } : {});

let browser;
let W;
let O;

before(async () => {
  W = await serve({ roots: ROOTS, record: true, headers: policyOf });
  O = await serve({ roots: ROOTS, record: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([W, O].map((s) => s?.close()));
});

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function widgetUrl({ origin = W.origin, page = 'widget.html', query = { native: '1' } } = {}) {
  return `${origin}/fixtures/${page}?${new URLSearchParams(query)}`;
}

/** The app's options: what a merchant's screen gives `<OkraWidget config>`. */
const config = (widget = widgetUrl(), extra = {}) => ({
  key: 'pk_app', token: TOKEN, env: 'production-sandbox', widgetUrl: widget,
  options: { clientDefinedId: 'order-42' }, meta: { plan: 'pro' }, ...extra,
});

/** Opens the app; fails the test on an uncaught error in the page. */
async function openApp(t, options) {
  const app = await openWebView(browser, options);
  t.after(async () => {
    app.host.destroy();
    // The app's callbacks are the host's, with the host's declared types: kept for the payload type check.
    for (const name of ['onEvent', 'onSuccess', 'onError', 'beforeClose', 'onClose']) {
      recordPayloads(`host:${name}`, app.calls.filter((c) => c.name === name).map((c) => c.args));
    }
    await app.context.close();
    assert.deepEqual(app.errors.map(String), [], 'uncaught errors in the page');
  });
  return app;
}

/** What the widget's page recorded (fixtures/widget.js). */
const widgetState = (app) =>
  app.page.evaluate(() => {
    const w = window.__widget;
    return {
      connected: w.connected, error: w.error, callbacks: w.callbacks, events: w.events.map((e) => e.event_id),
      options: w.handler?.options ?? null, seen: window.__seen,
    };
  });

const connected = (app) => until(() => app.page.evaluate(() => window.__widget?.connected).catch(() => false), 'the widget to connect');

const widgetCall = (app, body) => app.page.evaluate((b) => new Function('handler', b)(window.__widget.handler), body);

/** The types of what the page sent the app. */
const types = (list) => list.map((m) => JSON.parse(m.data).type);

function assertNoToken(server, label) {
  assert.deepEqual(server.requests.filter((u) => u.includes(TOKEN)), [], `the token reached ${label} in a URL`);
}

for (const platform of ['android', 'ios']) {
  describe(`as on ${platform}`, () => {
    test('a whole flow: the options reach the widget, its events and callbacks reach the app in order, and back closes it', { timeout: TEST_TIMEOUT }, async (t) => {
      const app = await openApp(t, { config: config(), platform });
      await connected(app);
      const first = await widgetState(app);
      // The widget was built from the app's options, sent after its syn.
      assert.equal(first.options.token, TOKEN);
      assert.deepEqual(first.options.options, { clientDefinedId: 'order-42' });
      assert.equal(first.options.widgetUrl, app.plan.url);
      assert.deepEqual(types(app.received).slice(0, 2), ['syn', 'ready']);
      assert.equal(app.posted.length, 1);
      assert.equal(JSON.parse(app.posted[0]).type, 'ack');
      assert.ok(app.received.every((m) => m.url === (platform === 'ios' ? app.plan.url : W.origin)), 'nativeEvent.url as the platform gives it');

      await widgetCall(app, `
        handler.screen('landing');
        handler.screen('bank');
        handler.track('USER_BANK_SELECTED', { bank: 'alat' });
        handler.screen('login', { bank: 'alat' });
        handler.track('USER_LOGIN_ATTEMPTED', { username: 'faith', password: 'hunter2' });
        handler.screen('account_selection');
        handler.success({ record_id: 'rec_1', bank_id: 'alat' });
        try { handler.success({ record_id: 'rec_2' }); } catch {}`);
      await until(() => callNames(app).includes('onSuccess'), 'onSuccess');
      // Hardware back: the widget closes as with its close button.
      assert.equal(app.host.back(), true);
      await until(() => app.ended, 'the widget to end');

      const events = appEvents(app);
      assert.deepEqual(events.map((e) => e.event_name), [
        'USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_BANK_SELECTED', 'USER_LOGIN_ATTEMPTED',
        'USER_ACCOUNT_SELECTION', 'USER_CONNECTION_SUCCESSFUL', 'USER_APP_CLOSE',
      ]);
      assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1), 'in order, no gaps');
      assert.ok(!JSON.stringify(events).includes('hunter2'), 'no password crossed');
      const names = callNames(app).filter((n) => n !== 'onEvent');
      assert.deepEqual(names, ['onSuccess', 'beforeClose', 'onClose'], 'one onSuccess, then the close, last');
      assert.equal(callNames(app).at(-1), 'onClose');
      const [success] = app.calls.find((c) => c.name === 'onSuccess').args;
      assert.equal(success.record_id, 'rec_1');
      assert.deepEqual(success.meta, { plan: 'pro' });
      const [json] = app.calls.at(-1).args;
      assert.equal(json.session_id, events[0].session_id);
      assert.equal(json.success, true);
      assert.deepEqual(app.host.events().map((e) => e.event_id), events.map((e) => e.event_id));
      const widget = await widgetState(app);
      assert.deepEqual(widget.events, events.map((e) => e.event_id), "the widget's own events, each once");
      assert.deepEqual(widget.callbacks, ['onSuccess', 'beforeClose', 'onClose']);
      assert.equal(app.host.back(), false, 'once finished, back is the app\'s again');
      assertNoToken(W, 'the widget origin');
    });

    test('a reload: the widget connects again with the same options, and events before and after arrive once', { timeout: TEST_TIMEOUT }, async (t) => {
      const app = await openApp(t, { config: config(), platform });
      await connected(app);
      await widgetCall(app, "handler.screen('landing')");
      await until(() => appEvents(app).length >= 2, 'two events');
      const before = appEvents(app);
      await app.page.reload();
      await connected(app);
      await widgetCall(app, "handler.screen('landing'); handler.screen('bank')");
      await until(() => appEvents(app).length >= 5, 'the new session’s events');
      const events = appEvents(app);
      assert.deepEqual(events.map((e) => e.event_name), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS']);
      assert.equal(new Set(events.map((e) => e.event_id)).size, 5, 'each once');
      assert.notEqual(events[2].session_id, before[0].session_id, 'a new widget session');
      assert.equal(app.host.sessionId(), events[2].session_id, 'sessionId follows it');
      assert.equal(app.posted.length, 2, 'one ack per syn');
      assert.equal(app.posted[1], app.posted[0], 'the same options');
      assert.equal((await widgetState(app)).options.token, TOKEN);
      assert.deepEqual(callNames(app).filter((n) => n !== 'onEvent'), [], 'no callback but events');
    });
  });
}

test('forged messages before and after connecting, from other windows and from inside the page: the widget connects once, to the app, with its options', { timeout: TEST_TIMEOUT }, async (t) => {
  // Android: frames of another origin load (it asks the app about top-level navigations only).
  // The widget's syn is held, as a slow bridge would, while others speak first.
  const app = await openApp(t, { config: config(), platform: 'android', hold: true });
  await until(() => app.held.length === 1, "the widget's syn");
  assert.deepEqual(types(app.held), ['syn']);
  const forged = msg('ack', { options: { key: 'pk_forged', token: 'tok_forged' } });
  // A frame of another origin inside the widget's page, and the page itself, post forgeries.
  await app.page.evaluate((src) => {
    const f = document.createElement('iframe');
    f.src = src;
    document.body.append(f);
    return new Promise((ok) => f.addEventListener('load', ok));
  }, `${O.origin}/fixtures/hostile.html`);
  const hostile = app.page.frames().find((f) => f.url().startsWith(O.origin));
  const dispatch = (data, target = 'window') =>
    app.page.evaluate(([d, on]) => (on === 'window' ? window : document).dispatchEvent(new MessageEvent('message', { data: d })), [data, target]);
  await hostile.evaluate((m) => window.forge(m), [forged, msg('close_request')]);
  await app.page.evaluate((m) => postMessage(m, '*'), forged);
  // Dispatched in the page like the app's own, but malformed: dropped.
  for (const bad of ['', 'null', '{"okra":1}', msg('ack', { options: [] }), msg('ack', { options: {}, extra: 1 }), msg('ack', { options: { x: 'é'.repeat(140_000) } }), msg('close_request')]) {
    await dispatch(bad);
  }
  await sleep(300);
  let state = await widgetState(app);
  assert.equal(state.connected, false, 'nothing connected the widget');
  assert.equal(state.error, null);

  // The app answers: the widget connects with the app's options.
  app.release();
  await connected(app);
  state = await widgetState(app);
  assert.equal(state.options.token, TOKEN);

  // After connecting: a second ack (any source) is refused, and a close request counts only from the app's channel.
  await hostile.evaluate((m) => window.forge(m), [forged, msg('close_request')]);
  await app.page.evaluate((m) => postMessage(m, '*'), msg('close_request'));
  await dispatch(forged);
  await dispatch(forged, 'document');
  // And what a frame of another origin posts through the bridge goes nowhere.
  const real = appEvents(app)[0];
  await hostile.evaluate((list) => list.forEach((m) => window.ReactNativeWebView.postMessage(m)), [
    msg('syn'), msg('event', { event: { ...real, event_id: 'forged-1', sequence: 50 } }), msg('success', { data: { record_id: 'forged' } }),
    msg('close', { json: {}, error: null }), msg('failed', { reason: 'HOST_NOT_ALLOWED' }),
  ]);
  await widgetCall(app, "handler.screen('landing')");
  await until(() => appEvents(app).length >= 2, 'the widget’s next event');
  await sleep(300);
  state = await widgetState(app);
  assert.equal(state.options.token, TOKEN, 'the options are still the app’s');
  assert.deepEqual(state.callbacks, [], 'the widget is still open');
  assert.equal(types(app.received).filter((t) => t === 'ready').length, 1, 'one ready: one connection');
  assert.deepEqual(appEvents(app).map((e) => e.event_name), ['USER_CONNECTING', 'USER_CONNECTED']);
  assert.deepEqual(callNames(app).filter((n) => n !== 'onEvent'), [], 'no forged success or close');
  assert.equal(app.posted.length, 1, 'one ack, to the widget');
  const got = await hostile.evaluate(() => window.__seen);
  assert.ok(!got.some((m) => m.includes(TOKEN)), 'the foreign frame never saw the options');

  // The app's own close request still closes it.
  app.host.close();
  await until(() => app.ended, 'the widget to end');
  assert.equal(callNames(app).at(-1), 'onClose');
  assert.ok(appEvents(app).some((e) => e.event_name === 'USER_BOUNCE'));
  assertNoToken(O, 'another origin');
});

test('a second ack, even one the app itself sends, is refused: the widget keeps its first options and answers no second ready', { timeout: TEST_TIMEOUT }, async (t) => {
  const app = await openApp(t, { config: config(), platform: 'ios' });
  await connected(app);
  await app.deliver(msg('ack', { options: { key: 'pk_2', token: 'tok_2' } }));
  await app.deliver(app.posted[0]);
  await widgetCall(app, "handler.screen('landing')");
  await until(() => appEvents(app).length >= 2, 'the next event');
  await sleep(200);
  const state = await widgetState(app);
  assert.equal(state.options.token, TOKEN);
  assert.deepEqual(types(app.received), ['syn', 'ready', 'event', 'event']);
});

test('a page without allowNativeHost never answers the app: the app gets WIDGET_LOAD_TIMEOUT, then onClose', { timeout: TEST_TIMEOUT }, async (t) => {
  for (const query of [{ allow: 'https://merchant.example' }, { allow: 'https://merchant.example', native: '0' }]) {
    const app = await openApp(t, { config: config(widgetUrl({ query }), { widgetTimeout: 1500 }), platform: 'android' });
    await until(() => app.page.evaluate(() => window.__widget?.error), 'the widget to refuse');
    await until(() => app.ended, 'the app to give up');
    const state = await widgetState(app);
    assert.match(state.error.message, /runs in a React Native WebView, not in a frame, and does not answer an app without the option allowNativeHost: true/);
    assert.deepEqual(app.received, [], 'the page sent the app nothing');
    assert.deepEqual(app.posted, [], 'and got nothing');
    assert.deepEqual(callNames(app), ['onError', 'onClose']);
    const [, error] = app.calls[0].args;
    assert.equal(error.type, 'WIDGET_LOAD_TIMEOUT');
    assert.match(error.message, /did not connect within 1500 ms \(widgetTimeout\)\. Did its page load in the WebView .* allowNativeHost: true/);
  }
});

test('a widget that never connects: WIDGET_LOAD_TIMEOUT; one that cannot start: WIDGET_FAILED at once', { timeout: TEST_TIMEOUT }, async (t) => {
  const silent = await openApp(t, { config: config(widgetUrl({ query: { native: '1', connect: '0' } }), { widgetTimeout: 1500 }), platform: 'ios' });
  await until(() => silent.ended, 'the timeout');
  assert.deepEqual(callNames(silent), ['onError', 'onClose']);
  assert.equal(silent.calls[0].args[1].type, 'WIDGET_LOAD_TIMEOUT');
  assert.deepEqual(silent.calls[1].args, silent.calls[0].args);
  assert.equal(silent.host.back(), false);

  const broken = await openApp(t, { config: config(widgetUrl({ page: 'widget-strict.html' }), { widgetTimeout: 600_000 }), platform: 'android' });
  await until(() => broken.ended, 'the widget’s word');
  assert.deepEqual(callNames(broken), ['onError', 'onClose']);
  const [, failure] = broken.calls[0].args;
  assert.equal(failure.type, 'WIDGET_FAILED');
  assert.equal(failure.reason, 'WASM_UNAVAILABLE');
  assert.deepEqual(broken.posted, [], 'no options to a widget that cannot start');
});

test('navigation: other origins open in the system browser; a WebView that ends up on one gets nothing, and back on the widget it connects again', { timeout: TEST_TIMEOUT }, async (t) => {
  const app = await openApp(t, { config: config(), platform: 'android' });
  await connected(app);
  const elsewhere = `${O.origin}/fixtures/hostile.html`;
  // A link to another origin: not loaded, opened outside; the widget stays.
  await app.page.evaluate((u) => {
    location.href = u;
  }, elsewhere);
  await until(() => app.opened.length === 1, 'the system browser');
  assert.deepEqual(app.opened, [elsewhere]);
  // Look-alikes of the widget's origin are other origins.
  for (const url of [`${W.origin}.evil.example/`, `${W.origin.replace(/:\d+$/, ':1')}/x`]) {
    assert.deepEqual(app.plan.navigate({ url, isTopFrame: true }), { load: false, open: url });
  }
  assert.equal(await app.page.evaluate(() => location.origin), W.origin);
  assert.equal((await widgetState(app)).connected, true);

  // A navigation the app is not asked about (a form POST on Android) lands on another origin.
  app.fence = false;
  await app.page.goto(elsewhere);
  const foreign = app.page.mainFrame();
  // Its messages, and a late one that claims the widget's origin, change nothing and get no options.
  await foreign.evaluate((list) => list.forEach((m) => window.ReactNativeWebView.postMessage(m)), [msg('syn'), msg('ready'), msg('close', { json: {}, error: null })]);
  app.host.message({ url: W.origin, data: msg('syn') });
  await sleep(300);
  assert.equal(app.posted.length, 1, 'no second ack');
  assert.deepEqual(await foreign.evaluate(() => window.__seen), [], 'the other origin saw no message');
  assert.deepEqual(callNames(app).filter((n) => n !== 'onEvent'), []);

  // Back on the widget's origin, the widget connects again, with the same options.
  app.fence = true;
  await app.page.goto(app.plan.url);
  await connected(app);
  assert.equal(app.posted.length, 2);
  assert.equal(app.posted[1], app.posted[0]);
  assert.equal((await widgetState(app)).options.token, TOKEN);
  app.host.back();
  await until(() => app.ended, 'the widget to close');
  assert.equal(callNames(app).at(-1), 'onClose');
  assertNoToken(O, 'another origin');
});

