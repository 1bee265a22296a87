// TypeScript declarations for okra-events/host.global.js, okra-events/host as
// a classic script: loading it sets `window.Okra`.
import type { OkraHostStatic } from './host.js';

declare global {
  interface Window {
    /** okra-events/host, set by its classic script (`host.global.js`). */
    Okra: OkraHostStatic;
  }
  /** okra-events/host, set by its classic script (`host.global.js`). */
  var Okra: OkraHostStatic;
}

export {};
