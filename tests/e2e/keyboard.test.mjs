// The demo by keyboard alone (www/dist, two origins, served by
// www/serve.mjs), in Chromium: Tab reaches each of the merchant's buttons,
// Enter opens the widget with focus in it, Escape closes it with the
// widget's closing events, and focus comes back to the button, from which
// Tab goes on to the next. With the widget open, axe-core (WCAG 2.1 AA)
// finds no violation on the merchant page nor in the widget's frame.
// Keys are real key presses (CDP), which reach the widget's cross-origin
// frame when it has focus.
// Build the demo first: scripts/demo.sh --build-only
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { AXE_SOURCE, axeViolations } from './axe.mjs';
import { launchBrowser, openDemo } from './demo.mjs';
import { serveDist } from './server.mjs';

const TEST_TIMEOUT = 180_000;

/** The merchant's buttons that open the widget, in page order, and the flow of each. */
const BUTTONS = [
  ['Link your bank account', 'link'],
  ['Pay ₦5,000 from your bank', 'pay'],
  ["I'm a returning customer", 'returning'],
];

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** What has focus on the merchant page: a button's text, 'iframe', or a tag. */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a?.tagName === 'BUTTON' ? a.textContent.trim() : a?.tagName.toLowerCase() ?? null;
});

test('Tab reaches each of the merchant\'s buttons; Enter opens the widget with focus in it; Escape closes it, and focus returns to the button', { timeout: TEST_TIMEOUT }, async (t) => {
  const { context, page, errors } = await openDemo(browser, server.url, { bankDelay: 50, webhook: 'off' });
  t.after(() => context.close());
  await page.waitForFunction(() => [...document.querySelectorAll('.actions button')].every((b) => !b.disabled));

  // From the top of the page, Tab until the first button.
  const passed = [];
  for (let i = 0; i < 20 && (await focused(page)) !== BUTTONS[0][0]; i++) {
    await page.keyboard.press('Tab');
    passed.push(await focused(page));
  }
  assert.equal(await focused(page), BUTTONS[0][0], `Tab reaches the first button (passed: ${passed.join(', ')})`);

  for (const [i, [label, flow]] of BUTTONS.entries()) {
    if (i > 0) await page.keyboard.press('Tab');
    assert.equal(await focused(page), label, `Tab goes on to "${label}"`);

    await page.keyboard.press('Enter');
    // A new session of this button's flow, connected.
    await page.waitForFunction((f) => window.__okra?.flow === f && window.__okra.events.some((e) => e.event_name === 'USER_CONNECTED'), flow);
    const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
    await frame.getByRole('dialog').waitFor();
    // Focus is in the widget: the merchant page's on its iframe, and the widget's page has it.
    await page.waitForFunction(() => document.activeElement?.tagName === 'IFRAME');
    await frame.waitForFunction(() => document.hasFocus(), null, { polling: 100 });
    assert.equal(await focused(page), 'iframe', `"${label}": focus moved into the widget`);

    if (i === 0) {
      // axe in the widget's frame too, so that axe in the merchant page audits it as part of the page.
      await frame.evaluate(`${AXE_SOURCE}\n;undefined`);
      assert.deepEqual(await axeViolations(page), [], 'WCAG 2.1 AA violations with the widget open');
    }

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.__okra.callbacks.some((c) => c.name === 'onClose'));
    await page.locator('iframe').waitFor({ state: 'detached' });
    const seen = await page.evaluate(() => ({
      events: window.__okra.events.map((e) => e.event_name),
      callbacks: window.__okra.callbacks.map((c) => c.name),
    }));
    assert.deepEqual(seen.events.slice(-2), ['USER_BOUNCE', 'USER_APP_CLOSE'], `"${label}": Escape closed it with the widget's closing events`);
    assert.deepEqual(seen.callbacks, ['beforeClose', 'onClose'], `"${label}": then beforeClose and onClose`);
    assert.equal(await focused(page), label, `"${label}": focus is back on the button`);
  }
  assert.deepEqual(errors, [], 'no page error or CSP violation');
});
