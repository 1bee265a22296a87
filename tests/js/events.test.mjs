// SPEC sections 3 to 5: the event object, names, the catalog, scrubbing, and
// handler.events().
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import {
  AUTOMATIC_EVENTS,
  ISO_MS_Z,
  Okra,
  SCREENS,
  SEED_CATALOG,
  TRACKABLE_EVENTS,
  UUID_V7,
  build,
  cleanup,
  fakeClock,
  installWindow,
  recorder,
  thrown,
} from './helpers.mjs';

afterEach(cleanup);

/** A session with a bit of everything. */
function busySession(extra = {}) {
  const rec = recorder();
  const h = build({ ...rec.callbacks, ...extra });
  h.screen('landing');
  h.screen('bank');
  h.track('USER_ACCOUNT_TYPE_SELECTION', { type: 'business' });
  h.screen('login', { bank: 'alat' });
  h.track('USER_LOGIN_ATTEMPTED');
  h.screen('account_selection');
  h.track('USER_ACCOUNT_SELECTED');
  h.success({ record_id: 'r' });
  h.close();
  return { h, rec };
}

describe('the event object', () => {
  test('has every field of SPEC section 4 with the right types and constants', () => {
    installWindow();
    const { h } = busySession();
    for (const e of h.events()) {
      assert.equal(e.event, true);
      assert.equal(e.event_type, 'DATA_EVENT');
      assert.equal(typeof e.event_name, 'string');
      assert.match(e.event_name, /^[A-Z_]+$/, 'canonical UPPER_SNAKE');
      assert.ok(['auth', 'payment', 'returning_user', 'network', 'general'].includes(e.event_category));
      assert.ok(e.event_screen === null || SCREENS.includes(e.event_screen));
      assert.match(e.event_time, ISO_MS_Z);
      assert.equal(e.event_location, 'https://widget.example/:ref/bank');
      assert.equal(e.event_callback_url, null);
      assert.equal(typeof e.event_data, 'object');
      assert.equal(e.event_data.tracking_id, h.trackingId);
      assert.equal(typeof e.withError, 'boolean');
      assert.match(e.event_id, UUID_V7);
      assert.equal(e.session_id, h.sessionId);
      assert.equal(Number.isInteger(e.sequence), true);
    }
  });

  test('event_category is the catalog category of the event', () => {
    installWindow();
    const { h } = busySession();
    const category = Object.fromEntries(Okra.events.map((c) => [c.name, c.category]));
    for (const e of h.events()) assert.equal(e.event_category, category[e.event_name], e.event_name);
  });

  test('sequence is 1, 2, 3, ... with no gaps or repeats, also across refused calls', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('bank');
    assert.throws(() => h.track('USER_NOPE'), TypeError);
    assert.throws(() => h.screen('nowhere'), TypeError);
    assert.throws(() => h.track('USER_VIEWED_BANKS'), TypeError);
    assert.throws(() => h.track('USER_BANK_SELECTED', [1, 2]), TypeError);
    h.track('USER_BANK_SELECTED');
    h.close();
    assert.deepEqual(
      h.events().map((e) => e.sequence),
      h.events().map((_, i) => i + 1),
    );
    assert.deepEqual(
      rec.events.map((e) => e.sequence),
      rec.events.map((_, i) => i + 1),
      'onEvent receives them in sequence order',
    );
  });

  test('event_id is a unique UUID v7 whose timestamp is event_time', () => {
    installWindow();
    const clock = fakeClock();
    let h;
    try {
      const rec = recorder();
      h = build({ ...rec.callbacks });
      h.screen('bank');
      clock.advance(1234);
      h.track('USER_ACCOUNT_TYPE_SELECTION');
      h.track('USER_ACCOUNT_TYPE_SELECTION');
    } finally {
      clock.restore();
    }
    const events = h.events();
    const ids = events.map((e) => e.event_id);
    assert.equal(new Set(ids).size, ids.length, 'unique');
    for (const e of events) {
      assert.match(e.event_id, UUID_V7);
      const ms = parseInt(e.event_id.replace(/-/g, '').slice(0, 12), 16);
      assert.equal(ms, Date.parse(e.event_time), 'the UUID v7 time is the event time');
    }
  });

  test('event ids are unique across many events and sessions', () => {
    installWindow();
    const ids = new Set();
    let total = 0;
    for (let s = 0; s < 5; s++) {
      const h = build();
      h.screen('bank');
      for (let i = 0; i < 100; i++) h.track('USER_ACCOUNT_TYPE_SELECTION');
      h.close();
      for (const e of h.events()) ids.add(e.event_id);
      total += h.events().length;
    }
    assert.equal(ids.size, total);
  });

  test('event_time is the time of the call, in UTC with milliseconds', () => {
    installWindow();
    const clock = fakeClock(Date.UTC(2026, 10, 27, 1, 20, 54, 123));
    let h;
    try {
      h = build();
      clock.advance(1000);
      h.screen('bank');
    } finally {
      clock.restore();
    }
    const [connecting, connected] = h.events();
    assert.equal(connecting.event_time, '2026-11-27T01:20:54.123Z');
    assert.equal(connected.event_time, '2026-11-27T01:20:55.123Z');
  });

  test('event_time with the real clock lies between before and after the call', () => {
    installWindow();
    const before = Date.now();
    const h = build();
    const after = Date.now();
    const t = Date.parse(h.events()[0].event_time);
    assert.ok(t >= before && t <= after, `${h.events()[0].event_time} within [${before}, ${after}]`);
  });

  test('event_location is location.href at the time of each event', () => {
    const win = installWindow({ href: 'https://widget.example/:ref/landing' });
    const h = build();
    win.location.href = 'https://widget.example/:ref/bank?bank=alat';
    h.screen('bank');
    const [connecting, connected, viewed] = h.events();
    assert.equal(connecting.event_location, 'https://widget.example/:ref/landing');
    assert.equal(connected.event_location, 'https://widget.example/:ref/bank?bank=alat');
    assert.equal(viewed.event_location, 'https://widget.example/:ref/bank?bank=alat');
  });

  test('event_data carries the session tracking id, which the caller cannot override', () => {
    installWindow();
    const h = build();
    h.screen('search', { tracking_id: 'from-screen' });
    h.track('USER_BANK_SELECTED', { bank: 'alat', tracking_id: 'from-track' });
    for (const e of h.events()) assert.equal(e.event_data.tracking_id, h.trackingId);
    assert.equal(h.events().at(-1).event_data.bank, 'alat');
  });

  test('screen details are added to the data of the events emitted while that screen is shown', () => {
    installWindow();
    const h = build();
    h.screen('login', { bank: 'alat', method: 'internet_banking' });
    h.track('USER_LOGIN_ATTEMPTED', { attempt: 1 });
    h.screen('account_selection');
    h.track('USER_ACCOUNT_SELECTED', { account: 'acc_1' });
    const byName = Object.fromEntries(h.events().map((e) => [e.event_name, e.event_data]));
    assert.deepEqual(byName.USER_LOGIN_ATTEMPTED, {
      tracking_id: h.trackingId,
      bank: 'alat',
      method: 'internet_banking',
      attempt: 1,
    });
    assert.equal(byName.USER_ACCOUNT_SELECTED.bank, undefined, 'a new screen replaces the details');
    assert.equal(byName.USER_ACCOUNT_SELECTED.account, 'acc_1');
  });

  test('track data must be an object: other values are a TypeError and emit nothing', () => {
    installWindow();
    const h = build();
    const count = h.events().length;
    for (const bad of ['alat', 5, [1], true]) {
      assert.throws(() => h.track('USER_BANK_SELECTED', bad), TypeError, String(bad));
    }
    const circular = {};
    circular.self = circular;
    assert.throws(() => h.track('USER_BANK_SELECTED', circular), TypeError);
    assert.equal(h.events().length, count);
    h.track('USER_BANK_SELECTED', null);
    h.track('USER_BANK_SELECTED');
    assert.equal(h.events().length, count + 2, 'null and undefined mean no data');
  });
});

