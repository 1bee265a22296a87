// The TypeScript declarations, as a user's strict TypeScript sees them: the
// overloads of buildWithOptions (a widget handle with `widgetUrl`, a handler
// without), connectToHost, and the mistakes they catch (@ts-expect-error
// lines fail the compile if the mistake is no longer an error).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { PKG_DIR, ROOT } from './helpers.mjs';
import { TSC, VITE_REACT_TS } from './tsc.mjs';

const USAGE = `
import Okra, { type OkraHandler, type OkraWidget, type OkraWidgetLoadTimeout } from 'okra-events';

// Host mode: the merchant's page opens the widget in its own origin.
const widget: OkraWidget = Okra.buildWithOptions({
  key: 'pk_live_1',
  token: 'tok_1',
  widgetUrl: 'https://widget.example/link',
  container: document.body,
  widgetTimeout: 5000,
  onEvent: (event) => console.log(event.event_name, event.sequence),
  onError: (json, error) => {
    const timeout = error as OkraWidgetLoadTimeout;
    console.log(json, timeout.widget_url);
  },
  onClose: (json, error) => console.log(json.session_id, error),
});
widget.close();
widget.destroy();
const id: string | null = widget.sessionId;
const frame: HTMLIFrameElement = widget.iframe;
const names: string[] = widget.events().map((e) => e.event_name);

// Same page: a handler.
const handler: OkraHandler = Okra.buildWithOptions({ key: 'pk_live_1', token: 'tok_1' });
handler.screen('bank');

// Inside the widget's iframe.
export async function inWidget(): Promise<void> {
  const h: OkraHandler = await Okra.connectToHost({
    allowedOrigins: ['https://merchant.example'],
    widgetTimeout: 10_000,
    onEvent: (e) => console.log(e.withError),
  });
  h.track('USER_BANK_SELECTED', { bank: 'alat' });
}

// @ts-expect-error host mode returns the widget's handle, not a handler
const notAHandler: OkraHandler = Okra.buildWithOptions({ key: 'k', token: 't', widgetUrl: 'https://w.example/' });
// @ts-expect-error a widget handle has no track()
widget.track('USER_BANK_SELECTED');
// @ts-expect-error container is an Element
Okra.buildWithOptions({ key: 'k', token: 't', widgetUrl: 'https://w.example/', container: '#okra' });
// @ts-expect-error allowedOrigins is required
Okra.connectToHost({ onEvent: () => {} });
// Inside a React Native app's WebView: apps only, or apps and web pages.
export async function inApp(): Promise<OkraHandler> {
  await Okra.connectToHost({ allowNativeHost: true, allowedOrigins: ['https://merchant.example'] });
  return Okra.connectToHost({ allowNativeHost: true, onClose: (json) => console.log(json.bounced) });
}
// @ts-expect-error allowNativeHost is a boolean
Okra.connectToHost({ allowedOrigins: ['https://merchant.example'], allowNativeHost: 'yes' });
// @ts-expect-error without allowNativeHost: true, allowedOrigins is required
Okra.connectToHost({ allowNativeHost: false });
// @ts-expect-error connectToHost resolves asynchronously
const notYet: OkraHandler = Okra.connectToHost({ allowedOrigins: ['https://merchant.example'] });

// Data typed with interfaces, optional fields and Dates, as a team's codebase has it.
interface Account { id: string; balance?: number; opened: Date }
interface LinkResult { record_id: string; accounts: Account[]; note?: string }
const result: LinkResult = { record_id: 'r1', accounts: [{ id: 'a1', opened: new Date() }] };
handler.track('USER_ACCOUNT_SELECTED', { account: result.accounts[0] });
handler.success(result);
handler.screen('login', { bank: 'alat', at: new Date() });
handler.fail(new Error('bank down'));
handler.fail('bank down');
handler.fail({ reason: 'bank_down', retryable: true });
// @ts-expect-error functions are not JSON
handler.track('USER_BANK_SELECTED', { bank: 'alat', onPick: () => {} });
// @ts-expect-error bigint is not JSON
handler.success({ amount: 10n });
// @ts-expect-error symbols are not JSON
handler.screen('bank', { key: Symbol('x') });
// @ts-expect-error okra-events' own errors use \`type\`; fail() data keeps out of it
handler.fail({ type: 'BANK_DOWN' });

// onError's error narrows by its type.
Okra.buildWithOptions({
  key: 'k',
  token: 't',
  onError: (json, error) => {
    if (error.type === 'QUEUE_OVERFLOW') {
      const dropped: number = error.dropped;
      const ended: boolean = error.ended;
      console.log(dropped, ended);
    } else if (error.type === 'DELIVERY_REJECTED') {
      const status: number = error.status;
      console.log(status);
    } else if (error.type === 'WIDGET_LOAD_TIMEOUT') {
      const url: string = error.widget_url;
      console.log(url);
    } else if (error instanceof Error) {
      console.log(error.message);
    } else if (error.type === undefined) {
      console.log(error.message);
    }
    console.log(json);
  },
});

console.log(id, frame, names, notAHandler, notYet);

// What a merchant's first day met (each was a compile error): the host's metadata may be
// null before a widget session speaks, the host's own errors are in json.error too, data
// typed as Record<string, unknown> or an interface is accepted, a widgetUrl known only at
// run time works, and every error's kind is error.type.
import HostOkra from 'okra-events/host';
declare const maybeUrl: string | undefined;
declare const loose: Record<string, unknown>;
const either = Okra.buildWithOptions({ key: 'k', token: 't', widgetUrl: maybeUrl });
if ('iframe' in either) either.close();
else either.track('USER_BANK_SELECTED', loose);
handler.track('USER_BANK_SELECTED', loose);
handler.success(loose);
handler.fail(loose);
const hosted = HostOkra.buildWithOptions({
  key: 'k',
  token: 't',
  widgetUrl: 'https://w.example/',
  onError: (json, error) => {
    if ('error' in json && json.error?.type === 'WIDGET_LOAD_TIMEOUT') console.log(json.error.timeout);
    if (error.type === 'WIDGET_FAILED') {
      const reason: 'WASM_UNAVAILABLE' | 'HOST_NOT_ALLOWED' | 'NOT_FRAMED' = error.reason;
      console.log(reason);
    } else if (error.type === 'INVALID_OPTIONS') {
      const option: string | undefined = error.option;
      console.log(option, error instanceof TypeError);
    }
  },
  onClose: (json, error) => {
    const sid: string | null = json.session_id;
    const tid: string | null = json.tracking_id;
    if (error?.type === 'WIDGET_LOAD_TIMEOUT') console.log(error.widget_url);
    console.log(sid, tid);
  },
});
hosted.close();
// @ts-expect-error okra-events/host has no same-page handler: widgetUrl is required
HostOkra.buildWithOptions({ key: 'k', token: 't' });
Okra.buildWithOptions({
  key: 'k',
  token: 't',
  onDelivery: (report) => {
    if (report.state === 'storage') {
      const store: 'memory' | 'localStorage' = report.store;
      console.log(report.type, store);
    } else {
      console.log(report.event_ids.length, report.status);
    }
  },
});
`;

