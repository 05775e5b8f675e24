/**
 * The operator-signed record contract (src/protocol/records/operator-record.ts,
 * node.md §5.1 and §6.1): what the cluster manifest and the bootstrap record
 * both get from the shared frame — tamper evidence, parsers that never
 * throw, the pinned key, the 5-year expiry window and the expected name.
 * Written once against a small adapter; each record's test file runs it
 * through its own public API and keeps the tests of its own items.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import type { ParseResult } from '../../../src/protocol/result.js';
import { flipBlobByte, signRawBody, valueArb } from './operator-arbitraries.js';

/** Verification time of the contract, in 2030 like the vectors. */
export const NOW = 1_893_456_000;
/** The expiry ceiling of trust records: 5 × 365 days. */
export const FIVE_YEARS = 157_680_000;

/** Verification options in frame terms; the adapter maps them onto the record's names. */
export interface OperatorRecordPin {
  readonly now: number;
  readonly signerSpk: Uint8Array;
  readonly expectedName?: string;
}

/** One operator-signed record type, seen through its public API. */
export interface OperatorRecordUnderTest<Input extends { readonly exp: number | bigint }> {
  /** TXT prefix, e.g. `v=dmp1;t=cluster;`. */
  readonly prefix: string;
  /** Body magic, e.g. `DMPCL01`. */
  readonly magic: string;
  /** The signer's seed; its public key is the pinned one. */
  readonly seed: Uint8Array;
  /** A valid input, signed with `exp` varied. */
  readonly base: Input;
  /** The name `base` is for, as it spells it (no trailing dot). */
  readonly name: string;
  sign(input: Input, seed: Uint8Array): string;
  parse(value: string, pin: OperatorRecordPin): ParseResult<unknown>;
  decodeBody(body: Uint8Array): unknown;
  /** A structurally valid body that names `signerSpk` as its signer. */
  bodyNaming(signerSpk: Uint8Array): Uint8Array;
}

/** Registers the contract tests for `record`. */
export function describeOperatorRecordContract<Input extends { readonly exp: number | bigint }>(
  label: string,
  record: OperatorRecordUnderTest<Input>,
): void {
  const spk = ed25519PublicKey(record.seed);
  const other = ed25519PublicKey(new Uint8Array(32).fill(2));
  const pin: OperatorRecordPin = { now: NOW, signerSpk: spk };
  const at = (exp: number) => record.sign({ ...record.base, exp }, record.seed);

  describe(`operator-signed record contract: ${label}`, () => {
    it('rejects any single flipped byte of a signed value, and a re-cased type', () => {
      const value = at(NOW + 86_400);
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, mask) => {
          const flipped = flipBlobByte(value, record.prefix, index, mask);
          expect(record.parse(flipped, pin).ok).toBe(false);
        }),
      );
      const recased = value.replace(/;t=(\w)/, (_, first: string) => `;t=${first.toUpperCase()}`);
      expect(recased).not.toBe(value);
      expect(record.parse(recased, pin).ok).toBe(false);
    });

    it('never throws on arbitrary values or bodies', () => {
      fc.assert(
        fc.property(valueArb(record.prefix, record.magic), (junk) => {
          expect(record.parse(junk, pin).ok).toBe(false);
        }),
      );
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
          record.decodeBody(concatBytes(utf8(record.magic), tail));
        }),
      );
    });

    it('accepts exp from now to now + 5 years, both ends included', () => {
      expect(record.parse(at(NOW), pin).ok).toBe(true);
      expect(record.parse(at(NOW - 1), pin)).toMatchObject({ code: 'expired' });
      expect(record.parse(at(NOW + FIVE_YEARS), pin).ok).toBe(true);
      expect(record.parse(at(NOW + FIVE_YEARS + 1), pin)).toMatchObject({ code: 'future' });
    });

    it('binds the pinned key: its signature, its length and the key the body names', () => {
      const value = at(NOW + 60);
      expect(record.parse(value, { now: NOW, signerSpk: other })).toMatchObject({
        code: 'signature',
      });
      expect(record.parse(value, { now: NOW, signerSpk: spk.subarray(1) })).toMatchObject({
        code: 'signer',
      });
      // A valid signature by the pinned key over a body naming another key.
      const hostile = signRawBody(record.prefix, record.bodyNaming(other), record.seed);
      expect(record.parse(hostile, pin)).toMatchObject({ code: 'signer' });
    });

    it('matches the expected name casefolded, one trailing dot ignored', () => {
      const value = at(NOW + 60);
      const named = (expectedName: string) => record.parse(value, { ...pin, expectedName });
      expect(named(`${record.name.toUpperCase()}.`).ok).toBe(true);
      expect(named(`${record.name}..`).ok).toBe(false);
      expect(named(`other.${record.name}`)).toMatchObject({ code: 'name' });
    });
  });
}
