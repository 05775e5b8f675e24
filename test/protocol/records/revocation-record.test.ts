import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import { REVOCATION_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import {
  decodeRevocationRecordBody,
  parseAndVerifyRevocationRecord,
  RevocationReason,
  type RevocationRecordInput,
  signRevocationRecord,
} from '../../../src/protocol/records/revocation-record.js';
import { SubjectType } from '../../../src/protocol/records/rotation-subject.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import {
  dnsNameArb,
  flipBlobByte,
  signerArb,
  signRawBody,
  valueArb,
} from './operator-arbitraries.js';

const NOW = 1_893_456_000;
const seed = new Uint8Array(32).fill(11);
const spk = ed25519PublicKey(seed);
const base: RevocationRecordInput = {
  subjectType: SubjectType.ClusterOperator,
  subject: 'mesh.example.com',
  reasonCode: RevocationReason.Compromise,
  ts: NOW,
};

function hostile(type: number, subject: string, reason: number, key = spk): string {
  const s = utf8(subject);
  const body = concatBytes(
    utf8('DMPRV01'),
    Uint8Array.of(type, s.length),
    s,
    key,
    Uint8Array.of(reason),
    u64(NOW),
  );
  return signRawBody(REVOCATION_RECORD_PREFIX, body, seed);
}

describe('revocation record', () => {
  it('round-trips random valid revocations', () => {
    fc.assert(
      fc.property(
        signerArb,
        fc.constantFrom(SubjectType.ClusterOperator, SubjectType.BootstrapSigner),
        dnsNameArb,
        fc.constantFrom(...Object.values(RevocationReason)),
        fc.integer({ min: 0, max: NOW + 300 }),
        (signer, subjectType, subject, reasonCode, ts) => {
          const value = signRevocationRecord({ subjectType, subject, reasonCode, ts }, signer.seed);
          const parsed = parseAndVerifyRevocationRecord(value, {
            now: NOW,
            expectedRevokedSpk: signer.publicKey,
            expectedSubject: subject.toUpperCase(),
          });
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(parsed.value).toEqual({
            subjectType,
            subject,
            revokedSpk: signer.publicKey,
            reasonCode,
            ts: BigInt(ts),
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never expires, refuses future timestamps, honours an opt-in maximum age', () => {
    const at = (ts: number) => signRevocationRecord({ ...base, ts }, seed);
    expect(parseAndVerifyRevocationRecord(at(0), { now: NOW }).ok).toBe(true);
    expect(parseAndVerifyRevocationRecord(at(NOW + 300), { now: NOW }).ok).toBe(true);
    expect(parseAndVerifyRevocationRecord(at(NOW + 301), { now: NOW })).toMatchObject({
      code: 'future',
    });
    const old = at(NOW - 1000);
    expect(parseAndVerifyRevocationRecord(old, { now: NOW, maxAgeSeconds: 1000 }).ok).toBe(true);
    expect(parseAndVerifyRevocationRecord(old, { now: NOW, maxAgeSeconds: 999 })).toMatchObject({
      code: 'stale',
    });
  });

  it('checks the expected key and subject', () => {
    const value = signRevocationRecord(base, seed);
    const other = ed25519PublicKey(new Uint8Array(32).fill(12));
    expect(
      parseAndVerifyRevocationRecord(value, { now: NOW, expectedRevokedSpk: other }),
    ).toMatchObject({ code: 'signer' });
    expect(
      parseAndVerifyRevocationRecord(value, { now: NOW, expectedSubject: 'MESH.example.com.' }).ok,
    ).toBe(true);
    expect(
      parseAndVerifyRevocationRecord(value, { now: NOW, expectedSubject: 'other.example.com' }),
    ).toMatchObject({ code: 'name' });
  });

  it('enforces subject and reason rules on both sides', () => {
    const parses = (value: string) => parseAndVerifyRevocationRecord(value, { now: NOW }).ok;
    expect(parses(hostile(2, 'mesh.test', 4))).toBe(true);
    expect(parses(hostile(2, 'mesh.test', 0))).toBe(false);
    expect(parses(hostile(2, 'mesh.test', 5))).toBe(false);
    expect(parses(hostile(3, 'bad_name', 1))).toBe(false);
    expect(parses(hostile(1, 'no-at-sign', 1))).toBe(false);
    expect(parses(hostile(2, 'mesh.test', 1, ed25519PublicKey(new Uint8Array(32).fill(12))))).toBe(
      false,
    );
    const refused: Partial<RevocationRecordInput>[] = [
      { reasonCode: 0 as RevocationReason },
      { reasonCode: 5 as RevocationReason },
      { subject: 'bad_name' },
      { subjectType: SubjectType.UserIdentity },
      { revokedSpk: ed25519PublicKey(new Uint8Array(32).fill(12)) },
      { ts: 2 ** 64 },
    ];
    for (const change of refused) {
      expect(() => signRevocationRecord({ ...base, ...change }, seed)).toThrow(DmpEncodeError);
    }
  });

  it('rejects any flipped byte and never throws on arbitrary input', () => {
    const value = signRevocationRecord(base, seed);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const flipped = flipBlobByte(value, REVOCATION_RECORD_PREFIX, index, mask);
        expect(parseAndVerifyRevocationRecord(flipped, { now: NOW }).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(valueArb(REVOCATION_RECORD_PREFIX, 'DMPRV01'), (junk) => {
        expect(parseAndVerifyRevocationRecord(junk, { now: NOW }).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        decodeRevocationRecordBody(concatBytes(utf8('DMPRV01'), tail));
      }),
    );
  });
});
