/**
 * erasure.json: cross-chunk k-of-n coding (core.md §5) — parameters, padding,
 * byte-exact shares, every decode entry, the too-large input, the published
 * parity matrices and the k → n table.
 */
import { expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import {
  ERASURE_LENGTH_PREFIX_BYTES,
  ERASURE_MAX_INPUT_BYTES,
  ERASURE_SHARE_BYTES,
  erasureDecode,
  erasureEncode,
  erasureParameters,
  erasureParityRows,
} from '../../src/protocol/coding/erasure.js';
import { sha256 } from '../../src/protocol/crypto/hash.js';
import { DmpEncodeError } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

const file = haveVectors
  ? loadVectors('erasure.json')
  : { cases: [], facts: { kn_table: [] }, parity_matrices_hex: {} };
const cases: Case[] = file.cases;
const label = (c: Case, i: number): string => `#${i} ${c.description ?? ''}`;

/** The pseudo-random byte string of `seed_rule`: sha256(label + "/0") ‖ sha256(label + "/1") ‖ … */
function labelledBytes(name: string, length: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i * 32 < length; i++) parts.push(sha256(utf8(`${name}/${i}`)));
  return concatBytes(...parts).subarray(0, length);
}

/** Applies a decode entry's `mutation`; only the documented form exists. */
function mutate(shares: Map<number, Uint8Array>, mutation: string): void {
  const m = /^share (\d+) truncated to (\d+) bytes$/.exec(mutation);
  if (m === null) throw new Error(`unknown mutation: ${mutation}`);
  const id = Number(m[1]);
  const share = shares.get(id);
  if (share === undefined) throw new Error(`mutation names absent share ${id}`);
  shares.set(id, share.subarray(0, Number(m[2])));
}

const encodable = cases.filter((c) => c.expected_error === undefined);
const tooLarge = cases.filter((c) => c.expected_error !== undefined);

describeVectors('erasure.json', () => {
  it('has cases of both kinds', () => {
    expect(encodable.length).toBeGreaterThan(0);
    expect(tooLarge.length).toBeGreaterThan(0);
    expect(file.facts.max_input_len).toBe(ERASURE_MAX_INPUT_BYTES);
    expect(file.facts.block_size).toBe(ERASURE_SHARE_BYTES);
  });

  it.each(encodable.map((c, i) => [label(c, i), c] as const))('encode %s', (_name, c) => {
    const input = fromHex(c.input_hex);
    expect(input.length).toBe(c.input_len);
    if (c.input_label !== undefined) {
      expect(toHex(labelledBytes(c.input_label, c.input_len))).toBe(c.input_hex);
    }
    expect(erasureParameters(c.input_len)).toEqual({ k: c.k, n: c.n });
    expect(c.k * ERASURE_SHARE_BYTES - ERASURE_LENGTH_PREFIX_BYTES - c.input_len).toBe(
      c.padding_len,
    );
    const encoded = erasureEncode(input);
    expect(encoded.k).toBe(c.k);
    expect(encoded.n).toBe(c.n);
    expect(encoded.shares.map(toHex)).toEqual(c.shares_hex);
  });

  const decodes = encodable.flatMap((c, i) =>
    c.decode.map((d: Case, j: number) => [`${label(c, i)} / ${j} ${d.description}`, c, d] as const),
  );

  it('has decode entries', () => {
    expect(decodes.length).toBeGreaterThan(0);
  });

  it.each(decodes)('decode %s', (_name, c, d) => {
    const shares = new Map<number, Uint8Array>();
    for (const id of d.share_ids) shares.set(id, fromHex(c.shares_hex[id]));
    if (d.mutation !== undefined) mutate(shares, d.mutation);
    const out = erasureDecode(shares, c.k, c.n);
    if (d.expected_result === 'ok') {
      expect(out).toBeDefined();
      expect(toHex(out!)).toBe(d.expected_output_hex);
    } else {
      expect(d.expected_result).toBe('fail');
      expect(out).toBeUndefined();
    }
  });

  it.each(tooLarge.map((c, i) => [label(c, i), c] as const))('too large: %s', (_name, c) => {
    expect(erasureParameters(c.input_len)).toEqual({ k: c.k, n: c.n });
    const input = labelledBytes(c.input_label, c.input_len);
    expect(() => erasureEncode(input)).toThrow(DmpEncodeError);
  });

  const matrices = Object.entries(file.parity_matrices_hex as Record<string, string[]>);

  it('has parity matrices', () => {
    expect(matrices.length).toBeGreaterThan(0);
  });

  it.each(matrices)('parity rows of (%s)', (key, rows) => {
    const [k, n] = key.split(',').map(Number) as [number, number];
    expect(erasureParityRows(k, n).map(toHex)).toEqual(rows);
  });

  it('kn_table: every k with its n, at both ends of its input-length range', () => {
    const table: [number, number][] = file.facts.kn_table;
    expect(table.length).toBeGreaterThan(0);
    for (const [k, n] of table) {
      const largest = k * ERASURE_SHARE_BYTES - ERASURE_LENGTH_PREFIX_BYTES;
      const smallest = k === 1 ? 0 : largest - ERASURE_SHARE_BYTES + 1;
      expect(erasureParameters(largest)).toEqual({ k, n });
      expect(erasureParameters(smallest)).toEqual({ k, n });
    }
  });
});
