// SPEC sections 3 and 5: a whole widget session, callback order and
// arguments for success, failure and bounce, and the handler's life cycle.
//
// | mutation | killed by |
// |---|---|
// | handler.trackingId is not the events' tracking_id (e.g. lower-cased) | handler.options is the options object as given; sessionId and trackingId ... |
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { KEY, LANDING_EVENTS, SCREENS, TOKEN, build, buildExact, cleanup, installWindow, recorder, thrown } from './helpers.mjs';

afterEach(cleanup);

const OPTIONS = { clientDefinedId: 'Im testing out', anotherclientDefinedId: '1234567890' };
const META = { plan: 'gold', tags: ['a', 'b'], nested: { n: 1 } };

test('a full successful flow: every callback in order, with its arguments', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks, options: OPTIONS, meta: META });
  h.screen('landing');
  h.screen('login_method');
  h.track('USER_CONSENT_GRANTED');
  h.track('USER_LOGIN_SELECTION', { method: 'internet_banking' });
  h.screen('bank');
  h.track('USER_ACCOUNT_TYPE_SELECTION', { type: 'personal' });
  h.screen('search');
  h.track('USER_BANK_SELECTED', { bank: 'alat' });
  h.screen('login', { bank: 'alat' });
  h.track('USER_LOGIN_ATTEMPTED');
  h.screen('mfa');
  h.track('USER_RETRY_OTP');
  h.track('USER_COMPLETE_MFA');
  h.screen('account_selection');
  h.track('USER_ACCOUNT_SELECTED', { account: '61e7dcb74063c16cf13c50c2' });
  h.screen('balance');
  h.track('USER_FETCH_BALANCE');
  h.track('USER_RETRIEVED_BALANCE');
  h.track('USER_BALANCE_SENT');
  h.track('USER_FETCH_TRANS');
  h.screen('success');
  const accounts = [{ id: '61e7dcb74063c16cf13c50c2', nuban: '2377140061', connected: true }];
  h.success({ record_id: 'rec_1', bank_id: 'bank_1', customer_id: 'cus_1', accounts, auth: { status: true } });
  h.close();
  h.track('USER_APP_REDIRECT', { to: 'https://merchant.example/done' });

  assert.deepEqual(rec.kinds(), [
    'event:USER_CONNECTING',
    'event:USER_CONNECTED',
    'event:USER_CONSENT_GRANTED',
    'event:USER_LOGIN_SELECTION',
    'event:USER_VIEWED_BANKS',
    'event:USER_ACCOUNT_TYPE_SELECTION',
    'event:USER_BANK_SELECTED',
    'event:USER_LOGIN_ATTEMPTED',
    'event:USER_MFA_QUESTION',
    'event:USER_RETRY_OTP',
    'event:USER_COMPLETE_MFA',
    'event:USER_ACCOUNT_SELECTION',
    'event:USER_ACCOUNT_SELECTED',
    'event:USER_FETCH_BALANCE',
    'event:USER_RETRIEVED_BALANCE',
    'event:USER_BALANCE_SENT',
    'event:USER_FETCH_TRANS',
    'event:USER_CONNECTION_SUCCESSFUL',
    'success',
    'beforeClose',
    'event:USER_APP_CLOSE',
    'close',
    'event:USER_APP_REDIRECT',
  ]);

  // Each event arrives with the screen shown at the time.
  const screenOf = Object.fromEntries(rec.events.map((e) => [e.event_name, e.event_screen]));
  assert.equal(screenOf.USER_CONNECTING, null);
  assert.equal(screenOf.USER_CONNECTED, 'landing');
  assert.equal(screenOf.USER_CONSENT_GRANTED, 'login_method');
  assert.equal(screenOf.USER_VIEWED_BANKS, 'bank');
  assert.equal(screenOf.USER_BANK_SELECTED, 'search');
  assert.equal(screenOf.USER_LOGIN_ATTEMPTED, 'login');
  assert.equal(screenOf.USER_MFA_QUESTION, 'mfa');
  assert.equal(screenOf.USER_ACCOUNT_SELECTION, 'account_selection');
  assert.equal(screenOf.USER_FETCH_TRANS, 'balance');
  assert.equal(screenOf.USER_CONNECTION_SUCCESSFUL, 'success');
  assert.ok(rec.events.every((e) => e.withError === false), 'no error was shown in this flow');

  // onEvent saw exactly what events() lists.
  assert.deepEqual(rec.events, h.events());

  // onSuccess: the seed's shape, the given data kept, options and meta echoed.
  const [, data] = rec.find('success');
  assert.equal(data.record_id, 'rec_1');
  assert.equal(data.bank_id, 'bank_1');
  assert.equal(data.customer_id, 'cus_1');
  assert.deepEqual(data.accounts, accounts);
  assert.deepEqual(data.auth, { status: true });
  assert.deepEqual(data.options, OPTIONS);
  assert.deepEqual(data.meta, META);
  assert.equal(data.success, true);

  // beforeClose and onClose: the session metadata.
  const [, before] = rec.find('beforeClose');
  const [, closeJson, closeError] = rec.find('close');
  const closeIndex = rec.log.findIndex(([k]) => k === 'close');
  const eventsBeforeClose = rec.log.slice(0, closeIndex).filter(([k]) => k === 'event').length;
  const { delivery, ...sessionFields } = closeJson; // delivery counts: SPEC section 6
  assert.deepEqual(sessionFields, {
    session_id: h.sessionId,
    tracking_id: h.trackingId,
    last_screen: 'success',
    bounced: false,
    success: true,
    events_count: eventsBeforeClose,
    error: null,
    options: OPTIONS,
    meta: META,
  });
  assert.equal(closeError, null);
  assert.equal(before.session_id, h.sessionId);
  assert.equal(before.success, true);
  assert.equal(before.bounced, false);
  assert.equal(before.last_screen, 'success');
  assert.equal(before.events_count, eventsBeforeClose - 1, 'beforeClose comes before USER_APP_CLOSE');
});

