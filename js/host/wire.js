// The bridge's constants and its writer, shared by both sides' JavaScript:
// the host's (js/host/) and the widget's `failed` message (js/bridge.js).
// The widget's other messages are written by the Rust core
// (crates/core/src/bridge.rs), with the same PROTOCOL.

/** The protocol marker and version every message carries in `okra`. */
export const PROTOCOL = 'okra-events/bridge/1';

/** The largest message either side acts on, in bytes of UTF-8 JSON text. */
export const MAX_BYTES = 262144;

/** The deepest nesting of arrays and objects a message may have (the core's JSON reader's). */
export const MAX_DEPTH = 32;

/** A message of `type` with `fields`, as text. */
export const encode = (type, fields) => JSON.stringify({ okra: PROTOCOL, type, ...fields });
