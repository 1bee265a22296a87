// okra-events/react-native's pure module (pkg/native-host.js), without a
// browser or React Native: its origin comparison against the URL standard's,
// its navigation answers, and its promises under random sequences of what a
// WebView can say (fast-check). The widget's page in Chromium, with this
// module as the app, is tests/e2e/native.test.mjs; the component is
// tests/rn/.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, mock, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';

import { KEY, PKG_DIR, TOKEN, assertHostPromises, build, cleanup, installWindow } from './helpers.mjs';
import { BAD } from './option-cases.mjs';

const { nativeWidget, originOf } = await import(pathToFileURL(join(PKG_DIR, 'native-host.js')).href);
const host = await import(pathToFileURL(join(PKG_DIR, 'host.js')).href);

const WIDGET_URL = 'https://widget.example/link?flow=1';
const ORIGIN = 'https://widget.example';
const PROTOCOL = 'okra-events/bridge/1';
const msg = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });

afterEach(cleanup);

/** The URL standard's origin, or '' where it cannot parse. */
const whatwg = (u) => {
  try {
    return new URL(u).origin;
  } catch {
    return '';
  }
};

// URLs near the widget's: look-alikes, other ports, user info, case, backslashes.
const SCHEMES = ['https', 'http', 'HTTPS', 'Https', 'wss', 'javascript', 'data', 'about', 'file'];
const SEPARATORS = ['://', ':/', ':///', ':\\\\', ':'];
const HOSTS = [
  'widget.example', 'WIDGET.Example', 'widget.example.', 'widget.example.evil.tld', 'evil.tld', 'widget-example', 'wwidget.example',
  'widget.exampl', 'xn--wdget-9ua.example', 'user@widget.example', 'user:pw@widget.example', 'widget.example@evil.tld',
  'widget.example\\@evil.tld', 'widget.example%2eevil.tld', 'localhost', '127.0.0.1', '[::1]', '[0:0::1]', '0x7f.1', 'wídget.example', '',
];
const PORTS = ['', ':443', ':444', ':80', ':0443', ':', ':8443', ':65535', ':65536', ':99999', ':-1', ':4a'];
const TAILS = ['', '/', '/link?flow=1', '?q=1', '#top', '\\x', '/@evil.tld', ' ', '\t/'];
const nearUrl = fc
  .tuple(fc.constantFrom(...SCHEMES), fc.constantFrom(...SEPARATORS), fc.constantFrom(...HOSTS), fc.constantFrom(...PORTS), fc.constantFrom(...TAILS))
  .map((parts) => parts.join(''));
const anyUrl = fc.oneof(
  nearUrl,
  fc.webUrl({ authoritySettings: { withIPv4: true, withIPv4Extended: true, withIPv6: true, withUserInfo: true, withPort: true }, withQueryParameters: true, withFragments: true }),
  fc.string({ maxLength: 40 }),
);

/** Whether an origin's host is a name: not in brackets, and its last label not a number (the standard's IPv4 test). */
const named = (origin) => {
  const hostname = origin.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
  return !hostname.startsWith('[') && !/^(\d+|0x[\da-f]*)$/i.test(hostname.replace(/\.$/, '').split('.').at(-1));
};

describe('the package', () => {
  const read = (f) => readFile(join(PKG_DIR, f), 'utf8');
  /** The modules a bundled ES module imports, statically or dynamically. */
  const importsOf = (code) => [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]).sort();

  test('okra-events/react-native is an export with its types; React Native and react-native-webview (>= 13.13.1) are optional peers', async () => {
    const pkg = JSON.parse(await read('package.json'));
    assert.deepEqual(pkg.exports['./react-native'], { types: './react-native.d.ts', default: './react-native.js' });
    for (const f of ['react-native.js', 'react-native.d.ts', 'native-host.js']) assert.ok(pkg.files.includes(f), `${f} is shipped`);
    assert.equal(pkg.peerDependencies['react-native-webview'], '>=13.13.1');
    assert.ok('react-native' in pkg.peerDependencies && 'react' in pkg.peerDependencies);
    for (const name of ['react', 'react-native', 'react-native-webview']) assert.deepEqual(pkg.peerDependenciesMeta[name], { optional: true });
  });

  test("the component imports React, React Native and react-native-webview from the app, its decisions import the host's code from ./host.js, and nothing else imports React Native", async () => {
    assert.deepEqual(importsOf(await read('react-native.js')), ['./native-host.js', 'react', 'react-native', 'react-native-webview']);
    const decisions = await read('native-host.js');
    assert.deepEqual(importsOf(decisions), ['./host.js']);
    assert.ok(!decisions.includes('okra-events/bridge/1') && !decisions.includes('event_callback_url'), "the host's code is not copied into native-host.js");
    for (const f of ['index.js', 'host.js', 'host.global.js', 'react.js', 'native-host.js']) {
      assert.ok(!importsOf(await read(f)).some((m) => m.startsWith('react-native')), `${f} imports no React Native`);
    }
  });
});

