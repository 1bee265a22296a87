// okra-events/host: the merchant's page. It opens the widget in its own
// origin and receives its events and callbacks (README, "The widget in its
// own origin"). Plain JavaScript: no WebAssembly, no storage and no requests
// of its own, so it works under any Content Security Policy that lets the
// page frame the widget (`frame-src`).

import { P, check, refuse } from './options.js';
import { openFrame } from './frame.js';

/**
 * Opens the widget at `options.widgetUrl` in an iframe and returns its
 * handle. Bad options throw a TypeError naming the option (and go to
 * `onError`) before anything is added to the page.
 */
export function buildWithOptions(options) {
  const checked = check(options);
  if (typeof document === 'undefined' || typeof addEventListener !== 'function') {
    const error = new Error(
      `${P}buildWithOptions needs a browser window, and \`window\` is not defined here (server-side rendering?)`,
    );
    throw refuse(options, error, 'NO_WINDOW');
  }
  return openFrame(checked);
}

/** The okra-events host API. See host.d.ts for the documentation. */
export const Okra = Object.freeze({
  buildWithOptions,
  // Replaced with the package's version when scripts/package.mjs bundles the entry.
  // eslint-disable-next-line no-undef
  version: __VERSION__,
});

export default Okra;
