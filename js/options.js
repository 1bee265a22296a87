// Describes JavaScript values to the engine, which judges them.
//
// The engine reads JSON. A value JSON cannot carry faithfully (a function
// where a string belongs, NaN, a Date, a Map, an Element, undefined in a
// list) becomes a marker naming what it is; an object JSON.stringify refuses
// becomes a marker saying why. Every check and every error message is the
// engine's (crates/core/src/engine/input.rs).

const GIVEN = '\u0000';
const REFUSED = '\u0001';
const TEXT = '\u0003';
const FORWARD = '\u0002forward';

const OBJECT_PROTO = Object.getPrototypeOf({});

/** A plain object: made by `{}` or `Object.create(null)`, not an array, Date, Map or class instance. */
export function isPlain(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === OBJECT_PROTO;
}

/**
 * How an error message shows a value that JSON cannot carry as itself:
 * `undefined`, `number NaN`, `function`, `object`, ... (never a string: the
 * engine describes the values JSON carries, strings among them).
 */
export function describe(v) {
  switch (typeof v) {
    case 'number':
      return `number ${v}`;
    case 'boolean':
      return `boolean ${v}`;
    case 'object':
      return v === null ? 'null' : Array.isArray(v) ? 'array' : 'object';
    default:
      return typeof v;
  }
}

const mark = (v) => ({ [GIVEN]: describe(v) });

/** A value as the engine can read it: itself when JSON carries it faithfully, else a marker. */
function faithful(v) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : mark(v);
  if (Array.isArray(v)) return v.map(faithful);
  return mark(v);
}

/** An object as its own JSON text, or the reason it has none. */
function objectText(v) {
  try {
    const text = JSON.stringify(v);
    return text === undefined ? { [REFUSED]: `got ${describe(v)}, which JSON cannot hold` } : { [TEXT]: text };
  } catch (error) {
    return { [REFUSED]: `JSON.stringify failed: ${error?.message}` };
  }
}

const CALLBACKS = ['onSuccess', 'onError', 'onClose', 'onEvent', 'beforeClose', 'onDelivery'];
const OBJECTS = new Set(['options', 'meta']);

/**
 * The options as JSON for the engine. `keys` are the options it checks;
 * callbacks that are functions (and `undefined`/`null` ones) are left out,
 * since only the entry calls them. `host` adds `container` and what goes to
 * the widget.
 */
export function describeOptions(o, keys, host = false) {
  if (!isPlain(o)) return JSON.stringify(faithful(o));
  const d = {};
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    if (CALLBACKS.includes(k)) {
      if (typeof v !== 'function' && v !== null) d[k] = faithful(v);
    } else if (OBJECTS.has(k) && isPlain(v)) {
      d[k] = objectText(v);
    } else {
      d[k] = faithful(v);
    }
  }
  if (host) {
    const c = o.container;
    if (typeof Element === 'function' && c != null && !(c instanceof Element)) d.container = faithful(c);
    // No prototype: an option named __proto__ is an option like any other.
    const forward = Object.create(null);
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (k !== 'container' && typeof v !== 'function' && v !== undefined) forward[k] = objectText(v);
    }
    d[FORWARD] = forward;
  }
  return JSON.stringify(d);
}

/** The options a same-page handler checks, in the order it checks them. */
export const HANDLER_KEYS = ['key', 'token', 'env', 'products', 'event_callback_url', 'options', 'meta', ...CALLBACKS, 'timeout', 'reconnect_grace'];
/** A host's: the same, then its own. */
export const HOST_KEYS = [...HANDLER_KEYS, 'widgetUrl', 'widgetTimeout'];
/** connectToHost's. */
export const LINK_KEYS = ['allowNativeHost', 'allowedOrigins', ...CALLBACKS, 'widgetTimeout'];

/**
 * A data argument (track data, screen details, success data, fail error) as
 * JSON text, or NUL and the reason it cannot be JSON. `undefined` and `null`
 * are `null`.
 */
export function dataText(v) {
  if (v === undefined || v === null) return 'null';
  try {
    const text = JSON.stringify(v);
    return text === undefined ? `\u0000got ${describe(v)}, which JSON cannot hold` : text;
  } catch (error) {
    return `\u0000JSON.stringify failed: ${error?.message}`;
  }
}

/** The callbacks among the options. */
export function callbacksOf(o) {
  const cb = {};
  for (const k of CALLBACKS) if (typeof o?.[k] === 'function') cb[k] = o[k];
  return cb;
}
