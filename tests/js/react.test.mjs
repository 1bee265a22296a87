// okra-events/react as the package ships it: React stays the app's import
// (an optional peer dependency that no other entry imports), the host is
// imported from ./host.js rather than bundled again, and server rendering in
// Node, with no window or document, renders the component without touching
// the page. Its behaviour in a browser: tests/e2e/react.test.mjs.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import { createElement, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';

import { PKG_DIR } from './setups.mjs';

const pkg = JSON.parse(await readFile(join(PKG_DIR, 'package.json'), 'utf8'));
const read = (f) => readFile(join(PKG_DIR, f), 'utf8');
/** The modules a bundled ES module imports, statically or dynamically. */
const importsOf = (code) => [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]).sort();

test('okra-events/react is an export with its types, and React >= 18 is an optional peer dependency', () => {
  assert.deepEqual(pkg.exports['./react'], { types: './react.d.ts', default: './react.js' });
  assert.equal(Object.keys(pkg.exports['./react'])[0], 'types', "the 'types' condition comes first");
  for (const f of ['react.js', 'react.d.ts']) assert.ok(pkg.files.includes(f), `${f} is shipped`);
  assert.equal(pkg.peerDependencies.react, '>=18');
  // Every peer (React Native's are okra-events/react-native's) is optional.
  for (const name of Object.keys(pkg.peerDependencies)) assert.deepEqual(pkg.peerDependenciesMeta[name], { optional: true }, name);
  assert.equal(pkg.dependencies, undefined, 'no dependency is installed with the package');
});

test('react.js imports React and ./host.js and bundles neither; no other entry imports React', async () => {
  const react = await read('react.js');
  assert.deepEqual(importsOf(react), ['./host.js', 'react']);
  assert.doesNotMatch(react, /postMessage|MessageChannel|createElement\(["']iframe/, "the host's code is not in react.js");
  for (const f of ['index.js', 'host.js', 'host.global.js', 'okra_events.js']) {
    const code = await read(f);
    assert.ok(!importsOf(code).some((m) => m === 'react' || m.startsWith('react/') || m.startsWith('react-dom')), `${f} imports no React`);
    assert.doesNotMatch(code, /require\(["']react/, `${f} requires no React`);
  }
  const host = await import(pathToFileURL(join(PKG_DIR, 'host.js')).href);
  assert.equal(typeof host.buildWithOptions, 'function', 'host.js exports what react.js imports');
});

test('server rendering in Node, with no window or document: the component renders, with nothing opened', async () => {
  assert.equal(typeof window, 'undefined');
  assert.equal(typeof document, 'undefined');
  const { useOkraWidget } = await import(pathToFileURL(join(PKG_DIR, 'react.js')).href);
  const seen = [];
  const called = [];
  function Pay() {
    const { open, close, ready, error, widget } = useOkraWidget({
      key: 'pk_test_ssr',
      token: 'tok_test_ssr',
      widgetUrl: 'https://widget.example/link',
      onEvent: () => called.push('onEvent'),
      onError: () => called.push('onError'),
      onClose: () => called.push('onClose'),
    });
    seen.push({ ready, error, widget, open: typeof open, close: typeof close });
    return createElement('button', { type: 'button', disabled: !ready, onClick: open }, 'Link your bank');
  }
  const html = renderToString(createElement(StrictMode, null, createElement(Pay)));
  assert.equal(html, '<button type="button" disabled="">Link your bank</button>');
  assert.ok(seen.length >= 1);
  for (const s of seen) assert.deepEqual(s, { ready: false, error: null, widget: null, open: 'function', close: 'function' });
  assert.deepEqual(called, [], 'no callback fired');
  assert.equal(typeof window, 'undefined', 'nothing defined a window');
});
