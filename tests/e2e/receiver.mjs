// A real webhook receiver for the delivery tests and the benchmark, with no
// dependencies: node:http on 127.0.0.1, two ephemeral ports.
//
// - The page server (http://127.0.0.1:A) serves pkg/ at /pkg/* and a test page
//   at /page.html that builds a handler from its query string.
// - The receiver (http://127.0.0.1:B, another origin, so CORS is real) takes
//   POST /events/<channel>, records every request (body, content type, fetch
//   mode, time, answer) and answers by a scriptable plan per channel.
//
// startReceiver({ pages: { "/path": body } }) serves extra pages on the page
// origin. In-process API: startReceiver() -> { pageUrl(), endpoint(), plan(),
// release(), received(), ... }. Over HTTP (on the receiver's port):
//   GET  /received/<channel>          -> JSON array of recorded requests
//   POST /plan/<channel>   {"next":[...], "otherwise":...}
//   POST /release/<channel> {"status":200}  answers the hanging requests
//   POST /reset/<channel>
// Every body received is checked against the published webhook-body schema
// (schema/webhook-body.json, Ajv): `schemaErrors()` lists the violations, and
// `close()` rejects when there were any, so every test that delivers to the
// receiver also checks what okra-events sent.
// An action is a status number (200, 500, 400, ...), {"status":302,
// "location":"/landing"} (GET /landing answers 200), {"status":429,
// "retryAfter":"1"} (add "expose":false to leave out
// Access-Control-Expose-Headers), or "hang" (the request stays open until
// released).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TYPES } from './server.mjs';
import { validators } from '../schema/validators.mjs';

const check = validators();

/** The package under test: pkg/, or OKRA_EVENTS_PKG (e.g. an earlier build, to compare). */
export const PKG = resolve(process.env.OKRA_EVENTS_PKG ?? fileURLToPath(new URL('../../pkg', import.meta.url)));

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  // Without this a cross-origin page cannot read Retry-After.
  'access-control-expose-headers': 'retry-after',
  'access-control-max-age': '600',
};

/**
 * The test page. Query: `url` (event_callback_url; a handler is built only
 * when it is given), `build=0` to load the package without building,
 * `early=n` to track n events at once, in the task the import resolved in.
 * window.__t = { handler, events, errors, closes, build(), ... }.
 */
export const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>okra-events delivery test page</title>
<script type="module">
import Okra from '/pkg/index.js';

const q = new URLSearchParams(location.search);
const t = (window.__t = { handler: null, events: [], errors: [], closes: [], deliveries: [], Okra });

/** Builds a handler that records every callback into window.__t. */
t.build = (extra = {}) => {
  t.handler = Okra.buildWithOptions({
    key: 'test-key',
    token: 'test-token',
    event_callback_url: q.get('url'),
    onEvent: (e) => t.events.push(e),
    onError: (json, error) => t.errors.push({ json: JSON.parse(JSON.stringify(json)), error: plain(error) }),
    onClose: (json, error) => t.closes.push({ json: JSON.parse(JSON.stringify(json)), error }),
    onDelivery: (report) => t.deliveries.push(report),
    ...extra,
  });
  return t.handler.sessionId;
};

function plain(e) {
  if (e instanceof Error) return { name: e.name, message: e.message };
  try {
    return JSON.parse(JSON.stringify(e));
  } catch {
    return String(e);
  }
}

/** A short widget flow: a few screens and tracked events. */
t.flow = () => {
  const h = t.handler;
  h.screen('landing');
  h.screen('login_method');
  h.track('USER_CONSENT_REVIEW');
  h.track('USER_CONSENT_GRANTED');
  h.track('USER_LOGIN_SELECTION', { method: 'internet_banking' });
  h.screen('bank');
};

/** n tracked events (USER_CONSENT_REVIEW), with data { i, ...data }. */
t.track = (n, data = {}, name = 'USER_CONSENT_REVIEW') => {
  for (let i = 0; i < n; i++) t.handler.track(name, { i, ...data });
  return t.handler.events().length;
};

