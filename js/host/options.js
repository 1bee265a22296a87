// The host's options, checked before anything is added to the page. The
// options a same-page handler also has are checked with the core's rules and
// messages (crates/core/src/engine/input.rs and options.rs): one table of
// cases (tests/js/options.test.mjs) runs against the core's same-page
// handler, the root entry's host mode and this entry, so they cannot drift.

import { utf8 } from './protocol.js';
import { MAX_BYTES, MAX_DEPTH, PROTOCOL } from './wire.js';

/** Every message starts with this, so a developer knows where it came from. */
export const P = 'okra-events: ';

/** The callbacks the options may carry, in the order they are checked. */
export const CALLBACKS = ['onSuccess', 'onError', 'onClose', 'onEvent', 'beforeClose', 'onDelivery'];

const OBJECT_PROTO = Object.getPrototypeOf({});
const MS = 'a whole number of milliseconds between 1 and 2147483647';
const URL_EXPECTED = 'an https: URL (http: only for localhost, 127.0.0.1 or [::1]) in printable ASCII, without credentials';
const A_PLAIN_OBJECT = 'a plain object';

/** A plain object: made by `{}` or `Object.create(null)`, not an array, Date, Map or class instance. */
export function isPlain(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === OBJECT_PROTO;
}

/**
 * How an error message shows a value that was given: `undefined`, `null`,
 * `"" (empty string)`, `string "abc"` (its first 60 characters), `number 5`,
 * `boolean true`, `array`, `object`, `function`, ...
 */
export function describe(v) {
  if (typeof v === 'string') return v ? `string "${[...v].slice(0, 60).join('')}"` : '"" (empty string)';
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * A value as JSON text nesting at most `max` arrays and objects, or the
 * reason it cannot be one, in the core's words (the depth is found where the
 * core's JSON reader finds it, in bytes from the start).
 */
function jsonOf(v, max) {
  let t;
  try {
    t = JSON.stringify(v);
  } catch (error) {
    return [, `JSON.stringify failed: ${error?.message}`];
  }
  if (t === undefined) return [, `got ${describe(v)}, which JSON cannot hold`];
  let depth = 0;
  // Strings are skipped whole; brackets count.
  for (const m of t.matchAll(/"(?:\\.|[^\\"])*"|[[{\]}]/g)) {
    if (m[0] === '[' || m[0] === '{') {
      if (depth++ >= max) return [, `nested deeper than ${max} levels at byte ${utf8(t.slice(0, m.index))}`];
    } else if (m[0].length < 2) depth--;
  }
  return [t];
}

/**
 * Why a URL option is refused, or nothing: it must be `https:`, or `http:`
 * for localhost, 127.0.0.1 and [::1] only (compared exactly), with a host of
 * letters, digits, dots and dashes (or in brackets), a port up to 65535, in
 * printable ASCII and without credentials. The message never repeats the
 * URL's credentials.
 */
