// The published shape of the package: package.json, the files it ships, an
// install from the packed tarball, and TypeScript declarations that match
// what the code does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, afterEach, test } from 'node:test';

import {
  Okra,
  PKG_DIR,
  SCREENS,
  TRACKABLE_EVENTS,
  build,
  cleanup,
  installWindow,
  interfaceFields,
  readDts,
  recorder,
  runModule,
  unionMembers,
} from './helpers.mjs';

const run = promisify(execFile);
const pkg = JSON.parse(await readFile(join(PKG_DIR, 'package.json'), 'utf8'));
const dts = await readDts();

afterEach(cleanup);

test('package.json names the package okra-events, ESM, with exports, types, files and sideEffects', () => {
  assert.equal(pkg.name, 'okra-events');
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.type, 'module');
  assert.ok(pkg.exports && typeof pkg.exports === 'object', 'exports');
  const root = pkg.exports['.'];
  assert.ok(root && typeof root === 'object', "exports['.'] is a conditions object");
  assert.equal(root.types, './index.d.ts', "exports['.'].types");
  assert.equal(Object.keys(root)[0], 'types', "the 'types' condition comes first");
  assert.ok(root.import || root.default, "exports['.'] has an import or default condition");
  assert.equal(pkg.types, './index.d.ts');
  assert.ok(Array.isArray(pkg.files) && pkg.files.length > 0, 'files');
  assert.ok('sideEffects' in pkg, 'sideEffects is declared');
  assert.ok(typeof pkg.sideEffects === 'boolean' || Array.isArray(pkg.sideEffects));
});

test('every file listed in files, and every exports target, exists', () => {
  for (const f of pkg.files) assert.ok(existsSync(join(PKG_DIR, f)), `files entry ${f} exists`);
  const targets = [];
  const walk = (v) => {
    if (typeof v === 'string') targets.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  for (const t of targets) {
    // A subpath pattern (./schema/*.json) must match at least one file.
    const found = t.includes('*')
      ? readdirSync(join(PKG_DIR, dirname(t))).some((f) => new RegExp(`^${basename(t).replace('.', '\\.').replace('*', '.+')}$`).test(f))
      : existsSync(join(PKG_DIR, t));
    assert.ok(found, `exports target ${t} exists`);
  }
  assert.ok(pkg.files.includes('index.d.ts'), 'the declarations are shipped');
});

let scratch;
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('the packed tarball installs and imports by name, with its types', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'okra-events-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], {
    cwd: PKG_DIR,
    env: { ...process.env, npm_config_loglevel: 'silent', npm_config_update_notifier: 'false' },
  });
  const [info] = JSON.parse(stdout);
  const packed = info.files.map((f) => f.path).sort();
  for (const f of ['package.json', 'index.js', 'index.d.ts']) assert.ok(packed.includes(f), `${f} is packed`);
  const modules = join(scratch, 'node_modules', 'okra-events');
  await mkdir(modules, { recursive: true });
  await run('tar', ['xzf', join(scratch, info.filename), '-C', modules, '--strip-components=1']);
  const { result } = await runModule(
    `
    import Okra from 'okra-events';
    import { readFileSync, existsSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const pj = require('okra-events/package.json');
    const dir = 'node_modules/okra-events/';
    console.log(JSON.stringify({
      catalog: Okra.events.length,
      typesExist: existsSync(dir + pj.types),
      typesHaveUnion: readFileSync(dir + pj.types, 'utf8').includes('OkraEventName'),
    }));
  `,
    { cwd: scratch },
  );
  assert.deepEqual(result, { catalog: 37, typesExist: true, typesHaveUnion: true });
});

test('OkraEventName lists exactly the names in Okra.events, in the same order', () => {
  const union = unionMembers(dts, 'OkraEventName');
  assert.equal(union.length, 37);
  assert.deepEqual(union, Okra.events.map((e) => e.name));
});

test('OkraEventAlias is WIDGET_USER_INTERNET_DISCONNECTED', () => {
  assert.deepEqual(unionMembers(dts, 'OkraEventAlias'), ['WIDGET_USER_INTERNET_DISCONNECTED']);
});

test('OkraScreen lists exactly the screens of the contract', () => {
  assert.deepEqual([...unionMembers(dts, 'OkraScreen')].sort(), [...SCREENS].sort());
});

test('OkraEventCategory lists exactly the categories used by the catalog', () => {
  const declared = [...unionMembers(dts, 'OkraEventCategory')].sort();
  assert.deepEqual(declared, ['auth', 'general', 'network', 'payment', 'returning_user']);
  assert.deepEqual([...new Set(Okra.events.map((e) => e.category))].sort(), declared);
});

test('OkraTrackableEventName lists exactly the names track() accepts', () => {
  installWindow();
  const h = build();
  const accepted = Okra.events
    .map((e) => e.name)
    .filter((name) => {
      try {
        h.track(name);
        return true;
      } catch (e) {
        assert.ok(e instanceof TypeError, `${name}: ${e}`);
        return false;
      }
    });
  assert.deepEqual([...unionMembers(dts, 'OkraTrackableEventName')].sort(), [...accepted].sort());
  assert.deepEqual([...accepted].sort(), [...TRACKABLE_EVENTS].sort());
});

test('the declarations use no `any`', () => {
  const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(code, /\bany\b/);
});

test('OkraEvent declares exactly the fields of a real event', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks });
  assert.deepEqual([...interfaceFields(dts, 'OkraEvent')].sort(), Object.keys(rec.events[0]).sort());
});

test('OkraSessionMetadata declares exactly the fields of the close metadata', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks }).close();
  const [, json] = rec.find('close');
  assert.deepEqual([...interfaceFields(dts, 'OkraSessionMetadata')].sort(), Object.keys(json).sort());
});

test('OkraSuccessData declares the fields onSuccess receives', () => {
  installWindow();
  const rec = recorder();
  build({ ...rec.callbacks }).success({});
  const [, data] = rec.find('success');
  assert.deepEqual([...interfaceFields(dts, 'OkraSuccessData')].sort(), Object.keys(data).sort());
});

test('OkraHandler declares the handler API, and the handler has it', () => {
  installWindow();
  const h = build();
  const fields = interfaceFields(dts, 'OkraHandler');
  for (const m of ['screen', 'track', 'success', 'fail', 'close', 'destroy', 'events']) {
    assert.ok(fields.includes(m), `d.ts declares ${m}`);
    assert.equal(typeof h[m], 'function', `handler.${m} is a function`);
  }
  for (const p of ['sessionId', 'trackingId', 'options']) {
    assert.ok(fields.includes(p), `d.ts declares ${p}`);
    assert.notEqual(h[p], undefined, `handler.${p} is present`);
  }
});

test('OkraOptions declares every option the contract checks', () => {
  const fields = interfaceFields(dts, 'OkraOptions');
  for (const o of [
    'key',
    'token',
    'env',
    'products',
    'event_callback_url',
    'options',
    'meta',
    'onSuccess',
    'onError',
    'onClose',
    'onEvent',
    'beforeClose',
    'timeout',
    'reconnect_grace',
  ]) {
    assert.ok(fields.includes(o), `OkraOptions declares ${o}`);
  }
});
