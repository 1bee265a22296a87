// okra-events/host against the built package (pkg/host.js), without a
// browser: its options give exactly the errors of the engine's (one table,
// three doors), its decoder and its rules keep their promises under random
// input (fast-check), and it runs nothing it should not. The browser
// behaviour is in tests/e2e/bridge.test.mjs, which runs every case against it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, mock, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';

import { KEY, Okra, PKG_DIR, TOKEN, assertHostPromises, build, cleanup, installWindow } from './helpers.mjs';
import { BAD } from './option-cases.mjs';

const host = await import(pathToFileURL(join(PKG_DIR, 'host.js')).href);
const Host = host.default;
const WIDGET_URL = 'https://widget.example/link';
const PROTOCOL = 'okra-events/bridge/1';

afterEach(cleanup);

/** What `buildWithOptions(options)` throws, and what `onError` got, through one door. */
function refusal(door, options) {
  const reported = [];
  const withReport =
    options !== null && typeof options === 'object' && !Array.isArray(options)
      ? { ...options, onError: typeof options.onError === 'function' || !('onError' in options) ? (json, error) => reported.push({ json, error }) : options.onError }
      : options;
  try {
    door(withReport);
  } catch (error) {
    return {
      name: error.constructor.name,
      message: error.message,
      type: error.type,
      option: error.option,
      reported: reported.map((r) => [r.json, r.error === error]),
    };
  }
  return { name: 'none' };
}

const doors = {
  'same-page handler (the engine)': (o) => Okra.buildWithOptions(o),
  "root entry's host mode (the engine)": (o) => Okra.buildWithOptions(o),
  'okra-events/host (JavaScript)': (o) => Host.buildWithOptions(o),
};

/** The options a door is given: host doors get a valid widgetUrl, checked after the rest. */
const forDoor = (door, options) =>
  door.includes('host') && options !== null && typeof options === 'object' && !Array.isArray(options)
    ? { ...options, widgetUrl: WIDGET_URL }
    : options;

