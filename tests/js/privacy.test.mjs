// SPEC section 4 (issue 11), through the built package: what scrubbing removes
// by key and by value, what it keeps, and the 32 KiB limit on an event's JSON.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';

import { build, cleanup, fetchCalls, installWindow, recorder, thrown, waitFor } from './helpers.mjs';

afterEach(cleanup);

const LIMIT = 32768;

/** The data of the event that `track(name, data)` made. */
function tracked(data, name = 'USER_BANK_SELECTED') {
  installWindow();
  const h = build();
  h.track(name, data);
  return h.events().at(-1).event_data;
}

describe('scrubbing by key', () => {
  const REMOVED = [
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'Cookie',
    'set-cookie',
    'bvn',
    'BVN',
    'user_bvn',
    'nin',
    'NIN',
    'pan',
    'PAN',
    'card_number',
    'cardNumber',
    'card-number',
    'CardNumber',
    'api_key',
    'apiKey',
    'X-Api-Key',
    'access_token',
    'accessToken',
    'refresh_token',
    'client_secret',
    'password',
    'transactionPin',
    'otp_code',
    'cvv',
    'mfa-answer',
  ];
  const KEPT = [
    'company',
    'panel',
    'spinner',
    'shipping',
    'opinion',
    'passport_no',
    'record_id',
    'customer_id',
    'bank',
    'bank_id',
    'card_type',
    'authorization_id',
    'japan',
  ];

  test('removes every listed key, keeps every look-alike', () => {
    const data = {};
    for (const k of [...REMOVED, ...KEPT]) data[k] = `value-of-${k}`;
    const e = tracked(data);
    for (const k of REMOVED) assert.ok(!(k in e), `${k} removed`);
    for (const k of KEPT) assert.equal(e[k], `value-of-${k}`, `${k} kept`);
    for (const k of REMOVED) assert.ok(!JSON.stringify(e).includes(`value-of-${k}"`), `${k}'s value is gone`);
  });

  test('at any depth, in nested objects and arrays', () => {
    const e = tracked({
      request: { headers: { Authorization: 'Bearer eyJhbGci', Cookie: 'sid=abc', Accept: 'text/html' } },
      people: [{ name: 'Faith', bvn: '22212345678', nin: '12345678901', company: 'Okra' }],
      cards: [[{ pan: '5399830000000008', cardNumber: '4111111111111111', brand: 'visa' }]],
      creds: { api_key: 'sk_live_1', access_token: 'at', refresh_token: 'rt', client_secret: 'cs' },
    });
    assert.deepEqual(e.request, { headers: { Accept: 'text/html' } });
    assert.deepEqual(e.people, [{ name: 'Faith', company: 'Okra' }]);
    assert.deepEqual(e.cards, [[{ brand: 'visa' }]]);
    assert.deepEqual(e.creds, {});
  });
});

