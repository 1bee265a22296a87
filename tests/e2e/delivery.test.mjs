// Delivery to event_callback_url (SPEC section 6, issue 3) in headless
// Chromium against a real HTTP receiver on another origin (receiver.mjs).
// Every case compares what the receiver got with handler.events(), by
// event_id. Outcomes are awaited by polling, never by fixed sleeps. Waits the
// package measures (backoff, Retry-After) are checked on Playwright's clock,
// paused and moved by hand: a retry is not made before its time and is made
// by it, whatever the machine's load. Every place that checks duplicates
// says how many there must be, so the check never passes on none.
//
// | mutation | killed by |
// |---|---|
// | backoff without its lower bound (retry at once after a 5xx) | (b) |
// | backoff not doubled, or over its upper bound | (b) |
// | Retry-After ignored, or shortened by a second | 429 with Retry-After |
// | waits measured on Date.now instead of performance.now | the wall clock goes back |
// | a retried event re-emitted with a new event_id or new content | (b), (f), (d1), kill |
//
// Run: node --test tests/e2e/delivery.test.mjs   (needs pkg/: scripts/build.sh)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startReceiver } from './receiver.mjs';
import { recordPayloads } from './payloads.mjs';

const TEST_TIMEOUT = 90_000;
/** Generous: the suite must pass on a loaded 2-core machine. */
const WAIT_MS = 30_000;
/** The policy's numbers (crates/core/src/delivery.rs). */
const MAX_EVENTS = 5_000;
const MAX_BYTES = 2 * 1024 * 1024;
const BATCH_EVENTS = 50;
const BEACON_LIMIT = 64 * 1024;

let receiver;
let browser;

before(async () => {
  receiver = await startReceiver();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await receiver?.close();
});

// ---- helpers ----------------------------------------------------------------

/**
 * A fresh context (own storage and network state), closed after the test.
 * `clock`: Playwright's clock is installed and paused before any page
 * loads (time then moves only by page.clock.runFor), and the page's webhook
 * requests are counted (spyFetch).
 */
async function newContext(t, { init, clock = false } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  if (init) await context.addInitScript(init);
  if (clock) {
    const t0 = Date.now();
    await context.clock.install({ time: t0 });
    await context.clock.pauseAt(t0 + 1000);
    await context.addInitScript(spyFetch);
  }
  const errors = [];
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors.map(String), [], 'uncaught errors in the page');
  });
  return { context, errors };
}

/** Opens the test page at `url` in `ctx` and waits for the package to load. */
async function open(ctx, url) {
  const page = await ctx.context.newPage();
  page.on('pageerror', (e) => ctx.errors.push(e));
  await goto(page, url);
  return page;
}

async function goto(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.__t?.ready === true, null, { timeout: WAIT_MS });
}

/** Polls `fn` (sync or async) until it returns a truthy value; returns it. */
async function waitFor(fn, message, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${timeout} ms waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)?.slice(0, 300)})`);
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/**
 * Init script: counts the page's POSTs (the package's webhook requests) as
 * they start, and once the package has taken each answer. The package's
 * own handler on the request is attached as soon as fetch returns, before
 * it can settle, so it has run when `settled` counts that request. With
 * the clock paused these are the signals: a retry's fetch starts in the
 * timer callback that the clock fires.
 */
function spyFetch() {
  const real = window.fetch;
  const log = (window.__posts = { started: 0, settled: 0 });
  window.fetch = function (input, init) {
    const p = real.call(this, input, init);
    if (init?.method === 'POST') {
      log.started += 1;
      p.then(() => {}, () => {}).then(() => {
        log.settled += 1;
      });
    }
    return p;
  };
}

/** Webhook requests the page started so far. */
const started = (page) => page.evaluate(() => window.__posts.started);

/** Waits until the package has taken the answer to its `n`th webhook request. */
const answered = (page, n) =>
  waitFor(() => page.evaluate((k) => window.__posts.settled >= k, n), `the answer to request #${n}`);


/** What the page's handler and callbacks hold; its callbacks' arguments are kept for the payload type check. */
async function snapshot(page) {
  const s = await page.evaluate(() => window.__t.snapshot());
  recordPayloads('page:onEvent', s.events.map((e) => [e]));
  recordPayloads('page:onDelivery', s.deliveries.map((d) => [d]));
  // Error objects reach the page as themselves; only JSON data is kept.
  recordPayloads('page:onError', s.errors.filter((x) => !x.error?.name).map((x) => [x.json, x.error]));
  recordPayloads('page:onClose', s.closes.map((x) => [x.json, x.error]));
  return s;
}
const pending = (page) => page.evaluate(() => window.__t.handler.pending());
const storedKeys = (page) => page.evaluate(() => window.__t.keys());

/** Every event the receiver got on `channel`, with the request it came in. */
function arrivals(channel, { ok = false } = {}) {
  const out = [];
  for (const req of receiver.received(channel)) {
    if (ok && !(req.answered && req.answer >= 200 && req.answer < 300)) continue;
    for (const event of req.json?.batch ?? []) out.push({ event, req });
  }
  return out;
}

/** event_id -> number of times received. */
function counts(list) {
  const m = new Map();
  for (const { event } of list) m.set(event.event_id, (m.get(event.event_id) ?? 0) + 1);
  return m;
}

/** Whether every id of `events` was received (in a 2xx-answered request when ok). */
function allArrived(channel, events, opts) {
  const got = counts(arrivals(channel, opts));
  return events.every((e) => got.has(e.event_id));
}

