// The demo (www/dist) served for the end-to-end tests, on 127.0.0.1 and
// ephemeral ports, by the demo's own server (www/serve.mjs).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, serveDemo } from '../../www/serve.mjs';

export { DIST, TYPES } from '../../www/serve.mjs';

/** Throws a clear error when the demo has not been built. */
export async function assertBuilt() {
  try {
    await stat(join(DIST, 'widget.html'));
  } catch {
    throw new Error(`${DIST}/widget.html is missing: build the demo first with \`scripts/demo.sh --build-only\``);
  }
}

/**
 * Starts the demo's two origins; resolves to { url, widgetOrigin, close() },
 * where `url` is the merchant page.
 */
export async function serveDist() {
  await assertBuilt();
  const demo = await serveDemo();
  return { url: demo.merchant.url, widgetOrigin: demo.widget.origin, close: demo.close };
}
