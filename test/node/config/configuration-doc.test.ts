/**
 * docs/configuration.md is the operator's reference for every setting: it
 * must list every `DMP_*` variable the node reads (parsed from the sources,
 * so a new variable fails here until it is documented), every key of the
 * YAML file (from the schema the file is checked against, both ways), and
 * the defaults it states must be the node's.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_CONFIG } from '../../../src/node/config/node-config.js';
import { NODE_CONFIG_SCHEMA, schemaPaths } from '../../../src/node/config/schema.js';

const REPO = resolve(import.meta.dirname, '../../..');
const DOC = join(REPO, 'docs/configuration.md');

const withoutComments = (source: string): string =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** Variables a source file reads: `'DMP_X'` literals (env.ts passes them to its readers) and `env.DMP_X`. */
function variablesRead(source: string): string[] {
  const code = withoutComments(source);
  const names = [
    ...code.matchAll(/['"](DMP_[A-Z0-9_]+)['"]/g),
    ...code.matchAll(/\benv\??\.(DMP_[A-Z0-9_]+)/g),
  ].map((m) => m[1]!);
  return [...new Set(names)].sort();
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The rows of every table in the doc, as cells. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split('|')
        .map((c) => c.trim()),
    )
    .filter((cells) => cells[0] !== 'Variable');
}

const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const rows = tableRows(readFileSync(DOC, 'utf8'));
const documentedVariables = new Set(rows.flatMap((r) => backticked(r[0]!)));
const documentedKeys = rows.flatMap((r) => backticked(r[1] ?? ''));

describe('docs/configuration.md', () => {
  it('lists every DMP_* variable env.ts reads', () => {
    const read = variablesRead(readFileSync(join(REPO, 'src/node/config/env.ts'), 'utf8'));
    // The parser must find the reference's variables, or this test proves nothing.
    expect(read.length).toBeGreaterThan(60);
    expect(read).toContain('DMP_SERVED_ZONE');
    expect(read).toContain('DMP_REGISTRATION_ENABLED');
    expect(read.filter((v) => !documentedVariables.has(v))).toEqual([]);
  });

  it('lists every DMP_* variable read anywhere else in the node or its CLI', () => {
    const files = [
      ...tsFiles(join(REPO, 'src/node')),
      ...readdirSync(join(REPO, 'src/cli'))
        .filter((f) => f.startsWith('node-') && f.endsWith('.ts'))
        .map((f) => join(REPO, 'src/cli', f)),
    ];
    const missing: string[] = [];
    for (const file of files) {
      const code = withoutComments(readFileSync(file, 'utf8'));
      for (const m of code.matchAll(/process\.env(?:\.|\[['"])(DMP_[A-Z0-9_]+)/g)) {
        if (!documentedVariables.has(m[1]!)) missing.push(`${m[1]} (${file})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists every YAML key, and only keys the node knows', () => {
    const paths = schemaPaths(NODE_CONFIG_SCHEMA as never);
    expect(paths.filter((p) => !documentedKeys.includes(p))).toEqual([]);
    expect(documentedKeys.filter((k) => !paths.includes(k))).toEqual([]);
    expect(new Set(documentedKeys).size).toBe(documentedKeys.length);
  });

  it('states the defaults the node has', () => {
    let compared = 0;
    for (const row of rows) {
      const [key] = backticked(row[1] ?? '');
      const cell = row[3] ?? '';
      if (key === undefined || cell.includes('<')) continue;
      const actual = key
        .split('.')
        .reduce<unknown>(
          (o, k) => (o as Record<string, unknown> | undefined)?.[k],
          DEFAULT_NODE_CONFIG,
        );
      if (actual === undefined) continue;
      const one = /^`([^`]+)`(?:\s*\([^)]*\))?$/.exec(cell);
      if (Array.isArray(actual)) {
        if (!/^`[^`]+`(,\s*`[^`]+`)*$/.test(cell)) continue;
        expect(backticked(cell), key).toEqual(actual);
      } else if (one) {
        const text = one[1]!;
        const stated =
          typeof actual === 'number'
            ? text
                .split('/')
                .map(Number)
                .reduce((a, b) => a / b)
            : typeof actual === 'boolean'
              ? text === 'true'
              : text;
        expect(stated, key).toBe(actual);
      } else {
        continue;
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});