describe('origins', () => {
  test('property: originOf is the URL standard’s origin or nothing, and two URLs it calls one origin are one origin', () => {
    fc.assert(
      fc.property(anyUrl, anyUrl, (a, b) => {
        const [oa, ob] = [originOf(a), originOf(b)];
        // Where it answers about a URL whose host is a name (not an IP address in any of its
        // forms, which the standard rewrites), it answers as the standard does.
        if (oa && named(oa)) assert.equal(oa, whatwg(a), a);
        if (oa && oa === ob) assert.equal(whatwg(a), whatwg(b), `${a} and ${b}`);
      }),
      { numRuns: 5000 },
    );
  });

  test("property: only the widget's exact origin is the widget's", () => {
    fc.assert(
      fc.property(anyUrl, (u) => {
        if (originOf(u) === ORIGIN) assert.equal(whatwg(u), ORIGIN, u);
      }),
      { numRuns: 5000 },
    );
    for (const same of ['https://widget.example', 'https://widget.example/', 'HTTPS://WIDGET.EXAMPLE/x', 'https://widget.example:443/a?b#c', 'https://widget.example:0443/']) {
      assert.equal(originOf(same), ORIGIN, same);
    }
    for (const other of [
      'https://widget.example.evil.tld', 'https://widget.example:444', 'http://widget.example', 'https://widget.example.',
      'https://user@widget.example/', 'https://widget.example\\@evil.tld/', 'https://widget.example@evil.tld/', 'wss://widget.example',
      ' https://widget.example/', 'https:/widget.example', 'https://widget.example:/', undefined, null, 42, {},
    ]) {
      assert.notEqual(originOf(other), ORIGIN, String(other));
    }
  });
});

describe('navigation', () => {
  const plan = nativeWidget({ key: KEY, token: TOKEN, widgetUrl: WIDGET_URL });

  test('the WebView is given the widget URL as it is, its origin as the whitelist, and nothing else', () => {
    assert.equal(plan.url, WIDGET_URL);
    assert.equal(plan.origin, ORIGIN);
    assert.deepEqual(plan.originWhitelist, [ORIGIN]);
    assert.ok(!JSON.stringify(plan).includes(TOKEN));
  });

  test('property: only the exact origin loads; other top-level pages open in the system browser (web, mail and phone links only); frames open nothing', () => {
    fc.assert(
      fc.property(anyUrl, fc.constantFrom(true, false, undefined), (url, isTopFrame) => {
        const { load, open } = plan.navigate({ url, isTopFrame });
        if (load && !/^about:(blank|srcdoc)$/.test(url)) assert.equal(whatwg(url), ORIGIN, url);
        if (load) assert.equal(open, undefined);
        if (open !== undefined) {
          assert.equal(open, url);
          assert.notEqual(isTopFrame, false, 'a frame opens nothing');
          assert.match(url, /^(https?|mailto|tel):/i);
        }
        if (!load && isTopFrame !== false && /^(https?|mailto|tel):/i.test(url)) assert.equal(open, url, 'opened outside');
      }),
      { numRuns: 5000 },
    );
    assert.deepEqual(plan.navigate({ url: 'https://widget.example/next', isTopFrame: true }), { load: true });
    assert.deepEqual(plan.navigate({ url: 'https://widget.example.evil.tld/', isTopFrame: true }), { load: false, open: 'https://widget.example.evil.tld/' });
    assert.deepEqual(plan.navigate({ url: 'https://widget.example:444/', isTopFrame: true }), { load: false, open: 'https://widget.example:444/' });
    assert.deepEqual(plan.navigate({ url: 'intent://scan/#Intent;scheme=zxing;end', isTopFrame: true }), { load: false, open: undefined });
    assert.deepEqual(plan.navigate({ url: 'javascript:alert(1)', isTopFrame: true }), { load: false, open: undefined });
    assert.deepEqual(plan.navigate({ url: 'about:blank', isTopFrame: true }), { load: false, open: undefined });
    assert.deepEqual(plan.navigate({ url: 'about:blank', isTopFrame: false }), { load: true });
    assert.deepEqual(plan.navigate({ url: 'https://ads.example/', isTopFrame: false }), { load: false });
    assert.deepEqual(plan.navigate(undefined), { load: false, open: undefined });
    assert.equal(plan.window('https://bank.example/terms'), 'https://bank.example/terms');
    assert.equal(plan.window('https://widget.example/terms'), 'https://widget.example/terms');
    assert.equal(plan.window('market://details?id=x'), undefined);
  });
});