describe('one table of bad options, three doors, the same errors', () => {
  for (const [label, options] of BAD) {
    test(label, () => {
      installWindow();
      const results = Object.fromEntries(Object.entries(doors).map(([name, door]) => [name, refusal(door, forDoor(name, options))]));
      const [first, ...rest] = Object.values(results);
      assert.equal(first.name, 'TypeError', `${label}: a TypeError (${JSON.stringify(results)})`);
      assert.equal(first.type, 'INVALID_OPTIONS', 'its kind is error.type');
      for (const r of rest) assert.deepEqual(r, first, JSON.stringify(results, null, 1));
    });
  }

  const base = { key: KEY, token: TOKEN };
  const circular = { a: 1 };
  circular.self = circular;
  const deep = (n) => (n === 0 ? 1 : { d: deep(n - 1) });
  // Host options, and what goes to the widget: the engine (root host mode) and okra-events/host agree.
  const HOST_CASES = [
    ['widgetUrl http:', { ...base, widgetUrl: 'http://widget.example/' }],
    ['widgetUrl with credentials', { ...base, widgetUrl: 'https://user:pw@widget.example/' }],
    ['widgetUrl a number', { ...base, widgetUrl: 7 }],
    ['widgetUrl null', { ...base, widgetUrl: null }],
    ['widgetUrl relative', { ...base, widgetUrl: '/widget' }],
    ['widgetUrl javascript:', { ...base, widgetUrl: 'javascript:alert(1)' }],
    ['widgetUrl with a space', { ...base, widgetUrl: 'https://widget.example/a b' }],
    ['widgetUrl with a no-break space', { ...base, widgetUrl: 'https://widget.example/\u00a0' }],
    ['widgetUrl with an ideographic space', { ...base, widgetUrl: 'https://widget.example/\u3000' }],
    ['widgetUrl port out of range', { ...base, widgetUrl: 'https://widget.example:65536/' }],
    ['widgetUrl empty port', { ...base, widgetUrl: 'https://widget.example:/' }],
    ['widgetUrl http look-alike of localhost', { ...base, widgetUrl: 'http://localhost.evil.example/' }],
    ['widgetUrl unclosed IPv6', { ...base, widgetUrl: 'https://[::1/' }],
    ['widgetUrl IPv6 then text', { ...base, widgetUrl: 'https://[::1]x/' }],
    ['widgetUrl host with an underscore', { ...base, widgetUrl: 'https://wid_get.example/' }],
    ['widgetUrl empty host', { ...base, widgetUrl: 'https:///path' }],
    ['widgetTimeout 0', { ...base, widgetUrl: WIDGET_URL, widgetTimeout: 0 }],
    ['widgetTimeout a string', { ...base, widgetUrl: WIDGET_URL, widgetTimeout: '20s' }],
    ['widgetTimeout fractional', { ...base, widgetUrl: WIDGET_URL, widgetTimeout: 1.5 }],
    ['an option JSON cannot hold', { ...base, widgetUrl: WIDGET_URL, customer: circular }],
    ['a BigInt option', { ...base, widgetUrl: WIDGET_URL, limit: 10n }],
    ['a Symbol option', { ...base, widgetUrl: WIDGET_URL, name: Symbol('acme') }],
    ['options nested too deep', { ...base, widgetUrl: WIDGET_URL, options: deep(40) }],
    ['meta whose toJSON is not an object', { ...base, widgetUrl: WIDGET_URL, meta: { toJSON: () => 'x' } }],
    ['an option nested too deep', { ...base, widgetUrl: WIDGET_URL, filter: deep(40) }],
    ['options over 256 KiB', { ...base, widgetUrl: WIDGET_URL, connectMessage: 'é'.repeat(140_000) }],
  ];
  for (const [label, options] of HOST_CASES) {
    test(`host: ${label}`, () => {
      installWindow();
      const root = refusal(doors["root entry's host mode (the engine)"], options);
      const entry = refusal(doors['okra-events/host (JavaScript)'], options);
      assert.equal(root.name, 'TypeError', `${label}: ${JSON.stringify(root)}`);
      assert.match(root.message, /^okra-events: /);
      assert.deepEqual(entry, root);
    });
  }

  test('host: widgetUrl missing (okra-events/host; the root entry builds a same-page handler then)', () => {
    const r = refusal(doors['okra-events/host (JavaScript)'], { ...base });
    assert.equal(r.name, 'TypeError');
    assert.match(r.message, /^okra-events: option `widgetUrl` must be an https: URL \(http: only for localhost, 127\.0\.0\.1 or \[::1\]\) in printable ASCII, without credentials, got undefined$/);
    assert.deepEqual(r.reported, [[{ error: { type: 'INVALID_OPTIONS', option: 'widgetUrl', message: r.message } }, true]]);
  });

  test('accepted URLs are accepted by both', () => {
    installWindow();
    for (const url of [
      'https://widget.example/', 'HTTPS://Widget.Example/', 'https://widget.example:8443/a?b#c', 'http://localhost:5174/w',
      'http://127.0.0.1:4100/', 'http://[::1]:8080/', 'https://[2001:db8::1]/', 'https://widget.example', 'https://w.example/p@x',
    ]) {
      for (const door of [Okra, Host]) {
        // Past the checks, without a document: the error that a browser window is needed.
        assert.throws(() => door.buildWithOptions({ ...base, widgetUrl: url }), /needs a browser window/, url);
      }
    }
  });
});

test('without a browser window (server-side rendering): the same Error from every door, after the options are checked', () => {
  const results = [];
  for (const door of [(o) => Okra.buildWithOptions(o), (o) => Okra.buildWithOptions({ ...o, widgetUrl: WIDGET_URL }), (o) => Host.buildWithOptions({ ...o, widgetUrl: WIDGET_URL })]) {
    const reported = [];
    try {
      door({ key: KEY, token: TOKEN, onError: (json) => reported.push(json) });
      results.push('built');
    } catch (e) {
      results.push([e.constructor.name, e.message, reported, e.type]);
    }
  }
  assert.equal(results[0][0], 'Error');
  assert.match(results[0][1], /^okra-events: buildWithOptions needs a browser window/);
  assert.deepEqual(results[0][2], [{ error: { type: 'NO_WINDOW', message: results[0][1] } }]);
  assert.equal(results[0][3], 'NO_WINDOW', 'its kind is error.type');
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
});

