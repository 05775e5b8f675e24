/**
 * Checks a parsed YAML configuration file against {@link NODE_CONFIG_SCHEMA}
 * before it is merged: every key must be known and every value of its
 * type. YAML quietly turns `enabled: "false"` into a (truthy) string and a
 * spreadable string into characters, so nothing is coerced: a wrong value is
 * reported with the key, the type it needs and what the file said, and
 * only the well-typed values are kept (so later checks see no garbage).
 */
import { closestKeys } from './edit-distance.js';
import type { NodeConfigInput } from './node-config.js';
import { type AnySchema, Leaf, NODE_CONFIG_SCHEMA, schemaPaths } from './schema.js';

export interface FileCheck {
  /** The well-typed part of the file. */
  readonly config: NodeConfigInput;
  /** One line per problem, `key: …`. */
  readonly problems: readonly string[];
}

const ROOT = NODE_CONFIG_SCHEMA as unknown as AnySchema;
const ALL_PATHS = schemaPaths(ROOT);

/** Checks `tree` (the file's top-level mapping). */
export function checkConfigFile(tree: Readonly<Record<string, unknown>>): FileCheck {
  const problems: string[] = [];
  const config = checkSection(ROOT, tree, '', problems);
  return { config: config as NodeConfigInput, problems };
}

function checkSection(
  schema: AnySchema,
  tree: Readonly<Record<string, unknown>>,
  prefix: string,
  problems: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = `${prefix}${key}`;
    const node = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (node === undefined) {
      problems.push(unknownKey(schema, key, prefix));
    } else if (node instanceof Leaf) {
      const problem = checkLeaf(node, value);
      if (problem === undefined) out[key] = value;
      else problems.push(`${path}: ${problem}`);
    } else if (value === null) {
      // `apex:` with every key commented out: an empty section.
    } else if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(
        `${path}: expected a section (keys ${Object.keys(node).join(', ')}), got ${show(value)}`,
      );
    } else {
      const inner = checkSection(node, value as Record<string, unknown>, `${path}.`, problems);
      if (Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}

function unknownKey(schema: AnySchema, key: string, prefix: string): string {
  const path = `${prefix}${key}`;
  let near = closestKeys(key, Object.keys(schema)).map((k) => `${prefix}${k}`);
  // A key at the wrong level (`port:` at the top): the same name elsewhere.
  if (near.length === 0) {
    const names = closestKeys(key, ALL_PATHS.map(lastKey));
    near = ALL_PATHS.filter((p) => names.includes(lastKey(p)));
  }
  if (near.length > 0 && near.length <= 4) {
    return `${path}: unknown key; did you mean ${orList(near)}?`;
  }
  return `${path}: unknown key (${prefix === '' ? 'top-level keys' : `keys of ${prefix.slice(0, -1)}`}: ${Object.keys(schema).join(', ')})`;
}

const lastKey = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

const orList = (items: readonly string[]): string =>
  items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

/** What is wrong with `value` for `leaf`, or `undefined`. */
function checkLeaf(leaf: Leaf, value: unknown): string | undefined {
  const wrong = (hint = '') => `expected ${leaf.describe()}, got ${show(value)}${hint}`;
  switch (leaf.type) {
    case 'string':
      if (typeof value === 'string') return undefined;
      return wrong(
        typeof value === 'number' || typeof value === 'boolean'
          ? ` (quote it if you mean the text: "${String(value)}")`
          : '',
      );
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return undefined;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        return wrong(` (a quoted string: write ${value.trim()} without quotes)`);
      }
      return wrong();
    case 'boolean': {
      if (typeof value === 'boolean') return undefined;
      const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (['true', 'yes', 'on', '1'].includes(word)) return wrong(' (a string: write true)');
      if (['false', 'no', 'off', '0'].includes(word)) return wrong(' (a string: write false)');
      return wrong();
    }
    case 'strings':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return undefined;
      if (typeof value === 'string') {
        const items = value.split(',').map((v) => JSON.stringify(v.trim()));
        return wrong(` (write a list: [${items.join(', ')}])`);
      }
      if (Array.isArray(value)) {
        const i = value.findIndex((v) => typeof v !== 'string');
        return wrong(` (item ${i + 1}, ${show(value[i])}, is not a string: quote it)`);
      }
      return wrong();
    case 'enum':
      if (typeof value === 'string' && leaf.values.includes(value)) return undefined;
      return wrong();
  }
}

/** A value as the message shows it: JSON, shortened. */
function show(value: unknown): string {
  if (value === null) return 'nothing (an empty value)';
  const text = JSON.stringify(value) ?? String(value);
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  if (Array.isArray(value)) return `the list ${short}`;
  if (typeof value === 'object') return `the section ${short}`;
  return short;
}