/** SPEC 6 wire format, for every request of a channel. */
function assertWireFormat(channel) {
  const reqs = receiver.received(channel);
  assert.ok(reqs.length > 0, 'the receiver got requests');
  for (const req of reqs) {
    const what = `request #${req.index} (${req.mode})`;
    assert.equal(req.contentType, 'text/plain;charset=UTF-8', `${what}: content type`);
    assert.ok(req.bytes < BEACON_LIMIT, `${what}: body of ${req.bytes} bytes is under 64 KiB`);
    assert.ok(req.json && typeof req.json === 'object', `${what}: body is JSON`);
    assert.deepEqual(Object.keys(req.json).sort(), ['batch', 'sent_at'], `${what}: body keys`);
    assert.match(req.json.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `${what}: sent_at is ISO-8601`);
    assert.ok(Array.isArray(req.json.batch) && req.json.batch.length >= 1, `${what}: batch is a non-empty array`);
    assert.ok(req.json.batch.length <= BATCH_EVENTS, `${what}: at most ${BATCH_EVENTS} events`);
    for (const e of req.json.batch) {
      assert.equal(typeof e.event_id, 'string', `${what}: every event has an event_id`);
      assert.equal(e.event_callback_url, receiver.endpoint(channel), `${what}: event_callback_url`);
    }
  }
}

/**
 * Any event received more than once is the same event: same id, same
 * content. `atLeast` says how many duplicate copies the case must have
 * produced (e.g. the events of a batch answered 500 and sent again), so the
 * check cannot pass by comparing nothing; 0 only where duplicates may or
 * may not happen, said at the call. Returns how many were compared.
 */
function assertDuplicatesIdentical(channel, { atLeast }) {
  assert.equal(typeof atLeast, 'number', 'assertDuplicatesIdentical needs the number of duplicates the case makes');
  const first = new Map();
  let copies = 0;
  for (const { event } of arrivals(channel)) {
    const seen = first.get(event.event_id);
    if (seen) {
      assert.deepEqual(event, seen, `duplicate of ${event.event_id} is identical`);
      copies += 1;
    } else first.set(event.event_id, event);
  }
  assert.ok(copies >= atLeast, `${copies} duplicate copies received; the case makes at least ${atLeast}`);
  return copies;
}

/** The received copy of each event equals handler.events()'s. */
function assertSameEvents(channel, events) {
  const byId = new Map(arrivals(channel).map(({ event }) => [event.event_id, event]));
  for (const e of events) assert.deepEqual(byId.get(e.event_id), e, `received ${e.event_name} #${e.sequence} as emitted`);
}

/**
 * In order: per session, the first arrival of each event follows sequence
 * order. `mode` limits it to one transport ('cors' = fetch, 'no-cors' = beacon).
 */
function assertInOrder(channel, { mode } = {}) {
  const seen = new Set();
  const last = new Map();
  for (const { event, req } of arrivals(channel)) {
    if (mode && req.mode !== mode) continue;
    if (seen.has(event.event_id)) continue;
    seen.add(event.event_id);
    const prev = last.get(event.session_id) ?? 0;
    assert.ok(event.sequence > prev, `session ${event.session_id}: #${event.sequence} arrived after #${prev}`);
    last.set(event.session_id, event.sequence);
  }
}

const ids = (events) => events.map((e) => e.event_id).sort();
const delivery = (errors, type) => errors.filter((x) => x.error?.type === type).map((x) => x.error);
/** The storage reports (`state: 'storage'`) among a page's onDelivery reports, of one type. */
const storage = (deliveries, type) => deliveries.filter((d) => d.state === 'storage' && d.type === type);

// ---- (a) offline ------------------------------------------------------------

test('(a) offline mid-flow: sending pauses, resumes on online, every event arrives exactly once, in order',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'a-offline';
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    // Let what was made online go out first, so nothing is in flight when the network drops.
    await waitFor(async () => (await pending(page)) === 0, 'the online part to be delivered');
    const before = receiver.received(ch).length;

    await ctx.context.setOffline(true);
    await page.waitForFunction(() => navigator.onLine === false);
    await page.evaluate(() => {
      window.__t.track(5, { phase: 'offline' }, 'USER_BANK_SELECTED');
      window.__t.handler.screen('login');
      window.__t.track(10, { phase: 'offline' });
    });
    const waiting = await pending(page);
    assert.ok(waiting >= 16, `events wait while offline (${waiting})`);
    // Stay offline for a while: nothing is sent (the browser reports offline, so the sender does not try).
    await new Promise((ok) => setTimeout(ok, 1500));
    assert.equal(receiver.received(ch).length, before, 'no request while offline');
    assert.equal((await storedKeys(page)).length, await pending(page), 'each waiting event is stored');

    await ctx.context.setOffline(false);
    await page.evaluate(() => window.__t.track(3, { phase: 'back' }));
    await waitFor(async () => (await pending(page)) === 0, 'the queue to drain after coming back');
    const { events } = await snapshot(page);
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event at the receiver');

    const got = counts(arrivals(ch));
    assert.deepEqual([...got.keys()].sort(), ids(events), 'the receiver got exactly handler.events()');
    assert.deepEqual([...got.values()].filter((n) => n !== 1), [], 'each event exactly once');
    assert.deepEqual(arrivals(ch).map(({ event }) => event.sequence), events.map((e) => e.sequence),
      'received in sequence order');
    assertSameEvents(ch, events);
    assertWireFormat(ch);
    assert.ok(events.some((e) => e.event_name === 'USER_NETWORK_DISCONNECTED'));
    assert.deepEqual(await storedKeys(page), [], 'storage is empty once delivered');
  });

// ---- (b) 500, 500, 500, 200 -------------------------------------------------

