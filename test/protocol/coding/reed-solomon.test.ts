import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/protocol/bytes.js';
import { gfExpAlpha, gfMul } from '../../../src/protocol/coding/gf256.js';
import {
  RS_CODEWORD_MAX_BYTES,
  RS_GENERATOR,
  RS_MAX_CORRECTABLE_ERRORS,
  RS_MESSAGE_MAX_BYTES,
  RS_PARITY_BYTES,
  rsDecode,
  rsEncode,
} from '../../../src/protocol/coding/reed-solomon.js';

/** Evaluates a polynomial stored highest-degree coefficient first (Horner). */
function evaluate(poly: Uint8Array, x: number): number {
  let acc = 0;
  for (const c of poly) acc = gfMul(acc, x) ^ c;
  return acc;
}

function hamming(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** A message, its codeword, and `count` distinct error positions with non-zero XOR masks. */
function corruptedCodeword(minErrors: number, maxErrors: number) {
  return fc.uint8Array({ minLength: 1, maxLength: RS_MESSAGE_MAX_BYTES }).chain((message) => {
    const length = message.length + RS_PARITY_BYTES;
    return fc.record({
      message: fc.constant(message),
      positions: fc.uniqueArray(fc.integer({ min: 0, max: length - 1 }), {
        minLength: Math.min(minErrors, length),
        maxLength: Math.min(maxErrors, length),
      }),
      masks: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: length, maxLength: length }),
    });
  });
}

function corrupt(codeword: Uint8Array, positions: number[], masks: number[]): Uint8Array {
  const out = codeword.slice();
  positions.forEach((p, i) => {
    out[p] = out[p]! ^ masks[i]!;
  });
  return out;
}

describe('Reed-Solomon RSCodec(32)', () => {
  it('generator is monic of degree 32 with roots α^0..α^31 only', () => {
    expect(RS_GENERATOR.length).toBe(RS_PARITY_BYTES + 1);
    expect(RS_GENERATOR[0]).toBe(1);
    for (let i = 0; i < RS_PARITY_BYTES; i++) expect(evaluate(RS_GENERATOR, gfExpAlpha(i))).toBe(0);
    expect(evaluate(RS_GENERATOR, gfExpAlpha(RS_PARITY_BYTES))).not.toBe(0);
    expect(evaluate(RS_GENERATOR, gfExpAlpha(-1))).not.toBe(0);
  });

  it('encodes systematically: codeword = message ‖ parity, zero at every root', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: RS_MESSAGE_MAX_BYTES }), (message) => {
        const codeword = rsEncode(message);
        expect(codeword.length).toBe(message.length + RS_PARITY_BYTES);
        expect(toHex(codeword.subarray(0, message.length))).toBe(toHex(message));
        for (let j = 0; j < RS_PARITY_BYTES; j++) expect(evaluate(codeword, gfExpAlpha(j))).toBe(0);
      }),
    );
  });

  it('splits encode input into 223-byte pieces and decode input into 255-byte pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (data) => {
        const encoded = rsEncode(data);
        const pieces = Math.ceil(data.length / RS_MESSAGE_MAX_BYTES);
        expect(encoded.length).toBe(data.length + pieces * RS_PARITY_BYTES);
        for (let p = 0; p < pieces; p++) {
          const piece = encoded.subarray(
            p * RS_CODEWORD_MAX_BYTES,
            (p + 1) * RS_CODEWORD_MAX_BYTES,
          );
          expect(evaluate(piece, 1)).toBe(0);
          expect(evaluate(piece, gfExpAlpha(31))).toBe(0);
        }
        expect(toHex(rsDecode(encoded)!)).toBe(toHex(data));
      }),
    );
    expect(rsEncode(new Uint8Array(0)).length).toBe(0);
    expect(rsDecode(new Uint8Array(0))!.length).toBe(0);
  });

  it(`repairs any ${RS_MAX_CORRECTABLE_ERRORS} or fewer byte errors`, () => {
    fc.assert(
      fc.property(
        corruptedCodeword(1, RS_MAX_CORRECTABLE_ERRORS),
        ({ message, positions, masks }) => {
          const received = corrupt(rsEncode(message), positions, masks);
          expect(hamming(received, rsEncode(message))).toBe(positions.length);
          expect(toHex(rsDecode(received)!)).toBe(toHex(message));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('beyond 16 errors: fails, or lands on another codeword within distance 16 (never the original)', () => {
    let failures = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        corruptedCodeword(RS_MAX_CORRECTABLE_ERRORS + 1, 2 * RS_PARITY_BYTES),
        ({ message, positions, masks }) => {
          runs++;
          const received = corrupt(rsEncode(message), positions, masks);
          const decoded = rsDecode(received);
          if (decoded === undefined) {
            failures++;
            return;
          }
          expect(toHex(decoded)).not.toBe(toHex(message));
          expect(hamming(rsEncode(decoded), received)).toBeLessThanOrEqual(
            RS_MAX_CORRECTABLE_ERRORS,
          );
        },
      ),
      { numRuns: 300 },
    );
    // Mis-correction is rare; almost every such word is refused.
    expect(failures).toBeGreaterThan(runs * 0.9);
  });

  it('repairs each 255-byte piece of a long input independently', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: RS_MESSAGE_MAX_BYTES + 1, maxLength: 3 * RS_MESSAGE_MAX_BYTES }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (data, seed) => {
          const received = rsEncode(data);
          // 16 errors in every piece, at positions derived from the seed.
          let s = seed;
          for (let off = 0; off < received.length; off += RS_CODEWORD_MAX_BYTES) {
            const len = Math.min(RS_CODEWORD_MAX_BYTES, received.length - off);
            const used = new Set<number>();
            while (used.size < Math.min(RS_MAX_CORRECTABLE_ERRORS, len)) {
              s = (Math.imul(s, 1103515245) + 12345) >>> 0;
              used.add(s % len);
            }
            for (const p of used) received[off + p] = received[off + p]! ^ (1 + (p % 255));
          }
          expect(toHex(rsDecode(received)!)).toBe(toHex(data));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a piece of 32 bytes or fewer is a codeword only when zero, and decodes to nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: RS_PARITY_BYTES }), (piece) => {
        let weight = 0;
        for (const b of piece) if (b !== 0) weight++;
        const decoded = rsDecode(piece);
        if (weight <= RS_MAX_CORRECTABLE_ERRORS) expect(decoded?.length).toBe(0);
        else expect(decoded).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary input and never mutates it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (data) => {
        const before = toHex(data);
        const decoded = rsDecode(data);
        expect(toHex(data)).toBe(before);
        if (decoded !== undefined) {
          // Whatever comes back re-encodes to a word within distance 16 of each piece.
          expect(hamming(rsEncode(decoded), data)).toBeLessThanOrEqual(
            RS_MAX_CORRECTABLE_ERRORS * Math.ceil(data.length / RS_CODEWORD_MAX_BYTES),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
