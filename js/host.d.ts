// TypeScript declarations for okra-events/host: the merchant's page, which
// opens the widget in its own origin. Plain JavaScript: no WebAssembly, no
// storage, no requests of its own.

import type { OkraHostOptions, OkraWidget } from './types.js';

export * from './types.js';

/** The okra-events/host API. */
export interface OkraHostStatic {
  /**
   * Opens the widget at `widgetUrl` in an iframe and returns its handle. Throws a TypeError
   * naming a bad option (after passing it to `onError`), before anything is added to the page.
   */
  buildWithOptions(options: OkraHostOptions): OkraWidget;
  /** The package's version. */
  readonly version: string;
}

export declare const Okra: OkraHostStatic;
export default Okra;
