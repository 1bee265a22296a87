// The demo's static server: node:http on 127.0.0.1, no dependencies.
//
// `make demo` runs it as a program, to serve the built demo (www/dist) on two
// origins, as production does: the merchant page on http://127.0.0.1:5173 and
// the widget's own page on http://127.0.0.1:5174 (PORT and WIDGET_PORT choose
// them). The end-to-end tests import serve() to do the same on their own ports.
//
// Each page's origin settings are filled into its <meta> tags as it is served:
// the merchant page learns the widget's origin, the widget page the merchant
// origins allowed to embed it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = resolve(fileURLToPath(new URL('./dist', import.meta.url)));

/** Content types by extension. */
export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
};

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sets `<meta name="NAME" content="...">` in an HTML page. */
function fillMeta(html, meta) {
  for (const [name, value] of Object.entries(meta)) {
    html = html.replace(new RegExp(`(<meta name="${name}" content=")[^"]*(")`), `$1${escape(value)}$2`);
  }
  return html;
}

/**
 * Serves directories on one origin. `roots` maps a path prefix to a
 * directory ({ '/': DIST, '/pkg/': ... }); `meta` fills <meta> tags of HTML
 * pages; `headers` are added to HTML pages (e.g. a Content-Security-Policy),
 * or, as a function of the page's path, the headers it returns;
 * with `record`, every request's URL is kept in `requests` (for tests).
 * Resolves to { url, origin, port, requests, close() }.
 */
export async function serve({ roots = { '/': DIST }, meta = {}, headers = {}, port = 0, host = '127.0.0.1', record = false } = {}) {
  const requests = [];
  const mounts = Object.entries(roots).map(([prefix, dir]) => [prefix, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    if (record) requests.push(req.url);
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p)) ?? [];
    if (!dir) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const rest = path.slice(prefix.length);
    const file = normalize(join(dir, rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest));
    if (file !== dir && !file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let body = await readFile(file);
      const html = extname(file) === '.html';
      if (html) body = fillMeta(body.toString('utf8'), meta);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...(html && (typeof headers === 'function' ? headers(path) : headers)),
      }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const origin = `http://${host}:${server.address().port}`;
  return {
    origin,
    url: `${origin}/`,
    port: server.address().port,
    requests,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(ok);
    }),
  };
}

/**
 * The Content Security Policy of each demo page: the README's directives
 * for a host page and a widget page. `connect-src` allows any loopback port,
 * since the demo's webhook can be moved with ?webhook=.
 */
function policy(extra) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' http://127.0.0.1:*",
    ...extra,
  ].join('; ');
}

/** The demo's two origins: the merchant page and the widget's own page. */
export async function serveDemo({ port = 0, widgetPort = 0, host = '127.0.0.1' } = {}) {
  // The widget's origin must be known before the merchant page is served,
  // and the merchant's before the widget's page is: listen first, fill later.
  const filled = { merchant: {}, widget: {} };
  const headers = { merchant: {}, widget: {} };
  const widget = await serve({ meta: filled.widget, headers: headers.widget, port: widgetPort, host });
  const merchant = await serve({ meta: filled.merchant, headers: headers.merchant, port, host });
  filled.merchant['okra-widget-origin'] = widget.origin;
  filled.widget['okra-allowed-origins'] = merchant.origin;
  // The merchant page may frame only the widget's origin; the widget page may
  // be framed only by the merchant's (clickjacking), as the README advises.
  headers.merchant['content-security-policy'] = policy([`frame-src ${widget.origin}`]);
  headers.widget['content-security-policy'] = policy([`frame-ancestors ${merchant.origin}`]);
  return { merchant, widget, close: () => Promise.all([merchant.close(), widget.close()]) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { merchant, widget } = await serveDemo({
    port: Number(process.env.PORT || 5173),
    widgetPort: Number(process.env.WIDGET_PORT || 5174),
  });
  console.log(`merchant page ${merchant.url} · widget origin ${widget.origin}`);
}