function badUrl(url) {
  if (typeof url !== 'string') return [URL_EXPECTED];
  const m = /^(https?):\/\/(\[[^\]/?#@]*\]|[a-z\d.-]+)(?::(\d{1,5}))?(?:[/?#]|$)/i.exec(url);
  if (
    !m ||
    m[3] > 65535 ||
    (m[1].toLowerCase() !== 'https' && !/^(localhost|127\.0\.0\.1|\[::1\])$/i.test(m[2])) ||
    // Printable ASCII only, as `new URL(...).href` writes every URL.
    /[^!-~]/.test(url)
  ) {
    return [URL_EXPECTED, `"${url.replace(/^(.*?:\/\/)[^/?#]*@/, '$1***@')}"`];
  }
}

/** Why a whole number of milliseconds is refused, or nothing. */
const badMs = (v) => (v === undefined || (Number.isInteger(v) && v > 0 && v < 2 ** 31) ? undefined : [MS]);

/** Why `options` or `meta` is refused, or nothing: it must be a plain object of JSON values. */
function badObject(v) {
  if (v == null) return;
  if (!isPlain(v)) return [A_PLAIN_OBJECT];
  const [t, reason] = jsonOf(v, MAX_DEPTH);
  if (reason) return [`${A_PLAIN_OBJECT} of JSON values`, `an object that is not (${reason})`];
  // A toJSON() may have made it something else.
  const copy = JSON.parse(t);
  if (!isPlain(copy)) return [A_PLAIN_OBJECT, describe(copy)];
}

/** Each checked option, in the core's order, and why a value is refused: `[expected, given?]`. */
const nonEmpty = (v) => (typeof v === 'string' && /[^ \t\n\f\r]/.test(v) ? undefined : ['a non-empty string']);
const RULES = [
  ['key', nonEmpty],
  ['token', nonEmpty],
  [
    'env',
    (v) =>
      v === undefined || v === 'production' || v === 'production-sandbox'
        ? undefined
        : ['"production" or "production-sandbox"', typeof v === 'string' ? `"${v}"` : describe(v)],
  ],
  ['products', (v) => (v === undefined || (Array.isArray(v) && v.every((p) => typeof p === 'string')) ? undefined : ['an array of strings'])],
  ['event_callback_url', (v) => v != null && badUrl(v)],
  ['options', badObject],
  ['meta', badObject],
  ...CALLBACKS.map((k) => [k, (v) => (v == null || typeof v === 'function' ? undefined : ['a function'])]),
  ['timeout', badMs],
  ['reconnect_grace', badMs],
  ['widgetUrl', badUrl],
  ['widgetTimeout', badMs],
  ['container', (v) => typeof Element === 'function' && v != null && !(v instanceof Element) && ['a DOM Element']],
];

/**
 * Gives an options error its kind (`error.type`, and `error.option` when an
 * option was wrong), passes it to the options' `onError` when that is a
 * function, as `onError({ error: { type, option?, message } }, error)`, and
 * returns it to be thrown.
 */
export function refuse(options, error, type = 'INVALID_OPTIONS', option) {
  error.type = type;
  if (option) error.option = option;
  const onError = isPlain(options) ? options.onError : undefined;
  if (typeof onError === 'function') {
    try {
      onError({ error: { type, ...(option && { option }), message: error.message } }, error);
    } catch (thrown) {
      console.error('okra-events: the onError callback threw', thrown);
    }
  }
  return error;
}

/**
 * Checks a host's options, in the core's order: the same-page handler's
 * options, then `widgetUrl`, `widgetTimeout`, `container`, and every option
 * that goes to the widget. Throws a TypeError naming the bad one (after
 * `onError`). Returns `[url, timeout, options, meta, container, callbacks,
 * ack]`: what the host needs, `options` and `meta` as JSON text to echo, and
 * the `ack` message that carries the options to the widget.
 */
export function check(o) {
  if (!isPlain(o)) throw refuse(o, new TypeError(`${P}buildWithOptions expects an options object, got ${describe(o)}`));
  for (const [k, rule] of RULES) {
    const bad = rule(o[k]);
    if (bad) throw refuse(o, new TypeError(`${P}option \`${k}\` must be ${bad[0]}, got ${bad[1] ?? describe(o[k])}`), undefined, k);
  }
  // Every option but the functions and `container` goes to the widget, in
  // the `ack`: each must be JSON, read as the engine reads it.
  const fields = [];
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (k === 'container' || typeof v === 'function' || v === undefined) continue;
    const [t, reason] = jsonOf(v, MAX_DEPTH);
    if (reason) throw refuse(o, new TypeError(`${P}option \`${k}\` must be a plain JSON object: ${reason}`));
    fields.push(`${JSON.stringify(k)}:${t}`);
  }
  const ack = `{"okra":"${PROTOCOL}","type":"ack","options":{${fields}}}`;
  const size = utf8(ack);
  if (size > MAX_BYTES) {
    throw refuse(o, new TypeError(`${P}the options are ${size} bytes of JSON, over the ${MAX_BYTES} bytes (256 KiB) a message to the widget may have`));
  }
  const callbacks = {};
  for (const k of CALLBACKS) if (typeof o[k] === 'function') callbacks[k] = o[k];
  const text = (v) => (v == null ? '{}' : JSON.stringify(v));
  return [o.widgetUrl, o.widgetTimeout ?? 20000, text(o.options), text(o.meta), o.container, callbacks, ack];
}
