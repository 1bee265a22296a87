// The environments okra-events must work in unmodified (SPEC 1), each built
// from the same small app and loaded in headless Chromium over HTTP on
// 127.0.0.1: a plain <script type="module"> page, webpack 5, Vite's
// production build, the Vite dev server and esbuild (with and without the
// .wasm copied beside the bundle). Shared by tests/js/bundlers.test.mjs
// (does each one run, and does it fetch the .wasm rather than the base64
// fallback?) and bench/size.mjs (how many bytes does each one download?).
//
// Every project is a scratch directory whose node_modules/okra-events is a
// copy of the built package (pkg/, or OKRA_EVENTS_PKG), as `npm install`
// leaves it: not a symlink, which bundlers treat as source, not a dependency.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { serve } from '../../www/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const PKG_DIR = resolve(process.env.OKRA_EVENTS_PKG ?? join(ROOT, 'pkg'));
const require = createRequire(join(ROOT, 'package.json'));

/** Generous: every step must pass on a loaded 2-core machine. */
export const WAIT_MS = 60_000;

/**
 * The app, as a user writes it: import the package by name, build a handler,
 * emit events. What it saw is left in `window.result` for the test to read.
 */
export const app = (specifier = 'okra-events') => `import Okra from '${specifier}';
const seen = [];
const handler = Okra.buildWithOptions({ key: 'pk', token: 'tok', onEvent: (e) => seen.push(e.event_name) });
handler.screen('bank');
window.result = { catalog: Okra.events.length, seen, sessionId: handler.sessionId };
`;

/**
 * The merchant's app: import okra-events/host by name and open a widget in a
 * container. The widget's page is not served: only the merchant page's own
 * downloads matter here.
 */
export const hostApp = (specifier = 'okra-events/host') => `import Okra from '${specifier}';
const container = (document.body ?? document.documentElement).appendChild(document.createElement('div'));
const widget = Okra.buildWithOptions({ key: 'pk', token: 'tok', widgetUrl: new URL('/no-widget-here', location.href).href, container });
window.result = { iframe: widget.iframe.isConnected, version: Okra.version };
`;

