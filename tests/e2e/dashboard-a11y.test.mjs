// Accessibility of the event log's dashboard: axe-core's WCAG 2.1 A and AA
// rules find no violation on the login form, on the dashboard with its
// charts (events over time, the screen funnel) and rows, with a session's
// timeline open, nor in the delete dialog.
//
// Run by scripts/test-eventlog.sh after the release build; alone (building
// the binary when it is missing): node --test tests/e2e/dashboard-a11y.test.mjs
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeViolations } from './axe.mjs';
import { launchBrowser, WAIT_MS } from './demo.mjs';
import { startEventLog } from './eventlog.mjs';

let service;
let browser;

/** A session's events over the flow's screens, ending in a failure when `failed`. */
function session(id, startMs, failed) {
  const steps = [
    ['USER_CONNECTING', 'auth', null],
    ['USER_CONNECTED', 'auth', 'landing'],
    ['USER_CONSENT_GRANTED', 'auth', 'login_method'],
    ['USER_VIEWED_BANKS', 'auth', 'bank'],
    ['USER_BANK_SELECTED', 'auth', 'bank'],
    ['USER_LOGIN_ATTEMPTED', 'auth', 'login'],
    failed ? ['USER_CONNECTION_FAILED', 'network', 'login'] : ['USER_CONNECTION_SUCCESSFUL', 'network', 'success'],
    ['USER_APP_CLOSE', 'general', failed ? 'failure' : 'success'],
  ];
  return steps.map(([name, category, screen], i) => ({
    event: true,
    event_name: name,
    event_type: 'DATA_EVENT',
    event_category: category,
    event_screen: screen,
    event_time: new Date(startMs + i * 7_000).toISOString(),
    event_location: 'https://widget.example/link',
    event_callback_url: null,
    event_data: { tracking_id: `trk-${id}`, bank: 'alat', ...(failed && i === 6 && { error: { message: 'bank down' } }) },
    withError: failed && i === 6,
    event_id: `${id}-${i + 1}`,
    session_id: id,
    sequence: i + 1,
  }));
}

before(async () => {
  service = await startEventLog();
  const now = Date.now();
  const events = [
    ...session('a11y-linked', now - 3 * 3_600_000, false),
    ...session('a11y-failed', now - 2 * 3_600_000, true),
    ...session('a11y-earlier', now - 3 * 86_400_000, false),
  ];
  const { status, body } = await service.post(events);
  assert.equal(status, 200, JSON.stringify(body));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  service?.stop();
});

test('the login form, the dashboard with its charts, a timeline and the delete dialog', { timeout: 120_000 }, async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const found = {};
  const check = async (label) => {
    const v = await axeViolations(page);
    if (v.length) found[label] = v;
  };

  await page.goto(service.url);
  await page.locator('#login-form').waitFor();
  await check('login form');

  await page.goto(service.link);
  await page.locator('#status', { hasText: 'shown' }).waitFor();
  await page.locator('#chart-bars svg.bars').waitFor();
  await page.locator('#chart-funnel li').first().waitFor();
  await check('dashboard with charts');

  await page.locator('button.open-timeline').first().click();
  await page.locator('#timeline-events li').first().waitFor();
  await check('session timeline');

  await page.fill('#q', 'a11y-failed');
  await page.click('#search');
  await page.locator('#status', { hasText: '8 events shown' }).waitFor();
  await page.click('#delete-search');
  await page.locator('#confirm-delete[open]').waitFor();
  await check('delete dialog');

  assert.deepEqual(found, {}, 'WCAG 2.1 AA violations');
});