describe('credentials never reach event data', () => {
  const SECRETS = ['hunter2', '4242', '998877', 'rexthedog', 'cvv-321', 'sekret-token', 'pc-1'];

  test('from track data, at any depth, whatever the key spelling', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('login');
    h.track('USER_LOGIN_ATTEMPTED', {
      bank: 'alat',
      username: 'faith',
      password: 'hunter2',
      PIN: '4242',
      form: {
        otp: '998877',
        transactionPin: '4242',
        otp_code: '998877',
        answers: [{ question: 'pet', answer: 'rexthedog' }],
        'mfa-answer': 'rexthedog',
        nested: [{ cvv: 'cvv-321', passcode: 'pc-1', keep: 'yes' }],
      },
      token: 'sekret-token',
    });
    const e = h.events().at(-1);
    assert.equal(e.event_data.bank, 'alat');
    assert.equal(e.event_data.username, 'faith');
    assert.equal(e.event_data.form.nested[0].keep, 'yes');
    for (const key of ['password', 'PIN', 'token']) assert.ok(!(key in e.event_data), `${key} removed`);
    for (const key of ['otp', 'transactionPin', 'otp_code', 'answers', 'mfa-answer']) {
      assert.ok(!(key in e.event_data.form), `form.${key} removed`);
    }
    const text = JSON.stringify(h.events()) + JSON.stringify(rec.events);
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} does not appear in any event`);
  });

  test('from screen details, fail() errors and success() data', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('mfa', { bank: 'alat', otp: '998877', answers: ['rexthedog'] });
    h.track('USER_COMPLETE_MFA', { mfa: { answer: 'rexthedog', pin: '4242' } });
    h.fail({ message: 'wrong otp', otp: '998877', password: 'hunter2' });
    h.screen('success');
    h.success({ record_id: 'r', password: 'hunter2', pin: '4242' });
    h.close();
    const text = JSON.stringify(h.events()) + JSON.stringify(rec.events);
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} does not appear in any event`);
    assert.match(text, /wrong otp/, 'the error message itself is kept');
    const mfa = h.events().find((e) => e.event_name === 'USER_MFA_QUESTION');
    assert.equal(mfa.event_data.bank, 'alat', 'non-credential details are kept');
  });

  test('keys that merely look like credential words are kept', () => {
    installWindow();
    const h = build();
    const data = { shipping: 'x', opinion: 'y', spinner: true, bank_id: 'b', account: 'a', description: 'd' };
    h.track('USER_BANK_SELECTED', data);
    const e = h.events().at(-1).event_data;
    for (const [k, v] of Object.entries(data)) assert.equal(e[k], v, `${k} kept`);
  });

  test('the caller\'s objects are not modified by scrubbing', () => {
    installWindow();
    const h = build();
    const data = { bank: 'alat', password: 'hunter2', nested: { pin: '4242' } };
    const copy = structuredClone(data);
    h.track('USER_LOGIN_ATTEMPTED', data);
    assert.deepEqual(data, copy);
  });
});