test('onSuccess data has every key of the seed, with defaults for what the widget did not give', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks }).success({ record_id: 'rec_2' });
  const [, data] = rec.find('success');
  assert.deepEqual(data, {
    auth: null,
    income: null,
    identity: null,
    error: null,
    payment_authorization: null,
    authorization_id: null,
    authorizationId: null,
    done: true,
    accounts: [],
    record_id: 'rec_2',
    record: null,
    bank_id: null,
    customer_id: null,
    balance: null,
    transactions: null,
    launchAgain: false,
    hideExit: false,
    options: {},
    meta: {},
    success: true,
  });
});

test('onSuccess keeps extra keys the widget passes, and the given values win over defaults', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks, options: OPTIONS })
    .success({ done: false, launchAgain: true, data: { formatted: [] }, options: { spoofed: true } });
  const [, data] = rec.find('success');
  assert.equal(data.done, false);
  assert.equal(data.launchAgain, true);
  assert.deepEqual(data.data, { formatted: [] });
  assert.deepEqual(data.options, OPTIONS, 'options are the ones given to buildWithOptions');
  assert.equal(data.success, true);
});

test('USER_CONNECTION_SUCCESSFUL comes before onSuccess, and onSuccess is called once', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('success');
  h.success({});
  assert.deepEqual(rec.kinds().slice(-2), ['event:USER_CONNECTION_SUCCESSFUL', 'success']);
  assert.equal(rec.events.at(-1).withError, false);
  assert.equal(rec.log.filter(([k]) => k === 'success').length, 1);
});

test('success() a second time is an Error and emits nothing', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.success({});
  const count = h.events().length;
  const err = thrown(() => h.success({}));
  assert.ok(err instanceof Error);
  assert.match(err.message, /success\(\)/);
  assert.equal(h.events().length, count);
  assert.equal(rec.log.filter(([k]) => k === 'success').length, 1);
});

test('fail(error): USER_CONNECTION_FAILED with error, then onError(json, the same Error)', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks, options: OPTIONS, meta: META });
  h.screen('login');
  h.track('USER_LOGIN_ATTEMPTED');
  const error = new Error('Invalid login credentials');
  h.fail(error);
  assert.deepEqual(rec.kinds().slice(-2), ['event:USER_CONNECTION_FAILED', 'error']);
  const failed = rec.events.at(-1);
  assert.equal(failed.withError, true);
  assert.equal(failed.event_screen, 'login');
  assert.match(JSON.stringify(failed.event_data), /Invalid login credentials/, 'the event says why');
  const [, json, err] = rec.find('error');
  assert.equal(err, error, 'onError gets the very Error object given to fail()');
  assert.equal(json.session_id, h.sessionId);
  assert.equal(json.tracking_id, h.trackingId);
  assert.equal(json.last_screen, 'login');
  assert.equal(json.success, false);
  assert.equal(json.bounced, false);
  assert.equal(json.events_count, h.events().length);
  assert.equal(json.error.type, 'USER_CONNECTION_FAILED');
  assert.match(JSON.stringify(json.error), /Invalid login credentials/);
  assert.deepEqual(json.options, OPTIONS);
  assert.deepEqual(json.meta, META);
});

