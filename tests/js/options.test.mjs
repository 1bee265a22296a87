// SPEC section 2: every checked option, refused with a TypeError that names
// the option, what was expected and what was given; onError called too;
// nothing left behind. And the options that must be accepted.
//
// | mutation | killed by |
// |---|---|
// | the build changes an option it was given (e.g. empties filter.banks) | accepted options: each case ("option X is left as given") |
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { KEY, Okra, TOKEN, build, buildExact, cleanup, installWindow, recorder, trackTimers } from './helpers.mjs';
import { BAD } from './option-cases.mjs';

afterEach(cleanup);

const valid = { key: KEY, token: TOKEN };
const fn = () => {};

describe('bad options throw a TypeError naming the option, what was expected and what was given', () => {
  for (const [label, options, option, expected, given] of BAD) {
    test(label, () => {
      const win = installWindow();
      const timers = trackTimers();
      let err;
      try {
        Okra.buildWithOptions(options);
      } catch (e) {
        err = e;
      } finally {
        timers.restore();
      }
      assert.ok(err, 'buildWithOptions must throw');
      assert.ok(err instanceof TypeError, `a TypeError, got ${err && err.constructor.name}`);
      assert.match(err.message, /^okra-events: /);
      if (option) assert.ok(err.message.includes(`\`${option}\``), `names \`${option}\`: ${err.message}`);
      assert.ok(err.message.includes(expected), `says what was expected (${expected}): ${err.message}`);
      const rest = err.message.slice(err.message.indexOf(expected) + expected.length);
      if (typeof given === 'string') {
        assert.ok(rest.includes(given), `says what was given (${given}) after what was expected: ${err.message}`);
      } else {
        assert.match(rest, given, `says what was given after what was expected: ${err.message}`);
      }
      assert.equal(win.stats.added, 0, 'no listener was added');
      assert.equal(timers.created, 0, 'no timer was set');
    });
  }
});

describe('bad options are reported to onError(json, error) too, and nothing is left behind', () => {
  // Every refused option but onError itself (the Date/Map rows are covered above).
  const cases = BAD.filter(([, , option, , given]) => option && option !== 'onError' && typeof given === 'string');
  for (const [label, options, option] of cases) {
    test(label, () => {
      const win = installWindow();
      const timers = trackTimers();
      const calls = [];
      const events = [];
      const withCallbacks = {
        onEvent: (e) => events.push(e),
        ...options,
        onError: (json, error) => calls.push({ json, error }),
      };
      let err;
      try {
        Okra.buildWithOptions(withCallbacks);
      } catch (e) {
        err = e;
      } finally {
        timers.restore();
      }
      assert.ok(err instanceof TypeError);
      assert.equal(calls.length, 1, 'onError is called once');
      assert.equal(calls[0].error, err, 'onError gets the very TypeError that is thrown');
      assert.deepEqual(calls[0].json, {
        error: { type: 'INVALID_OPTIONS', option, message: err.message },
      });
      assert.equal(events.length, 0, 'no event is emitted');
      assert.equal(win.stats.added, 0, 'no listener was added');
      assert.equal(win.listenerCount(), 0, 'no listener is registered');
      assert.equal(timers.created, 0, 'no timer was set');
    });
  }
});

