/**
 * Parses `config.yaml` text into a {@link CliConfig}. Files in the layout
 * the reference (and this CLI) writes go through a small line parser
 * (`yaml-fast.ts`), which keeps the `yaml` package — a sizeable share of a
 * command's start-up — off the hot path; anything else (flow collections,
 * anchors, multi-line scalars, hand-edited oddities) is parsed by `yaml`
 * with full YAML semantics. Both produce the same tree.
 */
import type { Document, LineCounter, Node } from 'yaml';
import type { CliConfig } from './fields.js';
import { parseFastYaml } from './yaml-fast.js';
import { ConfigSyntaxError, configFromTree, type YNode } from './yaml-tree.js';

export { ConfigSyntaxError } from './yaml-tree.js';

type YamlLib = typeof import('yaml');

/** Converts a `yaml` node (failsafe schema: every scalar a string) into the tree. */
function toTree(
  lib: YamlLib,
  doc: Document.Parsed,
  lines: LineCounter,
  node: unknown,
): YNode | null {
  if (node === null || node === undefined) return null;
  if (lib.isAlias(node)) return toTree(lib, doc, lines, node.resolve(doc) ?? null);
  const n = node as Node;
  const line = n.range === undefined || n.range === null ? 0 : lines.linePos(n.range[0]).line;
  if (lib.isScalar(n)) {
    if (n.type === 'PLAIN' && n.tag !== undefined && n.tag !== '!') {
      throw new ConfigSyntaxError(
        line,
        `explicit tags such as ${n.tag} are not supported in config.yaml`,
      );
    }
    // Only plain scalars are implicitly typed; quoted and block scalars are strings.
    return { kind: 'scalar', plain: n.type === 'PLAIN', text: String(n.value ?? ''), line };
  }
  if (lib.isMap(n)) {
    return {
      kind: 'map',
      line,
      entries: n.items.map((pair) => {
        const key = toTree(lib, doc, lines, pair.key) ?? {
          kind: 'scalar',
          plain: true,
          text: '',
          line,
        };
        return [key, toTree(lib, doc, lines, pair.value)] as const;
      }),
    };
  }
  if (lib.isSeq(n))
    return { kind: 'seq', line, items: n.items.map((i) => toTree(lib, doc, lines, i)) };
  throw new ConfigSyntaxError(line, 'unsupported YAML node');
}

async function parseFull(text: string): Promise<YNode | null> {
  const lib = await import('yaml');
  const lines = new lib.LineCounter();
  const doc = lib.parseDocument(text, { schema: 'failsafe', lineCounter: lines, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new ConfigSyntaxError(
      first.linePos?.[0]?.line,
      first.message.split('\n')[0] ?? first.message,
    );
  }
  return toTree(lib, doc, lines, doc.contents);
}

/**
 * Parses config text. Rejects with {@link ConfigSyntaxError} (with the
 * line) for invalid YAML, a non-mapping document or a field of the wrong type.
 */
export async function parseConfigYaml(text: string): Promise<CliConfig> {
  const fast = parseFastYaml(text);
  return configFromTree(fast === undefined ? await parseFull(text) : fast);
}

/** The tree the full `yaml` parser builds (tests compare it with the fast parser's). */
export const parseYamlTreeFull = parseFull;
