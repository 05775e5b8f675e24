/**
 * Reed-Solomon over GF(2^8) exactly as the reference calls `reedsolo`'s
 * `RSCodec(32)` (core.md §4.2–§4.4): systematic, 32 parity symbols, first
 * consecutive root 0, α = 2, generator g(x) = ∏_{i=0}^{31}(x − α^i); the first
 * byte of a codeword is its highest-degree coefficient.
 *
 * Encoding cuts the input into 223-byte pieces and appends 32 parity bytes to
 * each (a short last piece is a shortened codeword). Decoding cuts into
 * 255-byte pieces and corrects up to 16 byte errors per piece, errors only:
 * Berlekamp–Massey, a Chien search limited to the piece's own length, and
 * Forney with fcr = 0, followed by a syndrome re-check. DMP itself only ever
 * uses one 128-byte block, i.e. one 160-byte codeword.
 *
 * Decoders never throw: an uncorrectable input yields `undefined`. The code
 * keeps module-level scratch buffers (all calls are synchronous, so they are
 * never shared between two calls in flight).
 */
import { GF_EXP, GF_LOG, GF_MUL } from './gf256.js';

/** Parity symbols per codeword (`nsym`). */
export const RS_PARITY_BYTES = 32;
/** Longest codeword (`nsize`): decode input is processed in pieces of this size. */
export const RS_CODEWORD_MAX_BYTES = 255;
/** Longest message per codeword: encode input is processed in pieces of this size. */
export const RS_MESSAGE_MAX_BYTES = RS_CODEWORD_MAX_BYTES - RS_PARITY_BYTES;
/** Byte errors one codeword can repair (errors only, no erasures). */
export const RS_MAX_CORRECTABLE_ERRORS = RS_PARITY_BYTES / 2;

const NSYM = RS_PARITY_BYTES;

/** Generator polynomial coefficients, highest degree first (33 bytes, leading 1). */
export const RS_GENERATOR: Uint8Array = (() => {
  // Multiply out ∏(x + α^i), keeping the coefficients highest degree first.
  let g = Uint8Array.of(1);
  for (let i = 0; i < NSYM; i++) {
    const next = new Uint8Array(g.length + 1);
    const root = GF_EXP[i]!;
    for (let j = 0; j < g.length; j++) {
      next[j] = next[j]! ^ g[j]!;
      next[j + 1] = next[j + 1]! ^ GF_MUL[(root << 8) | g[j]!]!;
    }
    g = next;
  }
  return g;
})();

/*
 * Parity by synthetic division, done 4 bytes at a time. For a non-zero leading
 * byte f at position i, the division XORs f·g[1..32] into positions
 * i+1..i+32. Those 32 products are pre-computed for every f and for each of
 * the four byte alignments of i+1 inside a 32-bit word, as 9 words whose
 * bytes line up with the work buffer. Both tables and the work buffer are
 * filled through byte views, so the word XOR is correct on any endianness.
 */
const SPAN_WORDS = 9;
const SHIFTED_PRODUCTS = new Uint32Array(4 * 256 * SPAN_WORDS);
{
  const bytes = new Uint8Array(SHIFTED_PRODUCTS.buffer);
  // Alignment 0 from the product table; the other three alignments hold the
  // same 32 bytes one to three bytes further on, copied natively (this runs
  // at module load in every CLI process).
  for (let f = 1; f < 256; f++) {
    const base = f * SPAN_WORDS * 4;
    for (let j = 0; j < NSYM; j++) bytes[base + j] = GF_MUL[(f << 8) | RS_GENERATOR[j + 1]!]!;
  }
  for (let align = 1; align < 4; align++) {
    for (let f = 1; f < 256; f++) {
      const from = f * SPAN_WORDS * 4;
      bytes.copyWithin(((align << 8) | f) * SPAN_WORDS * 4 + align, from, from + NSYM);
    }
  }
}

// Room for a 223-byte message, its 32 parity bytes and the last span's spill.
const WORK_WORDS = 72;
const WORK32 = new Uint32Array(WORK_WORDS);
const WORK8 = new Uint8Array(WORK32.buffer);

/**
 * Leaves the parity of `src[off .. off+len)` (len ≤ 223) in
 * `WORK8[len .. len+32)`.
 */
function computeParity(src: Uint8Array, off: number, len: number): void {
  for (let i = 0; i < len; i++) WORK8[i] = src[off + i]!;
  WORK8.fill(0, len);
  for (let i = 0; i < len; i++) {
    const f = WORK8[i]!;
    if (f === 0) continue;
    const pos = i + 1;
    const t = (((pos & 3) << 8) | f) * SPAN_WORDS;
    const w = pos >> 2;
    WORK32[w] = WORK32[w]! ^ SHIFTED_PRODUCTS[t]!;
    WORK32[w + 1] = WORK32[w + 1]! ^ SHIFTED_PRODUCTS[t + 1]!;
    WORK32[w + 2] = WORK32[w + 2]! ^ SHIFTED_PRODUCTS[t + 2]!;
    WORK32[w + 3] = WORK32[w + 3]! ^ SHIFTED_PRODUCTS[t + 3]!;
    WORK32[w + 4] = WORK32[w + 4]! ^ SHIFTED_PRODUCTS[t + 4]!;
    WORK32[w + 5] = WORK32[w + 5]! ^ SHIFTED_PRODUCTS[t + 5]!;
    WORK32[w + 6] = WORK32[w + 6]! ^ SHIFTED_PRODUCTS[t + 6]!;
    WORK32[w + 7] = WORK32[w + 7]! ^ SHIFTED_PRODUCTS[t + 7]!;
    WORK32[w + 8] = WORK32[w + 8]! ^ SHIFTED_PRODUCTS[t + 8]!;
  }
}

