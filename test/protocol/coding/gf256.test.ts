import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GF_EXP,
  GF_LOG,
  GF_MUL,
  GF_POLYNOMIAL,
  gfDiv,
  gfExpAlpha,
  gfInv,
  gfMul,
  gfPow,
} from '../../../src/protocol/coding/gf256.js';

/** Carry-less multiply then reduce by 0x11d, bit by bit: independent of the tables. */
function slowMul(a: number, b: number): number {
  let product = 0;
  for (let i = 0; i < 8; i++) if (b & (1 << i)) product ^= a << i;
  for (let bit = 14; bit >= 8; bit--)
    if (product & (1 << bit)) product ^= GF_POLYNOMIAL << (bit - 8);
  return product;
}

const byte = fc.integer({ min: 0, max: 255 });
const nonZero = fc.integer({ min: 1, max: 255 });

describe('GF(2^8) / 0x11d', () => {
  it('product table matches bitwise multiplication for every pair', () => {
    let mismatches = 0;
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        if (GF_MUL[(a << 8) | b] !== slowMul(a, b)) mismatches++;
        if (gfMul(a, b) !== GF_MUL[(a << 8) | b]) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('α = 2 generates the multiplicative group and log inverts exp', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 255; i++) {
      seen.add(GF_EXP[i]!);
      expect(GF_LOG[GF_EXP[i]!]).toBe(i);
      expect(GF_EXP[i + 255]).toBe(GF_EXP[i]);
      expect(GF_EXP[i + 1]).toBe(slowMul(GF_EXP[i]!, 2));
    }
    expect(seen.size).toBe(255);
    expect(seen.has(0)).toBe(false);
    expect(GF_EXP[0]).toBe(1);
    expect(GF_EXP[8]).toBe(0x1d);
  });

  it('inverse and division undo multiplication', () => {
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a))).toBe(1);
    fc.assert(
      fc.property(byte, nonZero, (a, b) => {
        expect(gfDiv(gfMul(a, b), b)).toBe(a);
      }),
    );
    expect(() => gfInv(0)).toThrow(RangeError);
    expect(() => gfDiv(5, 0)).toThrow(RangeError);
    expect(gfDiv(0, 7)).toBe(0);
  });

  it('is a field: commutative, associative, distributive over XOR', () => {
    fc.assert(
      fc.property(byte, byte, byte, (a, b, c) => {
        expect(gfMul(a, b)).toBe(gfMul(b, a));
        expect(gfMul(gfMul(a, b), c)).toBe(gfMul(a, gfMul(b, c)));
        expect(gfMul(a, b ^ c)).toBe(gfMul(a, b) ^ gfMul(a, c));
      }),
    );
  });

  it('powers: repeated multiplication, 0^0 = 1, negative exponents of α', () => {
    fc.assert(
      fc.property(byte, fc.integer({ min: 0, max: 600 }), (a, e) => {
        let expected = 1;
        for (let i = 0; i < e; i++) expected = slowMul(expected, a);
        expect(gfPow(a, e)).toBe(expected);
      }),
    );
    expect(gfPow(0, 0)).toBe(1);
    expect(gfPow(0, 3)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: -2000, max: 2000 }), (e) => {
        expect(gfMul(gfExpAlpha(e), gfExpAlpha(-e))).toBe(1);
        expect(gfExpAlpha(e + 1)).toBe(gfMul(gfExpAlpha(e), 2));
      }),
    );
  });
});
