// The widget's own page, in its own origin, inside the merchant's iframe.
// It connects to the merchant's page with `Okra.connectToHost`, which checks
// the page's origin against the allowed ones, then walks the sandbox flow.
// Every event and callback reaches the merchant through okra-events.
import Okra from 'okra-events';
import { readWidgetConfig } from './config.js';
import { h } from './dom.js';
import { Widget } from './widget.js';

const config = readWidgetConfig();
let widget = null;

try {
  const handler = await Okra.connectToHost({
    allowedOrigins: config.allowedOrigins,
    // Timeouts the widget must show to the user (the rest only goes to the host).
    onEvent: (event) => widget?.react(event),
  });
  widget = new Widget({
    flow: config.flow,
    config,
    host: document.body,
    onClosed: () => {},
  });
  widget.open(handler);
} catch (error) {
  // Opened directly, or framed by a page that is not allowed: say so, send nothing.
  console.warn(error.message);
  document.body.append(h('p', { class: 'widget-refused', role: 'alert' }, error.message));
}
