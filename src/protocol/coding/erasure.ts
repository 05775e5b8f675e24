/**
 * Cross-chunk k-of-n erasure coding (core.md §5), byte-compatible with zfec
 * (Rizzo's systematic Vandermonde code over GF(2^8)/0x11d).
 *
 * The input is prefixed with its length (u32, big-endian), zero-padded to
 * k·128 bytes and cut into k data shares; n − k parity shares follow. Any k
 * of the n shares reconstruct the input.
 *
 * zfec's encoding matrix is E = V·T⁻¹, where V[r][c] = x_r^c over the points
 * x_0 = 0, x_r = α^(r−1), and T is the top k×k block of V. Row j of E
 * therefore evaluates the k Lagrange basis polynomials of the first k points
 * at x_j, which gives each parity entry in closed form:
 *
 *   E[j][c] = P(x_j) / ((x_j − x_c) · P'_c),
 *   P(x) = ∏_{s<k} (x − x_s),   P'_c = ∏_{s<k, s≠c} (x_c − x_s).
 *
 * That is the same matrix zfec builds by inverting T, computed in O(n·k).
 */
import { readU32, writeU32 } from '../bytes.js';
import { DmpEncodeError, ensure } from '../result.js';
import { GF_EXP, GF_LOG, GF_MUL } from './gf256.js';

/** Size of every share (one chunk's block). */
export const ERASURE_SHARE_BYTES = 128;
/** Size of the big-endian length prefix placed before the input. */
export const ERASURE_LENGTH_PREFIX_BYTES = 4;
/** zfec's limit on the total number of shares. */
export const ERASURE_MAX_SHARES = 256;
/** Largest encodable input: k = 196 gives n = 255; k = 197 would need n = 257. */
export const ERASURE_MAX_INPUT_BYTES = 196 * ERASURE_SHARE_BYTES - ERASURE_LENGTH_PREFIX_BYTES;

const SHARE = ERASURE_SHARE_BYTES;
const SHARE_WORDS = SHARE / 4;

/** Data and total share counts for one message. */
export interface ErasureParameters {
  /** Data shares: any k shares reconstruct the input. */
  readonly k: number;
  /** Total shares (data first, then parity). */
  readonly n: number;
}

/** Result of {@link erasureEncode}. */
export interface ErasureEncoding extends ErasureParameters {
  /** n shares of 128 bytes in share-id order: data shares 0..k−1, then parity. */
  readonly shares: Uint8Array[];
}

/**
 * k and n for an input of `length` bytes (`choose_kn` with redundancy 0.3):
 * k = max(1, ⌈(length + 4)/128⌉), n = k + max(1, ⌈3k/10⌉). Does not check
 * the n ≤ 256 limit (see {@link erasureEncode}). Throws
 * {@link DmpEncodeError} unless 0 ≤ length < 2^32.
 */
export function erasureParameters(length: number): ErasureParameters {
  ensure(
    Number.isSafeInteger(length) && length >= 0 && length <= 0xffffffff,
    `erasure input length must fit the 4-byte prefix, got ${length}`,
  );
  const k = Math.max(1, Math.ceil((length + ERASURE_LENGTH_PREFIX_BYTES) / SHARE));
  return { k, n: k + parityCount(k) };
}

/** max(1, ⌈0.3·k⌉) in exact integer arithmetic. */
function parityCount(k: number): number {
  return Math.max(1, Math.floor((3 * k + 9) / 10));
}

/**
 * Splits `data` into n shares of which any k recover it. Throws
 * {@link DmpEncodeError} when the input needs more than 256 shares (over
 * {@link ERASURE_MAX_INPUT_BYTES} bytes), as zfec refuses such codes.
 */
export function erasureEncode(data: Uint8Array): ErasureEncoding {
  const { k, n } = erasureParameters(data.length);
  if (n > ERASURE_MAX_SHARES) {
    throw new DmpEncodeError(
      `erasure input of ${data.length} bytes needs n = ${n} shares (maximum ${ERASURE_MAX_SHARES}, ` +
        `so at most ${ERASURE_MAX_INPUT_BYTES} bytes)`,
    );
  }
  // One allocation: the padded data shares followed by the parity shares.
  const buf = new Uint8Array(n * SHARE);
  writeU32(buf, 0, data.length);
  buf.set(data, ERASURE_LENGTH_PREFIX_BYTES);
  const words = new Uint32Array(buf.buffer);
  const parity = parityMatrix(k, n);
  for (let j = 0; j < n - k; j++) {
    const dst = (k + j) * SHARE_WORDS;
    for (let c = 0; c < k; c++) mulAddShare(words, dst, words, c * SHARE_WORDS, parity[j * k + c]!);
  }
  const shares: Uint8Array[] = new Array(n);
  for (let s = 0; s < n; s++) shares[s] = buf.subarray(s * SHARE, (s + 1) * SHARE);
  return { k, n, shares };
}

