import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import { encodeOperatorWire } from '../../../src/protocol/records/operator-wire.js';
import { ROTATION_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { pythonStrip } from '../../../src/protocol/records/python-text.js';
import {
  decodeRotationRecordBody,
  parseAndVerifyRotationRecord,
  type RotationRecordInput,
  signRotationRecord,
} from '../../../src/protocol/records/rotation-record.js';
import {
  normalizeSubject,
  SubjectType,
  subjectError,
  subjectsMatch,
} from '../../../src/protocol/records/rotation-subject.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { blobOf, dnsNameArb, flipBlobByte, signerArb, valueArb } from './operator-arbitraries.js';

const NOW = 1_893_456_000;
const FIVE_YEARS = 157_680_000;
const oldSeed = new Uint8Array(32).fill(7);
const newSeed = new Uint8Array(32).fill(8);
const oldSpk = ed25519PublicKey(oldSeed);
const newSpk = ed25519PublicKey(newSeed);
const base: RotationRecordInput = {
  subjectType: SubjectType.UserIdentity,
  subject: 'alice@example.com',
  seq: 1,
  ts: NOW,
  exp: NOW + 86_400,
};

/** A co-signed body with no encoder checks. */
function hostile(type: number, subject: string, o = oldSpk, n = newSpk): string {
  const s = utf8(subject);
  const body = concatBytes(
    utf8('DMPROT1'),
    Uint8Array.of(type, s.length),
    s,
    o,
    n,
    u64(1),
    u64(NOW),
    u64(NOW + 60),
  );
  return encodeOperatorWire(
    ROTATION_RECORD_PREFIX,
    body,
    signEd25519(oldSeed, body),
    signEd25519(newSeed, body),
  );
}

const subjectArb = fc.oneof(
  fc
    .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), dnsNameArb)
    .filter(([user]) => pythonStrip(user).length > 0 && !user.includes('@'))
    .map(([user, host]) => ({ type: SubjectType.UserIdentity, subject: `${user}@${host}` }))
    .filter(({ subject }) => utf8(subject).length <= 255),
  fc
    .tuple(fc.constantFrom(SubjectType.ClusterOperator, SubjectType.BootstrapSigner), dnsNameArb)
    .map(([type, subject]) => ({ type, subject })),
);

describe('rotation subjects', () => {
  it('validate per subject type', () => {
    const ok = (type: SubjectType, subject: string) => subjectError(type, subject) === undefined;
    expect(ok(SubjectType.UserIdentity, 'alice@example.com')).toBe(true);
    expect(ok(SubjectType.UserIdentity, ' Al ice @ example.com. ')).toBe(true);
    expect(ok(SubjectType.UserIdentity, 'alice@example.com..')).toBe(true); // as the reference
    expect(ok(SubjectType.UserIdentity, 'alice@x@y')).toBe(false);
    expect(ok(SubjectType.UserIdentity, 'alice')).toBe(false);
    expect(ok(SubjectType.UserIdentity, ' @example.com')).toBe(false);
    expect(ok(SubjectType.UserIdentity, '\u0085@example.com')).toBe(false); // Python whitespace
    expect(ok(SubjectType.UserIdentity, '\ufeff@example.com')).toBe(true); // not Python whitespace
    expect(ok(SubjectType.UserIdentity, 'alice@\u001cexample.com')).toBe(true);
    expect(ok(SubjectType.UserIdentity, 'alice@exa_mple.com')).toBe(false);
    expect(ok(SubjectType.ClusterOperator, 'mesh.example.com')).toBe(true);
    expect(ok(SubjectType.ClusterOperator, 'mesh.example.com..')).toBe(true);
    expect(ok(SubjectType.BootstrapSigner, 'alice@example.com')).toBe(false);
    expect(ok(SubjectType.BootstrapSigner, '.')).toBe(false);
  });

  it('match casefolded hosts but verbatim users', () => {
    const U = SubjectType.UserIdentity;
    expect(subjectsMatch(U, 'alice@Example.COM', ' alice @example.com.')).toBe(true);
    expect(subjectsMatch(U, 'alice@example.com', 'Alice@example.com')).toBe(false);
    expect(subjectsMatch(SubjectType.ClusterOperator, 'Mesh.Test', 'mesh.test.')).toBe(true);
    expect(normalizeSubject(U, 'no-at-sign')).toBe('no-at-sign');
  });
});

