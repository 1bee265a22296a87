// SPEC section 5: network events and their withError rules, the outage grace
// period, the connection-attempt timeout, the 5 s search timer, and that
// destroy()/close() leave no listener or timer behind.
//
// Deterministic timing uses a fake clock (Date.now + setTimeout, which the SDK
// resolves at call time); a few tests use real timers with small limits.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import {
  build,
  cleanup,
  fakeClock,
  installWindow,
  recorder,
  sleep,
  trackTimers,
  waitFor,
} from './helpers.mjs';

afterEach(cleanup);

/** Runs `fn(clock)` with a fake clock installed, restoring it afterwards. */
function withClock(fn) {
  const clock = fakeClock();
  try {
    return fn(clock);
  } finally {
    clock.restore();
  }
}

const last = (rec) => rec.events.at(-1);

/** A handler with this `timeout`, in a connection attempt on the login screen. */
function startAttempt(rec, timeout) {
  const h = build({ ...rec.callbacks, timeout });
  h.screen('login');
  h.track('USER_LOGIN_ATTEMPTED');
  return h;
}

test('offline outside a connection attempt: USER_NETWORK_DISCONNECTED at once, withError false', () => {
  const win = installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('bank');
  win.goOffline();
  const e = last(rec);
  assert.equal(e.event_name, 'USER_NETWORK_DISCONNECTED');
  assert.equal(e.withError, false);
  assert.equal(e.event_category, 'network');
  assert.equal(e.event_screen, 'bank');
});

test('back online: USER_NETWORK_RECONNECTED with offline_ms, withError false', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks });
    h.screen('bank');
    win.goOffline();
    clock.advance(1234);
    win.goOnline();
  });
  const e = last(rec);
  assert.equal(e.event_name, 'USER_NETWORK_RECONNECTED');
  assert.equal(e.withError, false);
  assert.equal(e.event_data.offline_ms, 1234);
  assert.equal(e.event_screen, 'bank');
});

test('offline_ms with real timers is a whole number of ms', () => {
  const win = installWindow();
  const rec = recorder();
  build({ ...rec.callbacks });
  win.goOffline();
  win.goOnline();
  const ms = last(rec).event_data.offline_ms;
  assert.equal(Number.isInteger(ms), true);
  assert.ok(ms >= 0);
});

test('offline during a connection attempt: withError true, and it is the error onClose reports', () => {
  const win = installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('login', { bank: 'alat' });
  h.track('USER_LOGIN_ATTEMPTED');
  win.goOffline();
  const e = last(rec);
  assert.equal(e.event_name, 'USER_NETWORK_DISCONNECTED');
  assert.equal(e.withError, true);
  assert.equal(e.event_screen, 'login');
  win.goOnline();
  assert.equal(last(rec).event_name, 'USER_NETWORK_RECONNECTED');
  assert.equal(last(rec).withError, false);
  h.close();
  const [, json, error] = rec.find('close');
  assert.equal(error.type, 'USER_NETWORK_DISCONNECTED');
  assert.deepEqual(json.error, error);
});

test('offline after the attempt got its answer (next screen, success or fail): withError false', () => {
  for (const outcome of [
    (h) => h.screen('account_selection'),
    (h) => h.success({}),
    (h) => h.fail(new Error('bad password')),
  ]) {
    const win = installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('login');
    h.track('USER_LOGIN_ATTEMPTED');
    outcome(h);
    win.goOffline();
    assert.equal(last(rec).event_name, 'USER_NETWORK_DISCONNECTED');
    assert.equal(last(rec).withError, false, String(outcome));
    cleanup();
  }
});

test('offline without an error shown: onClose gets a null error', () => {
  const win = installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('bank');
  win.goOffline();
  win.goOnline();
  h.close();
  assert.equal(rec.find('close')[2], null);
});

test('repeated offline or online events emit nothing new', () => {
  const win = installWindow();
  const rec = recorder();
  build({ ...rec.callbacks });
  win.goOnline();
  assert.deepEqual(rec.names(), ['USER_CONNECTING'], 'online while online');
  win.goOffline();
  win.goOffline();
  win.goOnline();
  win.goOnline();
  assert.deepEqual(rec.names(), ['USER_CONNECTING', 'USER_NETWORK_DISCONNECTED', 'USER_NETWORK_RECONNECTED']);
});

