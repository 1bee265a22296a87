// The package's declarations against what its callbacks really received: the
// end-to-end tests that ran before this one (bridge.test.mjs for a merchant
// page, delivery.test.mjs for a same-page handler) kept every callback's
// arguments (payloads.mjs); each is written into a TypeScript file as a
// literal of its declared type and compiled with tsc --strict. A field the
// declarations call non-null that arrives null, a missing field, an extra
// one, or a `type` they do not list fails the compile. Run after those tests
// (scripts/test.sh does).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PAYLOADS } from './payloads.mjs';
import { PKG } from './receiver.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Each kind of payload and the type its arguments must have. */
const TYPES = {
  'host--onEvent': 'HostArgs<"onEvent">',
  'host--onSuccess': 'HostArgs<"onSuccess">',
  'host--onError': 'HostArgs<"onError">',
  'host--beforeClose': 'HostArgs<"beforeClose">',
  'host--onClose': 'HostArgs<"onClose">',
  'page--onEvent': 'PageArgs<"onEvent">',
  'page--onError': 'PageArgs<"onError">',
  'page--onClose': 'PageArgs<"onClose">',
  'page--onDelivery': 'PageArgs<"onDelivery">',
};

/** At most this many distinct payloads of a kind are checked (the rest repeat their shapes). */
const PER_KIND = 400;

test('every callback payload the end-to-end tests recorded has its declared type (tsc --strict)', async (t) => {
  assert.ok(existsSync(PAYLOADS), `no payloads at ${PAYLOADS}: run tests/e2e/bridge.test.mjs and delivery.test.mjs first`);
  const files = readdirSync(PAYLOADS).map((f) => f.replace(/\.jsonl$/, ''));
  for (const kind of Object.keys(TYPES)) assert.ok(files.includes(kind), `payloads of ${kind} were recorded`);
  const lines = ['import type { OkraHostOptions, OkraOptions } from "okra-events";'];
  lines.push('type HostArgs<K extends keyof OkraHostOptions> = Parameters<Extract<OkraHostOptions[K], (...args: never[]) => unknown>>;');
  lines.push('type PageArgs<K extends keyof OkraOptions> = Parameters<Extract<OkraOptions[K], (...args: never[]) => unknown>>;');
  let n = 0;
  for (const [kind, type] of Object.entries(TYPES)) {
    const seen = new Set(readFileSync(join(PAYLOADS, `${kind}.jsonl`), 'utf8').split('\n').filter(Boolean));
    const unique = [...seen].slice(0, PER_KIND);
    t.diagnostic(`${kind}: ${seen.size} distinct payloads, ${unique.length} checked`);
    for (const json of unique) lines.push(`export const p${n++}: ${type} = ${json};`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'okra-payloads-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(PKG, join(dir, 'node_modules', 'okra-events'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(dir, 'payloads.ts'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [], module: 'nodenext', moduleResolution: 'nodenext' },
    files: ['payloads.ts'],
  }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const errors = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((l) => l.includes('error TS')).slice(0, 20);
  assert.equal(tsc.status, 0, `${n} payloads; the first type errors:\n${errors.join('\n')}`);
});
