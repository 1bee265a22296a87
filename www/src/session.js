// The okra-events options of one widget session, and the record of what it
// reports: every event and callback goes to the live panel, to the widget
// (which reacts to timeouts) and to `window.__okra` for the end-to-end tests.
// Shared by both modes; it imports no package.

// Sandbox credentials: the demo never talks to Okra's servers.
const SANDBOX_KEY = 'pk_sandbox_acme_wallet';
const SANDBOX_TOKEN = 'sandbox-token-acme-wallet';

const PRODUCTS = {
  link: ['auth', 'balance', 'identity', 'transactions'],
  pay: ['payment'],
  returning: ['auth', 'balance'],
};

/**
 * The options both modes share: the sandbox credentials, the flow's products,
 * the webhook and timings from the demo's config, and what onSuccess and
 * onClose echo back.
 */
export function sessionOptions(flow, config) {
  return {
    key: SANDBOX_KEY,
    token: SANDBOX_TOKEN,
    env: 'production-sandbox',
    products: PRODUCTS[flow],
    name: 'Acme Wallet',
    // The event log that `make demo` starts, unless ?webhook=off.
    ...(config.callbackUrl && { event_callback_url: config.callbackUrl }),
    ...(config.timeout && { timeout: config.timeout }),
    ...(config.grace && { reconnect_grace: config.grace }),
    options: { clientDefinedId: 'acme-wallet-demo', flow },
    meta: { merchant: 'Acme Wallet', orderId: 'ACME-ORDER-1001' },
  };
}

/**
 * What the merchant page records for the end-to-end tests (`window.__okra`)
 * and shows in the panel: every event, callback and delivery report.
 */
export function recordSession({ flow, onEvent, onCallback, onDelivery }) {
  const record = { handler: null, widget: null, sessionId: null, trackingId: null, flow, events: [], callbacks: [], deliveries: [] };
  window.__okra = record;
  const callback = (name) => (...args) => {
    record.callbacks.push({ name, args });
    onCallback(name, args);
  };
  const callbacks = {
    onEvent(event) {
      record.events.push(event);
      onEvent(event);
    },
    onDelivery(report) {
      record.deliveries.push(report);
      onDelivery?.(report);
    },
    onSuccess: callback('onSuccess'),
    onError: callback('onError'),
    beforeClose: callback('beforeClose'),
    onClose: callback('onClose'),
  };
  return { record, callbacks };
}