describe('options', () => {
  const nativeDoor = (o) => nativeWidget(o);
  const hostDoor = (o) => host.default.buildWithOptions(o);
  const withUrl = (o) => (o !== null && typeof o === 'object' && !Array.isArray(o) ? { ...o, widgetUrl: WIDGET_URL } : o);

  /** What a door throws for `options`, and what onError got. */
  function refusal(door, options) {
    const reported = [];
    const plain = options !== null && typeof options === 'object' && !Array.isArray(options);
    const o = plain && (typeof options.onError === 'function' || !('onError' in options)) ? { ...options, onError: (json) => reported.push(json) } : options;
    try {
      door(o);
    } catch (error) {
      return [error.constructor.name, error.message, reported];
    }
    return ['none'];
  }

  test("the app's options are refused exactly as okra-events/host refuses them", () => {
    installWindow();
    for (const [label, options] of BAD) {
      const native = refusal(nativeDoor, withUrl(options));
      assert.equal(native[0], 'TypeError', label);
      assert.deepEqual(native, refusal(hostDoor, withUrl(options)), label);
    }
    for (const widgetUrl of ['http://widget.example/', 'https://user:pw@widget.example/', '/relative', 7]) {
      const native = refusal(nativeDoor, { key: KEY, token: TOKEN, widgetUrl });
      assert.match(native[1], /^okra-events: option `widgetUrl` must be an https: URL/);
      assert.deepEqual(native, refusal(hostDoor, { key: KEY, token: TOKEN, widgetUrl }));
    }
  });
});

// ---- the host, under random input -------------------------------------------------

/** Real events from the engine: two widget sessions of six events each. */
function realEvents() {
  installWindow();
  const sessions = [0, 1].map(() => {
    const h = build();
    for (const s of ['landing', 'login_method', 'bank', 'search', 'login']) h.screen(s);
    return h.events().slice(0, 6);
  });
  cleanup();
  return sessions;
}
const [first, second] = realEvents();

/** An app over a fake WebView: every callback and every post recorded. */
function app(extra = {}) {
  const calls = [];
  const posts = [];
  let ended = 0;
  const cb = (name) => (...args) => {
    calls.push([name, ...args]);
    if (extra.throwing === name) throw new Error(`${name} throws`);
  };
  const plan = nativeWidget({
    key: KEY, token: TOKEN, widgetUrl: WIDGET_URL, widgetTimeout: 1000, options: { o: 1 },
    onEvent: cb('onEvent'), onSuccess: cb('onSuccess'), onError: cb('onError'), beforeClose: cb('beforeClose'), onClose: cb('onClose'),
  });
  const h = plan.open({ post: (text) => posts.push(text), end: () => ended++ });
  return { plan, h, calls, posts, ended: () => ended };
}