describe('scrubbing by value', () => {
  const CARDS = {
    visa: '4111111111111111',
    visa13: '4222222222222',
    mastercard: '5555555555554444',
    mastercard2: '2223003122003222',
    amex: '378282246310005',
    verve19: '5060990580000000002',
    verve19b: '6500021234567890127',
  };

  test('a Luhn-valid card number under any key is replaced by "[redacted]"', () => {
    const e = tracked({ ...CARDS });
    for (const k of Object.keys(CARDS)) assert.equal(e[k], '[redacted]', k);
  });

  test('with spaces or dashes, inside text, the rest of the string stays', () => {
    const e = tracked({
      note: 'my card is 4111 1111 1111 1111, exp 12/25',
      dashed: '5555-5555-5555-4444',
      amex: 'Amex 3782 822463 10005 please',
      verve: 'verve 5060 9905 8000 0000 002',
      after: '4111 1111 1111 1111 12/25',
      two: 'a 4111111111111111 b 378282246310005 c',
    });
    assert.equal(e.note, 'my card is [redacted], exp 12/25');
    assert.equal(e.dashed, '[redacted]');
    assert.equal(e.amex, 'Amex [redacted] please');
    assert.match(e.verve, /^verve \[redacted\]/);
    assert.equal(e.after, '[redacted] 12/25');
    assert.equal(e.two, 'a [redacted] b [redacted] c');
  });

  test('in nested objects and arrays, in screen details and fail() errors', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('login', { hint: 'saved card 4111 1111 1111 1111' });
    h.track('USER_LOGIN_ATTEMPTED', { a: [{ b: ['x 5555555555554444 y'] }], c: { d: { e: '378282246310005' } } });
    h.fail(new Error('card 4012888888881881 was declined'));
    const text = JSON.stringify(h.events()) + JSON.stringify(rec.events);
    for (const card of ['4111', '5555555555554444', '378282246310005', '4012888888881881']) {
      assert.ok(!text.includes(card), `${card} appears nowhere`);
    }
    const attempt = h.events().find((e) => e.event_name === 'USER_LOGIN_ATTEMPTED').event_data;
    assert.deepEqual(attempt.a, [{ b: ['x [redacted] y'] }]);
    assert.equal(attempt.c.d.e, '[redacted]');
    assert.equal(attempt.hint, 'saved card [redacted]');
    const failed = h.events().find((e) => e.event_name === 'USER_CONNECTION_FAILED').event_data;
    assert.match(JSON.stringify(failed.error), /card \[redacted\] was declined/);
  });

  test('other numbers stay', () => {
    const data = {
      phone: '08012345678',
      grouped_phone: '0801 234 5678',
      two_phones: '08012345678 08098765432',
      order: 'ORD-4111111111111112',
      account: '0123456789',
      short: '411111111111',
      long_id: '41111111111111111111111',
      time: '2026-11-27T01:20:54.123Z',
      amount: 4111111111111111,
    };
    const e = tracked(data);
    for (const [k, v] of Object.entries(data)) assert.equal(e[k], v, `${k} kept`);
  });

  test("the caller's data is not modified", () => {
    const data = { note: '4111 1111 1111 1111', cookie: 'sid=1', nested: [{ pan: '1' }] };
    const copy = structuredClone(data);
    tracked(data);
    assert.deepEqual(data, copy);
  });
});

