// okra-events/host, as the package ships it (pkg/host.js): the merchant's
// page's entry (js/host/index.js), what the root entry's host mode loads when
// it is first used (`attach`), and the host's parts that okra-events' other
// hosts build on (the React Native host): its option checks, its message
// decoder and its rules, apart from any transport. Only the entry's API is
// documented in host.d.ts; the parts are the package's own.
import { check } from './host/options.js';
import { openFrame } from './host/frame.js';

export * from './host/index.js';
export { default } from './host/index.js';
export { check } from './host/options.js';
export { decode, encode, PROTOCOL } from './host/protocol.js';
export { hostSession } from './host/session.js';

/**
 * The root entry's host mode, once this module has loaded: opens the widget
 * of `options` (already checked by the engine, with the same rules) in the
 * given iframe.
 */
export const attach = (options, iframe) => openFrame(check(options), iframe);
