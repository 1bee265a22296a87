// What the registry would publish from pkg/: exactly the intended files,
// a manifest that follows the registry's conventions, a clean report from
// publint and from "are the types wrong" (attw) for every export, the
// registry's README and the license, and a `npm publish --dry-run` that
// succeeds.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';

import { PKG_DIR, ROOT } from './helpers.mjs';
import { SCHEMA_NAMES } from '../schema/validators.mjs';

const run = promisify(execFile);
const pkg = JSON.parse(await readFile(join(PKG_DIR, 'package.json'), 'utf8'));
const npmEnv = { ...process.env, npm_config_loglevel: 'silent', npm_config_update_notifier: 'false', npm_config_fund: 'false' };
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/**
 * The files the package publishes, one line per export (and what it
 * loads), so that a new export is one more line here.
 */
const INTENDED = [
  // '.': the entry, the wasm-bindgen glue, the wasm, its base64 fallback, the types
  'index.js', 'okra_events.js', 'okra_events_bg.wasm', 'okra_events_wasm.js', 'index.d.ts', 'types.d.ts',
  // './host': the merchant's page, plain JavaScript; './host.global.js': its classic script
  'host.js', 'host.d.ts', 'host.global.js', 'host.global.d.ts',
  // './react': the hook over okra-events/host (React, an optional peer)
  'react.js', 'react.d.ts',
  // './react-native': the component, and its decisions over okra-events/host (React Native and react-native-webview, optional peers)
  'react-native.js', 'react-native.d.ts', 'native-host.js',
  // './schema/*.json': the JSON Schemas generated from the core
  ...SCHEMA_NAMES.map((name) => `schema/${name}.json`),
  // './package.json', and what the registry shows
  'package.json', 'README.md', 'LICENSE',
].sort();

/**
 * Every export as [subpath, published file] pairs; a wildcard export is
 * expanded over the published files it matches.
 */
function exportTargets() {
  return Object.entries(pkg.exports).flatMap(([key, target]) => {
    const file = (typeof target === 'string' ? target : target.default).slice(2);
    if (!key.includes('*')) return [[key, file]];
    const [pre, post] = file.split('*');
    return INTENDED.filter((f) => f.startsWith(pre) && f.endsWith(post)).map((f) => [
      key.replace('*', f.slice(pre.length, f.length - post.length)),
      f,
    ]);
  });
}

test('npm pack publishes exactly the intended files', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: PKG_DIR, env: npmEnv });
  const [info] = JSON.parse(stdout);
  assert.deepEqual(info.files.map((f) => f.path).sort(), INTENDED);
});

test('every export, and its types, is a published file', () => {
  const targets = exportTargets();
  assert.ok(targets.some(([subpath]) => subpath === './schema/event.json'), 'the schema wildcard matches the schemas');
  for (const [subpath, file] of targets) assert.ok(INTENDED.includes(file), `${subpath} -> ${file} is published`);
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'object') assert.ok(INTENDED.includes(target.types.slice(2)), `${target.types} is published`);
  }
});

test('the manifest names the repository, its issues, the engines and publishes with provenance', async () => {
  const repository = /^repository = "([^"]+)"/m.exec(await readFile(join(ROOT, 'Cargo.toml'), 'utf8'))[1];
  assert.match(repository, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  assert.deepEqual(pkg.repository, { type: 'git', url: `git+${repository}.git` });
  assert.equal(pkg.homepage, `${repository}#readme`);
  assert.deepEqual(pkg.bugs, { url: `${repository}/issues` });
  assert.equal(pkg.license, 'MIT');
  // process.getBuiltinModule, which the entry reads the wasm with in Node, is 20.16+.
  assert.deepEqual(pkg.engines, { node: '>=20.16' });
  for (const k of ['okra', 'widget', 'events', 'wasm', 'webhook', 'json-schema']) assert.ok(pkg.keywords.includes(k), k);
  assert.deepEqual(pkg.publishConfig, { access: 'public', provenance: true });
});

test('the README is the registry README, and the license is MIT', async () => {
  const readme = await readFile(join(PKG_DIR, 'README.md'), 'utf8');
  assert.equal(readme, await readFile(join(ROOT, 'js', 'README.md'), 'utf8'));
  assert.ok(readme.length < 8 * 1024, `${readme.length} bytes: the registry README stays short`);
  // Merchant first: the page that opens the widget comes before the widget's own code.
  assert.ok(readme.indexOf('widgetUrl') > 0 && readme.indexOf('widgetUrl') < readme.indexOf('connectToHost'));
  assert.match(readme, /npm install okra-events/);
  const license = await readFile(join(PKG_DIR, 'LICENSE'), 'utf8');
  assert.equal(license, await readFile(join(ROOT, 'LICENSE'), 'utf8'));
  assert.match(license, /^MIT License\n/);
  assert.match(await readFile(join(ROOT, 'Cargo.toml'), 'utf8'), /^license = "MIT"$/m);
});

test("the registry README's code type-checks as written, each block a user's strict module", async (t) => {
  const readme = await readFile(join(PKG_DIR, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 3, 'the merchant, widget and schema examples are found');
  const dir = await mkdtemp(join(tmpdir(), 'okra-registry-readme-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(PKG_DIR, join(dir, 'node_modules', 'okra-events'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const files = blocks.map((_, i) => `block${i + 1}.ts`);
  await Promise.all(blocks.map((b, i) => writeFile(join(dir, files[i]), `${b}\nexport {};\n`)));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [],
      module: 'nodenext', moduleResolution: 'nodenext', resolveJsonModule: true,
    },
    files,
  }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});

test('publint reports nothing', async () => {
  const { publint } = await import('publint');
  const { messages } = await publint({ pkgDir: PKG_DIR, strict: true });
  assert.deepEqual(messages, []);
});

test('attw (esm-only) reports nothing for any export', async () => {
  // The package is ESM-only (its entry uses top-level await), so CommonJS
  // resolutions are out of the profile; every other one must be clean.
  const entrypoints = exportTargets().map(([subpath]) => subpath);
  let stdout;
  try {
    ({ stdout } = await run(bin('attw'), ['--pack', '.', '--profile', 'esm-only', '--format', 'json', '--include-entrypoints', ...entrypoints], { cwd: PKG_DIR, env: npmEnv }));
  } catch (e) {
    assert.fail(`attw failed: ${e.stdout || e.message}`);
  }
  const { analysis } = JSON.parse(stdout);
  assert.deepEqual(Object.keys(analysis.entrypoints).sort(), [...new Set([...Object.keys(pkg.exports), ...entrypoints])].sort());
  const ignored = new Set(['node10', 'node16-cjs']);
  const reported = analysis.problems.filter((p) => !ignored.has(p.resolutionKind));
  assert.deepEqual(reported, []);
});

test('npm publish --dry-run succeeds', async () => {
  // --dry-run sends nothing and needs no login; publishConfig's provenance
  // is only acted on by a real publish from CI.
  const { stderr } = await run('npm', ['publish', '--dry-run', '--loglevel', 'notice'], { cwd: PKG_DIR, env: npmEnv });
  assert.match(stderr, /okra-events@\d+\.\d+\.\d+/);
  assert.match(stderr, /\(dry-run\)/);
});
