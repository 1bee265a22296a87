// Drives the demo page in headless Chromium: browser launch, page set-up and
// the user steps the widget tests share. Waits are on what the page shows or
// on window.__okra.events, never on fixed sleeps.
import { chromium } from 'playwright-core';

/** Generous: the suite must pass on a loaded 2-core machine. */
export const WAIT_MS = 30_000;

/**
 * Polls `check` (sync or async) every 50 ms until it returns something
 * truthy, and returns that; a check that throws counts as not yet. Fails
 * after WAIT_MS naming `what`.
 */
export async function until(check, what) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const value = await Promise.resolve().then(check).catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/**
 * Opens the demo in a fresh context (its own storage and network state).
 * `query` is the demo's query string, e.g. { bankDelay: 50 }.
 */
export async function openDemo(browser, baseUrl, query = {}) {
  // Without ?mode=same-page, the widget runs in its own origin, in the iframe.
  const framed = query.mode !== 'same-page';
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // The demo's pages run under the README's Content Security Policy: a
  // violation, in the page or the widget's frame, counts as an error.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) errors.push(new Error(m.text()));
  });
  await page.goto(`${baseUrl}?${new URLSearchParams(query)}`);
  return { context, page, errors, demo: new Demo(page, framed ? page.frameLocator('iframe') : page) };
}

export class Demo {
  /**
   * `page` is the merchant page, which records what okra-events reported;
   * `ui` is where the widget is shown: the same page, or the widget's iframe.
   */
  constructor(page, ui = page) {
    this.page = page;
    this.ui = ui;
    /** The widget's modal (the panel beside it shows the same words in event data). */
    this.dialog = ui.getByRole('dialog');
  }

  // ---- reading what okra-events reported ------------------------------------

  events() {
    return this.page.evaluate(() => window.__okra.events);
  }

  async names() {
    return (await this.events()).map((e) => e.event_name);
  }

  /** The callbacks (onSuccess, onError, beforeClose, onClose) in call order. */
  callbacks() {
    return this.page.evaluate(() => window.__okra.callbacks);
  }

  /** Waits until `name` was emitted `count` times; returns that event. */
  async waitForEvent(name, count = 1) {
    await this.page.waitForFunction(
      ([n, c]) => (window.__okra?.events ?? []).filter((e) => e.event_name === n).length >= c,
      [name, count],
      { timeout: WAIT_MS },
    );
    return (await this.events()).filter((e) => e.event_name === name)[count - 1];
  }

  // ---- user steps ---------------------------------------------------------

  click(name, role = 'button') {
    return this.ui.getByRole(role, { name, exact: true }).click();
  }

  heading(name) {
    return this.dialog.getByRole('heading', { name }).waitFor();
  }

  async start(flow) {
    const label = { link: 'Link your bank account', pay: 'Pay ₦5,000 from your bank', returning: "I'm a returning customer" }[flow];
    // The merchant's own button, on the merchant page.
    await this.page.getByRole('button', { name: label, exact: true }).click();
    await this.dialog.waitFor();
  }

  /** Landing, consent and login method: ends on the bank list. */
  async toBankList(flow = 'link') {
    await this.start(flow);
    await this.click('Continue');
    await this.click('I agree, continue');
    await this.click('Internet banking');
    await this.heading('Select your bank');
  }

  chooseBank(slug) {
    return this.ui.locator(`button.bank[data-bank="${slug}"]`).click();
  }

  async submitLogin(username, password) {
    await this.ui.getByLabel('Username').fill(username);
    await this.ui.getByLabel('Password').fill(password);
    await this.click('Log in');
  }

  /** MFA (with one new code), account selection and balance: ends on success. */
  async completeLink() {
    await this.heading('Enter the code from your bank');
    await this.click("Didn't get it? Send a new code");
    await this.ui.getByLabel('One-time code').fill('123456');
    await this.click('Verify');
    await this.heading('Select an account');
    await this.click('Link account');
    await this.click('Continue'); // shown once balance and transactions are fetched
    await this.heading('Account linked');
  }

  /**
   * Closes the widget with `button` (default: the × in the header) and waits
   * until the modal is gone, i.e. the close callbacks have run.
   */
  async closeWidget(button = 'Close the widget') {
    await this.click(button);
    await this.dialog.waitFor({ state: 'detached' });
  }
}
