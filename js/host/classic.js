// The classic-script build of okra-events/host, for pages without a bundler:
// `<script src=".../okra-events/host.global.js">` sets `window.Okra`.
import { Okra } from './index.js';

globalThis.Okra = Okra;
