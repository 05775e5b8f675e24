/**
 * One chunk's wire bytes (core.md §4.1, §4.5): an 8-byte checksum of the
 * block, the 128-byte block itself, and 32 Reed-Solomon parity bytes over it.
 *
 * ```
 * wire = sha256(block)[0:8] ‖ block ‖ parity(block)      (168 bytes)
 * ```
 *
 * The checksum sits outside the codeword, so it is not repaired: unwrapping
 * runs Reed-Solomon first and then requires the checksum of the *decoded*
 * block to match.
 */
import { bytesEqual } from '../bytes.js';
import { sha256 } from '../crypto/hash.js';
import { DmpEncodeError } from '../result.js';
import { RS_PARITY_BYTES, rsDecode, rsEncode } from './reed-solomon.js';

/** Size of one erasure share carried by a chunk. */
export const CHUNK_BLOCK_BYTES = 128;
/** Leading checksum: the first 8 bytes of SHA-256 over the block. */
export const CHUNK_CHECKSUM_BYTES = 8;
/** Wire size of a wrapped block: 8 + 128 + 32. */
export const CHUNK_WIRE_BYTES = CHUNK_CHECKSUM_BYTES + CHUNK_BLOCK_BYTES + RS_PARITY_BYTES;

/**
 * Wraps a 128-byte block for publication as a chunk (`wrap_block`).
 * Throws {@link DmpEncodeError} for any other block size.
 */
export function wrapChunkBlock(block: Uint8Array): Uint8Array {
  if (block.length !== CHUNK_BLOCK_BYTES) {
    throw new DmpEncodeError(`chunk block must be ${CHUNK_BLOCK_BYTES} bytes, got ${block.length}`);
  }
  const codeword = rsEncode(block);
  const wire = new Uint8Array(CHUNK_CHECKSUM_BYTES + codeword.length);
  wire.set(sha256(block).subarray(0, CHUNK_CHECKSUM_BYTES), 0);
  wire.set(codeword, CHUNK_CHECKSUM_BYTES);
  return wire;
}

/**
 * Recovers the block from chunk wire bytes (`unwrap_block`), repairing up to
 * 16 byte errors per 255-byte piece of the codeword. Returns `undefined` when
 * the input is 8 bytes or shorter, Reed-Solomon cannot repair it, or the
 * checksum does not match. Never throws.
 *
 * Like the reference, a wire whose codeword is not 160 bytes can yield a block
 * that is not 128 bytes; the erasure layer rejects such shares.
 */
export function unwrapChunkBlock(wire: Uint8Array): Uint8Array | undefined {
  if (wire.length <= CHUNK_CHECKSUM_BYTES) return undefined;
  const block = rsDecode(wire.subarray(CHUNK_CHECKSUM_BYTES));
  if (block === undefined) return undefined;
  const digest = sha256(block);
  if (
    !bytesEqual(digest.subarray(0, CHUNK_CHECKSUM_BYTES), wire.subarray(0, CHUNK_CHECKSUM_BYTES))
  ) {
    return undefined;
  }
  return block;
}