test('(b) the receiver answers 500 three times, then 200: retried with backoff, everything delivered',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'b-retry';
    receiver.plan(ch, [500, 500, 500], 200);
    const ctx = await newContext(t, { clock: true });
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    // Backoff 1 s * 2^(n-1) scaled into [0.5, 1], on the paused clock: retry
    // n is not made before `min` ms and is made by 2 * min.
    await answered(page, 1);
    for (const [n, min] of [[1, 500], [2, 1000], [3, 2000]]) {
      await page.clock.runFor(min - 1);
      assert.equal(await started(page), n, `no retry ${n} before ${min} ms`);
      await page.clock.runFor(min + 1);
      assert.equal(await started(page), n + 1, `retry ${n} by ${2 * min} ms`);
      await answered(page, n + 1);
    }
    await page.clock.resume();
    await waitFor(async () => (await pending(page)) === 0, 'the queue to drain');
    const { events, errors } = await snapshot(page);
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event answered 2xx');

    const reqs = receiver.received(ch);
    assert.deepEqual(reqs.slice(0, 4).map((r) => r.answer), [500, 500, 500, 200]);
    // The retries resend the same events (same ids), oldest first.
    const firstIds = reqs[0].json.batch.map((e) => e.event_id);
    for (const r of reqs.slice(1, 4)) {
      assert.deepEqual(r.json.batch.map((e) => e.event_id).slice(0, firstIds.length), firstIds, 'a retry resends the batch');
    }

    const ok = counts(arrivals(ch, { ok: true }));
    assert.deepEqual([...ok.keys()].sort(), ids(events), 'every event delivered');
    assert.deepEqual([...ok.values()].filter((n) => n !== 1), [], 'each accepted exactly once');
    assertInOrder(ch);
    // The first batch went four times: three copies of each of its events.
    assertDuplicatesIdentical(ch, { atLeast: 3 * firstIds.length });
    assertSameEvents(ch, events);
    assertWireFormat(ch);
    assert.deepEqual(errors, [], 'retried failures are not reported');
    assert.deepEqual(await storedKeys(page), []);
  });

// ---- (c) 400 ----------------------------------------------------------------

test('(c) the receiver answers 400: the batch is dropped, reported as DELIVERY_REJECTED, never retried',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'c-reject';
    receiver.plan(ch, [400], 200);
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    await waitFor(async () => (await page.evaluate(() => window.__t.errors.length)) > 0, 'onError');
    const rejected = receiver.received(ch)[0];
    assert.equal(rejected.answer, 400);
    const rejectedIds = rejected.json.batch.map((e) => e.event_id);

    // A later event goes out normally; being behind the rejected batch in a
    // one-request-at-a-time queue, it shows that batch is not being retried.
    await page.evaluate(() => window.__t.track(1, { after: 'rejection' }));
    await waitFor(async () => (await pending(page)) === 0, 'the rest to be delivered');
    await page.evaluate(() => window.__t.handler.close());
    await waitFor(async () => (await pending(page)) === 0, 'the close events to be delivered');
    const { events, errors, closes } = await snapshot(page);
    await waitFor(() => allArrived(ch, events), 'every event at the receiver');

    const rejections = delivery(errors, 'DELIVERY_REJECTED');
    assert.equal(rejections.length, 1, 'one DELIVERY_REJECTED');
    assert.equal(rejections[0].status, 400);
    assert.equal(rejections[0].dropped, rejectedIds.length);
    assert.equal(typeof rejections[0].message, 'string');
    assert.equal(errors.length, 1, 'nothing else reported');
    assert.equal(errors[0].json.session_id, events[0].session_id, 'onError gets the session metadata');

    const got = counts(arrivals(ch));
    for (const id of rejectedIds) assert.equal(got.get(id), 1, `rejected event ${id} was sent once, not retried`);
    assert.deepEqual([...got.keys()].sort(), ids(events));
    assert.deepEqual([...got.values()].filter((n) => n !== 1), [], 'nothing sent twice');
    assert.deepEqual(receiver.received(ch).slice(1).map((r) => r.answer).filter((a) => a !== 200), []);
    assertInOrder(ch);
    assertSameEvents(ch, events);
    assertWireFormat(ch);

    const counted = closes[0].json.delivery;
    assert.equal(counted.dropped, rejectedIds.length, 'close metadata counts the rejected events');
    assert.equal(counted.delivered + counted.pending + counted.dropped, events.length);
    assert.deepEqual(await storedKeys(page), [], 'rejected events are not kept');
  });

// ---- (d) close / reload -----------------------------------------------------

test('(d1) closing the page with events queued: they go out by beacon at pagehide, and the next load resends what was not confirmed',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'd1-close';
    receiver.plan(ch, [], 'hang');
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    await waitFor(() => receiver.hanging(ch) === 1, 'the first request to hang');
    await page.evaluate(() => window.__t.track(10, { phase: 'queued' }));
    const { events } = await snapshot(page);
    assert.equal((await storedKeys(page)).length, events.length, 'every undelivered event is stored');

    receiver.plan(ch, [], 200);
    const closedAt = receiver.received(ch).length;
    await page.close();
    await waitFor(() => receiver.received(ch).slice(closedAt).some((r) => r.mode === 'no-cors'), 'a beacon after close');
    const beacons = receiver.received(ch).slice(closedAt).filter((r) => r.mode === 'no-cors');
    const beaconed = beacons.flatMap((r) => r.json.batch.map((e) => e.event_id));
    assert.deepEqual([...new Set(beaconed)].sort(), ids(events), 'the beacons carry every queued event');

    // Beacons are not confirmed, so the events stay stored and a later page sends them again.
    const next = await open(ctx, receiver.pageUrl());
    await waitFor(async () => (await storedKeys(next)).length === 0, 'the next load to send and clear the leftovers');
    const resent = receiver.received(ch).slice(closedAt).filter((r) => r.mode === 'cors' && r.answer === 200);
    assert.deepEqual(resent.flatMap((r) => r.json.batch.map((e) => e.event_id)).sort(), ids(events),
      'the next load resent every leftover by fetch');
    const allBeacons = receiver.received(ch).slice(closedAt).filter((r) => r.mode === 'no-cors');
    t.diagnostic(`${allBeacons.length} beacon(s) at close carrying ${allBeacons.reduce((n, r) => n + r.json.batch.length, 0)} ` +
      `copies of ${events.length} events (visibilitychange and pagehide each flush)`);

    assert.ok(allArrived(ch, events));
    // Each event went by beacon and again from the next load.
    assertDuplicatesIdentical(ch, { atLeast: events.length });
    assertSameEvents(ch, events);
    assertWireFormat(ch);
  });

