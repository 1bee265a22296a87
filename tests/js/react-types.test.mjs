// okra-events/react's declarations, as a strict TypeScript React app sees
// them: a .tsx component using the hook, and the mistakes they catch
// (@ts-expect-error lines fail the compile if the mistake is no longer an
// error); the README's component as written. The hook's types come from the
// host's own, with no `any`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { PKG_DIR, ROOT } from './setups.mjs';
import { TSC, VITE_REACT_TS } from './tsc.mjs';

const USAGE = `
import { useRef, useState } from 'react';
import { useOkraWidget, type OkraOpenError, type OkraReactOptions, type OkraWidget } from 'okra-events/react';

export function Checkout({ orderId }: { orderId: string }) {
  const slot = useRef<HTMLDivElement>(null);
  const [linked, setLinked] = useState<string | null>(null);
  const { open, close, ready, error, widget } = useOkraWidget({
    key: 'pk_live_1',
    token: 'tok_1',
    env: 'production',
    widgetUrl: 'https://widget.example/link',
    container: slot,
    widgetTimeout: 10_000,
    meta: { orderId },
    name: 'Acme',
    onEvent: (event) => console.log(event.event_name, event.sequence, event.withError),
    onSuccess: (data) => setLinked(data.record_id),
    onError: (json, err) => {
      if (err.type === 'WIDGET_FAILED') {
        const reason: 'WASM_UNAVAILABLE' | 'HOST_NOT_ALLOWED' | 'NOT_FRAMED' = err.reason;
        console.log(reason);
      } else if (err.type === 'WIDGET_LOAD_TIMEOUT') {
        const ms: number = err.timeout;
        console.log(ms);
      }
      console.log(json);
    },
    beforeClose: (json) => console.log(json.events_count),
    onClose: (json) => console.log(json.bounced),
  });
  const problem: string | null =
    error === null ? null
    : error.type === 'WIDGET_LOAD_TIMEOUT' ? \`no answer in \${error.timeout} ms\`
    : error.type === 'WIDGET_FAILED' ? error.reason
    : error.type === 'INVALID_OPTIONS' ? \`check the option \${error.option ?? '?'}\`
    : error.message;
  const frame: HTMLIFrameElement | undefined = widget?.iframe;
  const handle: OkraWidget | null = widget;
  return (
    <div>
      <button type="button" disabled={!ready || widget !== null} onClick={open}>Link your bank</button>
      <button type="button" onClick={close}>Cancel</button>
      {problem && <p role="alert">{problem}</p>}
      {linked && <p>Linked {linked}</p>}
      <div ref={slot} data-frame={frame?.title} data-open={String(handle !== null)} />
    </div>
  );
}

// An element works as a container too, and so does nothing (the overlay).
export function options(el: HTMLElement): OkraReactOptions[] {
  return [
    { key: 'k', token: 't', widgetUrl: 'https://w.example/', container: el },
    { key: 'k', token: 't', widgetUrl: 'https://w.example/', container: null },
    { key: 'k', token: 't', widgetUrl: 'https://w.example/' },
  ];
}
export const last = (e: OkraOpenError): string => e.message;

export function Mistakes() {
  // @ts-expect-error onSuccess gets the success data, not a string
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', onSuccess: (data: string) => console.log(data) });
  // @ts-expect-error an event has no \`name\`; it is \`event_name\`
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', onEvent: (event) => console.log(event.name) });
  // @ts-expect-error onError's error is not a number
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', onError: (_json, error: number) => console.log(error) });
  // @ts-expect-error onClose gets the session's metadata first
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', onClose: (json: string) => console.log(json) });
  // @ts-expect-error a callback must be a function
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', onSuccess: 'done' });
  // @ts-expect-error widgetUrl is required
  useOkraWidget({ key: 'k', token: 't' });
  // @ts-expect-error container is an element or a ref, not a selector
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', container: '#okra' });
  // @ts-expect-error env is production or production-sandbox
  useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/', env: 'sandbox' });
  const { open, error, widget } = useOkraWidget({ key: 'k', token: 't', widgetUrl: 'https://w.example/' });
  // @ts-expect-error open() takes no options: they are the hook's
  open({ key: 'k' });
  // @ts-expect-error widget is null until open()
  widget.close();
  // @ts-expect-error error is null unless open() failed
  console.log(error.message);
  // @ts-expect-error a load timeout is data, not an Error: it has no stack
  if (error?.type === 'WIDGET_LOAD_TIMEOUT') console.log(error.stack);
  return null;
}
`;

/**
 * Type-checks `source` as a user's .tsx file importing okra-events/react, with React's
 * types: strict with `resolution`, or with `config` (compiler options) as given.
 */
async function typeCheck(t, source, resolution, { config, tsc = 5 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'okra-react-types-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'node_modules', '@types'), { recursive: true });
  await symlink(PKG_DIR, join(dir, 'node_modules', 'okra-events'), 'dir');
  await symlink(join(ROOT, 'node_modules', '@types', 'react'), join(dir, 'node_modules', '@types', 'react'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(dir, 'usage.tsx'), source);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: config ?? {
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      jsx: 'react-jsx',
      module: resolution === 'bundler' ? 'esnext' : 'nodenext',
      moduleResolution: resolution,
    },
    files: ['usage.tsx'],
  }));
  const run = spawnSync(TSC[tsc], ['-p', dir], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc ${tsc} failed:\n${run.stdout}${run.stderr}${run.error ?? ''}`);
}

for (const resolution of ['bundler', 'nodenext']) {
  test(`a React component using the hook type-checks under --strict, and wrong callbacks do not (${resolution} resolution)`, async (t) => {
    await typeCheck(t, USAGE, resolution);
  });
}

test("the README's React component type-checks as written, also as a new Vite + React + TypeScript app has it, with TypeScript 5 and 7", async (t) => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## React\n'), readme.indexOf('\n## The widget in its own origin\n'));
  const snippets = [...section.matchAll(/```tsx\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(snippets.length, 1, 'one component');
  assert.match(snippets[0], /from 'okra-events\/react'/);
  await typeCheck(t, snippets[0], 'bundler');
  for (const tsc of [5, 7]) await typeCheck(t, snippets[0], 'bundler', { config: VITE_REACT_TS, tsc });
});

test("react.d.ts has no `any`, and takes the options' and the handle's types from the host's", async () => {
  const dts = await readFile(join(PKG_DIR, 'react.d.ts'), 'utf8');
  const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(code, /\bany\b/);
  assert.match(code, /import type \{[^}]*\bOkraHostOptions\b[^}]*\bOkraWidget\b[^}]*\} from '\.\/types\.js'/);
  assert.match(code, /export declare function useOkraWidget\(options: OkraReactOptions\): OkraWidgetControls;/);
});
