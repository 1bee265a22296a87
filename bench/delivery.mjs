// Benchmark (issues 3 and 14): the cost per event of emit + persist with an
// event_callback_url, at queue depth ~10 and ~1,000, in headless Chromium,
// against the real receiver of tests/e2e/receiver.mjs: okra-events with its
// queue in IndexedDB (the default), and in localStorage (IndexedDB blocked,
// its fallback). Beside it, in the same pages and run, two baselines: a
// plain-JS emitter that writes one localStorage entry per event, and a
// plain-JS queue that rewrites the whole queue (JSON.stringify of an array)
// into localStorage on every event, as Snowplow, RudderStack and Amplitude do.
//
// Timed: the main thread's work, which is what a page feels. A block ends
// after the microtask in which okra-events hands the block's events to one
// IndexedDB transaction, so that work is counted; the disk write itself runs
// off the main thread.
//
// Per round (a fresh browser context each, see round()): blocks of BLOCK
// tracks alternate between a queue at depth ~10 and one at depth ~1,000 (its
// webhook hangs, so it only grows). Reported: the median per-event time
// (block time / BLOCK) at each depth, and their ratio (the target for
// okra-events is <= 1.2: flat).
//
// Run: node bench/delivery.mjs   (needs pkg/: scripts/build.sh). Writes bench/delivery.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { startReceiver } from '../tests/e2e/receiver.mjs';

const ROUNDS = Number(process.env.ROUNDS || 5);
const PAIRS = 8; // interleaved (shallow, deep) block pairs per round
const BLOCK = 50;
const SHALLOW = 10;
const DEEP = 1_000;
const WARMUP = 300;
const TARGET = 1.2;
const OUT = new URL('./delivery.md', import.meta.url);

const receiver = await startReceiver();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});

