// SPEC sections 3 to 5: synchronous, ordered delivery; callbacks that throw;
// callbacks that call the handler again; several handlers on one page.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import {
  build,
  captureConsoleError,
  cleanup,
  fakeClock,
  installWindow,
  recorder,
  thrown,
  trackTimers,
} from './helpers.mjs';

afterEach(cleanup);

test('onEvent is called synchronously, before the causing call returns', () => {
  installWindow();
  const seen = [];
  const h = build({ onEvent: (e) => seen.push(e.event_name) });
  assert.deepEqual(seen, ['USER_CONNECTING'], 'USER_CONNECTING before buildWithOptions returns');
  h.screen('bank');
  assert.deepEqual(seen.slice(1), ['USER_CONNECTED', 'USER_VIEWED_BANKS']);
  h.track('USER_BANK_SELECTED');
  assert.equal(seen.at(-1), 'USER_BANK_SELECTED');
});

test('callbacks are called as plain functions with the documented arity', () => {
  installWindow();
  const arity = {};
  const note = (name) =>
    function (...args) {
      arity[name] = args.length;
    };
  const h = build({
    onEvent: note('onEvent'),
    onSuccess: note('onSuccess'),
    onError: note('onError'),
    beforeClose: note('beforeClose'),
    onClose: note('onClose'),
  });
  h.fail(new Error('x'));
  h.success({});
  h.close();
  assert.deepEqual(arity, { onEvent: 1, onError: 2, onSuccess: 1, beforeClose: 1, onClose: 2 });
});

test('a throwing onEvent is reported on console.error and stops neither the emitter nor other callbacks', () => {
  installWindow();
  const con = captureConsoleError();
  const boom = new Error('onEvent exploded');
  const seen = [];
  let successCalls = 0;
  let closeCalls = 0;
  let h;
  try {
    h = build({
      onEvent: (e) => {
        seen.push(e.event_name);
        throw boom;
      },
      onSuccess: () => {
        successCalls += 1;
      },
      onClose: () => {
        closeCalls += 1;
      },
    });
    h.screen('bank');
    h.track('USER_ACCOUNT_TYPE_SELECTION');
    h.success({});
    h.close();
  } finally {
    con.restore();
  }
  assert.deepEqual(seen, [
    'USER_CONNECTING',
    'USER_CONNECTED',
    'USER_VIEWED_BANKS',
    'USER_ACCOUNT_TYPE_SELECTION',
    'USER_CONNECTION_SUCCESSFUL',
    'USER_APP_CLOSE',
  ]);
  assert.equal(successCalls, 1);
  assert.equal(closeCalls, 1);
  assert.equal(h.events().length, 6);
  const reported = con.calls.filter((args) => args.includes(boom));
  assert.equal(reported.length, 6, 'each throw is reported once, with the thrown error');
  assert.ok(
    reported.every((args) => args.some((a) => typeof a === 'string' && /onEvent/.test(a))),
    'the report names the callback',
  );
});

test('a throwing onSuccess, onError or beforeClose does not stop what follows', () => {
  installWindow();
  const con = captureConsoleError();
  const order = [];
  const thrower = (name) => () => {
    order.push(name);
    throw new Error(`${name} exploded`);
  };
  let h;
  try {
    h = build({
      onEvent: (e) => order.push(e.event_name),
      onSuccess: thrower('onSuccess'),
      onError: thrower('onError'),
      beforeClose: thrower('beforeClose'),
      onClose: thrower('onClose'),
    });
    assert.doesNotThrow(() => h.fail('first try failed'));
    assert.doesNotThrow(() => h.success({}));
    assert.doesNotThrow(() => h.close());
    h.track('USER_APP_REDIRECT');
  } finally {
    con.restore();
  }
  assert.deepEqual(order, [
    'USER_CONNECTING',
    'USER_CONNECTION_FAILED',
    'onError',
    'USER_CONNECTION_SUCCESSFUL',
    'onSuccess',
    'beforeClose',
    'USER_APP_CLOSE',
    'onClose',
    'USER_APP_REDIRECT',
  ]);
  for (const name of ['onSuccess', 'onError', 'beforeClose', 'onClose']) {
    assert.ok(
      con.calls.some((args) => args.some((a) => a instanceof Error && a.message === `${name} exploded`)),
      `${name}'s exception is reported`,
    );
  }
});

test('a callback that throws a non-Error value is reported too', () => {
  installWindow();
  const con = captureConsoleError();
  let h;
  try {
    h = build({
      onEvent: () => {
        throw 'a string';
      },
    });
    h.screen('bank');
  } finally {
    con.restore();
  }
  assert.equal(h.events().length, 3);
  assert.equal(con.calls.filter((args) => args.includes('a string')).length, 3);
});