test('fail() with a string or plain object still emits USER_CONNECTION_FAILED and calls onError', () => {
  installWindow();
  for (const given of ['bank is down', { code: 'BANK_DOWN', message: 'bank is down' }, undefined]) {
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.fail(given);
    assert.deepEqual(rec.kinds().slice(-2), ['event:USER_CONNECTION_FAILED', 'error']);
    assert.equal(rec.events.at(-1).withError, true);
    const [, json] = rec.find('error');
    assert.equal(json.error.type, 'USER_CONNECTION_FAILED');
    if (given !== undefined) assert.match(JSON.stringify(rec.events.at(-1).event_data), /bank is down/);
  }
});

test('close() after fail(): USER_BOUNCE, USER_APP_CLOSE, then onClose(json, last error)', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('failure');
  h.fail(new Error('no accounts'));
  h.close();
  assert.deepEqual(rec.kinds().slice(-6), [
    'event:USER_CONNECTION_FAILED',
    'error',
    'beforeClose',
    'event:USER_BOUNCE',
    'event:USER_APP_CLOSE',
    'close',
  ]);
  const [, json, error] = rec.find('close');
  assert.equal(json.bounced, true);
  assert.equal(json.success, false);
  assert.equal(json.last_screen, 'failure');
  assert.equal(json.events_count, h.events().length);
  assert.equal(error.type, 'USER_CONNECTION_FAILED');
  assert.match(JSON.stringify(error), /no accounts/);
  assert.deepEqual(json.error, error);
  const bounce = h.events().find((e) => e.event_name === 'USER_BOUNCE');
  assert.equal(bounce.withError, false, 'a bounce is not an error shown to the user');
});

test('close() before anything happened: a bounce, with a null error', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('landing');
  h.close();
  assert.deepEqual(rec.kinds(), [
    'event:USER_CONNECTING',
    'event:USER_CONNECTED',
    'beforeClose',
    'event:USER_BOUNCE',
    'event:USER_APP_CLOSE',
    'close',
  ]);
  const [, before] = rec.find('beforeClose');
  const [, json, error] = rec.find('close');
  assert.equal(error, null);
  assert.equal(json.bounced, true);
  assert.equal(json.success, false);
  assert.equal(json.last_screen, 'landing');
  assert.equal(json.events_count, 4);
  assert.equal(json.error, null);
  assert.deepEqual(json.options, {});
  assert.deepEqual(json.meta, {});
  assert.equal(before.events_count, 2);
  assert.equal(before.last_screen, 'landing');
});

test('close() without a single screen: last_screen is null', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks }).close();
  const [, json] = rec.find('close');
  assert.equal(json.last_screen, null);
  assert.equal(json.bounced, true);
});

test('close() twice is a no-op', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.close();
  const log = rec.log.length;
  const events = h.events().length;
  assert.doesNotThrow(() => h.close());
  assert.equal(rec.log.length, log, 'no callback on the second close');
  assert.equal(h.events().length, events);
});

test('after close(), only track(USER_APP_REDIRECT) works; every other call is an Error', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.close();
  const count = h.events().length;
  for (const [what, call] of [
    ['screen', () => h.screen('bank')],
    ['track', () => h.track('USER_BANK_SELECTED')],
    ['success', () => h.success({})],
    ['fail', () => h.fail(new Error('x'))],
  ]) {
    const err = thrown(call);
    assert.ok(err instanceof Error, `${what} throws an Error`);
    assert.match(err.message, /close\(\)/, `${what}: the message says the widget is closed`);
  }
  assert.equal(h.events().length, count, 'nothing was emitted');
  h.track('user_app_redirect', { to: '/done' });
  assert.equal(h.events().at(-1).event_name, 'USER_APP_REDIRECT');
  assert.equal(h.events().at(-1).sequence, count + 1);
  assert.equal(rec.events.at(-1).event_name, 'USER_APP_REDIRECT');
});

test('after destroy(), every call is an Error; destroy() twice is a no-op', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('bank');
  h.destroy();
  const logged = rec.log.length;
  for (const [what, call] of [
    ['screen', () => h.screen('login')],
    ['track', () => h.track('USER_BANK_SELECTED')],
    ['track redirect', () => h.track('USER_APP_REDIRECT')],
    ['success', () => h.success({})],
    ['fail', () => h.fail(new Error('x'))],
    ['close', () => h.close()],
  ]) {
    const err = thrown(call);
    assert.ok(err instanceof Error, `${what} throws an Error`);
    assert.match(err.message, /destroy\(\)/, `${what}: the message says the handler is destroyed`);
  }
  assert.doesNotThrow(() => h.destroy());
  assert.equal(rec.log.length, logged, 'no callback after destroy');
});

test('destroy() after close() is allowed', () => {
  installWindow();
  const h = build();
  h.close();
  assert.doesNotThrow(() => h.destroy());
});

