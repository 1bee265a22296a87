// Benchmark (the host issue): what okra-events/host costs the merchant's page,
// beside the same page doing the least it could.
//
// 1. Bytes: a plain <script type="module"> page imports okra-events/host and
//    opens a widget, in headless Chromium; every file that page fetched from
//    the package, gzip -9 each, summed. Then the same app through esbuild,
//    Vite's build and webpack 5: every JS file the page fetched (the app's
//    own few lines included, so the package's share is at most this).
//    Target ≤ 3 KB (3,072 bytes) each. And the classic-script file.
// 2. Time: `buildWithOptions` → the iframe in the page, against a page that
//    inserts the same iframe itself (createElement, src, title, style,
//    append), in the same page, alternated, in Chromium. Medians of warm
//    calls, and each one's first call in a fresh page. Target ≤ 1.5×.
//
// Run: node bench/host.mjs   (needs pkg/ and Vite in www/node_modules).
// Writes bench/out/host.json and bench/out/host.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { serve } from '../www/serve.mjs';
import { launchBrowser } from '../tests/e2e/demo.mjs';
import { runSetup } from '../tests/js/setups.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = resolve(HERE, '..', 'pkg');
const TARGET_BYTES = 3072;
const AIM_BYTES = 2048;
const TARGET_RATIO = 1.5;
const WARM = Number(process.env.BENCH_HOST_CALLS || 400);
const COLD = Number(process.env.BENCH_HOST_COLD || 15);
const log = (...a) => console.error('[host]', ...a);
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const SETUPS = [
  ['module page', 'plain `<script type="module">` page importing okra-events/host (SPEC 9)'],
  ['esbuild + copied .wasm', 'esbuild: bundle, minify, ESM, splitting'],
  ['Vite build', "Vite's production build, no config"],
  ['webpack 5', 'webpack 5, production, target web, no config'],
];

const browser = await launchBrowser();
const pages = [];
let timing;
try {
  // ---- 1. bytes
  for (const [name, how] of SETUPS) {
    const run = await runSetup(browser, name, { host: true });
    if (!run.result?.iframe) throw new Error(`${name}: the app did not open a widget (${JSON.stringify(run.result)})`);
    const fromPackage = (r) => (name === 'module page' ? r.path.includes('/node_modules/okra-events/') : /\.(m?js|wasm)$/.test(r.path));
    const files = run.responses
      .filter((r) => r.status === 200 && fromPackage(r))
      .map((r) => ({ path: r.path, raw: r.body.length, gzip: gz(r.body) }));
    const wasm = run.responses.some((r) => /\.wasm$/.test(r.path) || r.body.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])));
    const total = files.reduce((a, f) => a + f.gzip, 0);
    pages.push({ name, how, files, total, wasm, met: total <= TARGET_BYTES && !wasm });
    log(`${name}: ${total} B gzip in ${files.length} file(s)${wasm ? ' (a .wasm was fetched!)' : ''}`);
  }

  // ---- 2. time
  const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = await serve({ roots: { '/pkg/': PKG, '/': join(HERE, 'host') }, headers: isolated });
  try {
    const measure = async (mode, calls) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${server.origin}/time.html`);
        await page.waitForFunction(() => window.Okra);
        return await page.evaluate(([m, n]) => window.run(m, n), [mode, calls]);
      } finally {
        await context.close();
      }
    };
    // Warm: both ways alternated in one page, so drift hits both alike.
    const warm = await measure('both', WARM);
    // Cold: the first call of each, in a fresh page each time.
    const coldHost = [];
    const coldHand = [];
    for (let i = 0; i < COLD; i++) {
      coldHost.push((await measure('host', 1)).host[0]);
      coldHand.push((await measure('hand', 1)).hand[0]);
    }
    timing = {
      warm: { host: median(warm.host), hand: median(warm.hand), calls: WARM },
      cold: { host: median(coldHost), hand: median(coldHand), pages: COLD },
    };
    timing.warm.ratio = timing.warm.host / timing.warm.hand;
    timing.cold.ratio = timing.cold.host / timing.cold.hand;
    log(`warm: ${timing.warm.host.toFixed(3)} vs ${timing.warm.hand.toFixed(3)} ms (${timing.warm.ratio.toFixed(2)}x); cold: ${timing.cold.host.toFixed(2)} vs ${timing.cold.hand.toFixed(2)} ms (${timing.cold.ratio.toFixed(2)}x)`);
  } finally {
    await server.close();
  }
} finally {
  await browser.close();
}

const classic = readFileSync(join(PKG, 'host.global.js'));
const classicGzip = gz(classic);
const kb = (b) => `${b.toLocaleString('en-US')} B`;
const ratio = (r) => `${r.toFixed(r > TARGET_RATIO - 0.005 && r < TARGET_RATIO + 0.005 ? 3 : 2)}×`;
const lines = [
  '## The merchant\'s page: okra-events/host',
  '',
  `A page that imports \`okra-events/host\` and opens a widget in a container. Bytes: every file the merchant page's own frame fetched from the package (the module page), or every JS file it fetched (the bundlers: the app's few lines included), gzip -9 per file, summed. Target ≤ ${kb(TARGET_BYTES)} (aim ≤ ${kb(AIM_BYTES)}); okra-js's \`dist/bundle.js\` is 2.1 KB gzip.`,
  '',
  '| page | how | files | gzip -9 | WebAssembly fetched | target |',
  '|---|---|---|---:|---|---|',
  ...pages.map((p) => `| ${p.name} | ${p.how} | ${p.files.map((f) => `\`${f.path.split('/').pop()}\` ${kb(f.gzip)}`).join(', ')} | **${kb(p.total)}** | ${p.wasm ? '**yes**' : 'no'} | ${p.met ? 'met' : '**missed**'} |`),
  `| classic script | \`host.global.js\`, which sets \`window.Okra\` | \`host.global.js\` ${kb(classic.length)} raw | **${kb(classicGzip)}** | no | ${classicGzip <= TARGET_BYTES ? 'met' : '**missed**'} |`,
  '',
  `Time from \`buildWithOptions\` to the iframe in the page, against inserting the same iframe by hand, in Chromium (median; warm: ${timing.warm.calls} calls of each, alternated in one page; first call: the first call in a fresh page, ${timing.cold.pages} pages each). Target ≤ ${TARGET_RATIO}×.`,
  '',
  '| | okra-events/host | by hand | ratio | target |',
  '|---|---:|---:|---:|---|',
  `| warm | ${timing.warm.host.toFixed(3)} ms | ${timing.warm.hand.toFixed(3)} ms | ${ratio(timing.warm.ratio)} | ${timing.warm.ratio <= TARGET_RATIO ? 'met' : '**missed**'} |`,
  `| first call in a page | ${timing.cold.host.toFixed(3)} ms | ${timing.cold.hand.toFixed(3)} ms | ${ratio(timing.cold.ratio)} | ${timing.cold.ratio <= TARGET_RATIO ? 'met' : '**missed**'} |`,
  '',
];
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out/host.json'), JSON.stringify({ pages, classic: { raw: classic.length, gzip: classicGzip }, timing, targets: { bytes: TARGET_BYTES, ratio: TARGET_RATIO } }, null, 2));
writeFileSync(join(HERE, 'out/host.md'), lines.join('\n'));
console.log(lines.join('\n'));