test('re-entrant track() from onEvent: nested events come after the current callback returns, in order', () => {
  installWindow();
  const trace = [];
  let h;
  h = build({
    onEvent: (e) => {
      trace.push(`enter ${e.sequence} ${e.event_name}`);
      if (e.event_name === 'USER_CONNECTED') {
        h.track('USER_ACCOUNT_TYPE_SELECTION', { from: 'callback' });
        trace.push('nested call returned');
      }
      trace.push(`exit ${e.sequence}`);
    },
  });
  h.screen('bank');
  trace.push('screen returned');
  assert.deepEqual(trace, [
    'enter 1 USER_CONNECTING',
    'exit 1',
    'enter 2 USER_CONNECTED',
    'nested call returned',
    'exit 2',
    'enter 3 USER_VIEWED_BANKS',
    'exit 3',
    'enter 4 USER_ACCOUNT_TYPE_SELECTION',
    'exit 4',
    'screen returned',
  ]);
  assert.deepEqual(
    h.events().map((e) => [e.sequence, e.event_name]),
    [
      [1, 'USER_CONNECTING'],
      [2, 'USER_CONNECTED'],
      [3, 'USER_VIEWED_BANKS'],
      [4, 'USER_ACCOUNT_TYPE_SELECTION'],
    ],
  );
});

test('re-entrant calls several levels deep keep sequence order', () => {
  installWindow();
  const received = [];
  let h;
  h = build({
    onEvent: (e) => {
      received.push(e.sequence);
      if (e.event_name === 'USER_BANK_SELECTED' && e.event_data.depth < 3) {
        h.track('USER_BANK_SELECTED', { depth: e.event_data.depth + 1 });
        h.track('USER_ACCOUNT_TYPE_SELECTION');
      }
    },
  });
  h.track('USER_BANK_SELECTED', { depth: 0 });
  const seqs = h.events().map((e) => e.sequence);
  assert.deepEqual(received, seqs, 'delivered in sequence order');
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  assert.equal(h.events().filter((e) => e.event_name === 'USER_BANK_SELECTED').length, 4);
});

test('close() from inside onEvent: the close runs after the current callback, in order', () => {
  installWindow();
  const rec = recorder();
  let h;
  let nested;
  const onEvent = rec.callbacks.onEvent;
  h = build({
    ...rec.callbacks,
    onEvent: (e) => {
      onEvent(e);
      if (e.event_name === 'USER_CONNECTED') {
        nested = (() => {
          try {
            return h.close();
          } catch (err) {
            return err;
          }
        })();
      }
    },
  });
  h.screen('bank');
  assert.equal(nested, undefined, 'close() inside the callback returned normally');
  assert.deepEqual(rec.kinds(), [
    'event:USER_CONNECTING',
    'event:USER_CONNECTED',
    'event:USER_VIEWED_BANKS',
    'beforeClose',
    'event:USER_BOUNCE',
    'event:USER_APP_CLOSE',
    'close',
  ]);
  assert.deepEqual(
    h.events().map((e) => e.sequence),
    [1, 2, 3, 4, 5],
  );
  const [, json] = rec.find('close');
  assert.equal(json.bounced, true);
  assert.equal(json.events_count, 5);
  assert.ok(thrown(() => h.screen('login')) instanceof Error, 'the handler is closed');
});

test('close() from inside onEvent(USER_CONNECTION_FAILED): onError first, then the close', () => {
  installWindow();
  const rec = recorder();
  let h;
  const onEvent = rec.callbacks.onEvent;
  h = build({
    ...rec.callbacks,
    onEvent: (e) => {
      onEvent(e);
      if (e.event_name === 'USER_CONNECTION_FAILED') h.close();
    },
  });
  const error = new Error('locked out');
  h.fail(error);
  assert.deepEqual(rec.kinds(), [
    'event:USER_CONNECTING',
    'event:USER_CONNECTION_FAILED',
    'error',
    'beforeClose',
    'event:USER_BOUNCE',
    'event:USER_APP_CLOSE',
    'close',
  ]);
  assert.equal(rec.find('error')[2], error);
  assert.equal(rec.find('close')[2].type, 'USER_CONNECTION_FAILED');
});

test('track(USER_APP_REDIRECT) from inside onClose is delivered after onClose returns', () => {
  installWindow();
  const trace = [];
  let h;
  h = build({
    onEvent: (e) => trace.push(e.event_name),
    onClose: () => {
      trace.push('onClose enter');
      h.track('USER_APP_REDIRECT', { to: '/thanks' });
      trace.push('onClose exit');
    },
  });
  h.close();
  assert.deepEqual(trace, [
    'USER_CONNECTING',
    'USER_BOUNCE',
    'USER_APP_CLOSE',
    'onClose enter',
    'onClose exit',
    'USER_APP_REDIRECT',
  ]);
});

test('destroy() from inside onEvent leaves no listener or timer behind', () => {
  const win = installWindow();
  const timers = trackTimers();
  let h;
  try {
    h = build({
      timeout: 60000,
      onEvent: (e) => {
        if (e.event_name === 'USER_LOGIN_ATTEMPTED') h.destroy();
      },
    });
    h.screen('login');
    h.track('USER_LOGIN_ATTEMPTED');
    assert.equal(timers.live.size, 0, 'no timer is pending');
    assert.equal(win.listenerCount(), 0, 'no listener is registered');
    assert.ok(thrown(() => h.screen('mfa')) instanceof Error);
  } finally {
    timers.restore();
  }
});

