// Same-page mode (`?mode=same-page`): the widget and the merchant as one page,
// with a same-page handler of okra-events (the engine). The merchant page
// loads this module only in that mode.
import Okra from 'okra-events';
import { recordSession, sessionOptions } from './session.js';
import { Widget } from './widget.js';

/**
 * Opens the widget on `flow` in `host`, with its own session; `done` runs
 * when the widget has closed.
 */
export function open({ flow, config, panel, host, done }) {
  const widget = new Widget({ flow, config, host, onClosed: done });
  // USER_CONNECTING arrives during buildWithOptions, before the handler itself is returned.
  const { record, callbacks } = recordSession({
    flow,
    onEvent: (event) => {
      panel.event(event, Boolean(config.callbackUrl));
      widget.react(event);
    },
    onCallback: (name, args) => panel.callback(name, args),
    onDelivery: (report) => panel.delivery(report),
  });
  const handler = Okra.buildWithOptions({ ...sessionOptions(flow, config), ...callbacks });
  record.handler = handler;
  record.sessionId = handler.sessionId;
  record.trackingId = handler.trackingId;
  panel.sessionStarted(handler.sessionId);
  widget.open(handler);
}
