// The table of bad options: each is refused with a TypeError that names the
// option, what was expected and what was given. options.test.mjs runs it
// against a same-page handler; host.test.mjs runs it against the root
// entry's host mode and okra-events/host, which must give the same errors.
import { KEY, TOKEN } from './helpers.mjs';

const valid = { key: KEY, token: TOKEN };
const fn = () => {};

// [label, options, option name or null (the options argument itself), expected fragment, given fragment]
export const BAD = [
  // The options argument itself.
  ['no argument', undefined, null, 'options object', 'undefined'],
  ['null', null, null, 'options object', 'null'],
  ['a number', 5, null, 'options object', 'number 5'],
  ['a string', 'pk_test', null, 'options object', 'string "pk_test"'],
  ['an array', [], null, 'options object', 'array'],
  ['a function', fn, null, 'options object', 'function'],
  // key and token.
  ['key missing', { token: TOKEN }, 'key', 'non-empty string', 'undefined'],
  ['key empty', { key: '', token: TOKEN }, 'key', 'non-empty string', '""'],
  ['key a number', { key: 5, token: TOKEN }, 'key', 'non-empty string', 'number 5'],
  ['key null', { key: null, token: TOKEN }, 'key', 'non-empty string', 'null'],
  ['token missing', { key: KEY }, 'token', 'non-empty string', 'undefined'],
  ['token empty', { key: KEY, token: '' }, 'token', 'non-empty string', '""'],
  ['token a number', { key: KEY, token: 5 }, 'token', 'non-empty string', 'number 5'],
  ['token an object', { key: KEY, token: {} }, 'token', 'non-empty string', 'object'],
  // env.
  ['env unknown', { ...valid, env: 'sandbox' }, 'env', '"production" or "production-sandbox"', 'sandbox'],
  ['env staging', { ...valid, env: 'staging' }, 'env', '"production" or "production-sandbox"', 'staging'],
  ['env a number', { ...valid, env: 1 }, 'env', '"production" or "production-sandbox"', 'number 1'],
  ['env null', { ...valid, env: null }, 'env', '"production" or "production-sandbox"', 'null'],
  // products.
  ['products a string', { ...valid, products: 'auth' }, 'products', 'array of strings', 'string "auth"'],
  ['products with a number', { ...valid, products: ['auth', 5] }, 'products', 'array of strings', 'array'],
  ['products an object', { ...valid, products: { auth: true } }, 'products', 'array of strings', 'object'],
  // event_callback_url.
  ...[
    'http://collector.example/events',
    'http://localhost.evil.example/events',
    'http://127.0.0.1.evil.example/events',
    'ftp://localhost/events',
    'javascript:alert(1)',
    'collector.example/events',
    'https://',
    'https://collector example/events',
  ].map((url) => [`event_callback_url ${url}`, { ...valid, event_callback_url: url }, 'event_callback_url', 'https:', url]),
  // Credentials in the URL are refused, and never repeated in the message.
  ['event_callback_url with credentials', { ...valid, event_callback_url: 'https://user:secret@collector.example/events' },
    'event_callback_url', 'https:', /"https:\/\/\*\*\*@collector\.example\/events"$/],
  ['event_callback_url port out of range', { ...valid, event_callback_url: 'https://collector.example:70000/events' },
    'event_callback_url', 'https:', 'https://collector.example:70000/events'],
  ['event_callback_url a number', { ...valid, event_callback_url: 5 }, 'event_callback_url', 'https:', 'number 5'],
  // options and meta.
  ...['options', 'meta'].flatMap((o) => [
    [`${o} a string`, { ...valid, [o]: 'x' }, o, 'plain object', 'string "x"'],
    [`${o} an array`, { ...valid, [o]: [1] }, o, 'plain object', 'array'],
    [`${o} a number`, { ...valid, [o]: 5 }, o, 'plain object', 'number 5'],
    [`${o} a function`, { ...valid, [o]: fn }, o, 'plain object', 'function'],
    // Not plain objects: JSON would echo a Date as a string and a Map as {}.
    [`${o} a Date`, { ...valid, [o]: new Date(0) }, o, 'plain object', /Date|object/],
    [`${o} a Map`, { ...valid, [o]: new Map([['a', 1]]) }, o, 'plain object', /Map|object/],
  ]),
  // Callbacks.
  ...['onSuccess', 'onError', 'onClose', 'onEvent', 'beforeClose', 'onDelivery'].flatMap((o) => [
    [`${o} a string`, { ...valid, [o]: 'handle' }, o, 'function', 'string "handle"'],
    [`${o} an object`, { ...valid, [o]: {} }, o, 'function', 'object'],
    [`${o} true`, { ...valid, [o]: true }, o, 'function', 'boolean true'],
  ]),
  // timeout and reconnect_grace.
  ...['timeout', 'reconnect_grace'].flatMap((o) => [
    [`${o} 0`, { ...valid, [o]: 0 }, o, 'milliseconds', 'number 0'],
    [`${o} negative`, { ...valid, [o]: -1 }, o, 'milliseconds', 'number -1'],
    [`${o} fractional`, { ...valid, [o]: 1.5 }, o, 'milliseconds', 'number 1.5'],
    [`${o} NaN`, { ...valid, [o]: NaN }, o, 'milliseconds', 'number NaN'],
    [`${o} Infinity`, { ...valid, [o]: Infinity }, o, 'milliseconds', 'number Infinity'],
    [`${o} too large`, { ...valid, [o]: 2147483648 }, o, 'milliseconds', 'number 2147483648'],
    [`${o} a string`, { ...valid, [o]: '1000' }, o, 'milliseconds', 'string "1000"'],
    [`${o} null`, { ...valid, [o]: null }, o, 'milliseconds', 'null'],
  ]),
];