test('okra-events/host has no WebAssembly, no storage, no requests, and no catalog descriptions', async () => {
  const text = await readFile(join(PKG_DIR, 'host.js'), 'utf8');
  for (const word of ['WebAssembly.', 'indexedDB', 'localStorage', 'sessionStorage', 'fetch(', 'sendBeacon', 'XMLHttpRequest', 'import(', 'okra_events']) {
    assert.ok(!text.includes(word), `host.js mentions ${word}`);
  }
  assert.ok(!text.includes('The user has'), 'no catalog description');
  assert.equal(Host.version, Okra.version);
  assert.deepEqual(Object.keys(Host).sort(), ['buildWithOptions', 'version']);
});

// ---- the decoder and the rules, under random input -------------------------------

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
const message = (type, fields = {}) => JSON.stringify({ okra: PROTOCOL, type, ...fields });
const seeds = [
  message('event', { event: first[1] }),
  message('ready'),
  message('syn'),
  message('close', { json: { a: 1 }, error: null }),
  message('success', { data: { record_id: 'r', nested: [1, { b: null }] } }),
  message('error', { json: {}, error: { type: 'X' } }),
  message('failed', { reason: 'HOST_NOT_ALLOWED' }),
];
const EVENT_KEYS = Object.keys(first[0]);

test('the decoder reads every message of the widget, and a real event as itself', () => {
  for (const s of seeds) assert.ok(host.decode(s), s);
  assert.deepEqual(host.decode(seeds[0]).event, first[1]);
  assert.deepEqual(Object.keys(host.decode(seeds[0]).event), EVENT_KEYS, 'the fields in their order');
});

test('the decoder drops malformed, oversized, nested and hostile messages', () => {
  const e = first[1];
  const bad = [
    '', 'null', '"syn"', '[]', '{}', JSON.stringify({ okra: 'okra-events/bridge/0', type: 'syn' }), JSON.stringify({ okra: PROTOCOL }),
    message('nope'), JSON.stringify({ okra: PROTOCOL, type: 7 }), message('ready', { success: true }), message('event'),
    message('close', { json: {} }), message('close', { json: [], error: null }), message('before_close', { json: 'x' }),
    message('ack', { options: {} }), message('toString'), message('__proto__'),
    seeds[0].slice(0, 40), `${message('ready')} x`, message('ready').replace('okra-events', 'OKRA-EVENTS'),
    message('success', { data: 'a'.repeat(262_144) }),
    message('success', { data: JSON.parse('['.repeat(40) + ']'.repeat(40)) }),
    '{"a":'.repeat(200_000),
    ...[
      { ...e, withError: 'false' }, { ...e, sequence: 1.5 }, { ...e, sequence: -1 }, { ...e, sequence: 0 }, { ...e, sequence: '1' },
      { ...e, sequence: 1e15 }, { ...e, event: 1 }, { ...e, event_name: 'user_connected' }, { ...e, event_screen: 'LANDING' },
      { ...e, event_category: 'Auth' }, { ...e, event_data: [] }, { ...e, event_data: null }, { ...e, success: true },
      { ...e, event_time: 'yesterday' }, { ...e, event_location: 7 }, { ...e, event_location: {} },
      { ...e, event_callback_url: false }, { ...e, event_callback_url: ['https://a.example'] }, { ...e, session_id: '' }, { ...e, event_id: 'x'.repeat(65) }, { ...e, event_type: 'OTHER' },
      Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'sequence')),
    ].map((event) => message('event', { event })),
  ];
  for (const text of bad) assert.equal(host.decode(text), undefined, text.slice(0, 120));
  for (const v of [undefined, null, 5, {}, [], { okra: PROTOCOL, type: 'ready' }]) assert.equal(host.decode(v), undefined);
  // Keys such as __proto__ are data, never prototypes.
  const m = host.decode(message('success', { data: JSON.parse('{"__proto__":{"polluted":true}}') }));
  assert.deepEqual(Object.keys(m.data), ['__proto__']);
  assert.equal({}.polluted, undefined);
});

/** Text near the protocol: real messages cut, spliced and mutated. */
const nearMessages = fc
  .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(8), fc.string({ maxLength: 12 }))
  .map(([s, at, len, insert]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + insert + s.slice(i + len);
  });