test('(d2) reloading with a large queue: beacons in chunks under 64 KiB, and the new page sends the rest before any handler is built',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'd2-reload';
    receiver.plan(ch, [], 'hang');
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    await waitFor(() => receiver.hanging(ch) === 1, 'the first request to hang');
    // ~150 KiB of events: more than one beacon, more than the browser's 64 KiB keepalive budget.
    await page.evaluate(() => window.__t.track(150, { note: 'x'.repeat(500) }));
    const { events } = await snapshot(page);
    assert.equal((await storedKeys(page)).length, events.length);

    receiver.plan(ch, [], 200);
    const leftAt = receiver.received(ch).length;
    // The "reload" loads the page without a handler: the package alone must send the leftovers.
    await goto(page, receiver.pageUrl());
    assert.equal(await page.evaluate(() => window.__t.handler), null, 'no handler on the new page');
    await waitFor(async () => (await storedKeys(page)).length === 0, 'the new page to send and clear the leftovers');
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event answered 2xx');

    const after = receiver.received(ch).slice(leftAt);
    const fetched = after.filter((r) => r.mode === 'cors' && r.answer === 200);
    const fetchedIds = new Set(fetched.flatMap((r) => r.json.batch.map((e) => e.event_id)));
    const beaconIds = new Set(after.filter((r) => r.mode === 'no-cors').flatMap((r) => r.json.batch.map((e) => e.event_id)));
    for (const r of after) {
      const seq = r.json.batch.map((e) => e.sequence);
      t.diagnostic(`  ${r.mode} ${r.answer} ${r.bytes} B, #${seq[0]}..#${seq.at(-1)} (${seq.length})`);
    }
    t.diagnostic(`after reload: ${after.length - fetched.length} beacon(s) carrying ${beaconIds.size} events; ` +
      `${fetched.length} fetches from the new page carrying ${fetchedIds.size}`);
    for (const e of events) {
      assert.ok(fetchedIds.has(e.event_id) || beaconIds.has(e.event_id), `${e.event_id} arrived`);
    }
    // Storage only empties on a 2xx to a fetch from a live page: the new one, which has no handler.
    assert.ok(fetchedIds.size > 0, 'the new page sent leftovers without a handler');
    // Beacons are not confirmed: the new page sends what they carried again.
    assert.ok(beaconIds.size > 0, 'a beacon at pagehide');
    assertDuplicatesIdentical(ch, { atLeast: beaconIds.size });
    assertSameEvents(ch, events);
    // Every event is stored, so the beacons hold only the oldest chunk and
    // the new page sends the rest: first arrivals, beacons included, are in
    // order.
    assertInOrder(ch);
    assertWireFormat(ch); // includes: each beacon and request body < 64 KiB
  });

// ---- (e) two tabs -----------------------------------------------------------

test('(e) two tabs to the same webhook: nothing lost, any duplicate shares its event_id, the second tab takes over when the first closes',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'e-tabs';
    const ctx = await newContext(t);
    const tab1 = await open(ctx, receiver.pageUrl(ch));
    const tab2 = await open(ctx, receiver.pageUrl(ch));
    for (let round = 0; round < 3; round++) {
      await tab1.evaluate((r) => window.__t.track(7, { tab: 1, round: r }), round);
      await tab2.evaluate((r) => window.__t.track(7, { tab: 2, round: r }, 'USER_BANK_SELECTED'), round);
    }
    await tab2.evaluate(() => window.__t.flow());
    await tab1.evaluate(() => window.__t.flow());
    for (const tab of [tab1, tab2]) await waitFor(async () => (await pending(tab)) === 0, 'both tabs to drain');
    const s1 = await snapshot(tab1);
    let s2 = await snapshot(tab2);
    await waitFor(() => allArrived(ch, [...s1.events, ...s2.events], { ok: true }), 'both tabs\' events at the receiver');

    // Hand-over: the sending tab stalls and closes; the other takes the lock and sends the rest.
    receiver.plan(ch, [], 'hang');
    await tab2.evaluate(() => window.__t.track(10, { tab: 2, phase: 'stalled' }));
    await waitFor(() => receiver.hanging(ch) === 1, 'a request to hang');
    receiver.plan(ch, [], 200);
    await tab1.close();
    await tab2.evaluate(() => window.__t.track(5, { tab: 2, phase: 'alone' }));
    await waitFor(async () => (await pending(tab2)) === 0 && (await storedKeys(tab2)).length === 0,
      'the remaining tab to deliver everything');
    s2 = await snapshot(tab2);
    const all = [...s1.events, ...s2.events];
    await waitFor(() => allArrived(ch, all, { ok: true }), 'every event of both tabs answered 2xx');

    const got = counts(arrivals(ch));
    assert.deepEqual([...got.keys()].sort(), ids(all), 'the receiver got exactly both tabs\' events');
    const dupes = [...got.entries()].filter(([, n]) => n > 1).length;
    t.diagnostic(`${all.length} events, ${dupes} received more than once (same event_id)`);
    // The request that hung was received, never confirmed, and sent again
    // by the tab that took over.
    assertDuplicatesIdentical(ch, { atLeast: 1 });
    assertSameEvents(ch, all);
    assertInOrder(ch);
    assertWireFormat(ch);
    assert.equal(new Set(all.map((e) => e.session_id)).size, 2);
  });

// ---- (f) storage blocked ----------------------------------------------------