/**
 * The keys of the stored events, from IndexedDB (the queue's home) and
 * localStorage (its fallback), sorted; null when both throw. Reading
 * IndexedDB starts after the page's writes, so it sees them committed.
 */
t.keys = async () => {
  let local = null;
  try {
    local = Object.keys(localStorage).filter((k) => k.startsWith('okra-events:'));
  } catch {}
  let idb = null;
  try {
    idb = await new Promise((resolve, reject) => {
      const open = indexedDB.open('okra-events');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('queue')) return resolve([]);
        const req = db.transaction('queue', 'readonly').objectStore('queue').getAllKeys();
        req.onsuccess = () => resolve(req.result.map(String));
        req.onerror = () => reject(req.error);
      };
    });
  } catch {}
  if (local === null && idb === null) return null;
  return [...new Set([...(local ?? []), ...(idb ?? [])])].sort();
};

/** Everything the tests compare, as plain data. */
t.snapshot = () => ({
  sessionId: t.handler?.sessionId ?? null,
  events: t.handler ? t.handler.events() : [],
  pending: t.handler ? t.handler.pending() : null,
  errors: t.errors,
  closes: t.closes,
  deliveries: t.deliveries,
});

if (q.get('url') && q.get('build') !== '0') t.build();
// early=n: n events in the module's first task, before the queue's database has opened.
if (t.handler && q.get('early')) t.track(Number(q.get('early')));
t.ready = true;
</script>
`;

/**
 * Starts the page server and the receiver. Resolves to the API described at
 * the top of this file.
 */
export async function startReceiver({ pkgDir = PKG, pages: extraPages = {} } = {}) {
  /** Bodies that are not valid webhook bodies: "channel #index: why". */
  const schemaErrors = [];
  /** channel -> { requests: [], next: [], otherwise, hanging: [] } */
  const channels = new Map();
  const channel = (name) => {
    if (!channels.has(name)) channels.set(name, { requests: [], next: [], otherwise: 200, hanging: [] });
    return channels.get(name);
  };

  // ---- the page origin ------------------------------------------------------
  const pages = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (Object.hasOwn(extraPages, path)) {
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
        .end(extraPages[path]);
      return;
    }
    if (path === '/page.html' || path === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(PAGE_HTML);
      return;
    }
    if (path.startsWith('/pkg/')) {
      const file = normalize(join(pkgDir, path.slice('/pkg/'.length)));
      if (file.startsWith(pkgDir + sep)) {
        try {
          const body = await readFile(file);
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
          return;
        } catch {}
      }
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });

  // ---- the receiver origin --------------------------------------------------
  const answer = (res, action) => {
    if (action === 'hang') return false;
    const { status, retryAfter, expose = true, location } = typeof action === 'object' ? action : { status: action };
    const headers = { ...CORS, 'content-type': 'application/json' };
    if (!expose) delete headers['access-control-expose-headers'];
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    if (location !== undefined) headers.location = location;
    res.writeHead(status, headers).end(JSON.stringify({ ok: status < 300 }));
    return true;
  };

  let landingGets = 0;
  const receiver = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const [, kind, name = ''] = url.pathname.split('/');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS).end();
        return;
      }
      if (req.method === 'GET' && kind === 'landing') {
        // Where a redirect action points: a page that answers 200 to any GET,
        // as the login page behind an auth proxy does.
        landingGets += 1;
        res.writeHead(200, { ...CORS, 'content-type': 'text/html' }).end('<!doctype html><title>landing</title>');
        return;
      }
      if (req.method === 'GET' && kind === 'received') {
        res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(api.received(name)));
        return;
      }
      if (req.method === 'POST' && kind === 'plan') {
        const { next = [], otherwise } = JSON.parse(raw.toString() || '{}');
        api.plan(name, next, otherwise);
        res.writeHead(204, CORS).end();
        return;
      }
      if (req.method === 'POST' && kind === 'release') {
        const { status = 200 } = JSON.parse(raw.toString() || '{}');
        api.release(name, status);
        res.writeHead(204, CORS).end();
        return;
      }
      if (req.method === 'POST' && kind === 'reset') {
        channels.delete(name);
        res.writeHead(204, CORS).end();
        return;
      }
      if (req.method === 'POST' && kind === 'events') {
        const ch = channel(name);
        const text = raw.toString('utf8');
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {}
        const invalid = json === null ? 'the body is not JSON' : check('webhook-body', json);
        if (invalid) schemaErrors.push(`${name} #${ch.requests.length}: ${invalid}`);
        const action = ch.next.length ? ch.next.shift() : ch.otherwise;
        const record = {
          index: ch.requests.length,
          time: Date.now(),
          contentType: req.headers['content-type'] ?? null,
          // 'cors' for fetch(), 'no-cors' for sendBeacon with a text body.
          mode: req.headers['sec-fetch-mode'] ?? null,
          origin: req.headers.origin ?? null,
          bytes: raw.length,
          text,
          json,
          answer: action === 'hang' ? 'hang' : typeof action === 'object' ? action.status : action,
          answered: action !== 'hang',
        };
        ch.requests.push(record);
        if (action === 'hang') {
          ch.hanging.push({ res, record });
          res.on('close', () => {
            ch.hanging = ch.hanging.filter((h) => h.res !== res);
          });
        } else {
          answer(res, action);
        }
        return;
      }
      res.writeHead(404, CORS).end();
    });
  });

  await Promise.all([pages, receiver].map(
    (s) => new Promise((ok, fail) => s.once('error', fail).listen(0, '127.0.0.1', ok)),
  ));
  const pageOrigin = `http://127.0.0.1:${pages.address().port}`;
  const receiverOrigin = `http://127.0.0.1:${receiver.address().port}`;

  const api = {
    pageOrigin,
    receiverOrigin,
    /** The webhook URL of a channel. */
    endpoint: (name) => `${receiverOrigin}/events/${name}`,
    /** The test page, building a handler for channel `name` unless build is false. */
    pageUrl: (name, { build = true, early = 0 } = {}) => {
      if (!name) return `${pageOrigin}/page.html`;
      const q = new URLSearchParams({ url: api.endpoint(name) });
      if (!build) q.set('build', '0');
      if (early) q.set('early', String(early));
      return `${pageOrigin}/page.html?${q}`;
    },
    /** The next answers, in order, then `otherwise` (default unchanged) for the rest. */
    plan(name, next = [], otherwise) {
      const ch = channel(name);
      ch.next = [...next];
      if (otherwise !== undefined) ch.otherwise = otherwise;
    },
    /** Answers every hanging request of a channel with `status`. */
    release(name, status = 200) {
      const ch = channel(name);
      for (const { res, record } of ch.hanging.splice(0)) {
        if (!res.writableEnded && !res.destroyed) {
          answer(res, status);
          record.answer = status;
          record.answered = true;
        }
      }
    },
    /** Requests received on a channel, oldest first. */
    received: (name) => channel(name).requests,
    hanging: (name) => channel(name).hanging.length,
    /** How many GETs reached /landing (where redirect actions point). */
    landings: () => landingGets,
    /** Bodies received that the webhook-body schema rejects, with why. */
    schemaErrors: () => [...schemaErrors],
    /** Stops both servers; rejects if any body received broke the schema. */
    close: async () => {
      await Promise.all([pages, receiver].map((s) => new Promise((ok) => {
        s.closeAllConnections();
        s.close(ok);
      })));
      if (schemaErrors.length) {
        throw new Error(`${schemaErrors.length} webhook bodies broke schema/webhook-body.json: ${schemaErrors.slice(0, 3).join(' | ')}`);
      }
    },
  };
  return api;
}

// `node tests/e2e/receiver.mjs` runs it standalone and prints its addresses.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await startReceiver();
  console.log(`page:     ${r.pageUrl('demo')}\nreceiver: ${r.endpoint('demo')}\nreceived: ${r.receiverOrigin}/received/demo`);
}
