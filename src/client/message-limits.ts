/**
 * How large a message can be (core.md §1.5, O18), computed before anything
 * is published so an oversized send fails cleanly instead of leaving chunks
 * behind when the manifest is refused.
 *
 * Two limits apply. The slot manifest carries a 32-byte hash per chunk, so
 * its TXT value grows with the message and must fit the node's value cap
 * (`DMP_MAX_VALUE_BYTES`, default 2048 → at most 42 chunks, 32 data chunks,
 * about 3.7 KB of text). Independently zfec allows at most 256 shares
 * (a 25,084-byte outer message).
 */
import { ERASURE_MAX_SHARES, erasureParameters } from '../protocol/coding/erasure.js';
import { ENCRYPTED_MESSAGE_OVERHEAD } from '../protocol/crypto/message-encryption.js';
import { encodeEnvelope } from '../protocol/message/envelope.js';
import { encodeHeader } from '../protocol/message/header.js';
import { OUTER_TRAILER_BYTES } from '../protocol/message/outer-message.js';
import { MessageTooLargeError } from './errors.js';

/** The reference node's default value cap. */
export const DEFAULT_MAX_VALUE_BYTES = 2048;

const SHARE_BYTES = 128;
const LENGTH_PREFIX_BYTES = 4;
/** Manifest blob without chunk hashes: 108-byte body + 64-byte signature. */
const MANIFEST_FIXED_BYTES = 172;
const MANIFEST_PREFIX_CHARS = 'v=dmp1;t=manifest;d='.length;

/** Length of a slot manifest TXT value for `n` chunks. */
export function manifestValueLength(n: number): number {
  return MANIFEST_PREFIX_CHARS + 4 * Math.ceil((MANIFEST_FIXED_BYTES + 32 * n) / 3);
}

/** What a message's size depends on besides its body. */
export interface MessageShape {
  /** Send time (its digit count is in the header). */
  readonly ts: number;
  readonly ttl: number;
  /** Sender address when the body is wrapped in a DMPv2 envelope. */
  readonly envelopeFrom?: string | undefined;
  /** Node value cap; `0` or negative disables the check (as on the node). */
  readonly maxValueBytes?: number;
}

/** Bytes the outer message adds around the body for this shape. */
function overheadBytes(shape: MessageShape): number {
  const zeros16 = new Uint8Array(16);
  const zeros32 = new Uint8Array(32);
  const header = encodeHeader({
    version: 1,
    type: 'DATA',
    msgId: zeros16,
    senderId: zeros32,
    recipientId: zeros32,
    total: 1,
    chunk: 0,
    ts: shape.ts,
    ttl: shape.ttl,
  });
  const envelope = encodeEnvelope(new Uint8Array(0), shape.envelopeFrom).length;
  return 2 + header.length + ENCRYPTED_MESSAGE_OVERHEAD + envelope + OUTER_TRAILER_BYTES;
}

/** Largest chunk count whose manifest fits `cap` (0 or less: no cap). */
function maxChunks(cap: number): number {
  if (cap <= 0) return ERASURE_MAX_SHARES;
  let n = 0;
  while (n < ERASURE_MAX_SHARES && manifestValueLength(n + 1) <= cap) n++;
  return n;
}

/** Largest data-share count k whose total n fits `nMax`. */
function maxDataShares(nMax: number): number {
  let k = 0;
  while (erasureParameters((k + 1) * SHARE_BYTES - LENGTH_PREFIX_BYTES).n <= nMax) k++;
  return k;
}

/** The largest body (bytes) that can be sent with this shape. */
export function maxBodyBytes(shape: MessageShape): number {
  const k = maxDataShares(maxChunks(shape.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES));
  return Math.max(0, k * SHARE_BYTES - LENGTH_PREFIX_BYTES - overheadBytes(shape));
}

/**
 * Throws {@link MessageTooLargeError} naming the limit when a body of
 * `bodyBytes` cannot be sent with this shape; returns the chunk counts otherwise.
 */
export function checkMessageSize(
  bodyBytes: number,
  shape: MessageShape,
): { readonly k: number; readonly n: number } {
  const outer = bodyBytes + overheadBytes(shape);
  const { k, n } = erasureParameters(outer);
  const cap = shape.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const max = maxBodyBytes(shape);
  if (n > ERASURE_MAX_SHARES) {
    throw new MessageTooLargeError(
      'erasure-shares',
      bodyBytes,
      max,
      `it would need ${n} erasure shares and zfec allows ${ERASURE_MAX_SHARES}`,
    );
  }
  if (cap > 0 && manifestValueLength(n) > cap) {
    throw new MessageTooLargeError(
      'value-cap',
      bodyBytes,
      max,
      `its ${n} chunks need a ${manifestValueLength(n)}-byte slot manifest, over the node's ` +
        `${cap}-byte value cap (DMP_MAX_VALUE_BYTES)`,
    );
  }
  return { k, n };
}
