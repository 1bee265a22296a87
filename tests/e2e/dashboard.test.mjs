// End-to-end test of the okra-eventlog dashboard in headless Chromium: the
// built binary on a free port with a throw-away database, fixture events
// posted to its webhook, then a person's path through the page: open the
// printed one-time link, search for a user id, pick "Yesterday", select two
// rows, export them, and make sure stored HTML in event_data never runs;
// the link does not work twice, the login field does, and logging out ends
// the session on the server.
//
// The binary comes from OKRA_EVENTLOG_BIN (default target/release/okra-eventlog);
// when it is missing, scripts/build-eventlog.sh builds it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = process.env.OKRA_EVENTLOG_BIN || join(ROOT, 'target/release/okra-eventlog');
const TOKEN = 'e2e-token-0123456789abcdef';
const TZ = 'Africa/Lagos'; // UTC+1 all year
const LAGOS_OFFSET_MS = 3_600_000;
const DAY = 86_400_000;
const TEST_TIMEOUT = 120_000;

const USER = 'user-e2e-42';
const XSS_SCRIPT = '<script>window.__pwned=1</script>';
const XSS_IMG = '<img src=x onerror="window.__pwned=1">';
const BIDI_ID = 'cust-\u202E21';

let service;
let browser;
let workDir;
let fixture;

/**
 * Starts the binary and resolves with its URL and the printed dashboard link
 * (which carries a one-time login code, never the token) once it prints them.
 */
function startService(db) {
  const child = spawn(BIN, ['--listen', '127.0.0.1:0', '--db', db, '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`okra-eventlog exited with ${code}`)));
    const lines = [];
    const reader = createInterface({ input: child.stdout });
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length < 2) return;
      reader.removeAllListeners('line');
      const m = /^okra-eventlog listening on (http:\/\/\S+)$/.exec(lines[0]);
      const link = /^\s*dashboard: (http:\/\/\S+\?code=[0-9a-f]+) \(works once\)$/.exec(lines[1]);
      if (m && link) resolve({ child, url: m[1], link: link[1] });
      else reject(new Error(`unexpected banner: ${lines.join('\n')}`));
    });
  });
}

/** Midnight (as a UTC instant) starting the Lagos calendar day that holds `ms`. */
function lagosDayStart(ms) {
  return Math.floor((ms + LAGOS_OFFSET_MS) / DAY) * DAY - LAGOS_OFFSET_MS;
}

const catalog = {
  USER_CONNECTING: ['auth', 'landing'],
  USER_CONNECTED: ['auth', 'landing'],
  USER_BANK_SELECTED: ['auth', 'search'],
  USER_LOGIN_ATTEMPTED: ['auth', 'login'],
  USER_APP_CLOSE: ['general', null],
};

function event(session, seq, name, time, data) {
  const [category, screen] = catalog[name];
  return {
    event: true,
    event_name: name,
    event_type: 'DATA_EVENT',
    event_category: category,
    event_screen: screen,
    event_time: new Date(time).toISOString(),
    event_location: 'https://widget.example/ref/login',
    event_callback_url: null,
    event_data: { tracking_id: `trk-${session}`, ...data },
    withError: false,
    event_id: `${session}-ev-${seq}`,
    session_id: session,
    sequence: seq,
  };
}

