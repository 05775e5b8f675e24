/**
 * Serialises a {@link CliConfig} the way the reference does
 * (`yaml.safe_dump(asdict(config), sort_keys=True)`): block style, keys
 * sorted, 2-space mapping indent, sequences not indented under their key,
 * `{}` / `[]` for empty collections, PyYAML's scalar style choice (plain
 * when it reads back as the same string, else single-quoted, else
 * double-quoted with escapes; non-ASCII escaped because `allow_unicode` is
 * off) and its folding of long scalars at 80 columns. A config written by
 * either tool is therefore byte-identical for the same content, so users
 * can switch tools and diff the file.
 *
 * Keys that cannot be simple (empty, multi-line or too long) use
 * the explicit `? key` / `: value` form, as PyYAML does.
 */
import { type CliConfig, compareCodePoints, SORTED_FIELD_NAMES } from './fields.js';
import { plainIsNotString } from './yaml11.js';

const BEST_WIDTH = 80;
const INDENT_STEP = 2;

const LINE_BREAKS = new Set(['\n', '\x85', '\u2028', '\u2029']);
const SPACE_OR_BREAK = new Set([' ', '\t', '\0', '\r', ...LINE_BREAKS]);

const DOUBLE_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

interface Analysis {
  readonly plain: boolean;
  readonly singleQuoted: boolean;
  readonly multiline: boolean;
}

