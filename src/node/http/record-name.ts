/**
 * Record names and values as `/v1/records/{name}` takes them (node spec
 * §4.4): the name is the single path segment, percent-decoded, stripped of
 * whitespace and trailing dots, case preserved; writes additionally require
 * DNS syntax of the name and a value that is safe inside a quoted TXT
 * string.
 */
import { pythonStrip } from '../../protocol/records/python-text.js';

/** The records route: one non-empty segment, optional trailing slash. */
export const RECORDS_PATH = /^\/v1\/records\/([^/]+)\/?$/;

const HEX = /^[0-9a-fA-F]{2}$/;
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Percent-decoding as Python's `urllib.parse.unquote`: valid `%XX` escapes
 * become bytes, anything else is kept literally, and bytes that are not
 * UTF-8 become U+FFFD. Never throws (unlike `decodeURIComponent`).
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; ) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && HEX.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    for (const b of encoder.encode(ch)) bytes.push(b);
    i += ch.length;
  }
  return lenientUtf8.decode(Uint8Array.from(bytes));
}

/** The record name in a raw request target, or `undefined` when it is not a records path. */
export function recordNameFromTarget(rawTarget: string): string | undefined {
  const m = RECORDS_PATH.exec(rawTarget);
  if (m === null) return undefined;
  return pythonStrip(percentDecode(m[1]!)).replace(/\.+$/, '');
}

const LABEL = /^_?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** DNS syntax required of written names: ≤ 253 characters, every label `_?` + LDH (≤ 63). */
export function isValidRecordName(name: string): boolean {
  if (name === '' || name.length > 253) return false;
  const candidate = name.endsWith('.') ? name.slice(0, -1) : name;
  if (candidate === '') return false;
  return candidate.split('.').every((label) => LABEL.test(label));
}

/**
 * True when `value` can sit inside a quoted TXT string: no `"`, no control
 * character (< 0x20 or 0x7F), and no lone surrogate (which has no UTF-8
 * encoding). Real DMP values are printable ASCII.
 */
export function isSafeTxtValue(value: string): boolean {
  return !/["\u0000-\u001f\u007f]|\p{Cs}/u.test(value);
}
