// What the end-to-end tests saw the package pass to a page's callbacks, kept
// for tests/e2e/payload-types.test.mjs, which type-checks each against the
// package's declarations: one JSON value per line, per kind, under
// tests/e2e/artifacts/payloads/. Kinds: 'host:<callback>' for a merchant page
// with okra-events/host or the root entry's host mode (the arguments, as an
// array), 'page:<callback>' for a same-page handler.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PAYLOADS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'payloads');

/** Keeps `values` (JSON data) as payloads of `kind`. */
export function recordPayloads(kind, values) {
  if (!values.length) return;
  mkdirSync(PAYLOADS, { recursive: true });
  appendFileSync(join(PAYLOADS, `${kind.replace(/[^\w:-]/g, '_').replace(':', '--')}.jsonl`), values.map((v) => `${JSON.stringify(v)}\n`).join(''));
}
