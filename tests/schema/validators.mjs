// Ajv (JSON Schema draft 2020-12) validators for the published schemas in
// schema/ (or a package's copy of them), shared by the tests that check
// what okra-events emits: the JS tests, the webhook receiver of the
// end-to-end tests, and the schema tests themselves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

/** The committed schemas: the repository's schema/ directory. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schema', import.meta.url));

/** The published schemas, by file stem. */
export const SCHEMA_NAMES = ['event', 'webhook-body', 'on-success', 'on-error', 'on-close'];

/** Reads the schemas of a directory, by file stem. */
export function readSchemas(dir = SCHEMA_DIR) {
  return Object.fromEntries(SCHEMA_NAMES.map((n) => [n, JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8'))]));
}

/**
 * A new Ajv in strict mode: an unknown keyword, format or a keyword that
 * cannot apply is an error when a schema compiles, so the schemas stay
 * portable. Union types (`["string", "null"]`) are plain 2020-12.
 */
export function newAjv() {
  return new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
}

/**
 * Compiles the schemas (all of a directory, or the given objects): returns
 * `check(name, value)`, which answers null when `value` is valid and
 * otherwise a message naming each violation.
 */
export function validators(schemas = readSchemas()) {
  const ajv = newAjv();
  for (const name of SCHEMA_NAMES) ajv.addSchema(schemas[name], name);
  const compiled = Object.fromEntries(SCHEMA_NAMES.map((n) => [n, ajv.getSchema(n)]));
  return function check(name, value) {
    const validate = compiled[name];
    if (!validate) throw new Error(`no schema named ${name}`);
    if (validate(value)) return null;
    return ajv.errorsText(validate.errors, { dataVar: name, separator: '; ' });
  };
}

/**
 * What a page recorded, checked against the schemas: each event, and each
 * callback's arguments ({ name, args } as the demo records them). Returns
 * one message per violation (empty when everything is valid).
 */
export function violations(check, { events = [], callbacks = [] }) {
  const found = [];
  events.forEach((e, i) => {
    const m = check('event', e);
    if (m) found.push(`event ${i + 1} (${e?.event_name}): ${m}`);
  });
  for (const { name, args } of callbacks) {
    const m = {
      onSuccess: () => check('on-success', args[0]),
      onError: () => check('on-error', args),
      onClose: () => check('on-close', args),
      // beforeClose gets onClose's metadata: checked as [json, json.error].
      beforeClose: () => check('on-close', [args[0], args[0]?.error ?? null]),
    }[name]?.();
    if (m) found.push(`${name}: ${m}`);
  }
  return found;
}
