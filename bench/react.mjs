// Benchmark (the React issue): what okra-events/react costs a React app.
//
// 1. Its own bytes: pkg/react.js, gzip -9. It imports React and the host
//    (./host.js), so neither is in it. Target ≤ 1 KB (1,024 bytes).
// 2. What an app adds by using the hook, the host included: a component that
//    opens the widget with useOkraWidget, bundled by esbuild (bundle, minify,
//    ESM) with React external, gzip -9; beside the same component without
//    the hook, whose bundle is only the component. Target ≤ 4 KB (4,096
//    bytes) for the whole bundle (the component's own lines included, so the
//    hook's share is at most this); the difference is shown too, and the
//    same component calling okra-events/host's buildWithOptions itself, to
//    tell the hook's share from the host's.
//
// Run: node bench/react.mjs   (needs pkg/). Writes bench/out/react.json and bench/out/react.md.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = resolve(process.env.OKRA_EVENTS_PKG ?? join(HERE, '..', 'pkg'));
const OWN_TARGET = 1024;
const APP_TARGET = 4096;
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (b) => `${b.toLocaleString('en-US')} B`;

const OPTIONS = `{
    key: 'pk_live_1',
    token: 'tok_1',
    widgetUrl: 'https://widget.example/link',
    meta: { orderId },
    onSuccess: (data) => console.log('linked', data.record_id),
  }`;
/** What the merchant's component opens the widget with: the hook, the host by hand, or a stand-in that does nothing. */
const OPENERS = {
  with: ["import { useOkraWidget } from 'okra-events/react';", `useOkraWidget(${OPTIONS})`],
  host: ["import { buildWithOptions } from 'okra-events/host';", `{ open: () => buildWithOptions(${OPTIONS}), ready: true, error: null }`],
  without: ['', "{ open: () => console.log('open', orderId), ready: true, error: null }"],
};
const component = ([imports, opener]) => `import { createElement } from 'react';
${imports}
export function Checkout({ orderId }) {
  const { open, ready, error } = ${opener};
  return createElement('div', null,
    createElement('button', { type: 'button', disabled: !ready, onClick: open }, 'Link your bank'),
    error && createElement('p', { role: 'alert' }, error.message));
}
`;

const own = readFileSync(join(PKG, 'react.js'));
const dir = mkdtempSync(join(tmpdir(), 'okra-bench-react-'));
let bundles;
try {
  mkdirSync(join(dir, 'node_modules'));
  cpSync(PKG, join(dir, 'node_modules', 'okra-events'), { recursive: true, dereference: true });
  bundles = {};
  for (const [name, opener] of Object.entries(OPENERS)) {
    writeFileSync(join(dir, `${name}.js`), component(opener));
    const out = await build({
      absWorkingDir: dir,
      entryPoints: [`./${name}.js`],
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2020',
      external: ['react', 'react-dom'],
      legalComments: 'none',
      write: false,
    });
    const code = Buffer.from(out.outputFiles[0].contents);
    if (/from\s*"react\/|require\("react/.test(code.toString())) throw new Error('React was bundled');
    bundles[name] = { raw: code.length, gzip: gz(code) };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const added = bundles.with.gzip - bundles.without.gzip;
const result = {
  own: { raw: own.length, gzip: gz(own), met: gz(own) <= OWN_TARGET },
  app: { with: bundles.with, host: bundles.host, without: bundles.without, added, overHost: bundles.with.gzip - bundles.host.gzip, met: bundles.with.gzip <= APP_TARGET },
  targets: { own: OWN_TARGET, app: APP_TARGET },
};
const lines = [
  '## A React app: okra-events/react',
  '',
  "`okra-events/react`'s own file, and what a React component that opens the widget with `useOkraWidget` bundles: esbuild (bundle, minify, ESM, React external), gzip -9. The component's own lines are in both bundles; the one without the hook has a stand-in that does nothing.",
  '',
  '| what | raw | gzip -9 | target | |',
  '|---|---:|---:|---|---|',
  `| \`react.js\`, the hook alone (imports React and \`./host.js\`) | ${kb(result.own.raw)} | **${kb(result.own.gzip)}** | ≤ ${kb(OWN_TARGET)} | ${result.own.met ? 'met' : '**missed**'} |`,
  `| the component using the hook, host included | ${kb(bundles.with.raw)} | **${kb(bundles.with.gzip)}** | ≤ ${kb(APP_TARGET)} | ${result.app.met ? 'met' : '**missed**'} |`,
  `| the same component without the hook | ${kb(bundles.without.raw)} | ${kb(bundles.without.gzip)} | | |`,
  `| what the hook adds (the difference) | ${kb(bundles.with.raw - bundles.without.raw)} | ${kb(added)} | | |`,
  `| the same component calling okra-events/host's \`buildWithOptions\` itself | ${kb(bundles.host.raw)} | ${kb(bundles.host.gzip)} | | |`,
  `| the hook's share: with the hook, less with the host by hand | ${kb(bundles.with.raw - bundles.host.raw)} | ${kb(result.app.overHost)} | | |`,
  '',
  ...(result.app.met ? [] : [
    `The whole bundle is over ${kb(APP_TARGET)} by the host's own bytes: okra-events/host alone, through the same esbuild, is ${kb(bundles.host.gzip - bundles.without.gzip)} of it, and the hook ${kb(result.app.overHost)}.`,
    '',
  ]),
];
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out/react.json'), JSON.stringify(result, null, 2));
writeFileSync(join(HERE, 'out/react.md'), lines.join('\n'));
console.log(lines.join('\n'));