const SENDERS = [
  WIDGET_URL, ORIGIN, 'https://widget.example/other', 'HTTPS://WIDGET.EXAMPLE/', 'https://widget.example.evil.tld/link',
  'https://widget.example:444/link', 'http://widget.example/link', 'https://evil.tld/', 'null', '', undefined, 42,
];
const SHOWN = [WIDGET_URL, 'https://widget.example/after', 'https://evil.tld/', 'https://widget.example.evil.tld/', 'about:blank', undefined];
const DATA = () => [
  msg('syn'), msg('ready'), msg('event', { event: first[0] }), msg('event', { event: first[1] }), msg('event', { event: first[2] }),
  msg('event', { event: second[0] }), msg('event', { event: second[1] }), msg('success', { data: { record_id: 'r' } }),
  msg('error', { json: {}, error: { type: 'X' } }), msg('before_close', { json: {} }), msg('close', { json: { last: true }, error: null }),
  msg('failed', { reason: 'WASM_UNAVAILABLE' }), msg('failed', { reason: 'NOPE' }), msg('ack', { options: {} }), msg('close_request'),
  '{"okra":1}', '', 'x'.repeat(262_145), msg('success', { data: 'é'.repeat(140_000) }), { okra: PROTOCOL, type: 'syn' }, null, 7,
];

test('property: whatever a WebView says, from wherever, and wherever it goes, the app keeps its promises', () => {
  const consoleError = mock.method(console, 'error', () => {});
  mock.timers.enable({ apis: ['setTimeout'] });
  const data = DATA();
  try {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            // Mostly messages, half of them from the widget's origin.
            { weight: 8, arbitrary: fc.tuple(fc.constant('message'), fc.oneof(fc.nat(3), fc.nat(SENDERS.length - 1)), fc.nat(data.length - 1)) },
            { weight: 1, arbitrary: fc.tuple(fc.constant('navigated'), fc.oneof(fc.nat(1), fc.nat(SHOWN.length - 1))) },
            { weight: 1, arbitrary: fc.tuple(fc.constantFrom('close', 'back', 'destroy', 'wait'), fc.nat(5)) },
          ),
          { maxLength: 60, size: 'medium' },
        ),
        fc.constantFrom(undefined, 'onEvent', 'onClose', 'onSuccess'),
        (steps, throwing) => {
          const a = app({ throwing });
          let shown = WIDGET_URL;
          let acked = false;
          let destroyedAt = -1;
          /** The event ids the app may pass on: sent from the widget's origin, while shown, after an ack. */
          const fair = new Set();
          for (const [kind, i, j] of steps) {
            if (kind === 'message') {
              const url = SENDERS[i];
              const text = data[j];
              const trusted = whatwg(url) === ORIGIN && whatwg(shown) === ORIGIN;
              const before = a.posts.length;
              a.h.message({ url, data: text });
              const sent = a.posts.slice(before);
              if (sent.length) {
                // Only the ack, in answer to a trusted syn.
                assert.ok(trusted && text === msg('syn'), `posted ${sent} for ${text?.slice?.(0, 40)} from ${url} while showing ${shown}`);
                assert.deepEqual(sent.map((s) => JSON.parse(s).type), ['ack']);
                assert.equal(JSON.parse(sent[0]).options.token, TOKEN);
                acked = true;
              }
              if (trusted && acked && typeof text === 'string' && text.startsWith('{"okra":"okra-events/bridge/1","type":"event"')) {
                fair.add(JSON.parse(text).event.event_id);
              }
            } else if (kind === 'navigated') {
              shown = SHOWN[i];
              a.h.navigated(shown);
            } else if (kind === 'close') {
              const before = a.posts.length;
              a.h.close();
              for (const p of a.posts.slice(before)) {
                assert.equal(p, msg('close_request'));
                assert.equal(whatwg(shown), ORIGIN, 'a close request only to the widget’s origin');
              }
            } else if (kind === 'back') {
              const open = a.ended() === 0 && destroyedAt < 0;
              assert.equal(a.h.back(), open, 'back is handled while the widget is open');
            } else if (kind === 'destroy') {
              a.h.destroy();
              if (destroyedAt < 0) destroyedAt = a.calls.length;
            } else mock.timers.tick(i * 700);
          }
          mock.timers.tick(10_000);
          const names = a.calls.map((c) => c[0]);
          const { closes, events } = assertHostPromises(a.calls);
          if (destroyedAt >= 0) assert.equal(a.calls.length, destroyedAt, 'nothing after destroy()');
          assert.equal(a.ended(), closes ? 1 : 0, 'the WebView goes once, when the widget is finished (not on destroy)');
          for (const e of events) assert.ok(fair.has(e.event_id), `${e.event_id} came from the widget, after the ack`);
          if (!acked) assert.ok(names.every((n) => n === 'onError' || n === 'onClose' || n === 'beforeClose'), 'nothing but the host’s own before an ack');
        },
      ),
      { numRuns: 1500 },
    );
  } finally {
    mock.timers.reset();
    consoleError.mock.restore();
  }
});