test('built while navigator.onLine is false: USER_NETWORK_DISCONNECTED right after USER_CONNECTING', () => {
  const win = installWindow({ onLine: false });
  const rec = recorder();
  build({ ...rec.callbacks });
  assert.deepEqual(rec.names(), ['USER_CONNECTING', 'USER_NETWORK_DISCONNECTED']);
  assert.equal(last(rec).withError, false);
  assert.equal(last(rec).sequence, 2);
  win.goOnline();
  assert.equal(last(rec).event_name, 'USER_NETWORK_RECONNECTED');
});

test('still offline after reconnect_grace: USER_TIMEOUT with error, reason offline (fake clock)', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks, reconnect_grace: 2000 });
    h.screen('bank');
    win.goOffline();
    clock.advance(1999);
    assert.equal(last(rec).event_name, 'USER_NETWORK_DISCONNECTED', 'not before the grace period');
    clock.advance(1);
    const e = last(rec);
    assert.equal(e.event_name, 'USER_TIMEOUT');
    assert.equal(e.withError, true);
    assert.equal(e.event_data.reason, 'offline');
    assert.equal(e.event_data.offline_ms, 2000);
    assert.equal(e.event_screen, 'bank');
    clock.advance(60000);
    assert.equal(rec.names().filter((n) => n === 'USER_TIMEOUT').length, 1, 'only once per outage');
    win.goOnline();
    assert.equal(last(rec).event_name, 'USER_NETWORK_RECONNECTED');
    assert.equal(last(rec).event_data.offline_ms, 62000);
    h.close();
  });
  assert.equal(rec.find('close')[2].type, 'USER_TIMEOUT');
  assert.equal(rec.find('close')[2].reason, 'offline');
});

test('back online within reconnect_grace: no USER_TIMEOUT', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    build({ ...rec.callbacks, reconnect_grace: 2000 });
    win.goOffline();
    clock.advance(1500);
    win.goOnline();
    clock.advance(60000);
  });
  assert.deepEqual(rec.names(), ['USER_CONNECTING', 'USER_NETWORK_DISCONNECTED', 'USER_NETWORK_RECONNECTED']);
});

test('the default reconnect_grace is 15000 ms', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    build({ ...rec.callbacks });
    win.goOffline();
    clock.advance(14999);
    assert.equal(last(rec).event_name, 'USER_NETWORK_DISCONNECTED');
    clock.advance(1);
    assert.equal(last(rec).event_name, 'USER_TIMEOUT');
  });
});

test('each outage has its own grace period', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    build({ ...rec.callbacks, reconnect_grace: 1000 });
    win.goOffline();
    clock.advance(900);
    win.goOnline();
    clock.advance(500);
    win.goOffline();
    clock.advance(900);
    assert.ok(!rec.names().includes('USER_TIMEOUT'), 'the first outage does not count against the second');
    clock.advance(100);
    assert.equal(last(rec).event_name, 'USER_TIMEOUT');
  });
});

test('still offline after reconnect_grace, with real timers', async () => {
  const win = installWindow();
  const rec = recorder();
  build({ ...rec.callbacks, reconnect_grace: 40 });
  win.goOffline();
  await waitFor(() => rec.names().includes('USER_TIMEOUT'), { what: 'USER_TIMEOUT' });
  const e = last(rec);
  assert.equal(e.event_name, 'USER_TIMEOUT');
  assert.equal(e.withError, true);
  assert.equal(e.event_data.reason, 'offline');
});

test('a connection attempt with no outcome within timeout: USER_TIMEOUT with error, reason attempt (fake clock)', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = startAttempt(rec, 3000);
    clock.advance(2999);
    assert.equal(last(rec).event_name, 'USER_LOGIN_ATTEMPTED');
    clock.advance(1);
    const e = last(rec);
    assert.equal(e.event_name, 'USER_TIMEOUT');
    assert.equal(e.withError, true);
    assert.equal(e.event_data.reason, 'attempt');
    assert.equal(e.event_screen, 'login');
    clock.advance(60000);
    assert.equal(rec.names().filter((n) => n === 'USER_TIMEOUT').length, 1);
    h.close();
  });
  const [, json, error] = rec.find('close');
  assert.equal(error.type, 'USER_TIMEOUT');
  assert.equal(error.reason, 'attempt');
  assert.deepEqual(json.error, error);
});