/** Sessions for one user yesterday, today and three days ago, and another user yesterday. */
function fixtures(now) {
  const today = lagosDayStart(now);
  const yesterdayNoon = today - DAY + 12 * 3_600_000; // 12:00 in Lagos
  const user = { user_id: USER };
  const yesterday = [
    event('sess-yesterday', 1, 'USER_CONNECTING', yesterdayNoon, user),
    event('sess-yesterday', 2, 'USER_CONNECTED', yesterdayNoon + 1_000, user),
    event('sess-yesterday', 3, 'USER_BANK_SELECTED', yesterdayNoon + 2_000, { ...user, bank: 'alat' }),
    event('sess-yesterday', 4, 'USER_LOGIN_ATTEMPTED', yesterdayNoon + 3_000, {
      ...user,
      customer: { id: USER, note: XSS_SCRIPT, avatar: XSS_IMG },
    }),
  ];
  const others = [
    // A customer id with a right-to-left override: it would read "cust-12".
    event('sess-bidi', 1, 'USER_CONNECTING', Math.max(today + 500, now - 61_000), { customer_id: BIDI_ID }),
    event('sess-today', 1, 'USER_CONNECTING', Math.max(today + 1_000, now - 60_000), user),
    event('sess-today', 2, 'USER_APP_CLOSE', Math.max(today + 2_000, now - 59_000), user),
    event('sess-3-days-ago', 1, 'USER_CONNECTING', today - 3 * DAY + 3_600_000, user),
    event('sess-other-user', 1, 'USER_CONNECTING', yesterdayNoon + 5_000, { user_id: 'user-e2e-77' }),
  ];
  return { yesterday, all: [...yesterday, ...others] };
}