test('(f) storage blocked (IndexedDB and localStorage): events are delivered from memory and STORAGE_UNAVAILABLE is reported to onDelivery, not onError',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'f-nostorage';
    const ctx = await newContext(t, {
      init: () => {
        for (const store of ['localStorage', 'indexedDB']) {
          Object.defineProperty(window, store, {
            configurable: true,
            get() {
              throw new DOMException('The operation is insecure.', 'SecurityError');
            },
          });
        }
      },
    });
    receiver.plan(ch, [500], 200); // one failure: the retry comes from memory
    const page = await open(ctx, receiver.pageUrl(ch));
    assert.equal(await storedKeys(page), null, 'localStorage and IndexedDB throw on this page');
    await page.evaluate(() => window.__t.flow());
    await page.evaluate(() => window.__t.handler.close());
    await waitFor(async () => (await pending(page)) === 0, 'the queue to drain');
    const { events, errors, closes, deliveries } = await snapshot(page);
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event answered 2xx');

    const unavailable = storage(deliveries, 'STORAGE_UNAVAILABLE');
    assert.equal(unavailable.length, 1, 'STORAGE_UNAVAILABLE reported once');
    assert.deepEqual(Object.keys(deliveries[0]), ['state', 'type', 'store', 'message'], 'reported at build, first');
    assert.equal(deliveries[0].store, 'memory');
    assert.deepEqual(errors, [], 'storage health is not an error: onError stays silent');
    const ok = counts(arrivals(ch, { ok: true }));
    assert.deepEqual([...ok.keys()].sort(), ids(events));
    assert.deepEqual([...ok.values()].filter((n) => n !== 1), []);
    assertInOrder(ch);
    // The batch answered 500 went again, from memory.
    const refused = receiver.received(ch).find((r) => r.answer === 500);
    assertDuplicatesIdentical(ch, { atLeast: refused.json.batch.length });
    assertSameEvents(ch, events);
    assertWireFormat(ch);
    assert.equal(closes.length, 1);
  });

// ---- (g) the bound ----------------------------------------------------------

test('(g) the queue bound: new events are dropped and reported as QUEUE_OVERFLOW, queued ones kept and delivered later',
  { timeout: 120_000 }, async (t) => {
    const ch = 'g-overflow';
    receiver.plan(ch, [], 'hang');
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await waitFor(() => receiver.hanging(ch) === 1, 'the first request to hang');
    const TRACKS = 5_300;
    await page.evaluate((n) => window.__t.track(n), TRACKS);
    const full = await snapshot(page);
    const total = full.events.length;

    // Which events fit: in order, while under 5,000 events and 2 MiB of event JSON.
    let kept = 0;
    let bytes = 0;
    let bound = null;
    for (const e of full.events) {
      const len = Buffer.byteLength(JSON.stringify(e));
      if (kept >= MAX_EVENTS) { bound = 'count'; break; }
      if (bytes + len > MAX_BYTES) { bound = 'bytes'; break; }
      kept += 1;
      bytes += len;
    }
    const dropped = total - kept;
    t.diagnostic(`${total} events of ~${Math.round(bytes / kept)} bytes: the ${bound} bound hit first; ${kept} kept, ${dropped} dropped`);
    assert.ok(dropped > 0, 'the bound was exceeded');

    assert.equal(full.pending, kept, 'pending() counts the kept events');
    assert.equal((await storedKeys(page)).length, kept, 'only kept events are stored');
    assert.deepEqual(full.errors.map((x) => x.error.type), ['QUEUE_OVERFLOW'], 'one report while the queue is full');
    const start = full.errors[0].error;
    assert.equal(start.dropped, 1);
    assert.equal(start.ended, false);
    assert.equal(typeof start.message, 'string');

    // The receiver recovers: the kept events drain, and the overflow's end is
    // reported as soon as there is room, without waiting for another event.
    receiver.plan(ch, [], 200);
    receiver.release(ch, 200);
    await waitFor(async () => (await page.evaluate(() => window.__t.errors.length)) === 2,
      'QUEUE_OVERFLOW ended: true, with no further event', 60_000);
    assert.equal((await snapshot(page)).events.length, total, 'no event was made since the overflow');
    await waitFor(async () => (await pending(page)) === 0, 'the kept events to drain', 60_000);
    await page.evaluate(() => window.__t.track(1, { phase: 'after' }));
    await page.evaluate(() => window.__t.handler.close());
    await waitFor(async () => (await pending(page)) === 0, 'the last events to drain');
    const end = await snapshot(page);
    const overflow = end.errors.map((x) => x.error);
    assert.equal(overflow.length, 2, 'the overflow is reported when it starts and when it ends');
    assert.deepEqual({ type: overflow[1].type, dropped: overflow[1].dropped, ended: overflow[1].ended },
      { type: 'QUEUE_OVERFLOW', dropped, ended: true });

    const counted = end.closes[0].json.delivery;
    assert.equal(counted.dropped, dropped, 'close metadata counts the dropped events');
    assert.equal(counted.delivered + counted.pending + counted.dropped, end.events.length);

    const expected = [...end.events.slice(0, kept), ...end.events.slice(total)];
    await waitFor(() => allArrived(ch, expected, { ok: true }), 'the kept and later events at the receiver', 60_000);
    const got = counts(arrivals(ch, { ok: true }));
    assert.deepEqual([...got.keys()].sort(), ids(expected), 'the first events and the later ones arrived; the dropped did not');
    assert.deepEqual([...got.values()].filter((n) => n !== 1), [], 'each accepted once');
    assertInOrder(ch);
    // The hanging request is answered 200 when released: a copy is sent
    // again only if it outlived the 30 s request timeout first.
    assertDuplicatesIdentical(ch, { atLeast: 0 });
    assertWireFormat(ch);
    assert.deepEqual(await storedKeys(page), []);
  });

// ---- Retry-After ------------------------------------------------------------

test('429 with Retry-After: 2: the retry comes at 2 s on the page\'s clock, not before, then delivers', { timeout: TEST_TIMEOUT }, async (t) => {
  const ch = 'h-retry-after';
  receiver.plan(ch, [{ status: 429, retryAfter: 2 }], 200);
  const ctx = await newContext(t, { clock: true });
  const page = await open(ctx, receiver.pageUrl(ch));
  await page.evaluate(() => window.__t.flow());
  await answered(page, 1);
  // On the paused clock: not a moment before the 2 s, and at 2 s.
  await page.clock.runFor(1999);
  assert.equal(await started(page), 1, 'no retry before Retry-After');
  await page.clock.runFor(1);
  assert.equal(await started(page), 2, 'the retry at Retry-After');
  await page.clock.resume();
  await waitFor(async () => (await pending(page)) === 0, 'the queue to drain');
  const { events, errors } = await snapshot(page);
  const [first, second] = receiver.received(ch);
  assert.equal(first.answer, 429);
  assert.equal(second.answer, 200);
  assert.ok(allArrived(ch, events, { ok: true }));
  assertInOrder(ch);
  assertWireFormat(ch);
  assert.deepEqual(errors, []);
});

