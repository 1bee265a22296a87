// Accessibility of the demo (www/dist, served on two origins by
// www/serve.mjs): axe-core's WCAG 2.1 A and AA rules find no violation on the
// merchant page (before a session, and with its event panel full) nor on any
// screen of the widget, in its own origin. What the merchant page received
// across the origins (events, callbacks) is checked against the published
// schemas too.
// Build the demo first: scripts/demo.sh --build-only
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeViolations } from './axe.mjs';
import { launchBrowser, openDemo } from './demo.mjs';
import { startReceiver } from './receiver.mjs';
import { serveDist } from './server.mjs';
import { validators, violations } from '../schema/validators.mjs';

const checkSchema = validators();

const TEST_TIMEOUT = 180_000;
const PASSWORD = 'hunter2-secret';

let server;
let browser;
let receiver;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  receiver = await startReceiver();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
});

/**
 * The demo in its two origins, delivering to the test receiver, and
 * `check(label)`, which runs axe in the widget's frame (or, for labels
 * starting with "merchant", in the merchant page) and keeps what it finds.
 * After the test, every label must have come out clean.
 */
async function auditedDemo(t, flow) {
  const opened = await openDemo(browser, server.url, { bankDelay: 50, webhook: receiver.endpoint(`a11y-${flow}`) });
  const found = {};
  const checked = [];
  t.after(async () => {
    const recorded = await opened.page.evaluate(() => ({ events: window.__okra?.events, callbacks: window.__okra?.callbacks }));
    await opened.context.close();
    assert.ok(recorded.events.length > 0, 'the merchant page received events');
    assert.deepEqual(violations(checkSchema, recorded), [], 'what the merchant page received breaks schema/*.json');
    assert.ok(checked.length > 1, 'screens were checked');
    assert.deepEqual(found, {}, `WCAG 2.1 AA violations (checked: ${checked.join(', ')})`);
  });
  const { page } = opened;
  const widgetFrame = () => page.frames().find((f) => f !== page.mainFrame());
  const check = async (label) => {
    const target = label.startsWith('merchant') ? page : widgetFrame();
    assert.ok(target, `${label}: the widget's frame is there`);
    const violations = await axeViolations(target);
    checked.push(label);
    if (violations.length) found[label] = violations;
  };
  // The merchant's buttons are enabled once the package is ready.
  await page.waitForFunction(() => [...document.querySelectorAll('.actions button')].every((b) => !b.disabled));
  return { ...opened, check };
}

test('the merchant page and every screen of the link flow', { timeout: TEST_TIMEOUT }, async (t) => {
  const { page, demo, check } = await auditedDemo(t, 'link');
  await check('merchant page');
  await demo.start('link');
  await check('landing');
  await demo.click('Continue');
  await demo.heading('Acme Wallet would like to access');
  await demo.click('View the terms of service and privacy policy');
  await check('login_method (consent, terms shown)');
  await demo.click('I agree, continue');
  await demo.heading('How do you log in to your bank?');
  await check('login_method (internet or mobile banking)');
  await demo.click('Internet banking');
  await demo.heading('Select your bank');
  await check('bank (personal)');
  await demo.click('Business');
  await check('bank (business)');
  await demo.click('Personal');
  const search = demo.ui.getByRole('searchbox', { name: 'Search for your bank' });
  await search.fill('zzz');
  await demo.dialog.getByText('No bank matches "zzz"').waitFor();
  await check('no_search_result');
  await search.fill('a');
  await check('search');
  await demo.chooseBank('alat');
  await demo.heading('Log in to ALAT by Wema');
  await check('login');
  await demo.submitLogin('faith', PASSWORD);
  await demo.heading('Enter the code from your bank');
  await check('mfa');
  await demo.ui.getByLabel('One-time code').fill('123456');
  await demo.click('Verify');
  await demo.heading('Select an account');
  await check('account_selection');
  await demo.click('Link account');
  await demo.ui.getByRole('button', { name: 'Continue', exact: true }).waitFor();
  await check('balance');
  await demo.click('Continue');
  await demo.heading('Account linked');
  await check('success');
  await demo.closeWidget('Done');
  // The panel now lists every event and callback.
  await page.locator('.panel-list li[data-callback="onClose"]').waitFor();
  await check('merchant page, after a session');
});

test('the payment screens', { timeout: TEST_TIMEOUT }, async (t) => {
  const { demo, check } = await auditedDemo(t, 'pay');
  await demo.toBankList('pay');
  await demo.chooseBank('access-bank');
  await demo.submitLogin('faith', PASSWORD);
  await demo.heading('Review your payment');
  await check('review_payment');
  await demo.click('Confirm payment');
  await demo.ui.getByLabel('Transaction PIN').waitFor();
  await check('authorize_payment');
  await demo.ui.getByLabel('Transaction PIN').fill('4321');
  await demo.click('Authorize');
  await demo.ui.getByRole('button', { name: 'Pay now ₦5,000.00', exact: true }).waitFor();
  await check('authorize_payment (pay now)');
  await demo.click('Pay now ₦5,000.00');
  await demo.heading('Payment successful');
  await check('success (payment)');
});

test('the returning-user and failure screens', { timeout: TEST_TIMEOUT }, async (t) => {
  const { demo, check } = await auditedDemo(t, 'returning');
  await demo.start('returning');
  await demo.heading('Welcome back, Prosper');
  await check('rux_bank_selection');
  await demo.click("My bank isn't listed");
  await demo.heading('Select your bank');
  await demo.chooseBank('failbank');
  await demo.submitLogin('faith', PASSWORD);
  await demo.heading('Connection failed');
  await check('failure');
});
