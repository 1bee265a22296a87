// The widget's default overlay as a user meets it, in each engine (suite.mjs
// calls dialogTests): WAI-ARIA's modal dialog pattern on a merchant page
// (fixtures/dialog.html) that opens the widget of another site
// (fixtures/widget.html with `ui=1`: two buttons, and its focus reported to
// the merchant page, which the tests read since they cannot read the
// widget's origin).
//
// Keys, clicks and the wheel are real input, sent by each engine's
// automation protocol to whatever has focus, the widget's cross-origin frame
// included (driver.mjs, "Input"). One substitute: WebKitGTK's WebDriver wheel
// action scrolls by deltaY and straight back (the page sees a wheel of +d,
// then -d), so in WebKit the scroll lock is read from the root's computed
// overflow instead of a wheel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AXE_SOURCE, WCAG_21_AA } from '../e2e/axe.mjs';

const TEST_TIMEOUT = 120_000;

/** How each engine checks that the page behind does not scroll (for test names). */
const SCROLL_LOCK = {
  chromium: 'a wheel on the backdrop and on the widget does not scroll it',
  firefox: 'a wheel on the backdrop and on the widget does not scroll it',
  webkit: "SUBSTITUTE: the root's computed overflow is hidden (WebKitGTK's WebDriver wheel scrolls by deltaY and straight back)",
};

/** The closing that the widget reports when the user leaves it. */
const CLOSING = ['beforeClose', 'USER_BOUNCE', 'USER_APP_CLOSE', 'onClose'];

/**
 * Defines the dialog tests for engine `name`. `site(t, { hostname })` serves
 * the fixtures on a fresh origin; `open(t, url, ready)` opens a fresh context
 * at `url` (both from suite.mjs).
 */