test('the default timeout is 120000 ms', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks });
    h.track('USER_LOGIN_ATTEMPTED');
    clock.advance(119999);
    assert.equal(last(rec).event_name, 'USER_LOGIN_ATTEMPTED');
    clock.advance(1);
    assert.equal(last(rec).event_name, 'USER_TIMEOUT');
  });
});

test('a connection attempt times out with real timers', async () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks, timeout: 40 });
  h.screen('login');
  h.track('USER_LOGIN_ATTEMPTED');
  await waitFor(() => rec.names().includes('USER_TIMEOUT'), { what: 'USER_TIMEOUT' });
  const e = last(rec);
  assert.equal(e.withError, true);
  assert.equal(e.event_data.reason, 'attempt');
});

test('an outcome before the timeout cancels it: next screen, success, fail, close, going offline', () => {
  const outcomes = {
    screen: (h) => h.screen('mfa'),
    success: (h) => h.success({}),
    fail: (h) => h.fail(new Error('wrong password')),
    close: (h) => h.close(),
    offline: (h, win) => win.goOffline(),
  };
  for (const [name, outcome] of Object.entries(outcomes)) {
    const win = installWindow();
    const rec = recorder();
    withClock((clock) => {
      const h = build({ ...rec.callbacks, timeout: 3000, reconnect_grace: 1000000 });
      h.screen('login');
      h.track('USER_LOGIN_ATTEMPTED');
      clock.advance(1000);
      outcome(h, win);
      clock.advance(60000);
    });
    assert.ok(
      !rec.events.some((e) => e.event_name === 'USER_TIMEOUT'),
      `${name}: no USER_TIMEOUT, got ${rec.names().join(', ')}`,
    );
    cleanup();
  }
});

test('a new attempt after a timeout gets its own timeout', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks, timeout: 1000 });
    h.screen('login');
    h.track('USER_LOGIN_ATTEMPTED');
    clock.advance(1000);
    h.track('USER_LOGIN_ATTEMPTED');
    clock.advance(999);
    assert.equal(last(rec).event_name, 'USER_LOGIN_ATTEMPTED');
    clock.advance(1);
    assert.equal(last(rec).event_name, 'USER_TIMEOUT');
  });
  assert.equal(rec.names().filter((n) => n === 'USER_TIMEOUT').length, 2);
});

test('5 s on the search screen: USER_BANK_SEARCH, once', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks });
    h.screen('bank');
    h.screen('search');
    clock.advance(4999);
    assert.equal(last(rec).event_name, 'USER_VIEWED_BANKS');
    clock.advance(1);
    const e = last(rec);
    assert.equal(e.event_name, 'USER_BANK_SEARCH');
    assert.equal(e.event_screen, 'search');
    assert.equal(e.withError, false);
    clock.advance(60000);
    assert.equal(rec.names().filter((n) => n === 'USER_BANK_SEARCH').length, 1);
  });
});

test('leaving the search screen before 5 s: no USER_BANK_SEARCH; coming back starts a new 5 s', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks });
    h.screen('search');
    clock.advance(4000);
    h.screen('bank');
    clock.advance(60000);
    assert.ok(!rec.names().includes('USER_BANK_SEARCH'));
    h.screen('search');
    clock.advance(4999);
    assert.ok(!rec.names().includes('USER_BANK_SEARCH'));
    clock.advance(1);
    assert.equal(last(rec).event_name, 'USER_BANK_SEARCH');
  });
});

test('timers due at different times fire in time order', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks, reconnect_grace: 2000 });
    h.screen('search');
    win.goOffline();
    clock.advance(10000);
    assert.deepEqual(rec.names().slice(-3), ['USER_NETWORK_DISCONNECTED', 'USER_TIMEOUT', 'USER_BANK_SEARCH']);
    const times = rec.events.slice(-2).map((e) => Date.parse(e.event_time) - Date.parse(rec.events[0].event_time));
    assert.deepEqual(times, [2000, 5000]);
  });
});

