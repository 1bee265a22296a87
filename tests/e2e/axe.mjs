// Runs axe-core (WCAG 2.1 A and AA rules) in a page or frame that Playwright
// drives. axe is evaluated through the DevTools protocol, which the pages'
// Content Security Policy does not apply to, so the pages under test keep
// their own policy.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** axe-core's source, to evaluate in a page (where its Content Security Policy allows). */
export const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule tags of WCAG 2.1 level A and AA. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * The WCAG 2.1 AA violations axe finds in `target` (a Playwright Page or
 * Frame), as one line per rule and element, e.g.
 * `color-contrast: .primary: Fix any of the following: ...`.
 */
export async function axeViolations(target) {
  await target.evaluate(`${AXE_SOURCE}\n;undefined`);
  const violations = await target.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary.replace(/\s+/g, ' ') })),
    }));
  }, WCAG_21_AA);
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target}: ${n.summary}`));
}
