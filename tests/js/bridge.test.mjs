// The widget in its own origin, as far as it runs without a browser: the
// options of both sides are checked with clear errors, and server-side
// rendering fails cleanly. The browser behaviour is in tests/e2e/bridge.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Okra, PKG_ENTRY, runModule } from './helpers.mjs';

const base = { key: 'pk_test', token: 'tok_test' };

test('host mode checks widgetUrl, widgetTimeout and the usual options, naming the bad one', () => {
  const cases = [
    [{ ...base, widgetUrl: 'http://widget.example/' }, /option `widgetUrl` must be an https: URL .*got "http:\/\/widget\.example\/"/],
    [{ ...base, widgetUrl: 'https://user:pw@widget.example/' }, /option `widgetUrl` must be .*got "https:\/\/\*\*\*@widget\.example\/"/],
    [{ ...base, widgetUrl: 7 }, /option `widgetUrl` must be an https: URL .*got number 7/],
    [{ ...base, widgetUrl: null }, /option `widgetUrl` must be an https: URL .*got null/],
    [{ ...base, widgetUrl: 'https://widget.example/', widgetTimeout: 0 }, /option `widgetTimeout` must be a whole number of milliseconds/],
    [{ ...base, widgetUrl: 'https://widget.example/', widgetTimeout: '20s' }, /option `widgetTimeout` must be .*got string "20s"/],
    [{ key: 'pk', widgetUrl: 'https://widget.example/' }, /option `token` must be a non-empty string/],
    [{ ...base, env: 'sandbox', widgetUrl: 'https://widget.example/' }, /option `env` must be/],
  ];
  for (const [options, message] of cases) {
    const reported = [];
    assert.throws(
      () => Okra.buildWithOptions({ ...options, onError: (json, error) => reported.push([json, error]) }),
      (e) => e instanceof TypeError && message.test(e.message),
      JSON.stringify(options),
    );
    assert.equal(reported.length, 1, 'reported to onError too');
    assert.equal(reported[0][0].error.type, 'INVALID_OPTIONS');
  }
});

test('host mode without a window (server-side rendering) throws a clear Error', async () => {
  const { result } = await runModule(`
    const { default: Okra } = await import(${JSON.stringify(PKG_ENTRY)});
    const out = {};
    try {
      Okra.buildWithOptions({ key: 'pk', token: 'tk', widgetUrl: 'https://widget.example/', container: {} });
    } catch (e) {
      out.name = e.name;
      out.message = e.message;
    }
    await Okra.connectToHost({ allowedOrigins: ['https://merchant.example'] }).then(
      () => { out.connected = true; },
      (e) => { out.connectError = [e.name, e.message]; },
    );
    console.log(JSON.stringify(out));
  `);
  assert.equal(result.name, 'Error');
  assert.match(result.message, /needs a browser window/);
  assert.equal(result.connectError[0], 'Error');
  assert.match(result.connectError[1], /must run in the widget's iframe/);
});

test('connectToHost refuses anything but exact origins, with a TypeError naming allowedOrigins', async () => {
  const cases = [
    [{ allowedOrigins: ['*'] }, /must be an exact origin: wildcards and patterns are not allowed, got string "\*"/],
    [{ allowedOrigins: ['https://*.merchant.example'] }, /wildcards/],
    [{ allowedOrigins: ['https://merchant.example/'] }, /no path or trailing slash/],
    [{ allowedOrigins: ['https://merchant.example/checkout'] }, /no path or trailing slash/],
    [{ allowedOrigins: ['https://merchant.example:443'] }, /without the scheme's default port/],
    [{ allowedOrigins: ['http://merchant.example'] }, /an https: origin/],
    [{ allowedOrigins: ['https://Merchant.example'] }, /lower-case host/],
    [{ allowedOrigins: [] }, /a non-empty array of exact origins/],
    [{ allowedOrigins: 'https://merchant.example' }, /a non-empty array of exact origins/],
    [{ allowedOrigins: [42] }, /got number 42/],
    [{}, /a non-empty array of exact origins, .*got undefined/],
    [{ allowedOrigins: ['https://merchant.example'], widgetTimeout: -1 }, /option `widgetTimeout`/],
    [{ allowedOrigins: ['https://merchant.example'], onEvent: 'log' }, /option `onEvent` must be a function/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(
      Okra.connectToHost(options),
      (e) => e instanceof TypeError && /^okra-events: option `\w+` must be /.test(e.message) && message.test(e.message),
      JSON.stringify(options),
    );
  }
  await assert.rejects(Okra.connectToHost('https://merchant.example'), /connectToHost\(\) expects an options object with allowedOrigins, got string/);
});