test('only the first bad option is reported, once', () => {
  installWindow();
  const calls = [];
  const err = (() => {
    try {
      Okra.buildWithOptions({ key: KEY, token: 5, env: 'nope', onError: (j, e) => calls.push(j) });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof TypeError);
  assert.equal(calls.length, 1);
  assert.ok(err.message.includes('`token`'));
  assert.equal(calls[0].error.option, 'token');
});

test('an onError that throws does not replace the TypeError, and is reported on console.error', () => {
  installWindow();
  const boom = new Error('onError exploded');
  const realError = console.error;
  const logged = [];
  console.error = (...args) => logged.push(args);
  let err;
  try {
    Okra.buildWithOptions({ key: KEY, token: '', onError: () => { throw boom; } });
  } catch (e) {
    err = e;
  } finally {
    console.error = realError;
  }
  assert.ok(err instanceof TypeError);
  assert.ok(err.message.includes('`token`'));
  assert.ok(logged.some((args) => args.includes(boom)), 'the thrown error is passed to console.error');
});

/** A deep copy of plain option data, keeping functions and prototypes as they are. */
function copy(v) {
  if (Array.isArray(v)) return v.map(copy);
  if (v === null || typeof v !== 'object') return v;
  const out = Object.create(Object.getPrototypeOf(v));
  for (const [k, x] of Object.entries(v)) out[k] = copy(x);
  return out;
}

describe('accepted options', () => {
  const ACCEPTED = [
    ['key and token only', {}],
    ['env production', { env: 'production' }],
    ['env production-sandbox', { env: 'production-sandbox' }],
    ['env undefined', { env: undefined }],
    ['products', { products: ['auth', 'balance', 'identity', 'transactions'] }],
    ['no products', { products: [] }],
    ['https callback', { event_callback_url: 'https://collector.example/events?x=1' }],
    ['https callback with port', { event_callback_url: 'https://collector.example:8443/events' }],
    ['http localhost', { event_callback_url: 'http://localhost:8787/events' }],
    ['http 127.0.0.1', { event_callback_url: 'http://127.0.0.1:8787/events' }],
    ['http [::1]', { event_callback_url: 'http://[::1]:8787/events' }],
    ['no callback url (null)', { event_callback_url: null }],
    ['options and meta', { options: { clientDefinedId: 'x', nested: { a: [1, 2] } }, meta: { a: 1 } }],
    ['options without prototype', { options: Object.assign(Object.create(null), { a: 1 }) }],
    ['all callbacks', { onSuccess: fn, onError: fn, onClose: fn, onEvent: fn, beforeClose: fn }],
    ['smallest timeout and grace', { timeout: 1, reconnect_grace: 1 }],
    ['largest timeout and grace', { timeout: 2147483647, reconnect_grace: 2147483647 }],
    [
      'every other okra-js key',
      {
        name: 'Acme',
        logo: 'https://acme.example/logo.png',
        color: '#953ab7',
        limit: 24,
        filter: { banks: ['alat'], industry_type: 'all' },
        isCorporate: false,
        connectMessage: 'Connect',
        guarantors: { status: false },
        widget_success: 'Linked!',
        widget_failed: 'Oops',
        callback_url: 'https://acme.example/cb',
        currency: 'NGN',
        exp: '2027-01-01',
        customer: { id: 'cust_1' },
        charge: { type: 'one-time', amount: 100 },
        someFutureOption: 42,
      },
    ],
  ];
  for (const [label, extra] of ACCEPTED) {
    test(label, () => {
      installWindow();
      const rec = recorder();
      const options = { key: KEY, token: TOKEN, ...rec.callbacks, ...extra };
      // What the caller gave, copied before the build: keys, and the
      // contents of nested options, to compare with after it.
      const keys = Reflect.ownKeys(options);
      const given = new Map(Object.entries(options).map(([k, v]) => [k, copy(v)]));
      const h = buildExact(options);
      assert.equal(h.options, options, 'handler.options is the object as given');
      // ...and the build did not change it: no key added, removed or rewritten.
      assert.deepEqual(Reflect.ownKeys(options), keys, 'the options object keeps exactly its keys');
      for (const [k, v] of given) assert.deepStrictEqual(options[k], v, `option ${k} is left as given`);
      assert.equal(typeof h.sessionId, 'string');
      assert.ok(h.sessionId.length > 0);
      if (!('onEvent' in extra)) assert.deepEqual(rec.names(), ['USER_CONNECTING']);
      assert.deepEqual(h.events().map((e) => e.event_name), ['USER_CONNECTING']);
    });
  }
});

test('the event_callback_url is copied into every event, and is null without one', () => {
  installWindow();
  const url = 'https://collector.example/events';
  const a = build({ event_callback_url: url });
  a.screen('bank');
  assert.ok(a.events().length >= 3);
  for (const e of a.events()) assert.equal(e.event_callback_url, url);
  const b = build();
  b.screen('bank');
  for (const e of b.events()) assert.equal(e.event_callback_url, null);
});
