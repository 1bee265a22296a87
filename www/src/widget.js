// The sandbox widget: a modal over the merchant page that walks one flow's
// steps and reports them to okra-events. Steps live in ./screens/; this
// module only owns the modal, the step cursor and the session's lifetime.
import { h } from './dom.js';
import { bankAnswer } from './bank.js';
import { FLOWS, STEPS } from './flows.js';

export class Widget {
  /**
   * @param {object} p
   * @param {'link'|'pay'|'returning'} p.flow
   * @param {object} p.config   see config.js
   * @param {HTMLElement} p.host element the modal covers
   * @param {() => void} p.onClosed
   */
  constructor({ flow, config, host, onClosed }) {
    this.flowName = flow;
    this.config = config;
    this.host = host;
    this.onClosed = onClosed;
    /** What the user chose so far: bank, account, failure... */
    this.state = { accountType: 'personal', linked: false };
    this.closed = false;
    this.step = null;
    this.stepAbort = new AbortController();
  }

  /**
   * Shows the widget and walks its flow, reporting to `handler` (a same-page
   * handler, or the one `connectToHost` resolved with in the widget's own origin).
   */
  open(handler) {
    this.handler = handler;
    this.#mount();
    this.goto(FLOWS[this.flowName].steps[0]);
  }

  // ---- step cursor -------------------------------------------------------

  goto(step) {
    if (this.closed) return;
    // Leaving a step cancels whatever it was waiting for (see bankAnswer).
    this.stepAbort.abort();
    this.stepAbort = new AbortController();
    this.step = step;
    STEPS[step](this);
  }

  next() {
    const steps = FLOWS[this.flowName].steps;
    this.goto(steps[steps.indexOf(this.step) + 1]);
  }

  /** Continues in another flow, e.g. a returning user who links a new bank. */
  switchFlow(flow, step) {
    this.flowName = flow;
    this.goto(step);
  }

  retry() {
    this.goto(FLOWS[this.flowName].retryFrom);
  }

  // ---- what steps call -----------------------------------------------------

  screen(name, details) {
    this.handler.screen(name, details);
  }

  track(eventName, data) {
    this.handler.track(eventName, data);
  }

  /** The simulated bank's answer to the current step (never settles if the step is left). */
  bank() {
    return bankAnswer(this.config.bankDelay, this.stepAbort.signal);
  }

  /** The bank refused: report it, then show the failure screen. */
  fail(error) {
    this.handler.fail(error);
    this.state.failure = { reason: error.type, title: 'Connection failed', message: error.message };
    this.goto('failure');
  }

  render(title, ...content) {
    this.body.replaceChildren(h('h2', { class: 'widget-title' }, title), ...content);
    this.body.querySelector('input, button.primary')?.focus();
  }

  close() {
    if (this.closed) return;
    this.stepAbort.abort();
    this.handler.close();
    this.closed = true;
    // close() already released the SDK's listeners; destroy() makes sure no
    // timer is left either, since this session is over for good.
    this.handler.destroy();
    window.removeEventListener('online', this.onNetwork);
    window.removeEventListener('offline', this.onNetwork);
    this.root.remove();
    this.onClosed();
  }

  // ---- internals -----------------------------------------------------------

  /** Events okra-events emits by itself that the widget must show to the user: pass every event here. */
  react(event) {
    if (event.event_name !== 'USER_TIMEOUT' || this.closed || this.state.linked || !this.handler) return;
    const offline = event.event_data.reason === 'offline';
    this.state.failure = {
      reason: `timeout_${event.event_data.reason}`,
      title: 'Connection timed out',
      message: offline
        ? 'You have been offline for too long. Check your internet connection and try again.'
        : 'Your bank took too long to answer. Please try again.',
    };
    // okra-events already reported the error (USER_TIMEOUT, withError).
    this.goto('failure');
  }

  #mount() {
    this.body = h('div', { class: 'widget-body' });
    this.offlineBanner = h('p', { class: 'offline-banner', role: 'status', hidden: navigator.onLine },
      "You're offline. We'll reconnect you as soon as your connection is back.");
    this.onNetwork = () => {
      this.offlineBanner.hidden = navigator.onLine;
    };
    window.addEventListener('online', this.onNetwork);
    window.addEventListener('offline', this.onNetwork);

    const dialog = h(
      'div',
      { class: 'widget', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Okra widget (sandbox)' },
      h(
        'header',
        { class: 'widget-header' },
        h('span', { class: 'widget-brand' }, 'okra'),
        h('span', { class: 'badge sandbox' }, 'sandbox'),
        h('button', { class: 'widget-close', 'aria-label': 'Close the widget', onclick: () => this.close() }, '×'),
      ),
      this.offlineBanner,
      this.body,
      h('footer', { class: 'widget-footer muted' }, 'Secured by Okra · sandbox, no real bank is contacted'),
    );
    this.root = h('div', {
      class: 'widget-backdrop',
      onkeydown: (e) => e.key === 'Escape' && this.close(),
    }, dialog);
    this.host.append(this.root);
  }
}