// ---- ordering of beacons, and other tabs' refusals ------------------------------

test('beacon chunks do not overtake each other: a reload with a large queue still arrives in sequence order',
  { timeout: TEST_TIMEOUT },
  async (t) => {
    const ch = 'beacon-order';
    receiver.plan(ch, [], 'hang');
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    await waitFor(() => receiver.hanging(ch) === 1, 'the first request to hang');
    await page.evaluate(() => window.__t.track(150, { note: 'x'.repeat(500) }));
    const { events } = await snapshot(page);
    receiver.plan(ch, [], 200);
    await goto(page, receiver.pageUrl());
    await waitFor(async () => (await storedKeys(page)).length === 0, 'the new page to clear the leftovers');
    assert.ok(allArrived(ch, events, { ok: true }));
    assertInOrder(ch); // first arrivals, beacons included
  });

test('a batch refused with a 4xx by the sending tab is reported to the session it belongs to, and counted in its close metadata',
  { timeout: TEST_TIMEOUT },
  async (t) => {
    const ch = 'tab-reject';
    const ctx = await newContext(t);
    const tab1 = await open(ctx, receiver.pageUrl(ch));
    await waitFor(async () => (await pending(tab1)) === 0, 'tab 1 to send its first event');
    const tab2 = await open(ctx, receiver.pageUrl(ch, { build: false }));
    receiver.plan(ch, [400], 200);
    await tab2.evaluate(() => {
      window.__t.build();
      window.__t.flow();
    });
    const s2 = await snapshot(tab2);
    await waitFor(() => allArrived(ch, s2.events), 'tab 2\'s events at the receiver');
    await waitFor(async () => (await pending(tab2)) === 0, 'tab 2 to see its events settled');
    const rejected = receiver.received(ch).find((r) => r.answer === 400).json.batch;
    assert.ok(rejected.every((e) => e.session_id === s2.sessionId), 'the refused batch is tab 2\'s');
    await waitFor(async () => (await snapshot(tab2)).errors.some((x) => x.error.type === 'DELIVERY_REJECTED'),
      'DELIVERY_REJECTED in tab 2', 10_000);
    await tab2.evaluate(() => window.__t.handler.close());
    const { closes } = await snapshot(tab2);
    assert.equal(closes[0].json.delivery.dropped, rejected.length, 'tab 2\'s close metadata counts the refused events');
    assert.equal(closes[0].json.delivery.delivered, s2.events.length - rejected.length, 'and the ones tab 1 delivered');
  });

// ---- redirects ---------------------------------------------------------------

test('a 302 to a page that answers 200 is not a delivery: DELIVERY_REDIRECTED once, the events stay queued, then a real 200 delivers them all',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'redirect-302';
    const redirect = { status: 302, location: `${receiver.receiverOrigin}/landing/${ch}` };
    receiver.plan(ch, [redirect, redirect, redirect], 200);
    const landingsBefore = receiver.landings();
    const ctx = await newContext(t);
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    // Three redirected attempts, each resending the same batch.
    await waitFor(() => receiver.received(ch).length >= 3, 'three redirected attempts');
    const { events: early } = await snapshot(page);
    assert.ok((await pending(page)) > 0, 'nothing counted as delivered while the webhook redirects');
    assert.equal(receiver.landings(), landingsBefore, 'the redirect was not followed as a GET');
    const delivered = await page.evaluate(() => window.__t.deliveries.filter((d) => d.state === 'delivered'));
    assert.deepEqual(delivered, [], 'onDelivery said nothing was delivered');

    await waitFor(async () => (await pending(page)) === 0, 'the queue to drain once the webhook answers 200');
    const { events, errors } = await snapshot(page);
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event answered 2xx');
    const redirected = delivery(errors, 'DELIVERY_REDIRECTED');
    assert.equal(redirected.length, 1, 'reported once for the run of redirects');
    assert.match(redirected[0].message, /redirect/);
    assert.equal(errors.length, 1, 'nothing else reported');
    const reqs = receiver.received(ch);
    assert.deepEqual(reqs.slice(0, 4).map((r) => r.answer), [302, 302, 302, 200]);
    const firstIds = reqs[0].json.batch.map((e) => e.event_id);
    assert.deepEqual(reqs[3].json.batch.map((e) => e.event_id).slice(0, firstIds.length), firstIds, 'the redirected batch was sent again');
    // The events seen while the webhook redirected are the first events,
    // unchanged, and the redirected batch carried the oldest of them.
    assert.ok(early.length >= firstIds.length, 'the redirected batch\'s events were made first');
    assert.deepEqual(events.slice(0, early.length), early, 'later events came after them, and they did not change');
    assert.deepEqual(firstIds, early.slice(0, firstIds.length).map((e) => e.event_id), 'the redirected batch is the oldest events');
    const ok = counts(arrivals(ch, { ok: true }));
    assert.deepEqual([...ok.keys()].sort(), ids(events), 'every event delivered');
    assertInOrder(ch);
    assert.deepEqual(await storedKeys(page), []);
  });

// ---- clocks ------------------------------------------------------------------