test('each screen with a landing event emits it on entry, and USER_CONNECTED comes with the first screen only', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('landing');
  h.screen('login_method');
  h.screen('bank');
  h.screen('search');
  h.screen('no_search_result');
  h.screen('login');
  h.screen('account_selection');
  h.screen('balance');
  h.screen('mfa');
  h.screen('review_payment');
  h.screen('authorize_payment');
  h.screen('rux_bank_selection');
  h.screen('success');
  h.screen('failure');
  assert.deepEqual(rec.names(), [
    'USER_CONNECTING',
    'USER_CONNECTED',
    'USER_VIEWED_BANKS',
    'USER_BANK_SEARCH_NO_RESULTS',
    'USER_ACCOUNT_SELECTION',
    'USER_MFA_QUESTION',
    'USER_PAYMENT_REVIEW',
    'USER_RUX_SELECTION',
  ]);
  const screens = Object.fromEntries(rec.events.map((e) => [e.event_name, e.event_screen]));
  assert.equal(screens.USER_BANK_SEARCH_NO_RESULTS, 'no_search_result');
  assert.equal(screens.USER_PAYMENT_REVIEW, 'review_payment');
  assert.equal(screens.USER_RUX_SELECTION, 'rux_bank_selection');
});

test('entering a screen emits its landing event, every time it is entered; other screens emit none', () => {
  installWindow();
  for (const screen of SCREENS) {
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('landing');
    h.screen(screen);
    h.screen('landing');
    h.screen(screen);
    const landing = LANDING_EVENTS[screen];
    const expected = landing ? [landing, landing] : [];
    assert.deepEqual(rec.names().slice(2), expected, screen);
    for (const e of rec.events.slice(2)) {
      assert.equal(e.event_screen, screen);
      assert.equal(e.withError, false);
    }
  }
});

test('the first screen may be any screen: USER_CONNECTED then its landing event', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks }).screen('rux_bank_selection');
  assert.deepEqual(rec.names(), ['USER_CONNECTING', 'USER_CONNECTED', 'USER_RUX_SELECTION']);
  assert.equal(rec.events[1].event_screen, 'rux_bank_selection');
});

test('a payment flow', () => {
  installWindow();
  const rec = recorder();
  const h = build({ ...rec.callbacks });
  h.screen('review_payment', { amount: 5000, currency: 'NGN' });
  h.track('USER_CONFIRM_PAYMENT');
  h.screen('authorize_payment');
  h.track('USER_PAYMENT_ACKNOWLEDGED');
  h.track('USER_AUTHORIZE_PAYMENT');
  h.success({ payment_authorization: { status: 'authorized' } });
  assert.deepEqual(rec.names(), [
    'USER_CONNECTING',
    'USER_CONNECTED',
    'USER_PAYMENT_REVIEW',
    'USER_CONFIRM_PAYMENT',
    'USER_PAYMENT_ACKNOWLEDGED',
    'USER_AUTHORIZE_PAYMENT',
    'USER_CONNECTION_SUCCESSFUL',
  ]);
  const categories = Object.fromEntries(rec.events.map((e) => [e.event_name, e.event_category]));
  assert.equal(categories.USER_CONFIRM_PAYMENT, 'payment');
  assert.equal(categories.USER_AUTHORIZE_PAYMENT, 'payment');
  assert.equal(rec.events[3].event_data.amount, 5000, 'screen details are in the screen events');
});

test('handler.options is the options object as given; sessionId and trackingId are stable and name the events', () => {
  installWindow();
  const options = { key: KEY, token: TOKEN, options: { clientDefinedId: 'order-42' } };
  const h = buildExact(options);
  assert.equal(h.options, options, 'the very object given');
  assert.deepEqual(h.options, { key: KEY, token: TOKEN, options: { clientDefinedId: 'order-42' } }, 'unchanged');
  const { sessionId, trackingId } = h;
  assert.match(sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'sessionId is a UUID v4');
  assert.match(trackingId, /^[0-9A-Za-z]{9}$/, 'trackingId is 9 letters and digits');
  h.screen('bank');
  h.track('USER_BANK_SELECTED', { bank: 'alat' });
  assert.equal(h.sessionId, sessionId);
  assert.equal(h.trackingId, trackingId);
  // They are what the events carry, every one of them.
  const events = h.events();
  assert.ok(events.length >= 3, `${events.length} events`);
  for (const e of events) {
    assert.equal(e.session_id, sessionId, `${e.event_name}: session_id`);
    assert.equal(e.event_data.tracking_id, trackingId, `${e.event_name}: event_data.tracking_id`);
  }
  // Another handler is another session.
  const other = build();
  assert.notEqual(other.sessionId, sessionId);
  assert.notEqual(other.trackingId, trackingId);
});