test('destroy() removes every listener and timer; nothing fires afterwards', async () => {
  const win = installWindow();
  const timers = trackTimers();
  const rec = recorder();
  let h;
  try {
    h = build({ ...rec.callbacks, timeout: 30, reconnect_grace: 30 });
    assert.ok(win.listenerCount('offline') >= 1 && win.listenerCount('online') >= 1, 'listening to the network');
    h.screen('search');
    h.screen('login');
    h.track('USER_LOGIN_ATTEMPTED');
    assert.ok(timers.live.size >= 1, 'a timer is pending for the attempt');
    h.destroy();
    assert.equal(timers.live.size, 0, 'no timer is pending after destroy');
    assert.equal(win.listenerCount(), 0, 'no listener is registered after destroy');
    const count = rec.events.length;
    win.goOffline();
    win.goOnline();
    await sleep(120);
    assert.equal(rec.events.length, count, 'no event after destroy');
    assert.equal(rec.log.filter(([k]) => k === 'close').length, 0, 'destroy is not a close');
  } finally {
    timers.restore();
  }
});

test('destroy() while offline clears the grace timer (fake clock)', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks, reconnect_grace: 1000 });
    win.goOffline();
    assert.ok(clock.pending() >= 1);
    h.destroy();
    assert.equal(clock.pending(), 0);
    clock.advance(5000);
  });
  assert.deepEqual(rec.names(), ['USER_CONNECTING', 'USER_NETWORK_DISCONNECTED']);
});

test('after close(), network changes and pending timers emit nothing', () => {
  const win = installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = build({ ...rec.callbacks, timeout: 1000, reconnect_grace: 1000 });
    h.screen('search');
    h.close();
    const count = rec.events.length;
    win.goOffline();
    clock.advance(10000);
    win.goOnline();
    assert.equal(rec.events.length, count);
    assert.equal(clock.pending(), 0, 'no timer is left after close');
  });
});

test('close() from inside onEvent(USER_NETWORK_DISCONNECTED), called from the offline listener', () => {
  const win = installWindow();
  const rec = recorder();
  let h;
  const onEvent = rec.callbacks.onEvent;
  h = build({
    ...rec.callbacks,
    onEvent: (e) => {
      onEvent(e);
      if (e.event_name === 'USER_NETWORK_DISCONNECTED') h.close();
    },
  });
  win.goOffline();
  win.goOnline();
  assert.deepEqual(rec.kinds(), [
    'event:USER_CONNECTING',
    'event:USER_NETWORK_DISCONNECTED',
    'beforeClose',
    'event:USER_BOUNCE',
    'event:USER_APP_CLOSE',
    'close',
  ]);
  // A later handler on the same window still works.
  const other = recorder();
  build({ ...other.callbacks });
  win.goOffline();
  assert.deepEqual(other.names(), ['USER_CONNECTING', 'USER_NETWORK_DISCONNECTED']);
});

test('a wall clock that jumps back an hour while an attempt waits: USER_TIMEOUT still fires on time, stamped with the wall clock', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    startAttempt(rec, 2000);
    clock.jumpWall(-3_600_000); // an NTP correction, or the user changing the time
    clock.advance(1999);
    assert.notEqual(last(rec).event_name, 'USER_TIMEOUT', 'not before the timeout');
    clock.advance(1);
    const e = last(rec);
    assert.equal(e.event_name, 'USER_TIMEOUT', 'on time, not an hour late');
    assert.equal(e.withError, true);
    assert.equal(e.event_data.reason, 'attempt');
    assert.equal(e.event_time, new Date(clock.now()).toISOString(), 'events keep wall-clock times');
  });
});

test('a wall clock that jumps forward an hour does not fire the attempt timeout early', () => {
  installWindow();
  const rec = recorder();
  withClock((clock) => {
    const h = startAttempt(rec, 2000);
    clock.jumpWall(3_600_000);
    h.track('USER_FETCH_BALANCE'); // any call reads the clocks
    clock.advance(1000);
    assert.ok(!rec.events.some((e) => e.event_name === 'USER_TIMEOUT'), 'no early timeout');
    clock.advance(1000);
    assert.equal(last(rec).event_name, 'USER_TIMEOUT');
  });
});