async function until(fn, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/**
 * One round in a fresh context. Two handlers on two webhooks: "shallow"
 * answers 200 and is drained back to empty before each of its blocks (so each
 * block starts at depth SHALLOW); "deep" hangs and holds DEEP events or more.
 * Blocks alternate shallow, deep, shallow, deep, ... in the same warm page;
 * the baseline's two arrays are timed the same way, in the same page.
 * Returns { sdk: { shallow: [µs...], deep: [µs...], depths }, base: {...} }.
 */
async function round(i, mode) {
  const shallow = `bench-${mode}-${i}-shallow`;
  const deep = `bench-${mode}-${i}-deep`;
  receiver.plan(shallow, [], 200);
  receiver.plan(deep, [], 'hang');
  const context = await browser.newContext();
  if (mode === 'localStorage') {
    await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { configurable: true, get: () => undefined }));
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(receiver.pageUrl());
  await page.waitForFunction(() => window.__t?.ready === true);

  // Handlers without callbacks: only emit + persist is timed.
  await page.evaluate(([s, d, BLOCK]) => {
    const { Okra } = window.__t;
    const h = (url) => Okra.buildWithOptions({ key: 'k', token: 't', event_callback_url: url });
    const b = (window.__b = { shallow: h(s), deep: h(d) });
    const data = { bank: 'alat' };
    /** Fills a handler's queue to `depth`, then times BLOCK tracks: µs per event and the starting depth. */
    const microtask = () => new Promise((ok) => queueMicrotask(ok));
    b.sdk = async (which, depth) => {
      const handler = b[which];
      while (handler.pending() < depth) handler.track('USER_CONSENT_REVIEW', data);
      await new Promise((ok) => setTimeout(ok));
      const at = handler.pending();
      const t0 = performance.now();
      for (let j = 0; j < BLOCK; j++) handler.track('USER_CONSENT_REVIEW', data);
      await microtask(); // after the store's flush of this block
      return { us: ((performance.now() - t0) * 1000) / BLOCK, at };
    };
    // Baseline: the same events built in JS, kept in an array that is
    // rewritten whole into localStorage on every event.
    const template = b.shallow.events()[0];
    let seq = 0;
    const queues = { shallow: [], deep: [] };
    const make = () => ({
      ...template,
      event_name: 'USER_CONSENT_REVIEW',
      event_time: new Date().toISOString(),
      event_data: { tracking_id: template.event_data.tracking_id, ...data },
      event_id: crypto.randomUUID(),
      sequence: ++seq,
    });
    // Plain JS + localStorage: the same events, one entry each.
    b.plain = async (which, depth) => {
      const at = depth;
      const t0 = performance.now();
      for (let j = 0; j < BLOCK; j++) {
        const e = make();
        localStorage.setItem(`plain:${which}:${e.sequence}`, JSON.stringify(e));
      }
      await microtask();
      const us = ((performance.now() - t0) * 1000) / BLOCK;
      for (const k of Object.keys(localStorage)) if (k.startsWith('plain:')) localStorage.removeItem(k);
      return { us, at };
    };
    b.base = (which, depth) => {
      const queue = queues[which];
      const key = `baseline-queue:${which}`;
      queue.length = Math.min(queue.length, depth); // back to the depth (as if delivered)
      while (queue.length < depth) queue.push(make()); // filling is not timed
      localStorage.setItem(key, JSON.stringify(queue));
      const at = queue.length;
      const t0 = performance.now();
      for (let j = 0; j < BLOCK; j++) {
        queue.push(make());
        localStorage.setItem(key, JSON.stringify(queue));
      }
      return { us: ((performance.now() - t0) * 1000) / BLOCK, at };
    };
  }, [receiver.endpoint(shallow), receiver.endpoint(deep), BLOCK]);
  await until(() => receiver.hanging(deep) === 1, 'the deep webhook to hang');

  // Warm up (JIT, wasm, storage) on the shallow webhook, which drains it.
  await page.evaluate((n) => {
    for (let j = 0; j < n; j++) window.__b.shallow.track('USER_CONSENT_REVIEW', { j });
  }, WARMUP);
  const drained = () => page.waitForFunction(() => window.__b.shallow.pending() === 0, null, { timeout: 30_000 });
  await drained();

  const out = {
    sdk: { shallow: [], deep: [], depths: [] },
    plain: { shallow: [], deep: [], depths: [] },
    base: { shallow: [], deep: [], depths: [] },
  };
  for (let p = 0; p < PAIRS; p++) {
    for (const impl of p % 2 === 0 ? ['sdk', 'plain', 'base'] : ['base', 'plain', 'sdk']) {
      for (const [which, depth] of p % 2 === i % 2 ? [['shallow', SHALLOW], ['deep', DEEP]] : [['deep', DEEP], ['shallow', SHALLOW]]) {
        if (impl === 'sdk' && which === 'shallow') await drained();
        const r = await page.evaluate(([impl, which, depth]) => window.__b[impl](which, depth), [impl, which, depth]);
        out[impl][which].push(r.us);
        out[impl].depths.push([which, r.at]);
      }
    }
  }
  if (errors.length) throw new Error(`bench: page errors: ${errors.join('; ')}`);
  await context.close();
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const started = Date.now();
const version = browser.version();
const MODES = ['indexeddb', 'localStorage'];
const byMode = { indexeddb: [], localStorage: [] };
for (let i = 0; i < ROUNDS; i++) {
  // Modes alternate, so a busy moment on the machine hits both alike.
  for (const mode of i % 2 ? [...MODES].reverse() : MODES) {
    const r = await round(i, mode);
    byMode[mode].push(r);
    console.error(`round ${i + 1}/${ROUNDS} (${mode}): okra-events ${fmt(median(r.sdk.shallow))} / ${fmt(median(r.sdk.deep))} µs, ` +
      `plain JS + localStorage ${fmt(median(r.plain.shallow))} µs, baseline ${fmt(median(r.base.shallow))} / ${fmt(median(r.base.deep))} µs`);
  }
}
const rounds = byMode.indexeddb;
await browser.close();
await receiver.close();

function fmt(x) {
  return x.toFixed(1);
}
const r2 = (x) => x.toFixed(2);

/** Medians over every block of every round, and the per-round ratios. */
const summary = (impl, rounds = byMode.indexeddb) => {
  const shallowAll = rounds.flatMap((r) => r[impl].shallow);
  const deepAll = rounds.flatMap((r) => r[impl].deep);
  const d10 = median(shallowAll);
  const d1000 = median(deepAll);
  const ratios = rounds.map((r) => median(r[impl].deep) / median(r[impl].shallow));
  const depths = (w) => rounds.flatMap((r) => r[impl].depths.filter(([x]) => x === w).map(([, d]) => d));
  return { d10, d1000, ratio: d1000 / d10, min: Math.min(...ratios), max: Math.max(...ratios), shallowDepths: depths('shallow'), deepDepths: depths('deep') };
};
const sdk = summary('sdk');
const local = summary('sdk', byMode.localStorage);
const plain = summary('plain', [...byMode.indexeddb, ...byMode.localStorage]);
const base = summary('base', [...byMode.indexeddb, ...byMode.localStorage]);
/** Persisted per-event cost over plain JS + localStorage (target: at most 2). */
const vsPlain = (x) => ((x.d10 + x.d1000) / 2) / plain.d10;
const range = (xs) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);
const blocks = ROUNDS * PAIRS;

