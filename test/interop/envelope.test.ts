import { expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/protocol/bytes.js';
import {
  canonicalizeAddress,
  decodeEnvelope,
  encodeEnvelope,
} from '../../src/protocol/message/envelope.js';
import { describeVectors, loadVectors } from './vectors.js';

describeVectors('records.json: DMPv2 envelope', () => {
  const cases = (loadVectors('records.json').cases as any[]).filter(
    (c) => c.record_type === 'dmpv2_envelope',
  );

  it('has envelope cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    it(`${c.operation}: ${c.description}`, () => {
      switch (c.operation) {
        case 'encode':
          expect(toHex(encodeEnvelope(fromHex(c.body_hex), c.sender_addr))).toBe(
            c.expected_plaintext_hex,
          );
          break;
        case 'decode': {
          const decoded = decodeEnvelope(fromHex(c.plaintext_hex));
          expect(toHex(decoded.body)).toBe(c.expected_body_hex);
          expect(decoded.claimedFrom ?? null).toBe(c.expected_from);
          break;
        }
        case 'canonicalize':
          for (const row of c.table) {
            expect(canonicalizeAddress(row.input) ?? null, row.input).toBe(row.expected);
          }
          break;
        default:
          throw new Error(`unknown envelope operation ${c.operation}`);
      }
    });
  }
});

describeVectors('reference/dmpv2_envelope.json', () => {
  const cases = loadVectors('reference/dmpv2_envelope.json') as any[];

  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    it(c.description, () => {
      let plaintext: Uint8Array;
      if (c.inputs.plaintext_hex !== undefined) {
        plaintext = fromHex(c.inputs.plaintext_hex);
      } else {
        plaintext = encodeEnvelope(fromHex(c.inputs.body_hex), c.inputs.sender_addr ?? undefined);
        expect(toHex(plaintext)).toBe(c.expected_plaintext_hex);
      }
      const decoded = decodeEnvelope(plaintext);
      expect(toHex(decoded.body)).toBe(c.expected_decode_body_hex);
      expect(decoded.claimedFrom ?? null).toBe(c.expected_decode_from);
    });
  }
});
