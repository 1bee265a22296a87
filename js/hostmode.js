// The root entry's host mode: `buildWithOptions` with a `widgetUrl`, on a
// page that imported okra-events. Its options are checked by the engine, with
// the same rules and messages as okra-events/host, so bad ones throw at once;
// the host itself is okra-events/host's own code (host.js), loaded the first
// time a widget is opened, so that a page that never opens one (the widget's
// own page) never downloads it. The iframe joins the page when it has loaded.

import { OP, invoke, refusal, run } from './engine.js';
import { refuseWith } from './handler.js';
import { HOST_KEYS, describeOptions } from './options.js';

/** Opens the widget in its own origin; returns its handle at once. */
export function openWidget(options) {
  const win = typeof document !== 'undefined' && typeof addEventListener === 'function';
  const error = refusal(run(OP.HOST, 0, describeOptions(options, HOST_KEYS, true), win ? '1' : '0'));
  if (error) refuseWith(options, error);
  const iframe = document.createElement('iframe');
  let widget;
  // What was asked before the host loaded: 1 close(), 2 destroy().
  let asked = 0;
  import('./host.js').then(
    (host) => {
      if (asked > 1) return;
      widget = host.attach(options, iframe);
      if (asked) widget.close();
    },
    (cause) => {
      if (asked > 1) return;
      const failure = new Error(`okra-events: the widget could not be opened: okra-events/host did not load (${cause?.message})`, { cause });
      console.error(failure);
      const json = { session_id: null, tracking_id: null, error: { type: 'HOST_UNAVAILABLE', message: failure.message } };
      invoke('onError', options.onError, json, failure);
      invoke('onClose', options.onClose, json, json.error);
    },
  );
  return Object.freeze({
    iframe,
    get sessionId() {
      return widget ? widget.sessionId : null;
    },
    events: () => (widget ? widget.events() : []),
    close() {
      if (widget) widget.close();
      else asked ||= 1;
    },
    destroy() {
      if (widget) widget.destroy();
      else asked = 2;
    },
  });
}