/**
 * Systematic encoding, as `RSCodec(32).encode`: every 223-byte piece of
 * `data` (the last may be shorter) followed by its 32 parity bytes. Empty
 * input gives empty output.
 */
export function rsEncode(data: Uint8Array): Uint8Array {
  const pieces = Math.ceil(data.length / RS_MESSAGE_MAX_BYTES);
  const out = new Uint8Array(data.length + pieces * NSYM);
  let o = 0;
  for (let off = 0; off < data.length; off += RS_MESSAGE_MAX_BYTES) {
    const len = Math.min(RS_MESSAGE_MAX_BYTES, data.length - off);
    computeParity(data, off, len);
    out.set(data.subarray(off, off + len), o);
    out.set(WORK8.subarray(len, len + NSYM), o + len);
    o += len + NSYM;
  }
  return out;
}

/**
 * Decoding, as `RSCodec(32).decode(data)[0]`: each 255-byte piece (the last
 * may be shorter) is corrected independently and contributes its first
 * `length − 32` bytes (nothing when the piece is 32 bytes or shorter). Returns
 * `undefined` when any piece has more errors than the code can repair.
 */
export function rsDecode(data: Uint8Array): Uint8Array | undefined {
  let outLen = 0;
  for (let off = 0; off < data.length; off += RS_CODEWORD_MAX_BYTES) {
    outLen += Math.max(0, Math.min(RS_CODEWORD_MAX_BYTES, data.length - off) - NSYM);
  }
  const out = new Uint8Array(outLen);
  let o = 0;
  for (let off = 0; off < data.length; off += RS_CODEWORD_MAX_BYTES) {
    const len = Math.min(RS_CODEWORD_MAX_BYTES, data.length - off);
    if (!decodePiece(data, off, len, out, o)) return undefined;
    o += Math.max(0, len - NSYM);
  }
  return out;
}

/** `received(x) mod g(x)`: 32 coefficients, highest degree first. */
const REMAINDER = new Uint8Array(NSYM);

/**
 * Fills {@link REMAINDER} for the piece `src[off .. off+len)` and reports
 * whether it is zero (the piece is a codeword, i.e. every syndrome is zero).
 * For a piece longer than 32 bytes the remainder is the difference between the
 * received parity and the parity of the received message part; a shorter
 * piece is its own remainder.
 */
function remainderIsZero(src: Uint8Array, off: number, len: number): boolean {
  let any = 0;
  if (len > NSYM) {
    const mlen = len - NSYM;
    computeParity(src, off, mlen);
    for (let j = 0; j < NSYM; j++) {
      const r = WORK8[mlen + j]! ^ src[off + mlen + j]!;
      REMAINDER[j] = r;
      any |= r;
    }
  } else {
    REMAINDER.fill(0, 0, NSYM - len);
    for (let t = 0; t < len; t++) {
      const r = src[off + t]!;
      REMAINDER[NSYM - len + t] = r;
      any |= r;
    }
  }
  return any === 0;
}

const SYNDROMES = new Uint8Array(NSYM);
// Polynomials below are stored lowest degree first; BM intermediates can
// briefly reach degree 32, the extra room keeps every index in bounds.
const LOCATOR = new Uint8Array(2 * NSYM + 2);
const PREVIOUS = new Uint8Array(2 * NSYM + 2);
const SAVED = new Uint8Array(2 * NSYM + 2);
const EVALUATOR = new Uint8Array(NSYM);
const CHIEN_TERMS = new Uint8Array(RS_MAX_CORRECTABLE_ERRORS + 1);
const ERROR_DEGREES = new Uint8Array(RS_MAX_CORRECTABLE_ERRORS);
const CODEWORD = new Uint8Array(RS_CODEWORD_MAX_BYTES);

/** Decodes one piece (1 ≤ len ≤ 255) into `out[o ..]`; false when uncorrectable. */
function decodePiece(
  src: Uint8Array,
  off: number,
  len: number,
  out: Uint8Array,
  o: number,
): boolean {
  const mlen = len - NSYM;
  if (remainderIsZero(src, off, len)) {
    for (let i = 0; i < mlen; i++) out[o + i] = src[off + i]!;
    return true;
  }
  const errors = locateAndCorrect(src, off, len);
  if (errors === 0) return false;
  // Bounded-distance decoders can mis-correct silently without this check.
  if (!remainderIsZero(CODEWORD, 0, len)) return false;
  for (let i = 0; i < mlen; i++) out[o + i] = CODEWORD[i]!;
  return true;
}