test('the wall clock goes back an hour while a retry waits: the retry is still made within the normal backoff',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'clock-back';
    receiver.plan(ch, [500], 200);
    const ctx = await newContext(t, { clock: true });
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    await answered(page, 1);
    // Date.now goes back an hour (an NTP correction, or a user changing the
    // time); performance.now does not move.
    const wall = await page.evaluate(() => Date.now());
    await page.clock.setSystemTime(wall - 3_600_000);
    // The retry is due 0.5-1 s after the 500, on the monotonic clock.
    await page.clock.runFor(1000);
    assert.equal(await started(page), 2, 'the retry within 1 s of monotonic time, not an hour later');
    await page.clock.resume();
    await waitFor(async () => (await pending(page)) === 0, 'the retry to deliver');
    const { events, errors } = await snapshot(page);
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event answered 2xx');
    assert.deepEqual(receiver.received(ch).slice(0, 2).map((r) => r.answer), [500, 200]);
    assert.deepEqual(errors, []);
    // The retried body is stamped with the page's (shifted) wall clock.
    const sentAt = Date.parse(receiver.received(ch)[1].json.sent_at);
    assert.ok(sentAt < wall - 3_000_000, `sent_at ${receiver.received(ch)[1].json.sent_at} is the shifted wall time`);
  });

// ---- hard faults (SPEC 6.1) ---------------------------------------------------

/** The browser process of a persistent profile: the one whose command line holds the profile and is not a --type= helper. */
function browserPid(profile) {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && m[2].includes(`--user-data-dir=${profile}`) && !m[2].includes('--type=')) return Number(m[1]);
  }
  return null;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Kills the browser 1 s after the events that `make(page)` creates, and
 * relaunches it on the same profile with the receiver back: every event must
 * arrive, in order.
 */
async function killedBrowserLosesNothing(t, ch, url, make) {
  receiver.plan(ch, [], 503); // the receiver is down: every attempt fails
  const profile = await mkdtemp(join(tmpdir(), 'okra-kill-'));
  t.after(() => rm(profile, { recursive: true, force: true }));
  const launch = () => chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const first = await launch();
  first.setDefaultTimeout(WAIT_MS);
  const page = await first.newPage();
  await goto(page, url);
  await make(page);
  const { events } = await snapshot(page);
  assert.ok(events.length > 50, `events were made (${events.length})`);
  await waitFor(() => receiver.received(ch).length >= 1, 'a first attempt, answered 503');
  await new Promise((ok) => setTimeout(ok, 1000));
  const pid = browserPid(profile);
  assert.ok(pid, 'the browser process of the profile is found');
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !alive(pid), 'the browser process to be gone');
  await first.close().catch(() => {});

  receiver.plan(ch, [], 200); // the receiver is back
  const second = await launch();
  t.after(() => second.close());
  second.setDefaultTimeout(WAIT_MS);
  const next = await second.newPage();
  // Importing the package is enough: no handler is built on this page.
  await goto(next, receiver.pageUrl(ch, { build: false }));
  // Counted even when some never arrive, so a failure says how many were lost.
  await waitFor(() => allArrived(ch, events, { ok: true }), 'every event of the killed browser at the receiver', 60_000)
    .catch(() => {});
  const got = counts(arrivals(ch, { ok: true }));
  const unique = events.filter((e) => got.has(e.event_id)).length;
  const duplicates = [...got.values()].reduce((n, c) => n + c - 1, 0);
  t.diagnostic(`created ${events.length}, received unique ${unique}, duplicates ${duplicates}, lost ${events.length - unique}`);
  assert.equal(unique, events.length, 'every event of the killed browser arrives');
  assertInOrder(ch);
  // What the first browser sent was answered 503 and sent again by the next.
  const refused = new Set(receiver.received(ch).filter((r) => r.answer === 503).flatMap((r) => r.json.batch.map((e) => e.event_id)));
  assertDuplicatesIdentical(ch, { atLeast: refused.size });
  assertSameEvents(ch, events);
  await waitFor(async () => (await storedKeys(next)).length === 0, 'storage to be empty once delivered');
}

test('a browser killed 1 s after its last event loses nothing: the next launch sends every event, in order',
  { timeout: 120_000 }, (t) => killedBrowserLosesNothing(t, 'kill', receiver.pageUrl('kill'), (page) => page.evaluate(() => window.__t.track(100))));

// The import does not wait for the queue's database to open (tens of ms on a
// first visit, when it is created): events made in the import's own task are
// held in memory and written when it opens.
test('a browser killed 1 s after events made in the first milliseconds after import, before the queue\'s database opened, loses nothing',
  { timeout: 120_000 }, (t) => killedBrowserLosesNothing(t, 'kill-early', receiver.pageUrl('kill-early', { early: 100 }), () => {}));

test('IndexedDB blocked: events wait in localStorage, STORAGE_DEGRADED is reported once to onDelivery, and all are delivered',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'idb-blocked';
    const ctx = await newContext(t, {
      init: () => {
        Object.defineProperty(window, 'indexedDB', {
          configurable: true,
          get() {
            throw new DOMException('The operation is insecure.', 'SecurityError');
          },
        });
      },
    });
    receiver.plan(ch, [], 'hang');
    const page = await open(ctx, receiver.pageUrl(ch));
    await page.evaluate(() => window.__t.flow());
    await waitFor(() => receiver.hanging(ch) === 1, 'the first request to hang');
    const local = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('okra-events:')).length);
    assert.equal(local, await pending(page), 'each waiting event is in localStorage');
    receiver.plan(ch, [], 200);
    receiver.release(ch, 200);
    await waitFor(async () => (await pending(page)) === 0, 'the queue to drain');
    const { events, errors, deliveries } = await snapshot(page);
    await waitFor(() => allArrived(ch, events, { ok: true }), 'every event answered 2xx');
    assert.deepEqual(deliveries.filter((d) => d.state === 'storage').map((d) => d.type), ['STORAGE_DEGRADED'], 'reported once');
    assert.equal(deliveries[0].type, 'STORAGE_DEGRADED', 'at build, first');
    assert.equal(deliveries[0].store, 'localStorage');
    assert.deepEqual(errors, [], 'storage health is not an error: onError stays silent');
    assertInOrder(ch);
    assertSameEvents(ch, events);
  });

/**
 * A tab that cannot use IndexedDB and whose localStorage refuses any write:
 * it builds its handler first (so it means to store), then fills storage.
 */
