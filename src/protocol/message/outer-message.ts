/**
 * The outer message that is erasure-coded (core.md §3.2):
 *
 *   u16 header_len ‖ header JSON ‖ EncryptedMessage ‖ 32-byte trailer
 *
 * The trailer is a placeholder the reference always fills with zeros and
 * never checks; the outer header always says `total = 1, chunk = 0`.
 */
import { readU16, writeU16 } from '../bytes.js';
import { accept, type ParseResult, reject } from '../result.js';

/** Length of the unused trailer. */
export const OUTER_TRAILER_BYTES = 32;

export interface OuterMessage {
  /** Raw header JSON bytes (parse with `parseHeader`). */
  readonly header: Uint8Array;
  /** The EncryptedMessage bytes. */
  readonly payload: Uint8Array;
}

/** Lays out the outer message; the header must be shorter than 64 KiB. */
export function encodeOuterMessage(header: Uint8Array, payload: Uint8Array): Uint8Array {
  if (header.length > 0xffff) throw new RangeError('header too long');
  const out = new Uint8Array(2 + header.length + payload.length + OUTER_TRAILER_BYTES);
  writeU16(out, 0, header.length);
  out.set(header, 2);
  out.set(payload, 2 + header.length);
  return out;
}

/** Splits an outer message; the trailer is ignored whatever it holds. */
export function parseOuterMessage(bytes: Uint8Array): ParseResult<OuterMessage> {
  if (bytes.length < 2 + OUTER_TRAILER_BYTES) return reject('length', 'outer message too short');
  const headerLen = readU16(bytes, 0);
  if (bytes.length < 2 + headerLen + OUTER_TRAILER_BYTES) {
    return reject('length', 'outer message shorter than its header');
  }
  return accept({
    header: bytes.subarray(2, 2 + headerLen),
    payload: bytes.subarray(2 + headerLen, bytes.length - OUTER_TRAILER_BYTES),
  });
}
