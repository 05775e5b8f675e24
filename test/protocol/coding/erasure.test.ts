import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, u32 } from '../../../src/protocol/bytes.js';
import {
  ERASURE_MAX_INPUT_BYTES,
  ERASURE_SHARE_BYTES,
  erasureDecode,
  erasureEncode,
  erasureParameters,
  erasureParityRows,
} from '../../../src/protocol/coding/erasure.js';
import { gfInv, gfMul, gfPow } from '../../../src/protocol/coding/gf256.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';

/** zfec's E = V·T⁻¹ by definition (core.md §5.3 steps 1–4), with a plain Gauss–Jordan. */
function referenceParityRows(k: number, n: number): string[] {
  const x = (r: number) => (r === 0 ? 0 : gfPow(2, r - 1));
  const v = Array.from({ length: n }, (_, r) =>
    Array.from({ length: k }, (_, c) => gfPow(x(r), c)),
  );
  const t = v.slice(0, k).map((row) => row.slice());
  const inv = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => +(r === c)));
  for (let col = 0; col < k; col++) {
    const p = t.findIndex((row, r) => r >= col && row[col] !== 0);
    [t[col], t[p]] = [t[p]!, t[col]!];
    [inv[col], inv[p]] = [inv[p]!, inv[col]!];
    const s = gfInv(t[col]![col]!);
    t[col] = t[col]!.map((e) => gfMul(e, s));
    inv[col] = inv[col]!.map((e) => gfMul(e, s));
    for (let r = 0; r < k; r++) {
      const f = t[r]![col]!;
      if (r === col || f === 0) continue;
      t[r] = t[r]!.map((e, i) => e ^ gfMul(f, t[col]![i]!));
      inv[r] = inv[r]!.map((e, i) => e ^ gfMul(f, inv[col]![i]!));
    }
  }
  return v
    .slice(k)
    .map((row) =>
      toHex(
        Uint8Array.from({ length: k }, (_, c) =>
          row.reduce((acc, e, i) => acc ^ gfMul(e, inv[i]![c]!), 0),
        ),
      ),
    );
}

/** A random input with a random subset of at least k share ids (shuffled). */
const inputAndSubset = (extra: boolean) =>
  fc
    .oneof(
      fc.integer({ min: 0, max: 600 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: ERASURE_MAX_INPUT_BYTES }),
    )
    .chain((size) => {
      const { k, n } = erasureParameters(size);
      return fc.record({
        data: fc.uint8Array({ minLength: size, maxLength: size }),
        ids: fc
          .shuffledSubarray(
            Array.from({ length: n }, (_, i) => i),
            { minLength: k, maxLength: extra ? n : k },
          )
          .chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length })),
      });
    });

const sharesOf = (shares: Uint8Array[], ids: number[]) =>
  new Map(ids.map((id) => [id, shares[id]!] as [number, Uint8Array]));

describe('erasure parameters', () => {
  it('follows k = max(1, ⌈(len+4)/128⌉), n = k + max(1, ⌈0.3k⌉)', () => {
    const firstN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(
      (k) => erasureParameters(k * ERASURE_SHARE_BYTES - 4).n,
    );
    expect(firstN).toEqual([2, 3, 4, 6, 7, 8, 10, 11, 12, 13]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (len) => {
        const { k, n } = erasureParameters(len);
        expect(k).toBe(Math.max(1, Math.ceil((len + 4) / 128)));
        if (k < 2000) expect(n).toBe(k + Math.max(1, Math.ceil(k * 0.3)));
        else expect(n).toBe(k + Math.ceil((3 * k) / 10));
      }),
    );
    expect(erasureParameters(0)).toEqual({ k: 1, n: 2 });
    expect(erasureParameters(ERASURE_MAX_INPUT_BYTES)).toEqual({ k: 196, n: 255 });
    expect(erasureParameters(ERASURE_MAX_INPUT_BYTES + 1)).toEqual({ k: 197, n: 257 });
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 32]) {
      expect(() => erasureParameters(bad)).toThrow(DmpEncodeError);
    }
  });
});

describe('erasure encoding matrix', () => {
  it('matches the small matrices published in the spec', () => {
    expect(erasureParityRows(1, 2).map(toHex)).toEqual(['01']);
    expect(erasureParityRows(2, 3).map(toHex)).toEqual(['0302']);
    expect(erasureParityRows(3, 4).map(toHex)).toEqual(['0f0806']);
    expect(erasureParityRows(4, 6).map(toHex)).toEqual(['7740380e', 'c7a70d6c']);
  });

  it('equals V·T⁻¹ computed by definition, for standard and other (k, n)', () => {
    for (const [k, n] of [
      [1, 5],
      [5, 7],
      [7, 10],
      [13, 17],
      [20, 26],
      [36, 47],
      [8, 256],
      [3, 3],
      [196, 255],
    ] as const) {
      expect(erasureParityRows(k, n).map(toHex)).toEqual(referenceParityRows(k, n));
    }
  });

  it('returns copies and refuses impossible codes', () => {
    const rows = erasureParityRows(2, 3);
    rows[0]!.fill(0);
    expect(toHex(erasureParityRows(2, 3)[0]!)).toBe('0302');
    for (const [k, n] of [
      [0, 2],
      [3, 2],
      [1, 257],
      [1.5, 3],
    ] as const) {
      expect(() => erasureParityRows(k, n)).toThrow(DmpEncodeError);
    }
  });
});