describe('rotation record', () => {
  it('round-trips random valid rotations', () => {
    fc.assert(
      fc.property(
        signerArb,
        signerArb,
        subjectArb,
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: FIVE_YEARS }),
        (o, n, { type, subject }, seq, ts, ahead) => {
          fc.pre(o.publicKey.some((b, i) => b !== n.publicKey[i]));
          const input = { subjectType: type, subject, seq, ts, exp: NOW + ahead };
          const value = signRotationRecord(input, o.seed, n.seed);
          const parsed = parseAndVerifyRotationRecord(value, {
            now: NOW,
            expectedOldSpk: o.publicKey,
            expectedSubject: subject,
          });
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(parsed.value).toEqual({
            subjectType: type,
            subject,
            oldSpk: o.publicKey,
            newSpk: n.publicKey,
            seq,
            ts,
            exp: BigInt(NOW + ahead),
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('needs both signatures', () => {
    const value = signRotationRecord(base, oldSeed, newSeed);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const flipped = flipBlobByte(value, ROTATION_RECORD_PREFIX, index, mask);
        expect(parseAndVerifyRotationRecord(flipped, { now: NOW }).ok).toBe(false);
      }),
    );
    const blob = blobOf(value, ROTATION_RECORD_PREFIX);
    const body = blob.subarray(0, blob.length - 128);
    const sigOld = blob.subarray(blob.length - 128, blob.length - 64);
    const sigNew = blob.subarray(blob.length - 64);
    const third = signEd25519(new Uint8Array(32).fill(9), body);
    const rewrap = (...sigs: Uint8Array[]) =>
      parseAndVerifyRotationRecord(encodeOperatorWire(ROTATION_RECORD_PREFIX, body, ...sigs), {
        now: NOW,
      });
    expect(rewrap(sigOld, sigNew).ok).toBe(true);
    expect(rewrap(sigOld, third)).toMatchObject({ code: 'signature' });
    expect(rewrap(third, sigNew)).toMatchObject({ code: 'signature' });
    expect(rewrap(sigNew, sigOld)).toMatchObject({ code: 'signature' });
  });

  it('checks expected key, subject and expiry window', () => {
    const value = signRotationRecord(base, oldSeed, newSeed);
    const check = (options: object) =>
      parseAndVerifyRotationRecord(value, { now: NOW, ...options });
    expect(check({ expectedOldSpk: newSpk })).toMatchObject({ code: 'signer' });
    expect(check({ expectedSubject: 'alice@EXAMPLE.com.' }).ok).toBe(true);
    expect(check({ expectedSubject: 'bob@example.com' })).toMatchObject({ code: 'name' });
    const at = (exp: number) => signRotationRecord({ ...base, exp }, oldSeed, newSeed);
    expect(parseAndVerifyRotationRecord(at(NOW), { now: NOW }).ok).toBe(true);
    expect(parseAndVerifyRotationRecord(at(NOW - 1), { now: NOW })).toMatchObject({
      code: 'expired',
    });
    expect(parseAndVerifyRotationRecord(at(NOW + FIVE_YEARS + 1), { now: NOW })).toMatchObject({
      code: 'future',
    });
  });

  it('enforces subject and key rules on both sides', () => {
    const parses = (value: string) => parseAndVerifyRotationRecord(value, { now: NOW }).ok;
    expect(parses(hostile(1, 'alice@example.com'))).toBe(true);
    expect(parses(hostile(1, 'alice'))).toBe(false);
    expect(parses(hostile(2, 'alice@example.com'))).toBe(false);
    expect(parses(hostile(2, 'a'.repeat(65)))).toBe(false);
    expect(parses(hostile(4, 'mesh.test'))).toBe(false);
    expect(parses(hostile(0, 'mesh.test'))).toBe(false);
    expect(
      parses(
        hostile(1, `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(57)}`),
      ),
    ).toBe(true);
    const refused: Partial<RotationRecordInput>[] = [
      { subject: 'alice' },
      { subject: '' },
      { subjectType: SubjectType.ClusterOperator },
      { subjectType: 4 as SubjectType },
      { subjectType: SubjectType.ClusterOperator, subject: `${'a'.repeat(63)}.b` },
      { subject: `a@${Array(4).fill('b'.repeat(63)).join('.')}` }, // 257 bytes
      { oldSpk: newSpk },
      { ts: -1 },
    ];
    for (const change of refused) {
      expect(() => signRotationRecord({ ...base, ...change }, oldSeed, newSeed)).toThrow(
        DmpEncodeError,
      );
    }
    expect(() => signRotationRecord(base, oldSeed, oldSeed)).toThrow(DmpEncodeError);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(valueArb(ROTATION_RECORD_PREFIX, 'DMPROT1'), (value) => {
        expect(parseAndVerifyRotationRecord(value, { now: NOW }).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        decodeRotationRecordBody(concatBytes(utf8('DMPROT1'), tail));
      }),
    );
  });
});