async function fullTab(ctx, ch) {
  const tab = await ctx.context.newPage();
  tab.on('pageerror', (e) => ctx.errors.push(e));
  await tab.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { configurable: true, get: () => undefined });
  });
  // The handler is built while there is room, so the tab means to store.
  await goto(tab, receiver.pageUrl(ch));
  const filled = await tab.evaluate(() => {
    const chunk = 'x'.repeat(256 * 1024);
    let n = 0;
    for (;;) {
      try {
        localStorage.setItem(`filler-${n}`, chunk);
        n += 1;
      } catch {
        break;
      }
    }
    // Top up with smaller entries so not even a small event fits.
    for (let i = 0; ; i++) {
      try {
        localStorage.setItem(`filler-small-${i}`, 'x'.repeat(64));
      } catch {
        return n;
      }
    }
  });
  return { tab, filled };
}

test('storage full in a tab that does not send: it sends its unstored events from memory, in order, while both tabs are open',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'full-two-tabs';
    receiver.plan(ch, [], 200);
    const ctx = await newContext(t);
    const sender = await open(ctx, receiver.pageUrl(ch));
    await waitFor(async () => (await pending(sender)) === 0, 'the first tab to hold the lock and send');
    // The second tab cannot use IndexedDB, and fills localStorage until it
    // refuses. Its first event was stored while there was room, so the
    // sending tab carries it: its request hangs until the events the full
    // tab could not store are queued behind it.
    receiver.plan(ch, [], 'hang');
    const { tab, filled } = await fullTab(ctx, ch);
    t.diagnostic(`localStorage filled with ${filled} entries of 256 KiB`);
    await waitFor(() => receiver.hanging(ch) === 1, 'the sending tab to carry the full tab\'s stored first event');
    await tab.evaluate(() => {
      window.__t.flow();
      window.__t.track(30);
    });
    const mine = await snapshot(tab);
    assert.equal(receiver.hanging(ch), 1, 'the unstored events wait behind the stored one');
    // Once the sending tab delivers it, the full tab sends the rest itself.
    receiver.plan(ch, [], 200);
    receiver.release(ch, 200);
    await waitFor(() => allArrived(ch, mine.events, { ok: true }), 'every event of the full tab, with both tabs open', 30_000);
    await waitFor(async () => (await pending(tab)) === 0, 'the full tab to see its events delivered');
    assert.deepEqual(storage(mine.deliveries, 'STORAGE_UNAVAILABLE').length, 1, 'STORAGE_UNAVAILABLE reported once');
    assert.deepEqual(delivery(mine.errors, 'STORAGE_UNAVAILABLE'), [], 'and not to onError');
    const got = counts(arrivals(ch, { ok: true }));
    assert.deepEqual(mine.events.filter((e) => !got.has(e.event_id)), [], 'nothing lost');
    assertInOrder(ch);
    assertSameEvents(ch, mine.events);
    await tab.evaluate(() => localStorage.clear());
  });

test('the sending tab at its bound while another tab emits: nothing stranded, and the other tab hears its events wait',
  { timeout: 180_000 }, async (t) => {
    const ch = 'bound-two-tabs';
    receiver.plan(ch, [], 'hang');
    const ctx = await newContext(t);
    const sender = await open(ctx, receiver.pageUrl(ch));
    await waitFor(() => receiver.hanging(ch) === 1, 'the sending tab\'s first request to hang');
    await sender.evaluate((n) => window.__t.track(n), 5_300);
    assert.ok((await snapshot(sender)).errors.some((x) => x.error.type === 'QUEUE_OVERFLOW'), 'the sending tab is at its bound');

    const tab = await open(ctx, receiver.pageUrl(ch, { build: false }));
    await tab.evaluate(() => {
      window.__t.build();
      window.__t.track(20, { tab: 2 });
    });
    const mine = await snapshot(tab);
    await waitFor(async () => (await tab.evaluate(() => window.__t.errors.length)) >= 1,
      'the other tab to hear that its events wait', 15_000);
    const waiting = (await snapshot(tab)).errors[0].error;
    assert.deepEqual({ type: waiting.type, dropped: waiting.dropped, ended: waiting.ended },
      { type: 'QUEUE_OVERFLOW', dropped: 0, ended: false });

    receiver.plan(ch, [], 200);
    receiver.release(ch, 200);
    await waitFor(() => allArrived(ch, mine.events, { ok: true }), 'the other tab\'s events, with the sending tab still open', 120_000);
    const reports = (await snapshot(tab)).errors.map((x) => x.error);
    assert.ok(reports.some((e) => e.type === 'QUEUE_OVERFLOW' && e.ended === true), 'and that they are being sent');
    assert.equal(await pending(tab), 0);
    assertInOrder(ch);
    assertSameEvents(ch, mine.events);
  });

test('storage full in a tab that does not send: closing it beacons the events it could not store',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const ch = 'full-tab-closes';
    receiver.plan(ch, [], 'hang'); // nothing is answered: only the beacons can carry them
    const ctx = await newContext(t);
    const sender = await open(ctx, receiver.pageUrl(ch));
    await waitFor(() => receiver.hanging(ch) === 1, 'the sending tab\'s request to hang');
    const { tab } = await fullTab(ctx, ch);
    await tab.evaluate(() => window.__t.track(10));
    const mine = await snapshot(tab);
    assert.equal(storage(mine.deliveries, 'STORAGE_UNAVAILABLE').length, 1);
    await tab.evaluate(() => localStorage.clear());
    const before = receiver.received(ch).length;
    await tab.close({ runBeforeUnload: true });
    await waitFor(() => {
      const beaconed = new Set(receiver.received(ch).slice(before).filter((r) => r.mode === 'no-cors')
        .flatMap((r) => r.json.batch.map((e) => e.event_id)));
      return mine.events.every((e) => beaconed.has(e.event_id));
    }, 'beacons carrying every event of the closed tab');
    assertInOrder(ch, { mode: 'no-cors' });
    receiver.release(ch, 200);
    await sender.close();
  });
