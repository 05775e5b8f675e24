/**
 * GF(2^8) arithmetic shared by the per-chunk Reed-Solomon code (core.md §4.3)
 * and the cross-chunk zfec erasure code (core.md §5.3): reduction polynomial
 * 0x11d (x⁸+x⁴+x³+x²+1), primitive element α = 2. Addition is XOR.
 *
 * Everything is table-driven. The full 64 KiB product table lets the hot
 * loops multiply a whole row of bytes by one coefficient with a single
 * lookup per byte (`GF_MUL[(coef << 8) | byte]`), with no zero tests.
 */

/** The field's reduction polynomial, including the x⁸ term. */
export const GF_POLYNOMIAL = 0x11d;

/**
 * `GF_EXP[i] = α^i`. Doubled to 510 entries so `GF_EXP[logA + logB]` needs no
 * reduction mod 255 (the sum of two logs is at most 508).
 */
export const GF_EXP: Uint8Array = new Uint8Array(512);

/** `GF_LOG[a] = i` with `α^i = a`, for a ≠ 0. `GF_LOG[0]` is meaningless (0). */
export const GF_LOG: Uint8Array = new Uint8Array(256);

/** Full product table: `GF_MUL[(a << 8) | b] = a·b`. Row `a` is `GF_MUL.subarray(a << 8, (a + 1) << 8)`. */
export const GF_MUL: Uint8Array = new Uint8Array(65536);

{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = x;
    GF_LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= GF_POLYNOMIAL;
  }
  for (let i = 255; i < 512; i++) GF_EXP[i] = GF_EXP[i - 255]!;
  // The table is built when the module loads, i.e. in every CLI process, so
  // it is built from linearity rather than 65 025 log/exp lookups (≈ 1 ms
  // less): a·b is linear in a, so row 2a is row a times α (one shift and a
  // conditional reduction per byte), and row a is the XOR of the rows of its
  // lowest set bit and of the rest, 64 word XORs per row.
  for (let b = 0; b < 256; b++) GF_MUL[256 | b] = b;
  for (let bit = 2; bit < 256; bit <<= 1) {
    const row = bit << 8;
    const half = (bit >> 1) << 8;
    for (let b = 0; b < 256; b++) {
      const doubled = GF_MUL[half | b]! << 1;
      GF_MUL[row | b] = doubled & 0x100 ? doubled ^ GF_POLYNOMIAL : doubled;
    }
  }
  const words = new Uint32Array(GF_MUL.buffer);
  for (let a = 3; a < 256; a++) {
    const low = a & -a;
    if (low === a) continue;
    const row = a << 6;
    const rest = (a ^ low) << 6;
    const lowRow = low << 6;
    for (let w = 0; w < 64; w++) words[row + w] = words[rest + w]! ^ words[lowRow + w]!;
  }
}

/** a·b in GF(2^8). */
export function gfMul(a: number, b: number): number {
  return GF_MUL[((a & 0xff) << 8) | (b & 0xff)]!;
}

/** Multiplicative inverse of a non-zero element. Throws `RangeError` for 0 (a programming error). */
export function gfInv(a: number): number {
  if ((a & 0xff) === 0) throw new RangeError('GF(256): 0 has no inverse');
  return GF_EXP[255 - GF_LOG[a & 0xff]!]!;
}

/** a / b in GF(2^8). Throws `RangeError` when b is 0. */
export function gfDiv(a: number, b: number): number {
  if ((b & 0xff) === 0) throw new RangeError('GF(256): division by 0');
  if ((a & 0xff) === 0) return 0;
  return GF_EXP[GF_LOG[a & 0xff]! + 255 - GF_LOG[b & 0xff]!]!;
}

/** α^e for any integer e (negative exponents allowed: α has order 255). */
export function gfExpAlpha(e: number): number {
  return GF_EXP[((e % 255) + 255) % 255]!;
}

/** a^e for a non-negative integer e, with 0^0 = 1 (the convention zfec's Vandermonde rows use). */
export function gfPow(a: number, e: number): number {
  if (e === 0) return 1;
  if ((a & 0xff) === 0) return 0;
  return GF_EXP[(GF_LOG[a & 0xff]! * e) % 255]!;
}
