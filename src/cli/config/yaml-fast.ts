/**
 * A line parser for the YAML subset config files are written in: block
 * mappings, block sequences of scalars, single-line plain / single-quoted /
 * double-quoted scalars, `{}` and `[]`, full-line comments. That is every
 * file PyYAML's `safe_dump` (and this CLI) writes for real configs. For
 * anything outside the subset — flow collections with content, anchors,
 * tags, multi-line or folded scalars, trailing comments, tabs, CRLF — it
 * returns `undefined` and the caller uses the full `yaml` parser, so it
 * never has to interpret anything ambiguous.
 */
import type { YNode } from './yaml-tree.js';

interface Line {
  readonly no: number;
  readonly indent: number;
  readonly text: string;
}

/** Thrown internally to abandon the fast path. */
class Unsupported extends Error {}

const unsupported = (): never => {
  throw new Unsupported();
};

const DOUBLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** After a closing quote only the end of the line may follow. */
function endOfScalar(rest: string): void {
  if (rest.trim() !== '') unsupported();
}

function singleQuoted(s: string): { text: string; rest: string } {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    if (s[i] !== "'") {
      out += s[i];
    } else if (s[i + 1] === "'") {
      out += "'";
      i++;
    } else {
      return { text: out, rest: s.slice(i + 1) };
    }
  }
  return unsupported();
}

function doubleQuoted(s: string): { text: string; rest: string } {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"') return { text: out, rest: s.slice(i + 1) };
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const esc = s[++i] ?? unsupported();
    const named = DOUBLE_ESCAPES[esc];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const digits = HEX_ESCAPES[esc] ?? unsupported();
    const hex = s.slice(i + 1, i + 1 + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) unsupported();
    const cp = Number.parseInt(hex, 16);
    if (cp > 0x10ffff) unsupported();
    out += String.fromCodePoint(cp);
    i += digits;
  }
  return unsupported();
}

/** A value written on the key's line (or a sequence item). */
function inlineValue(s: string, line: number): YNode {
  if (s.startsWith("'") || s.startsWith('"')) {
    const q = s.startsWith("'") ? singleQuoted(s) : doubleQuoted(s);
    endOfScalar(q.rest);
    return { kind: 'scalar', plain: false, text: q.text, line };
  }
  if (s === '{}') return { kind: 'map', entries: [], line };
  if (s === '[]') return { kind: 'seq', items: [], line };
  const text = s.trimEnd();
  const first = text[0] ?? '';
  const second = text[1];
  if ('[]{}#&*!|>%@`,'.includes(first)) unsupported();
  if ('-?:'.includes(first) && (second === undefined || second === ' ')) unsupported();
  if (text.includes(' #') || text.includes(': ') || text.endsWith(':')) unsupported();
  return { kind: 'scalar', plain: true, text, line };
}

/** Splits `key: value` / `key:`; the key may be quoted. */
function splitKey(line: Line): { key: YNode; rest: string } {
  const s = line.text;
  if (s.startsWith("'") || s.startsWith('"')) {
    const q = s.startsWith("'") ? singleQuoted(s) : doubleQuoted(s);
    if (!(q.rest === ':' || q.rest.startsWith(': '))) unsupported();
    return {
      key: { kind: 'scalar', plain: false, text: q.text, line: line.no },
      rest: q.rest.slice(1).trim(),
    };
  }
  const colon = s.endsWith(':') && !s.slice(0, -1).includes(': ') ? s.length - 1 : s.indexOf(': ');
  if (colon <= 0) unsupported();
  const key = s.slice(0, colon);
  if (key.endsWith(' ') || key.includes(' #') || '[]{}#&*!|>\'"%@`,-?:'.includes(key[0]!))
    unsupported();
  return {
    key: { kind: 'scalar', plain: true, text: key, line: line.no },
    rest: s.slice(colon + 1).trim(),
  };
}

const isItem = (l: Line | undefined): boolean =>
  l !== undefined && (l.text === '-' || l.text.startsWith('- '));

class Parser {
  private i = 0;
  constructor(private readonly lines: readonly Line[]) {}

  get done(): boolean {
    return this.i >= this.lines.length;
  }

  private peek(): Line | undefined {
    return this.lines[this.i];
  }

  mapping(indent: number): YNode {
    const start = this.peek()!;
    const entries: (readonly [YNode, YNode | null])[] = [];
    const keys = new Set<string>();
    for (let line = this.peek(); line !== undefined && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent || isItem(line)) unsupported();
      this.i++;
      const { key, rest } = splitKey(line);
      const name = key.kind === 'scalar' ? key.text : '';
      // Duplicates are an error the full parser reports with its line.
      if (keys.has(name)) unsupported();
      keys.add(name);
      entries.push([
        key,
        rest === '' ? this.blockValue(indent, line.no) : this.inline(rest, line, indent),
      ]);
    }
    return { kind: 'map', entries, line: start.no };
  }

  private inline(rest: string, line: Line, indent: number): YNode {
    const value = inlineValue(rest, line.no);
    // A more indented line after an inline value would continue it (multi-line scalar).
    const next = this.peek();
    if (next !== undefined && next.indent > indent) unsupported();
    return value;
  }

  /** The value of a `key:` line: a nested block, or empty (as the full parser: an empty plain scalar). */
  private blockValue(indent: number, keyLine: number): YNode {
    const empty: YNode = { kind: 'scalar', plain: true, text: '', line: keyLine };
    const next = this.peek();
    if (next === undefined || next.indent < indent) return empty;
    if (next.indent === indent) return isItem(next) ? this.sequence(indent) : empty;
    return isItem(next) ? this.sequence(next.indent) : this.mapping(next.indent);
  }

  private sequence(indent: number): YNode {
    const start = this.peek()!;
    const items: YNode[] = [];
    for (
      let line = this.peek();
      line !== undefined && line.indent === indent && isItem(line);
      line = this.peek()
    ) {
      this.i++;
      const rest = line.text.slice(1).trim();
      items.push(
        rest === ''
          ? { kind: 'scalar', plain: true, text: '', line: line.no }
          : this.inline(rest, line, indent),
      );
      if (rest === '') {
        const next = this.peek();
        if (next !== undefined && next.indent > indent) unsupported();
      }
    }
    const after = this.peek();
    if (after !== undefined && after.indent > indent) unsupported();
    return { kind: 'seq', items, line: start.no };
  }
}

/**
 * The tree of `text`, `null` for an empty document, or `undefined` when the
 * text is outside the subset (use the full parser).
 */
export function parseFastYaml(text: string): YNode | null | undefined {
  if (text.includes('\t') || text.includes('\r') || text.startsWith('\ufeff')) return undefined;
  const lines: Line[] = [];
  const raw = text.split('\n');
  for (let n = 0; n < raw.length; n++) {
    const body = raw[n]!.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = raw[n]!.length - body.length;
    if (
      indent === 0 &&
      (body.startsWith('---') || body.startsWith('...') || body.startsWith('%'))
    ) {
      return undefined;
    }
    lines.push({ no: n + 1, indent, text: body.trimEnd() });
  }
  if (lines.length === 0) return null;
  if (lines[0]!.indent !== 0) return undefined;
  try {
    const parser = new Parser(lines);
    const root = parser.mapping(0);
    return parser.done ? root : undefined;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