export function dialogTests(name, { site, open }) {
  const P = `[${name}]`;

  /**
   * The merchant page H (http://localhost:<port>) with the widget page W
   * (another site) as its widgetUrl, the page's button focused.
   * `widgetUrl` replaces W's page, e.g. with one that never loads.
   */
  async function merchant(t, { widgetUrl } = {}) {
    const H = await site(t, { hostname: 'localhost' });
    const W = await site(t);
    const widget = widgetUrl ?? `${W.origin}/engines/widget.html?${new URLSearchParams({ allow: H.origin, flow: 'idle', ui: '1' })}`;
    const ctx = await open(t, `${H.origin}/engines/dialog.html?${new URLSearchParams({ widget })}`,
      () => window.__host && !document.getElementById('open').disabled);
    await ctx.evaluate(() => document.getElementById('open').focus());
    return ctx;
  }

  const state = (ctx) => ctx.evaluate(() => window.__host.state());

  /**
   * Enter on the focused button opens the widget; resolves once it has
   * connected, with the merchant page's focus on its iframe. (Chromium's
   * cross-origin frame says it has focus only once a key reaches it, so the
   * widget's own report is awaited after each key instead: pressInside.)
   */
  async function openWithEnter(ctx) {
    assert.equal((await state(ctx)).active, '#open', `${P} the merchant's button has focus`);
    await ctx.press('Enter');
    return ctx.waitFor(() => {
      const s = window.__host.state();
      return window.__host.events.some((e) => e.event_name === 'USER_CONNECTED') && s.active === 'iframe' && s;
    }, null, 'the widget to connect, with the focus on its iframe');
  }

  /**
   * Presses `key` and waits until the widget page has reported focus again,
   * with the merchant page's focus on the dialog's iframe. A focus that left
   * the dialog never satisfies this (the widget's last report is its blur).
   */
  async function pressInside(ctx, key) {
    const before = (await state(ctx)).focusReports;
    await ctx.press(key);
    return ctx.waitFor((n) => {
      const s = window.__host.state();
      return s.focusReports > n && s.widgetFocus.hasFocus && s.activeInDialog && s;
    }, before, `focus back in the widget after ${key} (the merchant page's focus in the dialog)`);
  }

  /** Waits for onClose; returns the order of events and callbacks, and what the page shows. */
  async function closed(ctx) {
    await ctx.waitFor(() => window.__host.order.includes('onClose'), null, 'onClose');
    return ctx.evaluate(() => ({ order: window.__host.order, callbacks: window.__host.callbacks.map((c) => c.name), ...window.__host.state() }));
  }

  /** After a close: the closing events in order, nothing left, focus back on the button. */
  function assertClosedByUser(after, how) {
    assert.deepEqual(after.order.slice(2), CLOSING, `${P} ${how}: the widget's closing events, then onClose`);
    assert.equal(after.callbacks.filter((c) => c === 'onClose').length, 1, `${P} onClose once`);
    assert.equal(after.dialogs, 0, `${P} the dialog is gone`);
    assert.equal(after.iframes, 0, `${P} the iframe is gone`);
    assert.equal(after.active, '#open', `${P} focus is back on the button that opened the widget`);
  }

  test(`${P} dialog: axe-core (WCAG 2.1 AA) finds no violation on the page with the widget open, a dialog named "Okra widget", aria-modal`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    await openWithEnter(ctx);
    // axe's source, run by the page (it has no Content Security Policy); the
    // widget's own page is another origin's, audited where it is built
    // (tests/e2e/a11y.test.mjs audits the demo's), so axe stays out of frames.
    const found = await ctx.evaluate(async ([source, tags]) => {
      (0, eval)(source);
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'], iframes: false });
      const dialog = document.querySelector('[role="dialog"]');
      axe.setup(document);
      const named = { role: axe.commons.aria.getRole(dialog), name: axe.commons.text.accessibleText(dialog) };
      axe.teardown();
      return {
        violations: result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}: ${n.failureSummary}`)),
        ...named,
        modal: dialog.getAttribute('aria-modal'),
        iframeTitle: dialog.querySelector('iframe').title,
        dialogs: document.querySelectorAll('[role="dialog"]').length,
      };
    }, [AXE_SOURCE, WCAG_21_AA]);
    assert.deepEqual(found.violations, [], `${P} no WCAG 2.1 AA violation`);
    assert.equal(found.dialogs, 1, `${P} one dialog`);
    assert.equal(found.role, 'dialog', `${P} role dialog (axe's computed role)`);
    assert.equal(found.modal, 'true', `${P} aria-modal="true"`);
    assert.equal(found.name, 'Okra widget', `${P} the dialog's accessible name (axe's computation)`);
    assert.equal(found.iframeTitle, 'Okra widget', `${P} the iframe's title`);
  });

  test(`${P} dialog: Enter opens it with focus in the widget; Tab and Shift-Tab cycle through the widget and never reach the page behind; Escape in the widget closes it and focus returns to the button`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    const opened = await openWithEnter(ctx);
    assert.equal(opened.active, 'iframe', `${P} the merchant page's focus is on the widget's iframe`);
    const seen = [];
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab']) seen.push((await pressInside(ctx, key)).widgetFocus.active);
    // Forward: the widget's buttons in order, out at its end and back in at its start.
    const wrapped = seen.lastIndexOf('#first');
    assert.ok(seen.indexOf('#first') < seen.indexOf('#last') && seen.indexOf('#last') < wrapped,
      `${P} Tab goes through the widget and comes back to its first button: ${seen.join(' ')}`);
    const back = [];
    for (const key of ['Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) back.push((await pressInside(ctx, key)).widgetFocus.active);
    assert.ok(back.includes('#last') && back.lastIndexOf('#first') > back.indexOf('#last') && back.indexOf('#first') < back.indexOf('#last'),
      `${P} Shift-Tab goes back through the widget, out at its start and back in at its end: ${back.join(' ')}`);

    await ctx.press('Escape');
    assertClosedByUser(await closed(ctx), 'Escape in the widget');
  });

  test(`${P} dialog: Escape, the first key after the widget opened (focus in the widget), closes it through the widget's listener, and focus returns to the button`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    await openWithEnter(ctx);
    await ctx.press('Escape');
    assertClosedByUser(await closed(ctx), 'Escape in the widget, at once');
  });

  test(`${P} dialog: Escape with focus on the merchant page (its body) closes it through the host's listener, with the widget's closing events`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    await openWithEnter(ctx);
    // Focus out of the widget's frame, to the merchant page's body (WebKit
    // keeps focus in the frame on the iframe's own blur()).
    const blurred = await ctx.evaluate(() => {
      const link = document.getElementById('after');
      link.focus();
      link.blur();
      return window.__host.state();
    });
    assert.equal(blurred.active, 'body', `${P} focus is on the merchant page's body`);
    assert.equal(blurred.activeInDialog, false, `${P} focus is on the merchant page: ${blurred.active}`);
    await ctx.press('Escape');
    assertClosedByUser(await closed(ctx), 'Escape on the merchant page');
  });

  test(`${P} dialog: a click on the backdrop, beside the widget, closes it with the widget's closing events; focus returns to the button`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    await openWithEnter(ctx);
    const box = await ctx.evaluate(() => {
      const r = document.querySelector('[role="dialog"] iframe').getBoundingClientRect();
      return { left: r.left, height: innerHeight };
    });
    assert.ok(box.left >= 20, `${P} the window is wider than the widget's box (a backdrop beside it): ${box.left}`);
    // A click inside the widget does not close it.
    await ctx.click(box.left + 40, box.height / 2);
    await pressInside(ctx, 'Tab');
    assert.equal((await state(ctx)).dialogs, 1, `${P} still open after a click in the widget`);
    await ctx.click(box.left / 2, box.height / 2);
    assertClosedByUser(await closed(ctx), 'a click on the backdrop');
  });

  test(`${P} dialog: while the widget's page is still loading, focus is in the dialog, Tab and Shift-Tab keep it there, and Escape closes it`, { timeout: TEST_TIMEOUT }, async (t) => {
    const hanging = await neverAnswers(t);
    const ctx = await merchant(t, { widgetUrl: `${hanging}/widget` });
    await ctx.press('Enter');
    await ctx.waitFor(() => window.__host.state().dialogs === 1, null, 'the dialog');
    assert.equal((await state(ctx)).activeInDialog, true, `${P} focus moved into the dialog on open: ${(await state(ctx)).active}`);
    for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await ctx.press(key);
      const s = await state(ctx);
      assert.equal(s.activeInDialog, true, `${P} after ${key}, focus is still in the dialog: ${s.active}`);
    }
    await ctx.press('Escape');
    const after = await closed(ctx);
    assert.deepEqual(after.callbacks, ['beforeClose', 'onClose'], `${P} closed before the widget connected: no widget events`);
    assert.equal(after.dialogs, 0, `${P} the dialog is gone`);
    assert.equal(after.active, '#open', `${P} focus is back on the button`);
  });

  test(`${P} dialog: the page behind does not scroll while the widget is open (${SCROLL_LOCK[name]}), and is where it was, scrolling again, after`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    const y = await ctx.evaluate(() => {
      scrollTo(0, 60);
      document.getElementById('open').focus({ preventScroll: true });
      return Math.round(scrollY);
    });
    assert.equal(y, 60, `${P} the page scrolls`);
    const opened = await openWithEnter(ctx);
    assert.equal(opened.scrollY, y, `${P} opening keeps the page where it was`);
    const box = await ctx.evaluate(() => {
      const r = document.querySelector('[role="dialog"] iframe').getBoundingClientRect();
      return { backdrop: [r.left / 2, innerHeight / 2], widget: [r.left + r.width / 2, innerHeight / 2] };
    });
    if (name === 'webkit') {
      assert.equal(opened.overflow, 'hidden', `${P} the root's overflow is hidden while open`);
    } else {
      for (const [what, [x, wy]] of Object.entries(box)) {
        await ctx.wheel(x, wy, 400);
        const s = await settled(ctx);
        assert.equal(s.scrollY, y, `${P} a wheel on the ${what} does not scroll the page`);
      }
    }
    await ctx.press('Escape');
    const after = await closed(ctx);
    assert.equal(after.scrollY, y, `${P} the page is where it was`);
    assert.equal(after.inlineOverflow, '', `${P} the root's own overflow is what it was`);
    assert.equal(after.overflow, 'visible', `${P} the root's overflow is restored`);
    if (name !== 'webkit') {
      await ctx.wheel(box.backdrop[0], box.backdrop[1], 400);
      await ctx.waitFor((y0) => scrollY > y0, y, 'the same wheel to scroll the page, now that the widget is closed');
    }
  });

  test(`${P} dialog: a second buildWithOptions while the widget is open throws a clear Error and adds nothing; the first still closes`, { timeout: TEST_TIMEOUT }, async (t) => {
    const ctx = await merchant(t);
    await openWithEnter(ctx);
    const second = await ctx.evaluate(() => {
      let thrown = null;
      try {
        window.__host.open();
      } catch (e) {
        thrown = { name: e.name, message: e.message };
      }
      return { thrown, ...window.__host.state(), callbacks: window.__host.callbacks.map((c) => c.name) };
    });
    assert.equal(second.thrown?.name, 'Error', `${P} it throws an Error`);
    assert.match(second.thrown.message, /already open/, `${P} that says a widget is already open`);
    assert.equal(second.dialogs, 1, `${P} still one dialog`);
    assert.equal(second.iframes, 1, `${P} still one iframe`);
    assert.equal(second.overflow, 'hidden', `${P} the page is still locked`);
    assert.deepEqual(second.callbacks, [], `${P} no callback fired`);
    await ctx.press('Escape');
    assertClosedByUser(await closed(ctx), 'Escape after the refused second widget');
  });
}

/**
 * The merchant page's state ten animation frames after a wheel (the driver
 * returns once the wheel was dispatched; a scroll it causes has begun by
 * then).
 */
function settled(ctx) {
  return ctx.evaluate(() => new Promise((ok) => {
    let n = 10;
    const frame = () => (--n ? requestAnimationFrame(frame) : ok(window.__host.state()));
    requestAnimationFrame(frame);
  }));
}

/** An origin whose server accepts connections and never answers: a page that never loads. */
async function neverAnswers(t) {
  const sockets = new Set();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((ok) => server.close(ok));
  });
  return `http://127.0.0.1:${server.address().port}`;
}