/**
 * Reassembles the input from shares keyed by share id (`erasure.decode`,
 * core.md §5.5). Uses the k lowest ids supplied. Returns `undefined` when
 * k ≤ 0, n < k, n > 256, fewer than k shares are given, any key is not an
 * integer, a used id is negative or ≥ n, a used share is not 128 bytes, or
 * the length prefix exceeds k·128 − 4. Padding bytes are not checked. Never
 * throws.
 */
export function erasureDecode(
  shares: ReadonlyMap<number, Uint8Array>,
  k: number,
  n: number,
): Uint8Array | undefined {
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n)) return undefined;
  if (k <= 0 || n < k || n > ERASURE_MAX_SHARES) return undefined;
  if (shares.size < k) return undefined;

  const ids: number[] = [];
  for (const id of shares.keys()) {
    if (!Number.isSafeInteger(id)) return undefined;
    ids.push(id);
  }
  ids.sort((a, b) => a - b);
  ids.length = k;

  const blocks: Uint8Array[] = new Array(k);
  const missing: number[] = [];
  const parityIds: number[] = [];
  let next = 0; // ids are sorted, so data ids come first, in order
  for (const id of ids) {
    if (id < 0 || id >= n) return undefined;
    const block = shares.get(id);
    if (!(block instanceof Uint8Array) || block.length !== SHARE) return undefined;
    if (id < k) {
      while (next < id) missing.push(next++);
      blocks[id] = block;
      next = id + 1;
    } else {
      parityIds.push(id);
    }
  }
  while (next < k) missing.push(next++);

  if (missing.length === 0) return unpad(blocks, k);
  const padded = recoverMissing(k, n, blocks, missing, parityIds, shares);
  if (padded === undefined) return undefined;
  for (const c of missing) blocks[c] = padded.subarray(c * SHARE, (c + 1) * SHARE);
  return unpad(blocks, k);
}

/** Strips the length prefix and padding from the k data shares (§5.5 step 5). */
function unpad(blocks: Uint8Array[], k: number): Uint8Array | undefined {
  const length = readU32(blocks[0]!, 0);
  if (length > k * SHARE - ERASURE_LENGTH_PREFIX_BYTES) return undefined;
  const out = new Uint8Array(length);
  let pos = ERASURE_LENGTH_PREFIX_BYTES; // position in the padded stream
  for (let o = 0; o < length; ) {
    const block = blocks[(pos / SHARE) | 0]!;
    const start = pos % SHARE;
    const take = Math.min(SHARE - start, length - o);
    out.set(block.subarray(start, start + take), o);
    o += take;
    pos += take;
  }
  return out;
}

/**
 * The parity rows E[k..n−1] of zfec's encoding matrix for (k, n), one
 * k-byte row per parity share (column c multiplies data share c). Fresh
 * copies; for diagnostics and tests. Throws {@link DmpEncodeError} unless
 * 1 ≤ k ≤ n ≤ 256.
 */
export function erasureParityRows(k: number, n: number): Uint8Array[] {
  ensure(
    Number.isSafeInteger(k) && Number.isSafeInteger(n) && k >= 1 && n >= k && n <= 256,
    `invalid erasure code (k = ${k}, n = ${n})`,
  );
  const m = parityMatrix(k, n);
  const rows: Uint8Array[] = [];
  for (let j = 0; j < n - k; j++) rows.push(m.slice(j * k, (j + 1) * k));
  return rows;
}

/**
 * Cache of parity matrices for the (k, n) pairs {@link erasureParameters}
 * produces (196 of them, under 1 MiB in total). Other pairs come only from
 * hostile manifests; they are cheap to build and not worth remembering.
 */
const PARITY_CACHE = new Map<number, Uint8Array>();

/** Row-major (n−k)×k parity matrix; 1 ≤ k ≤ n ≤ 256 (checked by callers). */
function parityMatrix(k: number, n: number): Uint8Array {
  const standard = n === k + parityCount(k);
  const key = k * 512 + n;
  if (standard) {
    const cached = PARITY_CACHE.get(key);
    if (cached !== undefined) return cached;
  }
  const matrix = buildParityMatrix(k, n);
  if (standard) PARITY_CACHE.set(key, matrix);
  return matrix;
}

/** Evaluation point of share row r: x_0 = 0, x_r = α^(r−1). */
function point(r: number): number {
  return r === 0 ? 0 : GF_EXP[r - 1]!;
}

function buildParityMatrix(k: number, n: number): Uint8Array {
  // log P'_c for each data column c (all factors are non-zero: points are distinct).
  const logDenominator = new Uint16Array(k);
  for (let c = 0; c < k; c++) {
    const xc = point(c);
    let log = 0;
    for (let s = 0; s < k; s++) if (s !== c) log += GF_LOG[xc ^ point(s)]!;
    logDenominator[c] = log % 255;
  }
  const matrix = new Uint8Array((n - k) * k);
  for (let j = k; j < n; j++) {
    const xj = point(j);
    let logP = 0;
    for (let s = 0; s < k; s++) logP += GF_LOG[xj ^ point(s)]!;
    logP %= 255;
    const row = (j - k) * k;
    for (let c = 0; c < k; c++) {
      const log = logP - GF_LOG[xj ^ point(c)]! - logDenominator[c]!;
      matrix[row + c] = GF_EXP[(log + 510) % 255]!;
    }
  }
  return matrix;
}

