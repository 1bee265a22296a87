// The merchant page: each button opens the sandbox widget on one flow.
//
// By default the widget runs in its own origin, in an iframe, as it does in
// production: `Okra.buildWithOptions({ widgetUrl })` opens it and the live
// panel is fed by the host callbacks alone. `?mode=same-page` runs the widget
// in this page instead, with a same-page handler.
//
// The merchant page imports okra-events/host, the plain-JavaScript host: no
// WebAssembly, no storage. Only same-page mode loads the engine (okra-events),
// with the widget's code, from ./same-page.js.
import Okra from 'okra-events/host';
import { readConfig } from './config.js';
import { h } from './dom.js';
import { createPanel } from './panel.js';
import { recordSession, sessionOptions } from './session.js';

const config = readConfig();
const panel = createPanel(document.getElementById('panel'));
const merchant = document.getElementById('merchant');
const buttons = document.querySelectorAll('[data-flow]');

let open = false;

/** The widget in its own origin: an iframe over the merchant page. */
function openFramed(flow, done) {
  const { record, callbacks } = recordSession({
    flow,
    // Delivery runs in the widget's origin; its reports stay there.
    onEvent: (event) => {
      if (!record.sessionId) panel.sessionStarted(event.session_id);
      record.sessionId = event.session_id;
      record.trackingId = event.event_data.tracking_id;
      panel.event(event, false);
    },
    onCallback: (name, args) => {
      panel.callback(name, args);
      if (name === 'onClose') done();
    },
  });
  const widgetUrl = new URL('/widget.html', config.widgetOrigin);
  widgetUrl.search = new URLSearchParams({ flow, bankDelay: config.bankDelay });
  // The modal's backdrop; the widget draws its own dialog inside the iframe.
  const container = h('div', { class: 'widget-frame' });
  merchant.append(container);
  try {
    record.widget = Okra.buildWithOptions({
      ...sessionOptions(flow, config),
      ...callbacks,
      widgetUrl: widgetUrl.href,
      container,
    });
  } catch (error) {
    container.remove();
    throw error;
  }
  return () => container.remove();
}

// Same-page mode: the widget's code and the engine, before a button is live.
const samePage = config.mode === 'same-page' ? await import('./same-page.js') : null;

// The buttons are disabled in the HTML until this module runs (in same-page
// mode, importing the engine waits for its WebAssembly), so a click never
// does nothing.
for (const button of buttons) {
  button.disabled = false;
  button.addEventListener('click', () => {
    if (open) return; // one widget at a time, as on a real merchant page
    open = true;
    const flow = button.dataset.flow;
    let cleanup = () => {};
    const done = () => {
      open = false;
      cleanup();
      button.focus();
    };
    panel.sessionStarting(flow);
    try {
      cleanup = (samePage ? samePage.open({ flow, config, panel, host: merchant, done }) : openFramed(flow, done)) ?? cleanup;
    } catch (error) {
      // Shown rather than swallowed: it is what a merchant would debug.
      open = false;
      console.error(error);
      panel.failure(`The widget could not start: ${error.message}`);
    }
  });
}
