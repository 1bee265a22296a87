// okra-events/host, as the package ships it (pkg/host.js): the merchant's
// page's entry (js/host/index.js), and what the root entry's host mode loads
// when it is first used.
import { check } from './host/options.js';
import { openFrame } from './host/frame.js';

export * from './host/index.js';
export { default } from './host/index.js';

/**
 * The root entry's host mode, once this module has loaded: opens the widget
 * of `options` (already checked by the engine, with the same rules) in the
 * given iframe.
 */
export const attach = (options, iframe) => openFrame(check(options), iframe);