/**
 * Solves for the missing data shares. With M the missing columns and R the
 * parity ids used (|R| = |M|), each parity share gives
 * Σ_{c∈M} E[r][c]·data_c = share_r − Σ_{c∉M} E[r][c]·data_c; the m×m system
 * is inverted once and applied to all 128 byte positions. Returns a k·128
 * buffer holding the recovered shares at their own positions.
 */
function recoverMissing(
  k: number,
  n: number,
  blocks: Uint8Array[],
  missing: number[],
  parityIds: number[],
  shares: ReadonlyMap<number, Uint8Array>,
): Uint8Array | undefined {
  const m = missing.length;
  const parity = parityMatrix(k, n);
  const system = new Uint8Array(m * m);
  for (let a = 0; a < m; a++) {
    const row = (parityIds[a]! - k) * k;
    for (let b = 0; b < m; b++) system[a * m + b] = parity[row + missing[b]!]!;
  }
  const inverse = invertMatrix(system, m);
  if (inverse === undefined) return undefined;

  // Word-aligned copies: the received data shares in place, then the
  // right-hand sides (one per parity share used).
  const padded = new Uint8Array(k * SHARE);
  const rhs = new Uint8Array(m * SHARE);
  const present: number[] = [];
  for (let c = 0; c < k; c++) {
    const block = blocks[c];
    if (block === undefined) continue;
    padded.set(block, c * SHARE);
    present.push(c);
  }
  const paddedWords = new Uint32Array(padded.buffer);
  const rhsWords = new Uint32Array(rhs.buffer);
  for (let a = 0; a < m; a++) {
    const row = (parityIds[a]! - k) * k;
    rhs.set(shares.get(parityIds[a]!)!, a * SHARE);
    for (const c of present) {
      mulAddShare(rhsWords, a * SHARE_WORDS, paddedWords, c * SHARE_WORDS, parity[row + c]!);
    }
  }
  for (let b = 0; b < m; b++) {
    const dst = missing[b]! * SHARE_WORDS;
    for (let a = 0; a < m; a++) {
      mulAddShare(paddedWords, dst, rhsWords, a * SHARE_WORDS, inverse[b * m + a]!);
    }
  }
  return padded;
}

/** Gauss–Jordan inverse of a row-major size×size matrix (consumed); undefined if singular. */
function invertMatrix(matrix: Uint8Array, size: number): Uint8Array | undefined {
  const inverse = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) inverse[i * size + i] = 1;
  for (let col = 0; col < size; col++) {
    let pivot = col;
    while (pivot < size && matrix[pivot * size + col] === 0) pivot++;
    if (pivot === size) return undefined;
    if (pivot !== col) {
      swapRows(matrix, size, pivot, col);
      swapRows(inverse, size, pivot, col);
    }
    const scale = GF_EXP[255 - GF_LOG[matrix[col * size + col]!]!]! << 8;
    for (let i = 0; i < size; i++) {
      matrix[col * size + i] = GF_MUL[scale | matrix[col * size + i]!]!;
      inverse[col * size + i] = GF_MUL[scale | inverse[col * size + i]!]!;
    }
    for (let r = 0; r < size; r++) {
      const factor = matrix[r * size + col]!;
      if (r === col || factor === 0) continue;
      const row = factor << 8;
      for (let i = 0; i < size; i++) {
        matrix[r * size + i] = matrix[r * size + i]! ^ GF_MUL[row | matrix[col * size + i]!]!;
        inverse[r * size + i] = inverse[r * size + i]! ^ GF_MUL[row | inverse[col * size + i]!]!;
      }
    }
  }
  return inverse;
}

function swapRows(matrix: Uint8Array, size: number, a: number, b: number): void {
  for (let i = 0; i < size; i++) {
    const t = matrix[a * size + i]!;
    matrix[a * size + i] = matrix[b * size + i]!;
    matrix[b * size + i] = t;
  }
}

/**
 * dst[d .. d+32) ^= coef · src[s .. s+32), over 32-bit words holding one
 * 128-byte share. Each byte lane is multiplied on its own, so the result does
 * not depend on the platform's byte order.
 */
function mulAddShare(dst: Uint32Array, d: number, src: Uint32Array, s: number, coef: number): void {
  if (coef === 0) return;
  if (coef === 1) {
    for (let i = 0; i < SHARE_WORDS; i++) dst[d + i] = dst[d + i]! ^ src[s + i]!;
    return;
  }
  const row = coef << 8;
  for (let i = 0; i < SHARE_WORDS; i++) {
    const v = src[s + i]!;
    dst[d + i] =
      dst[d + i]! ^
      (GF_MUL[row | (v & 0xff)]! |
        (GF_MUL[row | ((v >>> 8) & 0xff)]! << 8) |
        (GF_MUL[row | ((v >>> 16) & 0xff)]! << 16) |
        (GF_MUL[row | (v >>> 24)]! << 24));
  }
}