describe('names', () => {
  test('event names are case-insensitive and come out canonical', () => {
    installWindow();
    const h = build();
    h.track('user_bank_selected');
    h.track('User_Bank_Selected');
    h.track('USER_BANK_SELECTED');
    assert.deepEqual(
      h.events().slice(-3).map((e) => e.event_name),
      ['USER_BANK_SELECTED', 'USER_BANK_SELECTED', 'USER_BANK_SELECTED'],
    );
  });

  test('screen names are case-insensitive and come out canonical', () => {
    installWindow();
    const h = build();
    h.screen('BANK');
    h.screen('Account_Selection');
    const events = h.events();
    assert.deepEqual(
      events.map((e) => [e.event_name, e.event_screen]),
      [
        ['USER_CONNECTING', null],
        ['USER_CONNECTED', 'bank'],
        ['USER_VIEWED_BANKS', 'bank'],
        ['USER_ACCOUNT_SELECTION', 'account_selection'],
      ],
    );
  });

  test('every screen of the contract is accepted', () => {
    installWindow();
    const h = build();
    for (const s of SCREENS) {
      assert.doesNotThrow(() => h.screen(s), s);
      h.track('USER_PROFILE_ACCOUNT_REVIEW');
      assert.equal(h.events().at(-1).event_screen, s, `events on ${s} carry that screen`);
    }
  });

  test('an unknown event name is a TypeError that quotes it, and emits nothing', () => {
    installWindow();
    const h = build();
    const count = h.events().length;
    for (const name of ['USER_DANCED', 'user_login', '', 'USER_LOGIN_ATTEMPTED ']) {
      const err = thrown(() => h.track(name));
      assert.ok(err instanceof TypeError, name);
      assert.ok(err.message.includes(`"${name}"`), `quotes "${name}": ${err.message}`);
    }
    assert.equal(h.events().length, count);
  });

  test('an unknown screen name is a TypeError that quotes it, and emits nothing', () => {
    installWindow();
    const h = build();
    const count = h.events().length;
    for (const name of ['checkout', 'bank_list', '']) {
      const err = thrown(() => h.screen(name));
      assert.ok(err instanceof TypeError, name);
      assert.ok(err.message.includes(`"${name}"`), `quotes "${name}": ${err.message}`);
    }
    assert.equal(h.events().length, count);
  });

  test('a name that is not a string is a TypeError', () => {
    installWindow();
    const h = build();
    for (const bad of [undefined, null, 5, {}, ['bank']]) {
      assert.throws(() => h.screen(bad), TypeError);
      assert.throws(() => h.track(bad), TypeError);
    }
    assert.equal(h.events().length, 1);
  });

  test('every trackable event can be tracked', () => {
    installWindow();
    const h = build();
    for (const name of TRACKABLE_EVENTS) {
      h.track(name.toLowerCase());
      assert.equal(h.events().at(-1).event_name, name);
    }
  });

  describe('automatic events cannot be tracked: a TypeError says what emits them', () => {
    for (const [name, how] of Object.entries(AUTOMATIC_EVENTS)) {
      test(name, () => {
        installWindow();
        const h = build();
        const count = h.events().length;
        for (const spelling of [name, name.toLowerCase()]) {
          const err = thrown(() => h.track(spelling));
          assert.ok(err instanceof TypeError, `${spelling}: ${err}`);
          assert.ok(err.message.includes(name), `names ${name}: ${err.message}`);
          assert.match(err.message, /automatic/i);
          assert.match(err.message, how);
        }
        assert.equal(h.events().length, count);
      });
    }
  });

  test('WIDGET_USER_INTERNET_DISCONNECTED is accepted as USER_NETWORK_DISCONNECTED (which is automatic)', () => {
    installWindow();
    const h = build();
    for (const spelling of ['WIDGET_USER_INTERNET_DISCONNECTED', 'widget_user_internet_disconnected']) {
      const err = thrown(() => h.track(spelling));
      assert.ok(err instanceof TypeError);
      assert.doesNotMatch(err.message, /unknown/i, 'the alias is a known name');
      assert.ok(err.message.includes('USER_NETWORK_DISCONNECTED'), err.message);
      assert.match(err.message, /automatic/i);
    }
  });
});

