/**
 * rs_chunk.json: per-chunk checksum + Reed-Solomon wrapping (core.md §4) and
 * repair / rejection of every corrupted variant.
 */
import { expect, it } from 'vitest';
import { encodeBase64 } from '../../src/protocol/base64.js';
import { fromHex, toHex } from '../../src/protocol/bytes.js';
import {
  CHUNK_BLOCK_BYTES,
  CHUNK_CHECKSUM_BYTES,
  unwrapChunkBlock,
  wrapChunkBlock,
} from '../../src/protocol/coding/chunk-block.js';
import {
  RS_GENERATOR,
  RS_MAX_CORRECTABLE_ERRORS,
  RS_PARITY_BYTES,
  rsDecode,
  rsEncode,
} from '../../src/protocol/coding/reed-solomon.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

const file = haveVectors ? loadVectors('rs_chunk.json') : { cases: [], facts: {} };
const cases: Case[] = file.cases;
const label = (c: Case, i: number): string => `#${i} ${c.description ?? ''}`;

describeVectors('rs_chunk.json', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('uses the documented code parameters', () => {
    const rs = file.facts.reedsolo;
    expect(toHex(RS_GENERATOR)).toBe(rs.generator_polynomial_hex);
    expect(RS_PARITY_BYTES).toBe(rs.nsym);
    expect(RS_MAX_CORRECTABLE_ERRORS).toBe(rs.correction_capacity_bytes);
    expect(CHUNK_BLOCK_BYTES).toBe(file.facts.block_size);
  });

  it.each(cases.map((c, i) => [label(c, i), c] as const))('wrap %s', (_name, c) => {
    const block = fromHex(c.block_hex);
    const wire = wrapChunkBlock(block);
    expect(toHex(wire)).toBe(c.wire_hex);
    expect(toHex(wire.subarray(0, CHUNK_CHECKSUM_BYTES))).toBe(c.checksum_hex);
    expect(toHex(wire.subarray(CHUNK_CHECKSUM_BYTES + block.length))).toBe(c.parity_hex);
    expect(toHex(rsEncode(block))).toBe(c.block_hex + c.parity_hex);
    expect(`v=dmp1;t=chunk;d=${encodeBase64(wire)}`).toBe(c.chunk_txt_value);
    // The codeword alone decodes back to the block.
    expect(toHex(rsDecode(fromHex(c.block_hex + c.parity_hex))!)).toBe(c.block_hex);
  });

  const variants = cases.flatMap((c, i) =>
    c.variants.map(
      (v: Case, j: number) => [`${label(c, i)} / ${j} ${v.description}`, c, v] as const,
    ),
  );

  it('has variants', () => {
    expect(variants.length).toBeGreaterThan(0);
  });

  it.each(variants)('unwrap %s', (_name, c, v) => {
    const wire = fromHex(v.wire_hex);
    if (Array.isArray(v.flips)) {
      // The variant is the case's wire with exactly these byte flips.
      const flipped = fromHex(c.wire_hex);
      for (const f of v.flips) flipped[f.offset] = flipped[f.offset]! ^ f.xor;
      expect(toHex(flipped)).toBe(v.wire_hex);
    }
    const block = unwrapChunkBlock(wire);
    if (v.expected_result === 'ok') {
      expect(block).toBeDefined();
      expect(toHex(block!)).toBe(v.expected_block_hex);
    } else {
      expect(v.expected_result).toBe('reject');
      expect(block).toBeUndefined();
    }
    // Unwrapping never alters its input.
    expect(toHex(wire)).toBe(v.wire_hex);
  });

  it.each(variants)(
    'rs layer alone: repair iff at most 16 codeword bytes differ %s',
    (_n, c, v) => {
      const original = fromHex(c.wire_hex);
      const wire = fromHex(v.wire_hex);
      const decoded = rsDecode(wire.subarray(CHUNK_CHECKSUM_BYTES));
      if (wire.length !== original.length) {
        // A codeword of another length cannot decode to this 128-byte block.
        expect(decoded === undefined || toHex(decoded) !== c.block_hex).toBe(true);
        return;
      }
      let differing = 0;
      for (let i = CHUNK_CHECKSUM_BYTES; i < wire.length; i++)
        if (wire[i] !== original[i]) differing++;
      if (differing <= RS_MAX_CORRECTABLE_ERRORS) {
        expect(toHex(decoded!)).toBe(c.block_hex);
      } else {
        // Past the radius the original codeword is out of reach.
        expect(decoded === undefined || toHex(decoded) !== c.block_hex).toBe(true);
      }
    },
  );
});
