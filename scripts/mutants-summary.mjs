// Writes bench/mutants.md from a cargo-mutants run (scripts/mutants.sh):
// how many mutants were tried, killed by a test, unviable (did not build)
// and missed, and for each missed one the reason it changes nothing, from
// the committed list of equivalent mutants. A missed mutant without a
// reason is listed as UNEXPLAINED, and the script exits 1.
//
// Usage: node scripts/mutants-summary.mjs MUTANTS_OUT_DIR EQUIVALENT_MD SUMMARY_MD
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, equivalentPath, summaryPath] = process.argv.slice(2);
if (!summaryPath) {
  console.error('usage: node scripts/mutants-summary.mjs MUTANTS_OUT_DIR EQUIVALENT_MD SUMMARY_MD');
  process.exit(2);
}

/** The lines of one of cargo-mutants' lists (missing when empty). */
const list = (name) => {
  try {
    return readFileSync(join(outDir, name), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/** A mutant's name without its line and column, which move as code changes. */
const key = (name) => name.replace(/^([^:]+):\d+:\d+:\s*/, '$1: ');

/** The `| mutant | reason |` rows of the equivalent list. */
function reasons() {
  const out = new Map();
  for (const line of readFileSync(equivalentPath, 'utf8').split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (m) out.set(key(m[1]), m[2]);
  }
  return out;
}

const caught = list('caught.txt');
const timeouts = list('timeout.txt');
const unviable = list('unviable.txt');
const missed = list('missed.txt');
const why = reasons();
const tried = caught.length + timeouts.length + unviable.length + missed.length;
const unexplained = missed.filter((m) => !why.has(key(m)));

const byFile = new Map();
for (const [state, names] of [['killed', caught], ['killed', timeouts], ['unviable', unviable], ['missed', missed]]) {
  for (const name of names) {
    const file = name.split(':')[0];
    const row = byFile.get(file) ?? { killed: 0, unviable: 0, missed: 0 };
    row[state] += 1;
    byFile.set(file, row);
  }
}

const lines = [
  '# Mutation testing of the core',
  '',
  '`make mutants` (scripts/mutants.sh) runs [cargo-mutants](https://mutants.rs/) on the core\'s',
  'security and data rules: credential scrubbing (`scrub.rs`), option and URL rules',
  '(`options.rs`), the delivery policy (`delivery.rs`), `check_origin` and `origin_allowed`',
  '(`bridge.rs`), and the 32 KiB event limit (`MAX_EVENT_BYTES` in `event.rs`; `Session::emit`,',
  '`emit_within_limit`, `push_event` and the size checks of `Session::screen` in `session.rs`).',
  'Each mutant changes one thing (an operator, a condition, a return value) and runs the core\'s',
  'tests. Killed: a test failed (or timed out). Unviable: the change does not compile.',
  'Missed: every test passed; each is listed in `bench/mutants-equivalent.md` with the reason',
  'it changes nothing a user can see.',
  '',
  '| | mutants |',
  '|---|---|',
  `| tried | ${tried} |`,
  `| killed by a test | ${caught.length + timeouts.length}${timeouts.length ? ` (${timeouts.length} by timeout)` : ''} |`,
  `| unviable (do not compile) | ${unviable.length} |`,
  `| missed, equivalent (justified) | ${missed.length - unexplained.length} |`,
  `| missed, unexplained | ${unexplained.length} |`,
  '',
  '| file | killed | unviable | missed |',
  '|---|---|---|---|',
  ...[...byFile.entries()].sort().map(([f, r]) => `| \`${f}\` | ${r.killed} | ${r.unviable} | ${r.missed} |`),
  '',
];
if (missed.length) {
  lines.push('Missed mutants:', '', '| mutant | why no test can see it |', '|---|---|');
  for (const m of missed) lines.push(`| \`${m}\` | ${why.get(key(m)) ?? '**UNEXPLAINED**'} |`);
  lines.push('');
}
writeFileSync(summaryPath, lines.join('\n'));
console.log(`mutants: ${tried} tried, ${caught.length + timeouts.length} killed, ${unviable.length} unviable, ` +
  `${missed.length} missed (${unexplained.length} unexplained); written to ${summaryPath}`);
if (unexplained.length) {
  for (const m of unexplained) console.error(`UNEXPLAINED survivor: ${m}`);
  process.exit(1);
}
