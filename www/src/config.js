// Demo settings, read once from the page's query string so that tests (and
// curious people) can make the sandbox fast or slow:
//   ?bankDelay=ms  how long the simulated bank takes to answer (default 1200)
//   ?timeout=ms    okra-events `timeout` (connection-attempt limit)
//   ?grace=ms      okra-events `reconnect_grace` (outage limit)
//   ?webhook=<url> deliver events to another webhook; ?webhook=off: none
//   ?mode=same-page run the widget in the merchant's page instead of its own origin
//
// By default the widget delivers its events to the event log that
// scripts/demo.sh starts (okra-eventlog on 127.0.0.1:8787), so the whole loop
// is visible: widget, webhook, log.
export const EVENT_LOG_URL = 'http://127.0.0.1:8787/events';

const DEFAULT_BANK_DELAY_MS = 1200;

/** The origins of `make demo`: the merchant page and the widget's own origin. */
export const DEMO_MERCHANT_ORIGIN = 'http://127.0.0.1:5173';
export const DEMO_WIDGET_ORIGIN = 'http://127.0.0.1:5174';

/** A <meta> the demo's server fills in, or `fallback` where it did not. */
function meta(name, fallback) {
  const value = document.querySelector(`meta[name="${name}"]`)?.content ?? '';
  return value && !value.startsWith('__') ? value : fallback;
}

function readInt(params, name, { min }) {
  const raw = params.get(name);
  if (raw == null || raw === '') return undefined;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min) return n;
  // A typo in the URL should not break the demo: say so and use the default.
  console.warn(`demo: ignoring ?${name}=${raw} (expected an integer >= ${min})`);
  return undefined;
}

function readWebhook(params) {
  const value = params.get('webhook');
  if (value === 'off') return null;
  return value && /^https?:\/\//.test(value) ? value : EVENT_LOG_URL;
}

export function readConfig(search = location.search) {
  const params = new URLSearchParams(search);
  return {
    bankDelay: readInt(params, 'bankDelay', { min: 0 }) ?? DEFAULT_BANK_DELAY_MS,
    timeout: readInt(params, 'timeout', { min: 1 }),
    grace: readInt(params, 'grace', { min: 1 }),
    callbackUrl: readWebhook(params),
    mode: params.get('mode') === 'same-page' ? 'same-page' : 'framed',
    widgetOrigin: meta('okra-widget-origin', DEMO_WIDGET_ORIGIN),
  };
}

/**
 * The widget page's settings: the sandbox bank's delay and the flow come in
 * its URL (they are no secret); the origins allowed to embed it come from its
 * own server, never from the URL, which whoever frames it chooses.
 */
export function readWidgetConfig(search = location.search) {
  const params = new URLSearchParams(search);
  return {
    flow: ['link', 'pay', 'returning'].includes(params.get('flow')) ? params.get('flow') : 'link',
    bankDelay: readInt(params, 'bankDelay', { min: 0 }) ?? DEFAULT_BANK_DELAY_MS,
    allowedOrigins: meta('okra-allowed-origins', DEMO_MERCHANT_ORIGIN).split(','),
  };
}