describe('the catalog (Okra.events)', () => {
  test('has the 37 events of the seed, in documentation order, with category and screen', () => {
    assert.equal(Okra.events.length, 37);
    assert.deepEqual(
      Okra.events.map((e) => [e.name, e.category, e.screen]),
      SEED_CATALOG,
    );
  });

  test('every entry has exactly name, category, screen and a description', () => {
    for (const e of Okra.events) {
      assert.deepEqual(Object.keys(e).sort(), ['category', 'description', 'name', 'screen']);
      assert.equal(typeof e.description, 'string');
      assert.ok(e.description.length > 10, `${e.name} has a description`);
    }
    const byName = Object.fromEntries(Okra.events.map((e) => [e.name, e]));
    assert.match(byName.USER_BANK_SEARCH.description, /5 secs/);
    assert.match(byName.USER_CONNECTING.description, /launched our SDK/);
  });

  test('the categories have the seed\'s sizes', () => {
    const count = {};
    for (const e of Okra.events) count[e.category] = (count[e.category] ?? 0) + 1;
    assert.deepEqual(count, { auth: 20, payment: 4, returning_user: 3, network: 6, general: 4 });
  });

  test('the alias is not a catalog entry of its own', () => {
    assert.ok(!Okra.events.some((e) => e.name === 'WIDGET_USER_INTERNET_DISCONNECTED'));
  });

  test('cannot be changed by a caller', () => {
    const first = Okra.events[0].name;
    try {
      Okra.events[0].name = 'HACKED';
    } catch {
      // frozen: fine
    }
    try {
      Okra.events.push({ name: 'EXTRA' });
    } catch {
      // frozen: fine
    }
    assert.equal(Okra.events[0].name, first);
    assert.equal(Okra.events.length, 37);
  });
});

describe('handler.events()', () => {
  test('lists this session\'s events, oldest first, equal to what onEvent received', () => {
    installWindow();
    const { h, rec } = busySession();
    assert.deepEqual(h.events(), rec.events);
    assert.equal(h.events()[0].event_name, 'USER_CONNECTING');
    assert.equal(h.events().at(-1).event_name, 'USER_APP_CLOSE');
  });

  test('returns copies: mutating them changes neither later results nor what onEvent got', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('login', { bank: 'alat' });
    const snapshot = structuredClone(h.events());
    const first = h.events();
    assert.notEqual(first, h.events(), 'a new array each time');
    first[0].event_name = 'HACKED';
    first[0].event_data.tracking_id = 'HACKED';
    first[1].event_data.bank = 'HACKED';
    first.push({ event_name: 'EXTRA' });
    first.length = 0;
    assert.deepEqual(h.events(), snapshot);
    // Mutating what onEvent received does not change the log either.
    rec.events[0].sequence = 99;
    rec.events[1].event_data.bank = 'HACKED';
    assert.deepEqual(h.events(), snapshot);
  });

  test('mutating data after passing it to track() does not change the event', () => {
    installWindow();
    const h = build();
    const data = { bank: 'alat', list: [1] };
    h.track('USER_BANK_SELECTED', data);
    data.bank = 'changed';
    data.list.push(2);
    assert.deepEqual(h.events().at(-1).event_data, { tracking_id: h.trackingId, bank: 'alat', list: [1] });
  });
});