test('before its ack, the app acts on syn and failed only; a widget that never connects: WIDGET_LOAD_TIMEOUT naming allowNativeHost', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const a = app();
    a.h.message({ url: WIDGET_URL, data: msg('ready') });
    a.h.message({ url: WIDGET_URL, data: msg('event', { event: first[0] }) });
    a.h.message({ url: WIDGET_URL, data: msg('close', { json: {}, error: null }) });
    assert.deepEqual(a.calls, []);
    mock.timers.tick(1000);
    assert.deepEqual(a.calls.map((c) => c[0]), ['onError', 'onClose']);
    const error = a.calls[0][2];
    assert.equal(error.type, 'WIDGET_LOAD_TIMEOUT');
    assert.match(error.message, /did not connect within 1000 ms \(widgetTimeout\)\. Did its page load in the WebView .*allowNativeHost: true/);
    assert.equal(a.ended(), 1);
    assert.equal(a.h.back(), false, 'finished: the back button is the app’s');

    const b = app();
    b.h.message({ url: ORIGIN, data: msg('failed', { reason: 'WASM_UNAVAILABLE' }) });
    assert.deepEqual(b.calls.map((c) => c[0]), ['onError', 'onClose']);
    assert.equal(b.calls[0][2].type, 'WIDGET_FAILED');
  } finally {
    mock.timers.reset();
  }
});

test('hardware back closes the widget as its close button does, and the latest callbacks are called', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const got = [];
    let props = { key: KEY, token: TOKEN, widgetUrl: WIDGET_URL, onEvent: () => got.push('old'), onClose: () => got.push('old close') };
    const plan = nativeWidget(props, () => props);
    const posts = [];
    const h = plan.open({ post: (t) => posts.push(t) });
    h.message({ url: WIDGET_URL, data: msg('syn') });
    h.message({ url: WIDGET_URL, data: msg('ready') });
    props = { ...props, onEvent: (e) => got.push(e.event_name), onClose: () => got.push('close') };
    h.message({ url: WIDGET_URL, data: msg('event', { event: first[0] }) });
    assert.equal(h.back(), true);
    assert.equal(posts.at(-1), msg('close_request'), 'the widget is asked, as by its close button');
    h.message({ url: WIDGET_URL, data: msg('close', { json: { bounced: true }, error: null }) });
    assert.deepEqual(got, ['USER_CONNECTING', 'close']);
    assert.equal(h.back(), false);
  } finally {
    mock.timers.reset();
  }
});

test("the host's 256 KiB bound counts bytes of UTF-8 as Node does, lone surrogates included (no Blob, which React Native backs natively)", () => {
  const raw = (body) => `{"okra":"${PROTOCOL}","type":"success","data":{"x":"${body}"}}`;
  const base = Buffer.byteLength(raw(''));
  for (const ch of ['a', 'é', '€', '😀', '\ud800', '\udc00']) {
    const unit = Buffer.byteLength(ch);
    const n = Math.floor((262_144 - base) / unit);
    assert.ok(host.decode(raw(ch.repeat(n))), `${JSON.stringify(ch)}: ${base + n * unit} bytes, at the bound, is read`);
    assert.equal(host.decode(raw(ch.repeat(n + 1))), undefined, `${JSON.stringify(ch)}: ${base + (n + 1) * unit} bytes is dropped`);
  }
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
      assert.doesNotThrow(() => host.decode(raw(s)));
    }),
  );
});
