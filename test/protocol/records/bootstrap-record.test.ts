import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, u16, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import {
  type BootstrapEntry,
  type BootstrapRecordInput,
  decodeBootstrapRecordBody,
  parseAndVerifyBootstrapRecord,
  selectBootstrapRecord,
  signBootstrapRecord,
} from '../../../src/protocol/records/bootstrap-record.js';
import { stripTrailingDot } from '../../../src/protocol/records/dns-name.js';
import { BOOTSTRAP_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { dnsNameArb, signerArb, signRawBody } from './operator-arbitraries.js';
import { describeOperatorRecordContract, FIVE_YEARS, NOW } from './operator-record-contract.js';

const seed = new Uint8Array(32).fill(4);
const spk = ed25519PublicKey(seed);
const keyA = ed25519PublicKey(new Uint8Array(32).fill(5));
const keyB = ed25519PublicKey(new Uint8Array(32).fill(6));
const entry = (
  priority: number,
  clusterBaseDomain: string,
  operatorSpk = keyA,
): BootstrapEntry => ({
  priority,
  clusterBaseDomain,
  operatorSpk,
});
const base: BootstrapRecordInput = {
  userDomain: 'example.com',
  entries: [entry(10, 'mesh.example.com')],
  seq: 1,
  exp: NOW + 86_400,
};
const verify = { now: NOW, signerSpk: spk };

function rawBody(domain: string, entries: [number, string][], signer = spk): Uint8Array {
  const d = utf8(domain);
  return concatBytes(
    utf8('DMPBS01'),
    u64(1),
    u64(NOW + 60),
    signer,
    Uint8Array.of(d.length),
    d,
    Uint8Array.of(entries.length),
    ...entries.map(([p, b]) => concatBytes(u16(p), Uint8Array.of(utf8(b).length), utf8(b), keyA)),
  );
}
const parses = (body: Uint8Array) =>
  parseAndVerifyBootstrapRecord(signRawBody(BOOTSTRAP_RECORD_PREFIX, body, seed), verify);

const entryArb = fc.record({
  priority: fc.integer({ min: 0, max: 0xffff }),
  clusterBaseDomain: dnsNameArb,
  operatorSpk: fc.uint8Array({ minLength: 32, maxLength: 32 }),
});

describeOperatorRecordContract('bootstrap record', {
  prefix: BOOTSTRAP_RECORD_PREFIX,
  magic: 'DMPBS01',
  seed,
  base,
  name: base.userDomain,
  sign: signBootstrapRecord,
  parse: (value, { now, signerSpk, expectedName }) =>
    parseAndVerifyBootstrapRecord(value, { now, signerSpk, expectedUserDomain: expectedName }),
  decodeBody: decodeBootstrapRecordBody,
  bodyNaming: (signer) => rawBody('example.com', [[1, 'a.test']], signer),
});

describe('bootstrap record', () => {
  it('round-trips random valid records, entries stably sorted by priority', () => {
    fc.assert(
      fc.property(
        signerArb,
        dnsNameArb,
        fc.uniqueArray(entryArb, {
          minLength: 1,
          maxLength: 6,
          selector: (e) => `${e.priority}/${stripTrailingDot(e.clusterBaseDomain).toLowerCase()}`,
        }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: FIVE_YEARS }),
        (signer, userDomain, entries, seq, ahead) => {
          const value = signBootstrapRecord(
            { userDomain, entries, seq, exp: NOW + ahead },
            signer.seed,
          );
          const parsed = parseAndVerifyBootstrapRecord(value, {
            now: NOW,
            signerSpk: signer.publicKey,
            expectedUserDomain: `${stripTrailingDot(userDomain).toUpperCase()}.`,
          });
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const sorted = entries
            .map((e) => ({ ...e, clusterBaseDomain: stripTrailingDot(e.clusterBaseDomain) }))
            .sort((a, b) => a.priority - b.priority);
          expect(parsed.value).toEqual({
            userDomain: stripTrailingDot(userDomain),
            signerSpk: signer.publicKey,
            entries: sorted,
            seq,
            exp: BigInt(NOW + ahead),
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps wire order among equal priorities on parse', () => {
    const parsed = parses(
      rawBody('example.com', [
        [20, 'c.test'],
        [10, 'b.test'],
        [20, 'a.test'],
      ]),
    );
    expect(parsed.ok && parsed.value.entries.map((e) => e.clusterBaseDomain)).toEqual([
      'b.test',
      'c.test',
      'a.test',
    ]);
  });

  it('refuses duplicate (priority, casefolded base) on both sides', () => {
    expect(
      parses(
        rawBody('example.com', [
          [10, 'Mesh.test'],
          [10, 'mesh.test.'],
        ]),
      ).ok,
    ).toBe(false);
    expect(
      parses(
        rawBody('example.com', [
          [10, 'mesh.test'],
          [20, 'mesh.test'],
        ]),
      ).ok,
    ).toBe(true);
    expect(() =>
      signBootstrapRecord(
        { ...base, entries: [entry(10, 'MESH.test'), entry(10, 'mesh.test.', keyB)] },
        seed,
      ),
    ).toThrow(DmpEncodeError);
  });

  it('enforces the field rules on both sides', () => {
    expect(parses(rawBody('example.com', [])).ok).toBe(false);
    expect(parses(rawBody('bad_domain', [[1, 'a.test']])).ok).toBe(false);
    expect(parses(rawBody('example.com', [[1, 'a..test']])).ok).toBe(false);
    expect(parses(rawBody('example.com', [[1, `${'a'.repeat(63)}.b`]])).ok).toBe(false);
    expect(parses(rawBody('example.com', [[1, `${'a'.repeat(62)}.b.`]])).ok).toBe(true);
    const seventeen = Array.from({ length: 17 }, (_, i): [number, string] => [i, 'a.test']);
    expect(parses(rawBody('example.com', seventeen)).ok).toBe(false);
    expect(parses(concatBytes(rawBody('example.com', [[1, 'a.test']]), Uint8Array.of(0))).ok).toBe(
      false,
    );
    const refused: Partial<BootstrapRecordInput>[] = [
      { entries: [] },
      { entries: Array.from({ length: 17 }, (_, i) => entry(i, 'a.test')) },
      { entries: [entry(-1, 'a.test')] },
      { entries: [entry(65_536, 'a.test')] },
      { entries: [entry(1, 'a_b.test')] },
      { entries: [entry(1, 'a.test', keyA.subarray(1))] },
      { userDomain: '' },
      { userDomain: 'example.com..' },
      { signerSpk: keyA },
    ];
    for (const change of refused) {
      expect(() => signBootstrapRecord({ ...base, ...change }, seed)).toThrow(DmpEncodeError);
    }
  });

  it('selects the highest verifying seq', () => {
    const v = (seq: number) => signBootstrapRecord({ ...base, seq }, seed);
    expect(selectBootstrapRecord([v(2), v(9), 'v=dmp1;t=bootstrap;AAAA', v(4)], verify)?.seq).toBe(
      9n,
    );
  });
});