describe('erasure encode / decode', () => {
  it('data shares are the length-prefixed, zero-padded input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        const { k, n, shares } = erasureEncode(data);
        expect({ k, n }).toEqual(erasureParameters(data.length));
        expect(shares.length).toBe(n);
        for (const s of shares) expect(s.length).toBe(ERASURE_SHARE_BYTES);
        const padded = new Uint8Array(k * ERASURE_SHARE_BYTES);
        padded.set(concatBytes(u32(data.length), data));
        expect(toHex(concatBytes(...shares.slice(0, k)))).toBe(toHex(padded));
      }),
      { numRuns: 50 },
    );
  });

  it('decodes from any k of the n shares', () => {
    fc.assert(
      fc.property(inputAndSubset(false), ({ data, ids }) => {
        const { k, n, shares } = erasureEncode(data);
        expect(ids.length).toBe(k);
        expect(toHex(erasureDecode(sharesOf(shares, ids), k, n)!)).toBe(toHex(data));
      }),
      { numRuns: 100 },
    );
  });

  it('decodes from any superset, using the k lowest ids', () => {
    fc.assert(
      fc.property(inputAndSubset(true), ({ data, ids }) => {
        const { k, n, shares } = erasureEncode(data);
        const map = sharesOf(shares, ids);
        // Shares above the k lowest are ignored, even when malformed.
        const highest = [...ids].sort((a, b) => a - b).slice(k);
        for (const id of highest) map.set(id, new Uint8Array(3));
        expect(toHex(erasureDecode(map, k, n)!)).toBe(toHex(data));
      }),
      { numRuns: 100 },
    );
  });

  it('fails on every structural problem of §5.5', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i * 7);
    const { k, n, shares } = erasureEncode(data);
    const all = () => sharesOf(shares, [...shares.keys()]);
    expect(toHex(erasureDecode(all(), k, n)!)).toBe(toHex(data));
    expect(erasureDecode(all(), 0, n)).toBeUndefined();
    expect(erasureDecode(all(), -1, n)).toBeUndefined();
    expect(erasureDecode(all(), k, k - 1)).toBeUndefined();
    expect(erasureDecode(all(), k, 257)).toBeUndefined();
    expect(erasureDecode(all(), Number.NaN, n)).toBeUndefined();
    expect(erasureDecode(all(), k, Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(erasureDecode(sharesOf(shares, [0, 1, 2, 3, 4, 5, 6]), k, n)).toBeUndefined();
    const short = all();
    short.set(5, shares[5]!.subarray(0, 127));
    expect(erasureDecode(short, k, n)).toBeUndefined();
    const long = all();
    long.set(2, concatBytes(shares[2]!, new Uint8Array(1)));
    expect(erasureDecode(long, k, n)).toBeUndefined();
    // An id at or past n among the k lowest.
    const outOfRange = sharesOf(shares, [0, 1, 2, 3, 4, 5, 6]);
    outOfRange.set(n, shares[7]!);
    expect(erasureDecode(outOfRange, k, n)).toBeUndefined();
    const negative = sharesOf(shares, [1, 2, 3, 4, 5, 6, 7]);
    negative.set(-1, shares[0]!);
    expect(erasureDecode(negative, k, n)).toBeUndefined();
    const fractional = all();
    fractional.set(0.5, shares[0]!);
    expect(erasureDecode(fractional, k, n)).toBeUndefined();
  });

  it('checks the length prefix against k·128 − 4 but not the padding', () => {
    const { k, n, shares } = erasureEncode(new Uint8Array(200));
    const max = k * ERASURE_SHARE_BYTES - 4;
    const withPrefix = (len: number) => {
      const first = shares[0]!.slice();
      first.set(u32(len));
      return sharesOf([first, ...shares.slice(1)], [0, 1]);
    };
    expect(erasureDecode(withPrefix(max), k, n)?.length).toBe(max);
    expect(erasureDecode(withPrefix(max + 1), k, n)).toBeUndefined();
    expect(erasureDecode(withPrefix(0xffffffff), k, n)).toBeUndefined();
    // The same prefix recovered through parity is checked the same way.
    const parityOnly = sharesOf(shares, [1, 2]);
    expect(erasureDecode(parityOnly, k, n)?.length).toBe(200);
  });

  it('accepts k = n (no parity) like zfec', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => i);
    const { k, shares } = erasureEncode(data);
    expect(toHex(erasureDecode(sharesOf(shares, [0, 1, 2]), k, k)!)).toBe(toHex(data));
  });

  it('encodes up to 25084 bytes and refuses more', () => {
    const max = erasureEncode(new Uint8Array(ERASURE_MAX_INPUT_BYTES));
    expect(max.n).toBe(255);
    expect(() => erasureEncode(new Uint8Array(ERASURE_MAX_INPUT_BYTES + 1))).toThrow(
      DmpEncodeError,
    );
  });

  it('decode never throws on arbitrary share maps', () => {
    const id = fc.oneof(
      fc.integer({ min: -3, max: 300 }),
      fc.integer({ min: 0, max: 12 }),
      fc.double(),
    );
    const share = fc.oneof(
      fc.uint8Array({ minLength: 128, maxLength: 128 }),
      fc.uint8Array({ maxLength: 140 }),
    );
    const count = fc.oneof(
      fc.integer({ min: -2, max: 300 }),
      fc.integer({ min: 0, max: 14 }),
      fc.double(),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(id, share), { maxLength: 30 }), count, count, (e, k, n) => {
        const out = erasureDecode(new Map(e), k, n);
        expect(out === undefined || out instanceof Uint8Array).toBe(true);
        if (out !== undefined) expect(out.length).toBeLessThanOrEqual(k * 128 - 4);
      }),
      { numRuns: 1000 },
    );
  });
});