/** PyYAML `Emitter.analyze_scalar`, reduced to the block-context decisions used here. */
function analyze(s: string): Analysis {
  if (s === '') return { plain: false, singleQuoted: true, multiline: false };
  const chars = [...s];
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || SPACE_OR_BREAK.has(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if (ch === '?' || ch === ':' || ch === '-') {
        if (followedByWhitespace) blockIndicators = true;
      }
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (LINE_BREAKS.has(ch)) lineBreaks = true;
    // allow_unicode is off in safe_dump: anything outside printable ASCII is special.
    if (!(ch === '\n' || (ch >= ' ' && ch <= '~'))) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (LINE_BREAKS.has(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = SPACE_OR_BREAK.has(ch);
  }
  let plain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let singleQuoted = true;
  if (breakSpace) plain = singleQuoted = false;
  if (spaceBreak || special) plain = singleQuoted = false;
  if (lineBreaks) plain = false;
  if (blockIndicators) plain = false;
  return { plain, singleQuoted, multiline: lineBreaks };
}

/** Accumulates output while tracking the column, for PyYAML's folding rules. */
class Writer {
  private readonly parts: string[] = [];
  column = 0;

  write(text: string): void {
    this.parts.push(text);
    const nl = text.lastIndexOf('\n');
    this.column = nl < 0 ? this.column + [...text].length : [...text.slice(nl + 1)].length;
  }

  /** PyYAML `write_indent`: a line break unless already at a fresh line start, then padding. */
  indent(indent: number): void {
    if (!this.atLineStart || this.column > indent) this.write('\n');
    if (this.column < indent) this.write(' '.repeat(indent - this.column));
  }

  private get atLineStart(): boolean {
    const last = this.parts[this.parts.length - 1];
    return last?.endsWith('\n') === true;
  }

  toString(): string {
    return this.parts.join('');
  }
}

function writePlain(w: Writer, s: string, indent: number, split: boolean): void {
  const chars = [...s];
  let start = 0;
  let spaces = false;
  for (let end = 0; end <= chars.length; end++) {
    const ch = chars[end];
    if (spaces) {
      if (ch !== ' ') {
        if (start + 1 === end && w.column > BEST_WIDTH && split) w.indent(indent);
        else w.write(chars.slice(start, end).join(''));
        start = end;
      }
    } else if (ch === undefined || ch === ' ') {
      w.write(chars.slice(start, end).join(''));
      start = end;
    }
    if (ch !== undefined) spaces = ch === ' ';
  }
}

function writeSingleQuoted(w: Writer, s: string, indent: number, split: boolean): void {
  const chars = [...s];
  w.write("'");
  let start = 0;
  let spaces = false;
  let breaks = false;
  for (let end = 0; end <= chars.length; end++) {
    const ch = chars[end];
    if (spaces) {
      if (ch !== ' ') {
        const fold =
          start + 1 === end &&
          w.column > BEST_WIDTH &&
          split &&
          start !== 0 &&
          end !== chars.length;
        if (fold) w.indent(indent);
        else w.write(chars.slice(start, end).join(''));
        start = end;
      }
    } else if (breaks) {
      if (ch === undefined || !LINE_BREAKS.has(ch)) {
        // A line break inside single quotes is written as an empty line (folding rules).
        if (chars[start] === '\n') w.write('\n');
        for (const br of chars.slice(start, end)) w.write(br);
        w.indent(indent);
        start = end;
      }
    } else if (ch === undefined || ch === ' ' || LINE_BREAKS.has(ch) || ch === "'") {
      if (start < end) w.write(chars.slice(start, end).join(''));
      start = end;
    }
    if (ch === "'") {
      w.write("''");
      start = end + 1;
    }
    if (ch !== undefined) {
      spaces = ch === ' ';
      breaks = LINE_BREAKS.has(ch);
    }
  }
  w.write("'");
}

function escapeChar(ch: string): string {
  const named = DOUBLE_ESCAPES[ch];
  if (named !== undefined) return `\\${named}`;
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

function writeDoubleQuoted(w: Writer, s: string, indent: number, split: boolean): void {
  const chars = [...s];
  w.write('"');
  let start = 0;
  for (let end = 0; end <= chars.length; end++) {
    const ch = chars[end];
    const needsEscape =
      ch !== undefined && ('"\\\x85\u2028\u2029\ufeff'.includes(ch) || !(ch >= ' ' && ch <= '~'));
    if (ch === undefined || needsEscape) {
      if (start < end) w.write(chars.slice(start, end).join(''));
      start = end;
      if (ch !== undefined) {
        w.write(escapeChar(ch));
        start = end + 1;
      }
    }
    const foldable = end > 0 && end < chars.length - 1 && (ch === ' ' || start >= end);
    if (foldable && split && w.column + (end - start) > BEST_WIDTH) {
      let data = `${chars.slice(start, end).join('')}\\`;
      if (start < end) start = end;
      w.write(data);
      w.indent(indent);
      if (chars[start] === ' ') {
        data = '\\';
        w.write(data);
      }
    }
  }
  w.write('"');
}

function writeScalar(w: Writer, s: string, indent: number, isKey: boolean): void {
  const a = analyze(s);
  const split = !isKey;
  if (!plainIsNotString(s) && a.plain && !(isKey && a.multiline)) {
    writePlain(w, s, indent, split);
  } else if (a.singleQuoted && !(isKey && a.multiline)) {
    writeSingleQuoted(w, s, indent, split);
  } else {
    writeDoubleQuoted(w, s, indent, split);
  }
}

type Value = string | number | boolean | null | readonly string[] | ReadonlyMap<string, Value>;

function writeValue(w: Writer, value: Value, indent: number): void {
  if (value === null) {
    w.write(' null');
  } else if (typeof value === 'boolean') {
    w.write(value ? ' true' : ' false');
  } else if (typeof value === 'number') {
    w.write(` ${String(value)}`);
  } else if (typeof value === 'string') {
    w.write(' ');
    writeScalar(w, value, indent + INDENT_STEP, false);
  } else if (value instanceof Map) {
    if (value.size === 0) w.write(' {}');
    else writeMapping(w, value, indent + INDENT_STEP);
  } else {
    const items = value as readonly string[];
    if (items.length === 0) {
      w.write(' []');
      return;
    }
    // PyYAML writes block sequences inside a mapping without extra indentation.
    for (const item of items) {
      w.write(`\n${' '.repeat(indent)}- `);
      writeScalar(w, item, indent + INDENT_STEP, false);
    }
  }
}

/**
 * PyYAML `check_simple_key` for a string key: it counts the prepared tag
 * (`!!str`, 5 characters) against the 128 limit even though the tag is
 * never written.
 */
function isSimpleKey(key: string): boolean {
  return key !== '' && [...key].length + 5 < 128 && !analyze(key).multiline;
}

function writeMapping(
  w: Writer,
  map: ReadonlyMap<string, Value>,
  indent: number,
  inlineFirst = false,
): void {
  const keys = [...map.keys()].sort(compareCodePoints);
  keys.forEach((key, i) => {
    if (i === 0 && inlineFirst) w.write(' ');
    else w.write(`\n${' '.repeat(indent)}`);
    const value = map.get(key)!;
    if (isSimpleKey(key)) {
      writeScalar(w, key, indent, true);
      w.write(':');
      writeValue(w, value, indent);
      return;
    }
    w.write('?');
    w.write(' ');
    writeScalar(w, key, indent + INDENT_STEP, false);
    w.write(`\n${' '.repeat(indent)}:`);
    if (value instanceof Map && value.size > 0) writeMapping(w, value, indent + INDENT_STEP, true);
    else writeValue(w, value, indent);
  });
}

/** The YAML text of `config`, ending in a newline. */
export function configToYaml(config: CliConfig): string {
  const top = new Map<string, Value>();
  for (const name of SORTED_FIELD_NAMES) {
    if (name === 'contacts') {
      const contacts = new Map<string, Value>();
      for (const [label, entry] of config.contacts) {
        const fields = new Map<string, Value>([
          ['pub', entry.pub],
          ['spk', entry.spk],
          ['domain', entry.domain],
        ]);
        if (entry.remote_username !== undefined) {
          fields.set('remote_username', entry.remote_username);
        }
        contacts.set(label, fields);
      }
      top.set(name, contacts);
    } else {
      top.set(name, config[name] as Value);
    }
  }
  const w = new Writer();
  writeMapping(w, top, 0);
  // writeMapping starts every key with a newline; the document starts at column 0.
  return `${w.toString().slice(1)}\n`;
}
