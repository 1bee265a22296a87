// Assembles the npm package from wasm-bindgen's output:
//   node scripts/package.mjs <bindgen-out-dir> <pkg-dir>
// pkg/ gets the glue, the wasm as its own file (what browsers, bundlers and
// Node load), a base64 copy of it (a fallback the default path never
// downloads), the entry's modules, okra-events/host (plain JavaScript, and
// its classic-script form), okra-events/react (a hook over the host), the
// TypeScript declarations, the JSON Schemas, the registry README, the license
// and package.json.
import { readFileSync, writeFileSync, mkdirSync, rmSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [from, to] = process.argv.slice(2).map((p) => join(root, p));
const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, 'Cargo.toml'), 'utf8'))[1];

rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });

const glue = readFileSync(join(from, 'okra_events.js'), 'utf8')
  // The wasm is passed to initSync; drop the glue's default fetch of a
  // sibling .wasm file so bundlers do not emit it as an asset.
  .replace(/module_or_path = new URL\([^)]*import\.meta\.url\);/, 'throw new Error("okra-events: use initSync");');
if (existsSync(join(from, 'snippets'))) throw new Error('the wasm glue imports JS snippets; the package does not ship them');

const wasm = readFileSync(join(from, 'okra_events_bg.wasm'));
copyFileSync(join(from, 'okra_events_bg.wasm'), join(to, 'okra_events_bg.wasm'));
writeFileSync(
  join(to, 'okra_events_wasm.js'),
  `// The okra-events WebAssembly module (${wasm.length} bytes), base64: only\n// imported where okra_events_bg.wasm cannot be fetched.\nexport default "${wasm.toString('base64')}";\n`,
);
// The entry and its modules, bundled into one minified ESM file (what a page
// downloads is the product's size). The wasm-bindgen glue stays its own
// module, and the base64 fallback its own file, loaded only when needed.
const bundled = await build({
  entryPoints: [join(root, 'js/index.js')],
  bundle: true,
  format: 'esm',
  minify: true,
  write: false,
  external: ['./okra_events.js', './okra_events_wasm.js', './host.js'],
  define: { __VERSION__: JSON.stringify(version) },
  legalComments: 'none',
  target: 'es2022',
});
writeFileSync(join(to, 'index.js'), bundled.outputFiles[0].text);

// okra-events/host, the merchant's page: plain JavaScript with no wasm, as
// one minified ES module, and as a classic script that sets window.Okra.
const hostBuild = (entry, format) =>
  build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format,
    minify: true,
    write: false,
    define: { __VERSION__: JSON.stringify(version) },
    legalComments: 'none',
    target: 'es2020',
  }).then((r) => r.outputFiles[0].text);
writeFileSync(join(to, 'host.js'), await hostBuild('js/host.js', 'esm'));
// okra-events/react-native, the app's side: its pure module (native-host.js,
// built on ./host.js, imported as it is so the host's code is not copied),
// and the component, which imports React Native from the app.
const appBuild = (entry, external) =>
  build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    external,
    legalComments: 'none',
    target: 'es2020',
  }).then((r) => r.outputFiles[0].text);
writeFileSync(join(to, 'native-host.js'), await appBuild('js/native-host.js', ['./host.js']));
writeFileSync(
  join(to, 'react-native.js'),
  await appBuild('js/react-native.js', ['./native-host.js', 'react', 'react-native', 'react-native-webview']),
);
writeFileSync(join(to, 'host.global.js'), await hostBuild('js/host/classic.js', 'iife'));
// okra-events/react: the hook alone. React stays the app's own import, and
// okra-events/host is imported from ./host.js, not bundled a second time.
const reactBuild = await build({
  entryPoints: [join(root, 'js/react/index.js')],
  bundle: true,
  format: 'esm',
  minify: true,
  write: false,
  external: ['react'],
  plugins: [{
    name: 'host-entry',
    setup: (b) => b.onResolve({ filter: /^\.\.\/host\/index\.js$/ }, () => ({ path: './host.js', external: true })),
  }],
  legalComments: 'none',
  target: 'es2020',
});
writeFileSync(join(to, 'react.js'), reactBuild.outputFiles[0].text);
const minifiedGlue = await transform(glue, { minify: true, format: 'esm', target: 'es2022' });
writeFileSync(join(to, 'okra_events.js'), minifiedGlue.code);
for (const d of ['index.d.ts', 'host.d.ts', 'host.global.d.ts', 'react.d.ts', 'react-native.d.ts', 'types.d.ts']) copyFileSync(join(root, 'js', d), join(to, d));

// ---- For the registry: its README (short, for merchants; the repository's
// README is the developers'), the license, and the JSON Schemas generated
// from the core (schema/, exported as okra-events/schema/*.json).
copyFileSync(join(root, 'js/README.md'), join(to, 'README.md'));
copyFileSync(join(root, 'LICENSE'), join(to, 'LICENSE'));
mkdirSync(join(to, 'schema'));
const schemas = readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.json'));
for (const f of schemas) copyFileSync(join(root, 'schema', f), join(to, 'schema', f));
const repository = /^repository = "([^"]+)"/m.exec(readFileSync(join(root, 'Cargo.toml'), 'utf8'))[1];
const registry = {
  repository: { type: 'git', url: `git+${repository}.git` },
  homepage: `${repository}#readme`,
  bugs: { url: `${repository}/issues` },
  // Published from CI with a signed statement of where it was built.
  publishConfig: { access: 'public', provenance: true },
};
// ---- end of the registry block

const pkg = {
  name: 'okra-events',
  version,
  description: 'Typed, ordered, never-lost events for bank-account linking widgets (Rust + WebAssembly)',
  license: 'MIT',
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './host': { types: './host.d.ts', default: './host.js' },
    './host.global.js': { types: './host.global.d.ts', default: './host.global.js' },
    './react': { types: './react.d.ts', default: './react.js' },
    './react-native': { types: './react-native.d.ts', default: './react-native.js' },
    './package.json': './package.json',
    './schema/*.json': './schema/*.json',
  },
  files: [
    'index.js', 'index.d.ts', 'types.d.ts', 'okra_events.js', 'okra_events_bg.wasm', 'okra_events_wasm.js',
    'host.js', 'host.d.ts', 'host.global.js', 'host.global.d.ts', 'react.js', 'react.d.ts',
    'react-native.js', 'react-native.d.ts', 'native-host.js', 'schema/',
  ],
  // Only okra-events/react and okra-events/react-native import them; the other entries never do.
  // react-native-webview 13.13.1 is the first to give onMessage the sending frame's URL.
  peerDependencies: { react: '>=18', 'react-native': '*', 'react-native-webview': '>=13.13.1' },
  peerDependenciesMeta: { react: { optional: true }, 'react-native': { optional: true }, 'react-native-webview': { optional: true } },
  // Importing sends what earlier pages left queued (see index.js), so a
  // side-effect-only `import 'okra-events'` must not be dropped by bundlers.
  sideEffects: ['./index.js', './host.global.js'],
  engines: { node: '>=20.16' },
  keywords: ['okra', 'widget', 'events', 'bank', 'open-banking', 'wasm', 'analytics', 'webhook', 'json-schema'],
  ...registry,
};
writeFileSync(join(to, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
console.log(`pkg/: okra-events@${version}, wasm ${wasm.length} bytes`);