test('property: decoding any text never throws, and what gets through is exactly a message of the protocol', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), nearMessages, fc.json()), (text) => {
      const m = host.decode(text);
      if (m === undefined) return;
      assert.equal(m.okra, PROTOCOL);
      if (m.type === 'event') {
        assert.deepEqual(Object.keys(m.event), EVENT_KEYS);
        assert.ok(Number.isSafeInteger(m.event.sequence) && m.event.sequence > 0);
        assert.equal(typeof m.event.session_id, 'string');
      }
    }),
    { numRuns: 3000 },
  );
});

/** A host session over a fake transport, with every callback recorded. */
function session({ throwing = () => false, reenter = () => {} } = {}) {
  const calls = [];
  const sent = [];
  let ended = 0;
  const cb = (name) => (...args) => {
    calls.push([name, ...args]);
    reenter(name, s);
    if (throwing(name)) throw new Error(`${name} throws`);
  };
  const checked = host.check({
    key: KEY, token: TOKEN, widgetUrl: WIDGET_URL, widgetTimeout: 1000, options: { o: 1 }, meta: { m: 2 },
    onEvent: cb('onEvent'), onSuccess: cb('onSuccess'), onError: cb('onError'), beforeClose: cb('beforeClose'), onClose: cb('onClose'),
  });
  const s = host.hostSession(checked, { send: (text) => sent.push(text), end: () => ended++ });
  return { s, calls, sent, ended: () => ended };
}

const STEPS = ['ready', 'eventA', 'eventB', 'success', 'closeMessage', 'error', 'beforeClose', 'close', 'wait', 'syn', 'failed', 'garbage', 'destroy'];

test('property: whatever the widget sends and the page calls, in any order, the host keeps its promises', () => {
  const consoleError = mock.method(console, 'error', () => {});
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...STEPS), fc.nat(5)), { maxLength: 60 }),
        fc.constantFrom('none', 'onEvent', 'onClose', 'onError', 'beforeClose'),
        fc.constantFrom('none', 'closeInOnEvent', 'destroyInOnEvent', 'destroyInBeforeClose', 'closeInOnError'),
        (steps, thrower, reentry) => {
          let destroyedAt = -1;
          const destroy = (s, at) => {
            s.destroy();
            if (destroyedAt < 0) destroyedAt = at;
          };
          const reenter = (name, s) => {
            if (reentry === 'closeInOnEvent' && name === 'onEvent') s.close();
            if (reentry === 'destroyInOnEvent' && name === 'onEvent') destroy(s, calls.length);
            if (reentry === 'destroyInBeforeClose' && name === 'beforeClose') destroy(s, calls.length);
            if (reentry === 'closeInOnError' && name === 'onError') s.close();
          };
          const { s, calls, ended } = session({ throwing: (n) => n === thrower, reenter });
          for (const [step, i] of steps) {
            if (step === 'ready') s.receive(message('ready'));
            else if (step === 'eventA') s.receive(message('event', { event: first[i] }));
            else if (step === 'eventB') s.receive(message('event', { event: second[i] }));
            else if (step === 'success') s.receive(message('success', { data: { i } }));
            else if (step === 'closeMessage') s.receive(message('close', { json: { i }, error: null }));
            else if (step === 'error') s.receive(message('error', { json: {}, error: { i } }));
            else if (step === 'beforeClose') s.receive(message('before_close', { json: {} }));
            else if (step === 'close') s.close();
            else if (step === 'wait') mock.timers.tick(i * 700);
            else if (step === 'syn') s.syn();
            else if (step === 'failed') s.failed(['WASM_UNAVAILABLE', 'HOST_NOT_ALLOWED', 'NOT_FRAMED', 'OTHER'][i % 4]);
            else if (step === 'garbage') s.receive('{"okra":1}');
            else if (step === 'destroy') destroy(s, calls.length);
          }
          mock.timers.tick(10_000);
          const { closes } = assertHostPromises(calls);
          if (destroyedAt >= 0) assert.equal(calls.length, destroyedAt, 'nothing after destroy()');
          if (closes || destroyedAt >= 0) assert.ok(ended() >= 1, 'the widget left the page');
          else assert.equal(ended(), 0, 'the widget stays while open');
          assert.equal(s.syn() === undefined, closes > 0 || destroyedAt >= 0, 'a closed host answers no syn');
        },
      ),
      { numRuns: 1500 },
    );
  } finally {
    mock.timers.reset();
    consoleError.mock.restore();
  }
});