const PAGE = (script) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>okra-events app</title>
${script}
`;

/**
 * Text that only the base64 fallback holds, whatever file a bundler puts it
 * in: the first 120 characters of the wasm's base64.
 */
export function fallbackMarker(pkgDir = PKG_DIR) {
  const text = readFileSync(join(pkgDir, 'okra_events_wasm.js'), 'utf8');
  const b64 = /"([A-Za-z0-9+/=]{200,})"/.exec(text)?.[1];
  if (!b64) throw new Error(`${pkgDir}/okra_events_wasm.js holds no base64 string`);
  return b64.slice(0, 120);
}

/** A scratch project: app.js (the root entry's app, or with `host` the merchant's), and node_modules/okra-events copied from the package. */
export function project(prefix = 'okra-setup-', host = false) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'node_modules'));
  cpSync(PKG_DIR, join(dir, 'node_modules', 'okra-events'), { recursive: true, dereference: true });
  writeFileSync(join(dir, 'app.js'), host ? hostApp() : app());
  return dir;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export async function importVite() {
  try {
    return await import(pathToFileURL(join(ROOT, 'www', 'node_modules', 'vite', 'dist', 'node', 'index.js')).href);
  } catch (e) {
    throw new Error(`Vite is not installed in www/node_modules: run scripts/demo.sh --build-only first (make test does) (${e.message})`);
  }
}

/** Files of a directory, relative, recursively. */
export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Each setup: `start(dir)` builds the project in `dir` and serves it;
 * resolves to { url, files?, served?, close() }: `files` lists the built output,
 * `served` the paths our own server was asked for. `usesFallback` is true for
 * the one setup whose default path is expected to import the base64 fallback.
 */
export const SETUPS = {
  /** No bundler: the page's module script imports the package's entry by path. */
  'module page': {
    usesFallback: false,
    async start(dir, host) {
      writeFileSync(join(dir, 'app.js'), host ? hostApp('./node_modules/okra-events/host.js') : app('./node_modules/okra-events/index.js'));
      writeFileSync(join(dir, 'index.html'), PAGE('<script type="module" src="./app.js"></script>'));
      const server = await serve({ roots: { '/': dir }, record: true });
      return { url: `${server.origin}/index.html`, close: server.close, served: server.requests };
    },
  },

  /** webpack 5, production mode, target web, nothing else configured. */
  'webpack 5': {
    usesFallback: false,
    async start(dir) {
      const webpack = require('webpack');
      const stats = await new Promise((ok, fail) => webpack({
        mode: 'production',
        context: dir,
        entry: './app.js',
        target: 'web',
        output: { path: join(dir, 'dist') },
      }, (err, s) => (err ? fail(err) : ok(s))));
      if (stats.hasErrors()) throw new Error(`webpack: ${stats.toString('errors-only')}`);
      const dist = join(dir, 'dist');
      const files = listFiles(dist);
      writeFileSync(join(dist, 'index.html'), PAGE('<script src="./main.js"></script>'));
      const server = await serve({ roots: { '/': dist }, record: true });
      return { url: `${server.origin}/index.html`, files, close: server.close, served: server.requests };
    },
  },

  /** Vite's production build of an index.html with a module script; no config file, no plugin. */
  'Vite build': {
    usesFallback: false,
    async start(dir) {
      const vite = await importVite();
      writeFileSync(join(dir, 'index.html'), PAGE('<script type="module" src="./app.js"></script>'));
      await vite.build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: join(dir, 'dist') } });
      const dist = join(dir, 'dist');
      const files = listFiles(dist);
      const server = await serve({ roots: { '/': dist }, record: true });
      return { url: `${server.origin}/index.html`, files, close: server.close, served: server.requests };
    },
  },

  /**
   * Vite's production build with the README's one line that keeps the base64
   * fallback out of the build (for apps that always serve the .wasm).
   */
  'Vite build, fallback left out': {
    usesFallback: false,
    async start(dir) {
      const vite = await importVite();
      writeFileSync(join(dir, 'index.html'), PAGE('<script type="module" src="./app.js"></script>'));
      await vite.build({
        root: dir,
        configFile: false,
        logLevel: 'silent',
        build: { outDir: join(dir, 'dist'), rollupOptions: { external: [/okra_events_wasm\.js$/] } },
      });
      const dist = join(dir, 'dist');
      const files = listFiles(dist);
      const server = await serve({ roots: { '/': dist }, record: true });
      return { url: `${server.origin}/index.html`, files, close: server.close, served: server.requests };
    },
  },

  /** Vite's dev server (dependency pre-bundling on), on a free port. */
  'Vite dev server': {
    usesFallback: false,
    async start(dir) {
      const vite = await importVite();
      writeFileSync(join(dir, 'index.html'), PAGE('<script type="module" src="./app.js"></script>'));
      const port = await freePort();
      const server = await vite.createServer({
        root: dir,
        configFile: false,
        logLevel: 'silent',
        clearScreen: false,
        server: { host: '127.0.0.1', port, strictPort: true },
      });
      await server.listen();
      return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
    },
  },

  /**
   * esbuild: bundle, minify, ESM, code splitting, and the .wasm copied beside
   * the bundle (esbuild copies no `new URL(..., import.meta.url)` asset itself).
   */
  'esbuild + copied .wasm': {
    usesFallback: false,
    start: (dir) => esbuildSetup(dir, true),
  },

  /** The same without copying the .wasm: the entry falls back to the base64 copy. */
  'esbuild, no .wasm copied': {
    usesFallback: true,
    start: (dir) => esbuildSetup(dir, false),
  },
};

async function esbuildSetup(dir, copyWasm) {
  const esbuild = require('esbuild');
  const dist = join(dir, 'dist');
  await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['app.js'],
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    outdir: dist,
    logLevel: 'silent',
  });
  if (copyWasm) cpSync(join(dir, 'node_modules', 'okra-events', 'okra_events_bg.wasm'), join(dist, 'okra_events_bg.wasm'));
  const files = listFiles(dist);
  writeFileSync(join(dist, 'index.html'), PAGE('<script type="module" src="./app.js"></script>'));
  const server = await serve({ roots: { '/': dist }, record: true });
  return { url: `${server.origin}/index.html`, files, close: server.close, served: server.requests };
}

/**
 * Opens `url` in a fresh browser context, waits for the app's `window.result`
 * and returns it with every response the page received:
 * { result, responses: [{ url, path, status, type, body }], failed, errors }.
 */
export async function visit(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    const failed = [];
    const bodies = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => failed.push({ url: r.url(), error: r.failure()?.errorText }));
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (!/^https?:$/.test(u.protocol)) return;
      bodies.push(
        r.body().then(
          (body) => ({ url: r.url(), path: u.pathname, status: r.status(), type: r.headers()['content-type'] ?? '', body }),
          () => ({ url: r.url(), path: u.pathname, status: r.status(), type: r.headers()['content-type'] ?? '', body: Buffer.alloc(0) }),
        ),
      );
    });
    await page.goto(url);
    try {
      await page.waitForFunction(() => window.result, null, { timeout: WAIT_MS });
    } catch (e) {
      throw new Error(`the app did not run at ${url}: ${e.message}; page errors: ${JSON.stringify(errors)}; failed requests: ${JSON.stringify(failed)}`);
    }
    const result = await page.evaluate(() => JSON.parse(JSON.stringify(window.result)));
    const responses = await Promise.all(bodies);
    return { result, responses, failed, errors };
  } finally {
    await context.close();
  }
}

/** True for a response that is a wasm module (by its magic bytes). */
export const isWasm = (r) => r.status === 200 && r.body.length > 8 && r.body.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]));

/** Builds, serves and visits one setup (with `host`, the merchant's app on okra-events/host); cleans up after itself. */
export async function runSetup(browser, name, { keep = false, host = false } = {}) {
  const dir = project(`okra-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-`, host);
  let started;
  try {
    started = await SETUPS[name].start(dir, host);
    const visited = await visit(browser, started.url);
    return { ...visited, files: started.files, served: started.served, dir };
  } finally {
    await started?.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
