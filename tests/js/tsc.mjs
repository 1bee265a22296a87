// The TypeScript compilers and the compiler options the type-checking tests
// use: a user's setups, shared by tests/js/types.test.mjs and
// tests/js/react-types.test.mjs.
import { join } from 'node:path';

import { ROOT } from './setups.mjs';

/**
 * The compiler options of Vite's React + TypeScript template (create-vite's
 * template-react-ts/tsconfig.app.json), what a new merchant app starts from;
 * `types: ['vite/client']` left out, since no Vite is installed beside it.
 */
export const VITE_REACT_TS = {
  target: 'es2023',
  lib: ['ES2023', 'DOM'],
  module: 'esnext',
  types: [],
  allowArbitraryExtensions: true,
  skipLibCheck: true,
  moduleResolution: 'bundler',
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  moduleDetection: 'force',
  noEmit: true,
  jsx: 'react-jsx',
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  erasableSyntaxOnly: true,
  noFallthroughCasesInSwitch: true,
};

/** The compilers: this workspace's TypeScript 5.9, and TypeScript's latest major (7). */
export const TSC = {
  5: join(ROOT, 'node_modules/typescript/bin/tsc'),
  7: join(ROOT, 'node_modules/typescript7/bin/tsc'),
};