test('success() from inside onEvent(USER_ACCOUNT_SELECTED) reaches onSuccess after the event', () => {
  installWindow();
  const rec = recorder();
  let h;
  const onEvent = rec.callbacks.onEvent;
  h = build({
    ...rec.callbacks,
    onEvent: (e) => {
      onEvent(e);
      if (e.event_name === 'USER_ACCOUNT_SELECTED') h.success({ record_id: 'r' });
    },
  });
  h.screen('account_selection');
  h.track('USER_ACCOUNT_SELECTED');
  assert.deepEqual(rec.kinds().slice(-3), [
    'event:USER_ACCOUNT_SELECTED',
    'event:USER_CONNECTION_SUCCESSFUL',
    'success',
  ]);
});

test('two handlers on one page are independent', () => {
  const win = installWindow();
  const a = recorder();
  const b = recorder();
  const ha = build({ ...a.callbacks, meta: { who: 'a' } });
  const hb = build({ ...b.callbacks, meta: { who: 'b' } });
  assert.notEqual(ha.sessionId, hb.sessionId);
  assert.notEqual(ha.trackingId, hb.trackingId);
  ha.screen('bank');
  hb.screen('login');
  hb.track('USER_LOGIN_ATTEMPTED');
  ha.track('USER_ACCOUNT_TYPE_SELECTION');

  // Each has its own sequence from 1, its own ids and only its own events.
  for (const [h, rec] of [
    [ha, a],
    [hb, b],
  ]) {
    assert.deepEqual(
      h.events().map((e) => e.sequence),
      h.events().map((_, i) => i + 1),
    );
    assert.ok(rec.events.every((e) => e.session_id === h.sessionId));
    assert.ok(rec.events.every((e) => e.event_data.tracking_id === h.trackingId));
    assert.deepEqual(h.events(), rec.events);
  }
  assert.deepEqual(a.names(), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_VIEWED_BANKS', 'USER_ACCOUNT_TYPE_SELECTION']);
  assert.deepEqual(b.names(), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_LOGIN_ATTEMPTED']);

  // Each listens to the network itself; the state of one does not affect the other.
  const listenersPerHandler = win.listenerCount() / 2;
  assert.ok(listenersPerHandler >= 2, 'each handler listens to online and offline');
  win.goOffline();
  assert.equal(a.events.at(-1).event_name, 'USER_NETWORK_DISCONNECTED');
  assert.equal(a.events.at(-1).withError, false, 'a is not in a connection attempt');
  assert.equal(b.events.at(-1).event_name, 'USER_NETWORK_DISCONNECTED');
  assert.equal(b.events.at(-1).withError, true, 'b is in a connection attempt');

  // Destroying one leaves the other working.
  ha.destroy();
  assert.equal(win.listenerCount(), listenersPerHandler, "only a's listeners were removed");
  const aCount = a.events.length;
  win.goOnline();
  assert.equal(a.events.length, aCount, 'a receives nothing after destroy');
  assert.equal(b.events.at(-1).event_name, 'USER_NETWORK_RECONNECTED');
  hb.screen('account_selection');
  hb.track('USER_ACCOUNT_SELECTED');
  hb.success({});
  hb.close();
  assert.deepEqual(b.names().slice(-4), [
    'USER_ACCOUNT_SELECTION',
    'USER_ACCOUNT_SELECTED',
    'USER_CONNECTION_SUCCESSFUL',
    'USER_APP_CLOSE',
  ]);
  assert.throws(() => ha.track('USER_BANK_SELECTED'), Error);
  assert.equal(b.find('close')[1].meta.who, 'b');
  assert.equal(b.find('close')[1].bounced, false);
});

test('two handlers: closing one does not close or bounce the other', () => {
  installWindow();
  const a = recorder();
  const b = recorder();
  const ha = build({ ...a.callbacks });
  const hb = build({ ...b.callbacks });
  ha.close();
  assert.equal(b.log.length, 1, 'b only saw its USER_CONNECTING');
  hb.screen('bank');
  assert.equal(b.names().at(-1), 'USER_VIEWED_BANKS');
});

test("two handlers: one's timers do not fire the other's events", () => {
  installWindow();
  const clock = fakeClock();
  const a = recorder();
  const b = recorder();
  try {
    const ha = build({ ...a.callbacks, timeout: 1000 });
    const hb = build({ ...b.callbacks, timeout: 5000 });
    ha.screen('login');
    hb.screen('login');
    ha.track('USER_LOGIN_ATTEMPTED');
    hb.track('USER_LOGIN_ATTEMPTED');
    clock.advance(1000);
    assert.equal(a.names().at(-1), 'USER_TIMEOUT');
    assert.equal(b.names().at(-1), 'USER_LOGIN_ATTEMPTED');
    clock.advance(4000);
    assert.equal(b.names().at(-1), 'USER_TIMEOUT');
    assert.equal(a.names().filter((n) => n === 'USER_TIMEOUT').length, 1);
  } finally {
    clock.restore();
  }
});
