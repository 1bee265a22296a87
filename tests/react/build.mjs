// Builds the React test app (tests/react/app) with Vite, against the built
// package: okra-events/react resolves to pkg/react.js, and React to the
// workspace's own. `development` keeps React's development build, the one in
// which <StrictMode> mounts, unmounts and remounts every component.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { importVite } from '../js/setups.mjs';
import { PKG } from '../e2e/receiver.mjs';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), 'app');

/** Builds the app into a new temporary directory and returns that directory. */
export async function buildApp({ development = true } = {}) {
  const vite = await importVite();
  const outDir = await mkdtemp(join(tmpdir(), 'okra-react-app-'));
  const mode = development ? 'development' : 'production';
  await vite.build({
    root: APP,
    configFile: false,
    logLevel: 'warn',
    mode,
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
    resolve: {
      alias: [{ find: /^okra-events\/react$/, replacement: join(PKG, 'react.js') }],
      // One React, whichever directory pkg/ is in (OKRA_EVENTS_PKG).
      dedupe: ['react', 'react-dom'],
    },
    build: { outDir, emptyOutDir: true, minify: !development },
  });
  return outDir;
}