test('a widget that never connects: WIDGET_LOAD_TIMEOUT with the metadata, then onClose; a failed one: WIDGET_FAILED at once', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const a = session();
    mock.timers.tick(999);
    assert.deepEqual(a.calls, []);
    mock.timers.tick(1);
    assert.deepEqual(a.calls.map((c) => c[0]), ['onError', 'onClose']);
    const [, json, error] = a.calls[0];
    assert.equal(error.type, 'WIDGET_LOAD_TIMEOUT');
    assert.equal(error.widget_url, WIDGET_URL);
    assert.equal(error.timeout, 1000);
    assert.match(error.message, /did not connect within 1000 ms \(widgetTimeout\)/);
    assert.deepEqual(json, {
      session_id: null, tracking_id: null, last_screen: null, bounced: true, success: false, events_count: 0, error, options: { o: 1 }, meta: { m: 2 },
    });
    assert.deepEqual(a.calls[1].slice(1), [json, error]);
    assert.equal(a.ended(), 1);

    for (const [reason, words] of [['WASM_UNAVAILABLE', /wasm-unsafe-eval/], ['HOST_NOT_ALLOWED', /allowedOrigins/], ['NOT_FRAMED', /not framed/]]) {
      const b = session();
      b.s.failed(reason);
      assert.deepEqual(b.calls.map((c) => c[0]), ['onError', 'onClose']);
      assert.deepEqual(b.calls[0][2], { type: 'WIDGET_FAILED', reason, message: b.calls[0][2].message, widget_url: WIDGET_URL });
      assert.match(b.calls[0][2].message, words);
      mock.timers.tick(5000);
      assert.equal(b.calls.length, 2, 'no timeout after it');
    }
    // Only before connecting, and only with a known reason.
    const c = session();
    c.s.failed('SOMETHING_ELSE');
    c.s.receive(message('ready'));
    c.s.failed('HOST_NOT_ALLOWED');
    mock.timers.tick(5000);
    assert.deepEqual(c.calls, []);
  } finally {
    mock.timers.reset();
  }
});

test('the handshake comes first: before the widget says ready, its messages fire no callback', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const a = session();
    const widgetSays = () => {
      a.s.receive(message('event', { event: first[0] }));
      a.s.receive(message('success', { data: { linked: true } }));
      a.s.receive(message('error', { json: { early: true }, error: { type: 'X' } }));
      a.s.receive(message('before_close', { json: {} }));
      a.s.receive(message('close', { json: { early: true }, error: null }));
    };
    widgetSays();
    assert.deepEqual(a.calls, [], 'nothing before ready');
    assert.equal(a.ended(), 0, 'the widget stays: a close before ready is not a close');
    a.s.receive(message('ready'));
    widgetSays();
    assert.deepEqual(a.calls.map((c) => c[0]), ['onEvent', 'onSuccess', 'onError', 'beforeClose', 'onClose']);
    assert.equal(a.ended(), 1);
  } finally {
    mock.timers.reset();
  }
});

test("close(): asks a connected widget, then closes it anyway after 3 s with the host's metadata", () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const a = session();
    a.s.receive(message('ready'));
    a.s.receive(message('event', { event: first[0] }));
    a.s.receive(message('event', { event: first[1] }));
    a.s.close();
    a.s.close();
    assert.deepEqual(a.sent, [message('close_request')], 'one close request');
    mock.timers.tick(2999);
    assert.deepEqual(a.calls.map((c) => c[0]), ['onEvent', 'onEvent']);
    mock.timers.tick(1);
    assert.deepEqual(a.calls.map((c) => c[0]), ['onEvent', 'onEvent', 'beforeClose', 'onClose']);
    const json = a.calls[3][1];
    assert.equal(json.session_id, first[0].session_id);
    assert.equal(json.tracking_id, first[1].event_data.tracking_id);
    assert.equal(json.last_screen, 'landing');
    assert.equal(json.events_count, 2);
    assert.deepEqual(a.s.events(), [first[0], first[1]]);
    assert.equal(a.s.sessionId(), first[0].session_id);
  } finally {
    mock.timers.reset();
  }
});
