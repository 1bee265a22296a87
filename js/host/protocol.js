// The bridge's messages, as the host reads and writes them. Every message is
// JSON text of one object with `okra` set to PROTOCOL, a `type`, and exactly
// the fields of that type (README, "The protocol"). The widget's side reads
// and writes the same messages in the Rust core (crates/core/src/bridge.rs).
//
// Decoding is strict: anything that is not exactly a message of the protocol
// (another shape, an extra field, a value of the wrong type, text over
// MAX_BYTES, nesting deeper than MAX_DEPTH, an event that is not an event
// object) reads as `undefined`, and never throws.
//
// Names, categories and screens are checked for their form, not looked up in
// this version's catalog: the widget's page is updated by its own owner, on
// its own schedule, and a host must not drop the events of a widget newer
// than itself.

import { MAX_BYTES, MAX_DEPTH, PROTOCOL } from './wire.js';

export { MAX_BYTES, MAX_DEPTH, PROTOCOL, encode } from './wire.js';

/** The widget's messages and their fields, besides `okra` and `type` (no prototype: any `type` is safe to look up). */
const WIDGET = {
  __proto__: null,
  syn: [],
  ready: [],
  event: ['event'],
  success: ['data'],
  error: ['json', 'error'],
  before_close: ['json'],
  close: ['json', 'error'],
  // Before connecting, on the window: the widget could not start, and why
  // (a reason code the session knows).
  failed: ['reason'],
};

/**
 * The length of a string in bytes of UTF-8 (a lone surrogate counts as the
 * 3 bytes of U+FFFD, as encoders write it). Counted here rather than with
 * `Blob` or `TextEncoder`, which a React Native app may lack or back with a
 * native call per message.
 */
export function utf8(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    // A surrogate pair is 4 bytes for its 2 units; other units 2 or 3 bytes.
    if (c < 0xdc00 && c >= 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    n += c < 0x800 ? 1 : 2;
  }
  return n;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v) => typeof v === 'string';
const nullable = (v) => v === null || isText(v);
/** A string of 1 to 64 bytes, in the form of `re` when given. */
const short = (re) => (v) => isText(v) && v !== '' && utf8(v) <= 64 && (!re || re.test(v));
const snake = short(/^[a-z][a-z_]*$/);

/**
 * The event object's fields, in the order the core writes them, each with
 * its check: an UPPER_SNAKE name, a snake_case category and screen (or null),
 * an ISO-8601 UTC time, object data, ids of 1 to 64 bytes and a sequence from 1.
 */
const EVENT = {
  event: (v) => v === true,
  event_name: short(/^[A-Z][A-Z\d_]*$/),
  event_type: (v) => v === 'DATA_EVENT',
  event_category: snake,
  event_screen: (v) => v === null || snake(v),
  event_time: short(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  event_location: nullable,
  event_callback_url: nullable,
  event_data: isObject,
  withError: (v) => typeof v === 'boolean',
  event_id: short(),
  session_id: short(),
  sequence: (v) => Number.isSafeInteger(v) && v > 0 && v < 1e15,
};

/** Whether `v` nests arrays or objects deeper than MAX_DEPTH, counting from `depth`. */
const tooDeep = (v, depth) =>
  v !== null && typeof v === 'object' && (depth >= MAX_DEPTH || Object.values(v).some((x) => tooDeep(x, depth + 1)));

/** Whether object `v` has exactly the keys `keys`. */
const exactly = (v, keys) => {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => own.includes(k));
};

/**
 * A message from the widget, decoded: `{ type, ...fields }`, its event
 * rebuilt with exactly the event object's fields in their order; or
 * `undefined` for anything that is not exactly a well-formed message of the
 * protocol.
 */
export function decode(data) {
  if (!isText(data) || data.length > MAX_BYTES || utf8(data) > MAX_BYTES) return;
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return;
  }
  const fields = isObject(m) && m.okra === PROTOCOL && WIDGET[m.type];
  if (!fields || !exactly(m, ['okra', 'type', ...fields]) || tooDeep(m, 0)) return;
  if (m.type === 'event') {
    const e = m.event;
    const keys = Object.keys(EVENT);
    if (!isObject(e) || !exactly(e, keys) || !keys.every((k) => EVENT[k](e[k]))) return;
    const event = {};
    for (const k of keys) event[k] = e[k];
    m.event = event;
  }
  // The metadata of error, before_close and close is an object.
  if (fields[0] === 'json' && !isObject(m.json)) return;
  return m;
}