/**
 * Error path: syndromes from {@link REMAINDER}, then Berlekamp–Massey, Chien
 * and Forney. Leaves the corrected piece in {@link CODEWORD} and returns the
 * number of errors fixed, or 0 when the piece is uncorrectable.
 */
function locateAndCorrect(src: Uint8Array, off: number, len: number): number {
  // S_j = r(α^j), j = 0..31 (fcr = 0), Horner from the highest coefficient.
  for (let j = 0; j < NSYM; j++) {
    const row = GF_EXP[j]! << 8;
    let s = 0;
    for (let t = 0; t < NSYM; t++) s = GF_MUL[row | s]! ^ REMAINDER[t]!;
    SYNDROMES[j] = s;
  }

  const degree = berlekampMassey();
  if (degree === 0 || degree > RS_MAX_CORRECTABLE_ERRORS) return 0;

  // Chien search over coefficient degrees 0..len−1 only (the shortened code):
  // a root at α^(−i) means an error at byte len−1−i.
  for (let k = 0; k <= degree; k++) CHIEN_TERMS[k] = LOCATOR[k]!;
  let found = 0;
  for (let i = 0; i < len && found < degree; i++) {
    let v = 0;
    for (let k = 0; k <= degree; k++) v ^= CHIEN_TERMS[k]!;
    if (v === 0) ERROR_DEGREES[found++] = i;
    // Advance every term λ_k·α^(−ik) to λ_k·α^(−(i+1)k).
    for (let k = 1; k <= degree; k++) {
      CHIEN_TERMS[k] = GF_MUL[(GF_EXP[255 - k]! << 8) | CHIEN_TERMS[k]!]!;
    }
  }
  // Fewer roots than the degree: errors outside the piece or a repeated root.
  if (found !== degree) return 0;

  // Ω(x) = S(x)·Λ(x) mod x^32.
  for (let t = 0; t < NSYM; t++) {
    let v = 0;
    const top = Math.min(t, degree);
    for (let k = 0; k <= top; k++) v ^= GF_MUL[(LOCATOR[k]! << 8) | SYNDROMES[t - k]!]!;
    EVALUATOR[t] = v;
  }

  for (let i = 0; i < len; i++) CODEWORD[i] = src[off + i]!;
  for (let e = 0; e < degree; e++) {
    const i = ERROR_DEGREES[e]!;
    const invLog = (255 - i) % 255; // log of X⁻¹ = α^(−i)
    // Ω(X⁻¹)
    let num = 0;
    for (let t = 0; t < NSYM; t++) {
      const c = EVALUATOR[t]!;
      if (c !== 0) num ^= GF_EXP[(GF_LOG[c]! + invLog * t) % 255]!;
    }
    // Λ'(X⁻¹): in characteristic 2 only the odd terms survive.
    let den = 0;
    for (let k = 1; k <= degree; k += 2) {
      const c = LOCATOR[k]!;
      if (c !== 0) den ^= GF_EXP[(GF_LOG[c]! + invLog * (k - 1)) % 255]!;
    }
    if (den === 0) return 0;
    if (num === 0) continue;
    // Forney with fcr = 0: e = X·Ω(X⁻¹)/Λ'(X⁻¹).
    const magnitude = GF_EXP[(i + GF_LOG[num]! + 255 - GF_LOG[den]!) % 255]!;
    const p = len - 1 - i;
    CODEWORD[p] = CODEWORD[p]! ^ magnitude;
  }
  return degree;
}

/** Error locator Λ from {@link SYNDROMES} into {@link LOCATOR}; returns deg Λ. */
function berlekampMassey(): number {
  LOCATOR.fill(0);
  PREVIOUS.fill(0);
  LOCATOR[0] = 1;
  PREVIOUS[0] = 1;
  let length = 0;
  let shift = 1;
  let lastDiscrepancy = 1;
  for (let r = 0; r < NSYM; r++) {
    let d = SYNDROMES[r]!;
    for (let i = 1; i <= length; i++) d ^= GF_MUL[(LOCATOR[i]! << 8) | SYNDROMES[r - i]!]!;
    if (d === 0) {
      shift++;
      continue;
    }
    const coef = GF_EXP[GF_LOG[d]! + 255 - GF_LOG[lastDiscrepancy]!]!;
    const row = coef << 8;
    const grows = 2 * length <= r;
    if (grows) SAVED.set(LOCATOR);
    for (let i = 0; i + shift < LOCATOR.length; i++) {
      const b = PREVIOUS[i]!;
      if (b !== 0) LOCATOR[i + shift] = LOCATOR[i + shift]! ^ GF_MUL[row | b]!;
    }
    if (grows) {
      length = r + 1 - length;
      PREVIOUS.set(SAVED);
      lastDiscrepancy = d;
      shift = 1;
    } else {
      shift++;
    }
  }
  let degree = LOCATOR.length - 1;
  while (degree > 0 && LOCATOR[degree] === 0) degree--;
  return degree;
}
