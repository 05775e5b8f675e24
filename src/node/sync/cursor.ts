/**
 * The anti-entropy cursor (node spec §4.6, §10 item 14): a position in the
 * strict (stored_ts, name, value_hash) order of a node's records, written
 * `<ts>:<name>:<value_hash>`. Names never contain `:` and hashes are hex,
 * so the first two colons delimit the fields.
 *
 * The grammar the digest route accepts is the reference's: `ts` is anything
 * Python's `int()` takes that is ≥ 0, `name` at most 253 characters, the
 * hash empty or 64 lowercase hex; `<ts>:<name>` means an empty hash.
 */
import { parsePythonInt } from '../../protocol/records/python-text.js';
import type { SyncCursor } from '../store/types.js';

/** The start of every stream: before any row. */
export const CURSOR_START: SyncCursor = Object.freeze({ ts: 0n, name: '', hash: '' });

/** Longest cursor name accepted, in characters (code points, as Python counts). */
export const MAX_CURSOR_NAME_CHARS = 253;

const VALUE_HASH = /^[0-9a-f]{64}$/;

/** True for a lowercase hex SHA-256. */
export function isValueHash(text: string): boolean {
  return VALUE_HASH.test(text);
}

/** Parses a cursor in the digest route's grammar; `undefined` when malformed. */
export function parseCursor(text: string): SyncCursor | undefined {
  const first = text.indexOf(':');
  if (first < 0) return undefined;
  const second = text.indexOf(':', first + 1);
  const tsText = text.slice(0, first);
  const name = second < 0 ? text.slice(first + 1) : text.slice(first + 1, second);
  const hash = second < 0 ? '' : text.slice(second + 1);
  const ts = parsePythonInt(tsText);
  if (ts === undefined || ts < 0n) return undefined;
  if (codePoints(name) > MAX_CURSOR_NAME_CHARS) return undefined;
  if (hash !== '' && !isValueHash(hash)) return undefined;
  return { ts, name, hash };
}

/** The wire form `<ts>:<name>:<hash>` (ts in canonical decimal). */
export function formatCursor(cursor: SyncCursor): string {
  return `${cursor.ts}:${cursor.name}:${cursor.hash}`;
}

/** Byte-wise (UTF-8) string order, which equals code-point order. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Tuple order of two cursors: negative, 0 or positive. */
export function compareCursors(a: SyncCursor, b: SyncCursor): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  const byName = compareNames(a.name, b.name);
  if (byName !== 0) return byName;
  return compareNames(a.hash, b.hash);
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