before(async () => {
  if (!existsSync(BIN)) {
    const built = spawnSync(join(ROOT, 'scripts/build-eventlog.sh'), { cwd: ROOT, stdio: 'inherit' });
    assert.equal(built.status, 0, 'building okra-eventlog');
  }
  workDir = mkdtempSync(join(tmpdir(), 'okra-eventlog-e2e-'));
  // OKRA_EVENTLOG_E2E_DB: another database (a PostgreSQL URL) instead of a fresh SQLite file.
  service = await startService(process.env.OKRA_EVENTLOG_E2E_DB || join(workDir, 'events.sqlite3'));
  // Stay clear of Lagos midnight, so "yesterday" cannot change under the tests.
  const untilMidnight = lagosDayStart(Date.now()) + DAY - Date.now();
  if (untilMidnight < 90_000) await new Promise((r) => setTimeout(r, untilMidnight + 1_000));
  fixture = fixtures(Date.now());
  assert.deepEqual(await post(fixture.all), { stored: fixture.all.length, duplicates: 0 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  service?.child.kill();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function post(events) {
  const resp = await fetch(`${service.url}/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ batch: events, sent_at: new Date().toISOString() }),
  });
  const text = await resp.text();
  assert.equal(resp.status, 200, text);
  return JSON.parse(text);
}

/** A fresh browser context in Lagos time; page errors fail the test. */
async function openPage(t) {
  const context = await browser.newContext({ timezoneId: TZ, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  const apiCalls = [];
  page.on('request', (r) => { if (r.url().includes('/api/events')) apiCalls.push(new URL(r.url())); });
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], 'no uncaught errors or dialogs in the page');
  });
  return { page, apiCalls };
}

async function downloadJson(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = await download.path();
  return { name: download.suggestedFilename(), data: JSON.parse(readFileSync(file, 'utf8')) };
}

test('search a user, pick Yesterday, export two selected rows; stored HTML never runs',
  { timeout: TEST_TIMEOUT }, async (t) => {
    const { yesterday } = fixture;
    const { page, apiCalls } = await openPage(t);
    // The printed dashboard link: its one-time code becomes a session, the
    // URL is cleaned, and the cookie holds neither the code nor the token.
    assert.ok(!service.link.includes(TOKEN), 'the printed link does not carry the token');
    await page.goto(service.link);
    assert.equal(new URL(page.url()).search, '', 'code removed from the address bar');
    const cookies = await page.context().cookies();
    assert.equal(cookies.length, 1, JSON.stringify(cookies));
    assert.equal(cookies[0].name, 'okra_eventlog_session');
    assert.equal(cookies[0].httpOnly, true);
    assert.ok(cookies[0].value !== TOKEN && !service.link.includes(cookies[0].value));
    await page.locator('#app').waitFor();
    await page.locator('#status', { hasText: 'shown' }).waitFor();

    await page.fill('#q', USER);
    await page.selectOption('#range', 'yesterday');
    await page.click('#search');
    await page.locator('#status', { hasText: '4 events shown' }).waitFor();

    // One session, its events in order, with name, time, screen and withError.
    const groups = page.locator('tbody.session-group');
    assert.equal(await groups.count(), 1);
    assert.match(await groups.locator('tr.session').innerText(), /Session sess-yesterday/);
    const rows = page.locator('tr.event');
    assert.deepEqual(await rows.locator('td.name').allInnerTexts(),
      ['USER_CONNECTING', 'USER_CONNECTED', 'USER_BANK_SELECTED', 'USER_LOGIN_ATTEMPTED']);
    assert.deepEqual(await rows.locator('td.screen').allInnerTexts(), ['landing', 'landing', 'search', 'login']);
    assert.deepEqual(await rows.locator('td:nth-child(5)').allInnerTexts(), ['false', 'false', 'false', 'false']);
    // Times are shown in the viewer's zone: 12:00 in Lagos.
    assert.match(await rows.first().locator('td.time').innerText(), /12:00:00/);

    // The viewer's time zone went with every query.
    const searches = apiCalls.filter((u) => u.pathname === '/api/events');
    assert.ok(searches.length >= 2);
    for (const u of searches) assert.equal(u.searchParams.get('tz'), TZ);
    assert.equal(searches.at(-1).searchParams.get('range'), 'yesterday');
    assert.equal(searches.at(-1).searchParams.get('q'), USER);

    // Stored HTML is shown as text and runs nothing.
    const data = await rows.nth(3).locator('td.data code').textContent();
    assert.ok(data.includes(XSS_SCRIPT), data);
    assert.deepEqual(JSON.parse(data), yesterday[3].event_data, 'event_data shown verbatim');
    assert.equal(await page.locator('#events img, #events script').count(), 0, 'no element was created from data');

    // Select two rows and export them.
    await page.check('tr.event[data-event-id="sess-yesterday-ev-3"] input.select-event');
    await page.check('tr.event[data-event-id="sess-yesterday-ev-4"] input.select-event');
    assert.equal(await page.locator('#export-selected').innerText(), 'Export selected (2)');
    const selected = await downloadJson(page, '#export-selected');
    assert.match(selected.name, /^okra-events-selected-.*\.json$/);
    assert.deepEqual(selected.data, [yesterday[3], yesterday[2]], 'exactly the two events, newest first, as sent');

    // Export everything the search matches.
    const everything = await downloadJson(page, '#export-all');
    assert.match(everything.name, /^okra-events-all-.*\.json$/);
    assert.deepEqual(everything.data, [...yesterday].reverse());

    // Wait a moment for anything deferred (an onerror handler, a late script).
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'stored script did not run');
  });

test('the printed link works once; the login field works; logout ends the session on the server',
  { timeout: TEST_TIMEOUT }, async (t) => {
  const { page } = await openPage(t);
  // The first test used the link: from the browser's history it opens nothing.
  await page.goto(service.link);
  await page.locator('#login').waitFor();
  assert.equal(new URL(page.url()).search, '');
  assert.match(await page.locator('#login-error').innerText(), /already used/);
  assert.deepEqual(await page.context().cookies(), []);
  assert.equal(await page.locator('#app').isVisible(), false);
  await page.fill('#token', 'not-the-token');
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-error', { hasText: 'not right' }).waitFor();
  await page.fill('#token', TOKEN);
  await page.click('#login-form button[type=submit]');
  await page.locator('#app').waitFor();
  await page.selectOption('#range', '');
  await page.fill('#q', 'user-e2e-77');
  await page.click('#search');
  await page.locator('#status', { hasText: '1 event shown' }).waitFor();
  assert.deepEqual(await page.locator('tr.event td.name').allInnerTexts(), ['USER_CONNECTING']);

  // Bidi controls in stored ids are shown spelled out, not obeyed.
  await page.fill('#q', 'sess-bidi');
  await page.click('#search');
  await page.locator('#status', { hasText: '1 event shown' }).waitFor();
  const shown = await page.locator('tr.event td.data code').textContent();
  assert.ok(shown.includes('cust-[U+202E]21'), shown);
  assert.ok(!shown.includes('\u202E'), shown);

  // Logging out ends the session on the server, not only in this browser.
  const [session] = await page.context().cookies();
  const before = await fetch(`${service.url}/api/events`, { headers: { Cookie: `${session.name}=${session.value}` } });
  assert.equal(before.status, 200);
  await page.click('#logout');
  await page.locator('#login').waitFor();
  const after = await fetch(`${service.url}/api/events`, { headers: { Cookie: `${session.name}=${session.value}` } });
  assert.equal(after.status, 401);
  assert.deepEqual(await page.context().cookies(), []);
});

test('"Delete these events" and "Delete session" ask first, then erase from storage and search',
  { timeout: TEST_TIMEOUT }, async (t) => {
  const now = Date.now();
  const doomed = [
    event('sess-doomed-a', 1, 'USER_CONNECTING', now - 30_000, { user_id: 'user-doomed' }),
    event('sess-doomed-a', 2, 'USER_CONNECTED', now - 29_000, { user_id: 'user-doomed' }),
    event('sess-doomed-b', 1, 'USER_CONNECTING', now - 20_000, { user_id: 'user-doomed', note: 'erase-me' }),
    event('sess-doomed-b', 2, 'USER_CONNECTED', now - 19_000, { user_id: 'user-doomed', note: 'erase-me' }),
  ];
  assert.deepEqual(await post(doomed), { stored: 4, duplicates: 0 });
  const { page } = await openPage(t);
  await page.goto(`${service.url}/?token=${TOKEN}`);
  await page.locator('#app').waitFor();
  // Without keywords there is nothing to delete "these" of.
  await page.locator('#status', { hasText: 'shown' }).waitFor();
  assert.equal(await page.locator('#delete-search').isDisabled(), true);

  await page.fill('#q', 'user-doomed');
  await page.click('#search');
  await page.locator('#status', { hasText: '4 events shown' }).waitFor();
  // Cancel keeps everything.
  await page.click('tbody[data-session-id="sess-doomed-a"] button.delete-session');
  await page.locator('#confirm-delete[open]').waitFor();
  assert.match(await page.locator('#confirm-text').innerText(), /session sess-doomed-a/);
  await page.click('#confirm-cancel');
  await page.waitForTimeout(200);
  assert.equal(await page.locator('tr.event').count(), 4);
  // Confirmed: the session is gone.
  await page.click('tbody[data-session-id="sess-doomed-a"] button.delete-session');
  await page.click('#confirm-ok');
  await page.locator('#status', { hasText: 'Deleted 2 events' }).waitFor();
  assert.equal(await page.locator('tbody[data-session-id="sess-doomed-a"]').count(), 0);
  assert.equal(await page.locator('tr.event').count(), 2);

  // Deleting a search's events.
  await page.fill('#q', 'erase-me');
  await page.click('#search');
  await page.locator('#status', { hasText: '2 events shown' }).waitFor();
  await page.click('#delete-search');
  assert.match(await page.locator('#confirm-text').innerText(), /"erase-me"/);
  await page.click('#confirm-ok');
  await page.locator('#status', { hasText: 'Deleted 2 events' }).waitFor();
  await page.locator('#empty').waitFor();
  const left = await fetch(`${service.url}/api/events?q=user-doomed`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.deepEqual((await left.json()).events, []);
  // The other users' events are still there.
  const others = await fetch(`${service.url}/api/events?q=${USER}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal((await others.json()).events.length, fixture.all.filter((e) => e.event_data.user_id === USER).length);
});

test('charts and the session timeline draw known data; a screenshot is kept',
  { timeout: TEST_TIMEOUT }, async (t) => {
  const now = Date.now();
  const at = (i) => Math.max(lagosDayStart(now) + 10_000 + i * 1_000, now - 120_000 + i * 1_000);
  const u = { user_id: 'user-chart' };
  const charted = [
    event('funnel-a', 1, 'USER_CONNECTING', at(0), u),
    event('funnel-a', 2, 'USER_BANK_SELECTED', at(1), u),
    { ...event('funnel-a', 3, 'USER_LOGIN_ATTEMPTED', at(4), u), withError: true },
    event('funnel-b', 1, 'USER_CONNECTING', at(5), u),
    event('funnel-b', 2, 'USER_BANK_SELECTED', at(6), u),
    event('funnel-c', 1, 'USER_CONNECTING', at(7), u),
  ];
  assert.deepEqual(await post(charted), { stored: 6, duplicates: 0 });
  const { page } = await openPage(t);
  const statsCalls = [];
  page.on('request', (r) => { if (r.url().includes('/api/stats')) statsCalls.push(new URL(r.url())); });
  await page.goto(`${service.url}/?token=${TOKEN}`);
  await page.locator('#app').waitFor();
  await page.fill('#q', 'user-chart');
  await page.selectOption('#range', 'today');
  await page.locator('#status', { hasText: '6 events shown' }).waitFor();
  await page.locator('#bars-total[data-total="6"]').waitFor();

  // One bar per hour of today in Lagos; their counts add up to the matches.
  const bars = page.locator('#chart-bars g.bar');
  assert.equal(await bars.count(), 24);
  const counts = (await bars.evaluateAll((gs) => gs.map((g) => Number(g.dataset.count))));
  assert.equal(counts.reduce((a, b) => a + b, 0), 6);
  assert.ok(counts.some((c) => c > 0));
  assert.match(await page.locator('#bars-total').innerText(), /^6 events$/);
  const stats = statsCalls.at(-1);
  assert.equal(stats.searchParams.get('tz'), TZ);
  assert.equal(stats.searchParams.get('q'), 'user-chart');

  // The funnel: sessions per screen in the flow's order, with the drop-off.
  const steps = page.locator('#chart-funnel li.step');
  assert.deepEqual(await steps.evaluateAll((ls) => ls.map((l) => [l.dataset.screen, Number(l.dataset.sessions)])),
    [['landing', 3], ['search', 2], ['login', 1]]);
  assert.deepEqual(await steps.locator('.sessions').allInnerTexts(), ['3 sessions', '2 sessions', '1 session']);
  assert.deepEqual(await steps.locator('.drop').allInnerTexts(), ['−33% from landing', '−50% from search']);

  // Opening a session shows its timeline: screens, time between, withError.
  await page.click('tbody[data-session-id="funnel-a"] button.open-timeline');
  await page.locator('#timeline:not([hidden]) li.tl-event >> nth=2').waitFor();
  const items = page.locator('#timeline li.tl-event');
  assert.deepEqual(await items.locator('.tl-screen').allInnerTexts(), ['landing', 'search', 'login']);
  assert.deepEqual(await items.locator('.gap').allInnerTexts(), ['+1.0 s', '+3.0 s']);
  assert.equal(await page.locator('#timeline li.with-error').count(), 1);
  assert.equal(await page.locator('#timeline li.with-error .tl-screen').innerText(), 'login');
  assert.match(await page.locator('#timeline-summary').innerText(), /3 events over 4\.0 s/);

  const shots = join(ROOT, 'target/eventlog-e2e');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, process.env.OKRA_EVENTLOG_E2E_DB ? 'dashboard-charts-postgres.png' : 'dashboard-charts.png'), fullPage: true });
  assert.ok(statSync(join(shots, process.env.OKRA_EVENTLOG_E2E_DB ? 'dashboard-charts-postgres.png' : 'dashboard-charts.png')).size > 1000);
});
