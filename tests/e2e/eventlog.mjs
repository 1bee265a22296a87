// Starts the okra-eventlog release binary for a test: on a free loopback
// port, with a throw-away database, building it first when it is missing.
// OKRA_EVENTLOG_BIN names another binary (default target/release/okra-eventlog).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = process.env.OKRA_EVENTLOG_BIN || join(ROOT, 'target/release/okra-eventlog');

/**
 * Resolves with { url, link, post(events), stop() } once the service prints
 * where it listens and its one-time dashboard link. `args` are more flags.
 */
export async function startEventLog(args = []) {
  if (!existsSync(BIN)) {
    const built = spawnSync(join(ROOT, 'scripts/build-eventlog.sh'), { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('building okra-eventlog failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'okra-eventlog-test-'));
  const child = spawn(BIN, ['--listen', '127.0.0.1:0', '--db', join(dir, 'events.sqlite3'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { url, link } = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`okra-eventlog exited with ${code}`)));
    const lines = [];
    const reader = createInterface({ input: child.stdout });
    reader.on('line', (line) => {
      lines.push(line);
      const m = /^okra-eventlog listening on (http:\/\/\S+)$/.exec(lines[0]);
      const l = lines.map((x) => /^\s*dashboard: (http:\/\/\S+\?code=[0-9a-f]+) \(works once\)$/.exec(x)).find(Boolean);
      if (m && l) {
        reader.removeAllListeners('line');
        resolve({ url: m[1], link: l[1] });
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    link,
    /** POSTs a batch; resolves with the HTTP status and the parsed answer. */
    async post(events) {
      const r = await fetch(`${url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ batch: events, sent_at: new Date().toISOString() }),
      });
      return { status: r.status, body: await r.json() };
    },
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