/**
 * Type-checks `source` as a user's TypeScript file importing the package:
 * strict with `resolution`, or with `config` (compiler options) as given.
 */
async function typeCheck(t, source, resolution = 'nodenext', { config, tsc = 5 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'okra-types-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules'));
  await symlink(PKG_DIR, join(dir, 'node_modules', 'okra-events'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(dir, 'usage.ts'), source);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: config ?? {
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      module: resolution === 'bundler' ? 'esnext' : 'nodenext',
      moduleResolution: resolution,
    },
    files: ['usage.ts'],
  }));
  const run = spawnSync(TSC[tsc], ['-p', dir], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc ${tsc} failed:\n${run.stdout}${run.stderr}${run.error ?? ''}`);
}

for (const resolution of ['nodenext', 'bundler']) {
  test(`the declarations type-check a host, a widget, interface-typed data and their mistakes under --strict (${resolution} resolution)`, async (t) => {
    await typeCheck(t, USAGE, resolution);
  });
}

test("the README's usage snippets type-check as written: the merchant's page, the widget's, and a same-page handler", async (t) => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const usage = readme.slice(readme.indexOf('\n## Usage\n'), readme.indexOf('\n### Installing\n'));
  const snippets = [...usage.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(snippets.length, 3, 'three snippets');
  assert.ok(snippets[0].includes("import Okra from 'okra-events/host'"), "the first is the merchant's");
  assert.ok(snippets[1].includes('Okra.connectToHost'), "the second is the widget's");
  for (const snippet of snippets) {
    await typeCheck(t, `${snippet}\nexport {};\n`);
    // As a new Vite + React + TypeScript app has it (noUnusedParameters among them), with
    // this workspace's TypeScript and with TypeScript's latest major.
    for (const tsc of [5, 7]) await typeCheck(t, `${snippet}\nexport {};\n`, 'bundler', { config: VITE_REACT_TS, tsc });
  }
});

/** Where okra-events/react-native's peers are installed (tests/rn, by scripts/setup.sh). */
const RN_MODULES = join(ROOT, 'tests/rn/node_modules');

test("the README's React Native screen, and the component's mistakes, type-check under --strict against React Native's and react-native-webview's types", async (t) => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## React Native\n'), readme.indexOf('\n## Delivery to your webhook\n'));
  const [screen] = [...section.matchAll(/```jsx\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(screen.includes("from 'okra-events/react-native'"));
  const dir = await mkdtemp(join(tmpdir(), 'okra-rn-types-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules', '@types'), { recursive: true });
  await symlink(PKG_DIR, join(dir, 'node_modules', 'okra-events'), 'dir');
  for (const name of ['react', 'react-native', 'react-native-webview', '@types/react']) {
    await symlink(join(RN_MODULES, name), join(dir, 'node_modules', name), 'dir');
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(dir, 'screen.tsx'), screen);
  await writeFile(join(dir, 'mistakes.tsx'), `
import { createRef } from 'react';
import { OkraWidget, type OkraWidgetHandle } from 'okra-events/react-native';

const ref = createRef<OkraWidgetHandle>();
export const ok = <OkraWidget ref={ref} config={{ key: 'k', token: 't', widgetUrl: 'https://widget.example/' }} style={{ flex: 1 }} />;
ref.current?.close();
const id: string | null | undefined = ref.current?.sessionId();
// @ts-expect-error widgetUrl is required
export const noUrl = <OkraWidget config={{ key: 'k', token: 't' }} />;
// @ts-expect-error the options go in config
export const spread = <OkraWidget widgetUrl="https://widget.example/" />;
// @ts-expect-error a handle has no destroy(): unmount the component
ref.current?.destroy();
console.log(id);
`);
  // React Native's own TypeScript settings for apps (@react-native/typescript-config), strict.
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'esnext', lib: ['es2022'], types: [], jsx: 'react-jsx',
      module: 'preserve', moduleResolution: 'bundler', customConditions: ['react-native'], skipLibCheck: true,
      // The package and its peers are symlinked in as an app's node_modules would hold them.
      preserveSymlinks: true,
    },
    files: ['screen.tsx', 'mistakes.tsx'],
  }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});