describe('the 32 KiB limit', () => {
  /** Padding that makes the next `track('USER_BANK_SELECTED', { pad })` event exactly LIMIT bytes. */
  function padToLimit(h) {
    h.track('USER_BANK_SELECTED', { pad: '' });
    const size = Buffer.byteLength(JSON.stringify(h.events().at(-1)));
    return LIMIT - size;
  }

  test('an event of exactly 32768 bytes is emitted; one byte more is a TypeError with both sizes', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    const n = padToLimit(h);
    h.track('USER_BANK_SELECTED', { pad: 'x'.repeat(n) });
    const at = h.events().at(-1);
    assert.equal(Buffer.byteLength(JSON.stringify(at)), LIMIT, 'exactly at the limit');
    assert.equal(Buffer.byteLength(JSON.stringify(rec.events.at(-1))), LIMIT, 'onEvent got it');

    const err = thrown(() => h.track('USER_BANK_SELECTED', { pad: 'x'.repeat(n + 1) }));
    assert.ok(err instanceof TypeError, String(err));
    assert.match(err.message, /track\(name, data\) would make a USER_BANK_SELECTED event/);
    assert.match(err.message, new RegExp(`\\b${LIMIT + 1} bytes`));
    assert.match(err.message, new RegExp(`\\b${LIMIT} bytes`));
  });

  test('counts bytes, not characters', () => {
    installWindow();
    const h = build();
    const n = padToLimit(h);
    // 'é' is 2 bytes of UTF-8: half as many characters reach the same size.
    const half = Math.floor(n / 2);
    h.track('USER_BANK_SELECTED', { pad: 'é'.repeat(half) + 'x'.repeat(n % 2) });
    assert.equal(Buffer.byteLength(JSON.stringify(h.events().at(-1))), LIMIT);
    assert.equal(JSON.stringify(h.events().at(-1)).length, LIMIT - half, 'fewer characters than bytes');
    assert.throws(() => h.track('USER_BANK_SELECTED', { pad: 'é'.repeat(half + 1) }), TypeError);
  });

  test('a refused event leaves events(), pending() and the sequence untouched, and the session goes on', async () => {
    installWindow();
    const rec = recorder();
    fetchCalls.length = 0;
    const h = build({ ...rec.callbacks, event_callback_url: 'https://collector.example/events' });
    h.screen('bank');
    const n = padToLimit(h);
    const events = JSON.stringify(h.events());
    const pending = h.pending();
    const seen = rec.events.length;
    const errors = rec.log.filter(([kind]) => kind === 'error').length;
    assert.ok(pending > 0, 'events are waiting for the webhook');

    assert.throws(() => h.track('USER_BANK_SELECTED', { pad: 'x'.repeat(n + 1), marker: 'REFUSED' }), TypeError);
    assert.throws(() => h.track('USER_BANK_SELECTED', { pad: 'x'.repeat(5 * 1024 * 1024), marker: 'REFUSED' }), TypeError);

    assert.equal(JSON.stringify(h.events()), events, 'events() unchanged');
    assert.equal(h.pending(), pending, 'nothing queued');
    assert.equal(rec.events.length, seen, 'onEvent not called');
    assert.equal(rec.log.filter(([kind]) => kind === 'error').length, errors, 'no onError either');

    const last = h.events().at(-1).sequence;
    h.track('USER_BANK_SELECTED', { bank: 'alat' });
    assert.equal(h.events().at(-1).sequence, last + 1, 'the next event takes the next sequence');

    await waitFor(() => h.pending() === 0, { what: 'delivery' });
    const delivered = fetchCalls
      .flatMap((c) => JSON.parse(c.init.body).batch)
      .filter((e) => e.session_id === h.sessionId);
    assert.ok(!delivered.some((e) => e.event_data.marker === 'REFUSED'), 'never delivered');
    assert.deepEqual(
      delivered.map((e) => e.sequence),
      h.events().map((e) => e.sequence),
      'every event delivered, gapless',
    );
  });

  test('holds for screen details, fail() errors and success() data', () => {
    installWindow();
    const rec = recorder();
    const h = build({ ...rec.callbacks });
    h.screen('landing');
    const big = 'x'.repeat(LIMIT);

    let err = thrown(() => h.screen('bank', { big }));
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /screen\(name, details\) would make a USER_VIEWED_BANKS event/);
    err = thrown(() => h.screen('login', { big }));
    assert.ok(err instanceof TypeError, 'also on a screen without a landing event');
    assert.equal(h.events().at(-1).event_screen, 'landing', 'the refused screen was not entered');

    h.screen('login');
    h.track('USER_LOGIN_ATTEMPTED');
    const before = rec.log.length;
    err = thrown(() => h.fail({ message: big }));
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /fail\(error\) would make a USER_CONNECTION_FAILED event/);
    err = thrown(() => h.success({ record_id: big }));
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /success\(data\) would make a USER_CONNECTION_SUCCESSFUL event/);
    assert.equal(rec.log.length, before, 'no onEvent, onError or onSuccess for refused calls');

    // The session goes on: the same calls with small data work.
    h.fail({ message: 'wrong password' });
    h.success({ record_id: 'r-1', accounts: [{ blob: big }] });
    assert.ok(rec.find('success'), 'success data that is not event data is not limited');
    h.close();
    assert.deepEqual(
      h.events().map((e) => e.event_name),
      [
        'USER_CONNECTING',
        'USER_CONNECTED',
        'USER_LOGIN_ATTEMPTED',
        'USER_CONNECTION_FAILED',
        'USER_CONNECTION_SUCCESSFUL',
        'USER_APP_CLOSE',
      ],
    );
    const seqs = h.events().map((e) => e.sequence);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'gapless');
  });
});
