/**
 * Chunk TXT record (core.md §4.6) and the legacy key/value parser the
 * reference uses to read it (§1.7).
 *
 * Producer: `v=dmp1;t=chunk;d=<base64(data)>`. The parser is deliberately
 * as loose as the reference's (key order, whitespace, unknown keys and a
 * `m=` metadata part are all tolerated) because a chunk's bytes are pinned
 * by the manifest hash anyway; rejecting what the reference accepts would
 * only lose messages.
 */
import { decodeBase64Lenient, encodeBase64 } from '../base64.js';
import { accept, type ParseResult, reject } from '../result.js';
import { CHUNK_RECORD_PREFIX, LEGACY_KV_RECORD_MARKER } from './prefixes.js';
import { parsePythonInt, pythonStrip } from './python-text.js';
import { isAsciiText } from './record-fields.js';

/** A value read by the legacy key/value parser. */
export interface ChunkRecord {
  /** `v` with every `dmp` removed, as an integer; informational only. */
  readonly version: bigint;
  /** `t`, default `chunk`. Receivers use the record only when this is `chunk`. */
  readonly type: string;
  /** `d` decoded leniently; empty when absent or undecodable. */
  readonly data: Uint8Array;
}

/** The chunk TXT value for one wrapped block (the send path never adds `m=`). */
export function encodeChunkRecord(data: Uint8Array): string {
  return CHUNK_RECORD_PREFIX + encodeBase64(data);
}

/**
 * Legacy key/value parse of a TXT value (§1.7). The only rejection is a `v`
 * that is not an integer once `dmp` is removed; a bad `d` yields empty data.
 * Never throws.
 *
 * Known divergence: the reference also drops a value whose `m=` part is JSON
 * nested deeper than Python's recursion limit; `m` is ignored here.
 */
export function parseChunkRecord(value: string): ParseResult<ChunkRecord> {
  const params = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params.set(pythonStrip(part.slice(0, eq)), pythonStrip(part.slice(eq + 1)));
  }
  const version = parsePythonInt((params.get('v') ?? 'dmp1').replaceAll('dmp', ''));
  if (version === undefined) return reject('structure', 'version is not an integer');
  const d = params.get('d') ?? '';
  // Python's b64decode(str) refuses non-ASCII text outright; the reference
  // maps every decode failure to empty data rather than skipping the record.
  const data = (isAsciiText(d) ? decodeBase64Lenient(d) : undefined) ?? new Uint8Array(0);
  return accept({ version, type: params.get('t') ?? 'chunk', data });
}

/**
 * The receive-path gate (§8.7): the chunk bytes of `value` if it starts with
 * `v=dmp`, parses, and has type `chunk`; otherwise `undefined`. The caller
 * still checks the bytes against the manifest's chunk hash.
 */
export function chunkDataOf(value: string): Uint8Array | undefined {
  if (!value.startsWith(LEGACY_KV_RECORD_MARKER)) return undefined;
  const parsed = parseChunkRecord(value);
  return parsed.ok && parsed.value.type === 'chunk' ? parsed.value.data : undefined;
}
