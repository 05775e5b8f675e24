import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src/protocol/bytes.js';
import {
  CHUNK_BLOCK_BYTES,
  CHUNK_CHECKSUM_BYTES,
  CHUNK_WIRE_BYTES,
  unwrapChunkBlock,
  wrapChunkBlock,
} from '../../../src/protocol/coding/chunk-block.js';
import { RS_MAX_CORRECTABLE_ERRORS, rsEncode } from '../../../src/protocol/coding/reed-solomon.js';
import { sha256 } from '../../../src/protocol/crypto/hash.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';

const block = fc.uint8Array({ minLength: CHUNK_BLOCK_BYTES, maxLength: CHUNK_BLOCK_BYTES });
const codewordPositions = (min: number, max: number) =>
  fc.uniqueArray(fc.integer({ min: CHUNK_CHECKSUM_BYTES, max: CHUNK_WIRE_BYTES - 1 }), {
    minLength: min,
    maxLength: max,
  });
const mask = fc.integer({ min: 1, max: 255 });

function flip(wire: Uint8Array, positions: number[], xor: number): Uint8Array {
  const out = wire.slice();
  for (const p of positions) out[p] = out[p]! ^ xor;
  return out;
}

describe('chunk block wrap / unwrap', () => {
  it('lays out checksum ‖ block ‖ parity and round-trips', () => {
    fc.assert(
      fc.property(block, (b) => {
        const wire = wrapChunkBlock(b);
        expect(wire.length).toBe(CHUNK_WIRE_BYTES);
        expect(toHex(wire.subarray(0, CHUNK_CHECKSUM_BYTES))).toBe(
          toHex(sha256(b).subarray(0, CHUNK_CHECKSUM_BYTES)),
        );
        expect(toHex(wire.subarray(CHUNK_CHECKSUM_BYTES))).toBe(toHex(rsEncode(b)));
        expect(toHex(unwrapChunkBlock(wire)!)).toBe(toHex(b));
      }),
    );
  });

  it('refuses to wrap anything but 128 bytes', () => {
    for (const len of [0, 1, 127, 129, 223, 224]) {
      expect(() => wrapChunkBlock(new Uint8Array(len))).toThrow(DmpEncodeError);
    }
  });

  it(`repairs up to ${RS_MAX_CORRECTABLE_ERRORS} corrupted codeword bytes`, () => {
    fc.assert(
      fc.property(block, codewordPositions(1, RS_MAX_CORRECTABLE_ERRORS), mask, (b, pos, xor) => {
        expect(toHex(unwrapChunkBlock(flip(wrapChunkBlock(b), pos, xor))!)).toBe(toHex(b));
      }),
      { numRuns: 200 },
    );
  });

  it('beyond 16 codeword errors never yields a wrong block', () => {
    fc.assert(
      fc.property(
        block,
        codewordPositions(RS_MAX_CORRECTABLE_ERRORS + 1, 80),
        mask,
        (b, pos, x) => {
          expect(unwrapChunkBlock(flip(wrapChunkBlock(b), pos, x))).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any change to the unprotected checksum is fatal', () => {
    fc.assert(
      fc.property(block, fc.integer({ min: 0, max: CHUNK_CHECKSUM_BYTES - 1 }), mask, (b, p, x) => {
        expect(unwrapChunkBlock(flip(wrapChunkBlock(b), [p], x))).toBeUndefined();
      }),
    );
  });

  it('rejects 8 bytes or fewer', () => {
    const wire = wrapChunkBlock(new Uint8Array(CHUNK_BLOCK_BYTES));
    for (let len = 0; len <= CHUNK_CHECKSUM_BYTES; len++) {
      expect(unwrapChunkBlock(wire.subarray(0, len))).toBeUndefined();
    }
  });

  it('returns blocks of other sizes when checksum and codeword agree (as the reference does)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (data) => {
        const wire = concatBytes(sha256(data).subarray(0, CHUNK_CHECKSUM_BYTES), rsEncode(data));
        expect(toHex(unwrapChunkBlock(wire)!)).toBe(toHex(data));
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on arbitrary bytes; any result matches the checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (wire) => {
        const result = unwrapChunkBlock(wire);
        if (result !== undefined) {
          expect(toHex(sha256(result).subarray(0, CHUNK_CHECKSUM_BYTES))).toBe(
            toHex(wire.subarray(0, CHUNK_CHECKSUM_BYTES)),
          );
        }
      }),
      { numRuns: 500 },
    );
    // Short wires whose codeword is all zero decode to an empty block; the checksum decides.
    const emptyDigest = sha256(new Uint8Array(0)).subarray(0, CHUNK_CHECKSUM_BYTES);
    expect(unwrapChunkBlock(concatBytes(emptyDigest, new Uint8Array(5)))?.length).toBe(0);
    expect(unwrapChunkBlock(concatBytes(new Uint8Array(8), new Uint8Array(5)))).toBeUndefined();
  });
});
