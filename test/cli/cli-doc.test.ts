/**
 * docs/cli.md is the user's reference: it must list every key of
 * config.yaml (parsed from src/cli/config/fields.ts, both ways) with the
 * type and default the code has, every environment variable the CLI and
 * the client library read (parsed from the sources, so a new variable fails
 * here until it is documented), and every exit code of errors.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, FIELD_KINDS, type FieldKind } from '../../src/cli/config/fields.js';
import { ExitCode } from '../../src/cli/errors.js';

const REPO = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(REPO, 'docs/cli.md'), 'utf8');

const withoutComments = (source: string): string =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** The rows of the doc table whose header's first cell is `header`, as cells. */
function table(header: string): string[][] {
  const lines = DOC.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  expect(start, `a table headed "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const backticked = (cell: string): string => /^`([^`]+)`$/.exec(cell)?.[1] ?? cell;

/** The keys of `interface CliConfig` in fields.ts, read as text. */
function interfaceKeys(): string[] {
  const source = withoutComments(readFileSync(join(REPO, 'src/cli/config/fields.ts'), 'utf8'));
  const body = /export interface CliConfig \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/^\s*([a-z_][a-z0-9_]*)\??:/gm)].map((m) => m[1]!);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const DOC_TYPES: Record<FieldKind, readonly string[]> = {
  str: ['text', 'hex'],
  'nullable-str': ['text or null'],
  int: ['int'],
  bool: ['bool'],
  'str-list': ['list'],
  contacts: ['map'],
};

function shown(value: unknown): string {
  if (value === '') return "''";
  if (value === null) return 'null';
  if (value instanceof Map) return value.size === 0 ? '{}' : 'non-empty map';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : 'non-empty list';
  return String(value);
}

describe('docs/cli.md', () => {
  const rows = table('Key');
  const documented = rows.map((r) => backticked(r[0]!));

  it('lists every config.yaml key of fields.ts, and no other', () => {
    const keys = interfaceKeys();
    // The parser must find the fields, or this test proves nothing.
    expect(keys.length).toBeGreaterThan(30);
    expect([...keys].sort()).toEqual(Object.keys(FIELD_KINDS).sort());
    expect(keys.filter((k) => !documented.includes(k))).toEqual([]);
    expect(documented.filter((k) => !keys.includes(k))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('gives each key the type and default the code has', () => {
    const defaults = defaultConfig() as unknown as Record<string, unknown>;
    for (const [cell, type, def] of rows) {
      const key = backticked(cell!) as keyof typeof FIELD_KINDS;
      expect(DOC_TYPES[FIELD_KINDS[key]], key).toContain(type);
      expect(backticked(def!), key).toBe(shown(defaults[key]));
    }
  });

  it('lists every environment variable the CLI and the client library read', () => {
    const files = [
      ...tsFiles(join(REPO, 'src/cli')).filter((f) => !/\/node-[^/]*\.ts$/.test(f)),
      ...tsFiles(join(REPO, 'src/client')),
    ];
    const read = new Set<string>();
    for (const file of files) {
      const code = withoutComments(readFileSync(file, 'utf8'));
      for (const m of code.matchAll(
        /\benv\??\.([A-Z][A-Z0-9_]*)\b|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
      )) {
        read.add((m[1] ?? m[2])!);
      }
    }
    expect([...read]).toEqual(expect.arrayContaining(['DMP_PASSPHRASE', 'DMP_CONFIG_HOME']));
    const variables = new Set(table('Variable').map((r) => backticked(r[0]!)));
    expect([...read].filter((v) => !variables.has(v)).sort()).toEqual([]);
  });

  it('explains every exit code of errors.ts', () => {
    const codes = table('Code').map((r) => Number(backticked(r[0]!)));
    expect(codes).toEqual([...new Set(Object.values(ExitCode))].sort());
  });
});