const md = `# Delivery benchmark: cost per event of emit + persist

\`node bench/delivery.mjs\` — headless Chromium ${version}, Node ${process.version}, ${os.cpus().length} CPU(s)
(${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg()[0].toFixed(2)} at the end, ${ROUNDS} rounds, ${Math.round((Date.now() - started) / 1000)} s.

Per event: the main-thread time of a block of ${BLOCK} \`handler.track()\` calls (emit + persist: the block
ends after the microtask in which okra-events hands the block's events to one IndexedDB transaction;
the disk write runs off the main thread), divided by ${BLOCK}. okra-events is measured with its queue in
IndexedDB (the default) and, in other contexts of the same run with IndexedDB blocked, in localStorage. Two webhooks in the same page: one answers 200 and is drained before each of its blocks, so its
blocks start at queue depth ${range(sdk.shallowDepths)}; the other hangs, so its queue only grows and its blocks start
at depth ${range(sdk.deepDepths)}. Blocks alternate between the two (${blocks} of each), in a fresh browser context
per round after a warm-up of ${WARMUP} events. "Plain JS + localStorage" builds the same event in JS and writes it
as one localStorage entry. The other baseline is a plain-JS queue that rewrites the whole queue
(\`localStorage.setItem(key, JSON.stringify(queue))\`) on every event, timed the same way in the same pages at
depths ${range(base.shallowDepths)} and ${range(base.deepDepths)}. Figures are medians over all blocks; the ratio is depth ~1,000 over
depth ~10, with the range of the per-round ratios.

| queue | per event at depth ~${SHALLOW} | per event at depth ~${DEEP.toLocaleString('en')} | flatness: ~1,000 / ~10 (per-round range) | target ≤ ${TARGET} | over plain JS + localStorage | target ≤ 2 |
| --- | ---: | ---: | ---: | --- | ---: | --- |
| okra-events, IndexedDB (one record per event) | ${fmt(sdk.d10)} µs | ${fmt(sdk.d1000)} µs | **${r2(sdk.ratio)}** (${r2(sdk.min)}–${r2(sdk.max)}) | ${sdk.ratio <= TARGET ? 'met' : 'NOT met'} | **${r2(vsPlain(sdk))}** | ${vsPlain(sdk) <= 2 ? 'met' : 'NOT met'} |
| okra-events, localStorage fallback (one entry per event) | ${fmt(local.d10)} µs | ${fmt(local.d1000)} µs | **${r2(local.ratio)}** (${r2(local.min)}–${r2(local.max)}) | ${local.ratio <= TARGET ? 'met' : 'NOT met'} | ${r2(vsPlain(local))} | ${vsPlain(local) <= 2 ? 'met' : 'NOT met'} |
| plain JS + localStorage (one entry per event) | ${fmt(plain.d10)} µs | — | — | — | 1.00 | — |
| baseline (rewrite the whole queue per event) | ${fmt(base.d10)} µs | ${fmt(base.d1000)} µs | **${r2(base.ratio)}** (${r2(base.min)}–${r2(base.max)}) | — | — | — |

At depth ~${DEEP.toLocaleString('en')} okra-events costs ${fmt(sdk.d1000)} µs per event, the baseline ${fmt(base.d1000)} µs
(${fmt(base.d1000 / sdk.d1000)}×). Timings come from \`performance.now()\` in the page (coarsened outside
cross-origin isolation, hence whole blocks are timed). The machine was shared with other work, so single
blocks are noisy; the medians are what to compare.

<details><summary>Per round: median µs per event, depth ~${SHALLOW} / ~${DEEP.toLocaleString('en')}</summary>

| round | okra-events, IndexedDB | okra-events, localStorage | plain JS + localStorage | baseline |
| ---: | --- | --- | --- | --- |
${byMode.indexeddb.map((r, i) => { const l = byMode.localStorage[i]; return `| ${i + 1} | ${fmt(median(r.sdk.shallow))} / ${fmt(median(r.sdk.deep))} | ${fmt(median(l.sdk.shallow))} / ${fmt(median(l.sdk.deep))} | ${fmt(median(r.plain.shallow))} | ${fmt(median(r.base.shallow))} / ${fmt(median(r.base.deep))} |`; }).join('\n')}

</details>
`;
writeFileSync(OUT, md);
console.log(md);
