/**
 * A minimal YAML tree (scalars keep whether they were plain, and every node
 * its line) and the conversion of a tree into a {@link CliConfig} with the
 * reference loader's rules: missing keys take defaults, unknown keys are
 * ignored, legacy string contacts become `{pub, spk: "", domain: ""}`,
 * loaded contacts gain `remote_username`, a single string `dns_resolvers`
 * becomes a list.
 *
 * Plain scalars are typed by YAML 1.1 rules (PyYAML's), but a field's
 * declared type wins where that is unambiguous: an unquoted `0123` in a
 * string field is the text `0123`, not octal 83. Values that cannot be the
 * field's type are rejected with their line, instead of the reference's
 * traceback or silent coercion (`bool("false")` is true in Python).
 */
import { type CliConfig, type ContactEntry, defaultConfig, FIELD_KINDS } from './fields.js';
import { resolvePlain } from './yaml11.js';

/** A node of the tree; `line` is 1-based. */
export type YNode =
  | {
      readonly kind: 'scalar';
      readonly plain: boolean;
      readonly text: string;
      readonly line: number;
    }
  | {
      readonly kind: 'map';
      readonly entries: readonly (readonly [YNode, YNode | null])[];
      readonly line: number;
    }
  | { readonly kind: 'seq'; readonly items: readonly (YNode | null)[]; readonly line: number };

/** A config text that is not YAML or has a field of the wrong type. */
export class ConfigSyntaxError extends Error {
  override readonly name = 'ConfigSyntaxError';
  constructor(
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(line === undefined ? detail : `line ${line}: ${detail}`);
  }
}

type Typed =
  | { readonly type: 'null' }
  | { readonly type: 'bool'; readonly value: boolean; readonly text: string }
  | { readonly type: 'int'; readonly value: bigint; readonly text: string }
  | { readonly type: 'float' | 'timestamp' | 'str'; readonly text: string };

function fail(node: YNode | null, detail: string): never {
  throw new ConfigSyntaxError(node?.line, detail);
}

function scalar(node: YNode | null): Typed {
  if (node === null) return { type: 'null' };
  if (node.kind !== 'scalar') fail(node, 'expected a single value, found a list or mapping');
  if (!node.plain) return { type: 'str', text: node.text };
  const plain = resolvePlain(node.text);
  switch (plain.type) {
    case 'null':
      return plain;
    case 'bool':
    case 'int':
      return { ...plain, text: node.text };
    case 'str':
      return { type: 'str', text: node.text };
    default:
      return { type: plain.type, text: plain.text };
  }
}

function keyText(node: YNode): string {
  const k = scalar(node);
  return k.type === 'null' ? '' : k.text;
}

function str(node: YNode | null, fallback: string): string {
  const v = scalar(node);
  return v.type === 'null' ? fallback : v.text;
}

function int(node: YNode | null, field: string, fallback: number): number {
  const v = scalar(node);
  if (v.type === 'null') return fallback;
  let value: bigint | undefined;
  if (v.type === 'int') value = v.value;
  else if (v.type === 'bool') value = v.value ? 1n : 0n;
  else if (v.type === 'str' && /^\s*[-+]?[0-9]+\s*$/.test(v.text)) value = BigInt(v.text.trim());
  if (value === undefined || value > BigInt(Number.MAX_SAFE_INTEGER) || value < -(2n ** 53n)) {
    return fail(node, `${field} must be an integer, got ${JSON.stringify(v.text)}`);
  }
  return Number(value);
}

function bool(node: YNode | null, field: string): boolean {
  const v = scalar(node);
  if (v.type === 'null') return false;
  if (v.type === 'bool') return v.value;
  if (v.type === 'int' && (v.value === 0n || v.value === 1n)) return v.value === 1n;
  if (v.type === 'str') {
    const word = resolvePlain(v.text.trim());
    if (word.type === 'bool') return word.value;
  }
  return fail(node, `${field} must be true or false, got ${JSON.stringify(v.text)}`);
}

function strList(node: YNode | null, field: string): string[] {
  if (node === null) return [];
  if (node.kind === 'scalar') {
    const v = scalar(node);
    return v.type === 'null' || v.text === '' ? [] : [v.text];
  }
  if (node.kind !== 'seq') fail(node, `${field} must be a list of strings`);
  return node.items.map((item) => {
    const v = scalar(item);
    if (v.type === 'null') fail(item ?? node, `${field} entries must not be empty`);
    return v.text;
  });
}

function mapping(node: YNode): Map<string, YNode | null> {
  const out = new Map<string, YNode | null>();
  if (node.kind === 'map') for (const [k, v] of node.entries) out.set(keyText(k), v);
  return out;
}

function contacts(node: YNode | null): Map<string, ContactEntry> {
  const out = new Map<string, ContactEntry>();
  if (node === null || (node.kind === 'scalar' && scalar(node).type === 'null')) return out;
  if (node.kind !== 'map') fail(node, 'contacts must be a mapping of label to contact');
  for (const [keyNode, value] of node.entries) {
    const label = keyText(keyNode);
    if (value === null || value.kind === 'scalar') {
      // Legacy layout: `label: <x25519 hex>`.
      out.set(label, { pub: str(value, ''), spk: '', domain: '' });
      continue;
    }
    if (value.kind !== 'map') fail(value, `contact ${JSON.stringify(label)} must be a mapping`);
    const sub = mapping(value);
    out.set(label, {
      pub: str(sub.get('pub') ?? null, ''),
      spk: str(sub.get('spk') ?? null, ''),
      domain: str(sub.get('domain') ?? null, ''),
      remote_username: str(sub.get('remote_username') ?? null, ''),
    });
  }
  return out;
}

/** Converts a parsed document (null for an empty one) into a config. */
export function configFromTree(root: YNode | null): CliConfig {
  const config = defaultConfig();
  if (root === null || (root.kind === 'scalar' && scalar(root).type === 'null')) return config;
  if (root.kind !== 'map') fail(root, 'config.yaml must be a mapping of field names to values');
  const entries = mapping(root);
  const target = config as unknown as Record<string, unknown>;
  for (const [name, kind] of Object.entries(FIELD_KINDS)) {
    if (!entries.has(name)) continue;
    const node = entries.get(name) ?? null;
    const fallback = target[name];
    switch (kind) {
      case 'str':
        target[name] = str(node, fallback as string);
        break;
      case 'nullable-str': {
        const v = scalar(node);
        target[name] = v.type === 'null' ? null : v.text;
        break;
      }
      case 'int':
        target[name] = int(node, name, fallback as number);
        break;
      case 'bool':
        target[name] = bool(node, name);
        break;
      case 'str-list':
        target[name] = strList(node, name);
        break;
      case 'contacts':
        target[name] = contacts(node);
        break;
    }
  }
  // The reference treats an empty algorithm as the default one.
  if (config.tsig_algorithm === '') config.tsig_algorithm = 'hmac-sha256';
  return config;
}
