import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import { concatBytes, u64, utf8 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import {
  encodeIdentityBody,
  type IdentityRecordInput,
  normalizeIdentityVersions,
  parseAndVerifyIdentityRecord,
  signIdentityRecord,
} from '../../../src/protocol/records/identity-record.js';
import { parseLegacyJsonIdentity } from '../../../src/protocol/records/legacy-json-identity.js';
import { IDENTITY_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { bytesArb, flipBlobByte, signerArb, valueArb } from './record-arbitraries.js';

const seed = new Uint8Array(32).fill(5);
const spk = ed25519PublicKey(seed);

/** Usernames of 1..64 UTF-8 bytes (any Unicode, including a leading BOM). */
const usernameArb = fc
  .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.constant('\ufeffbob'))
  .filter((s) => utf8(s).length >= 1 && utf8(s).length <= 64);

const identityArb = fc
  .record({
    signer: signerArb,
    username: usernameArb,
    x25519Pk: bytesArb(32),
    ts: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    versions: fc.option(
      fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }),
      {
        nil: undefined,
      },
    ),
  })
  .map(({ signer, ...r }) => ({
    seed: signer.seed,
    record: { ...r, ed25519Spk: signer.publicKey } satisfies IdentityRecordInput,
  }));

function baseIdentity(): IdentityRecordInput {
  return {
    username: 'alice',
    x25519Pk: new Uint8Array(32).fill(3),
    ed25519Spk: spk,
    ts: 1_893_456_000,
  };
}

/** Signs an arbitrary body with `seed`, bypassing the encoder's checks. */
function rawIdentity(body: Uint8Array): string {
  return IDENTITY_RECORD_PREFIX + encodeBase64(concatBytes(body, signEd25519(seed, body)));
}

/** A correctly laid out v1 body for `name` bytes followed by `suffix`. */
function identityBody(name: Uint8Array, suffix: number[] = []): Uint8Array {
  return concatBytes(
    Uint8Array.of(name.length),
    name,
    new Uint8Array(32).fill(3),
    spk,
    u64(1_893_456_000),
    Uint8Array.from(suffix),
  );
}

describe('identity record', () => {
  it('round-trips every valid identity (u64 ts exactly, versions normalised)', () => {
    fc.assert(
      fc.property(identityArb, ({ seed, record }) => {
        const parsed = parseAndVerifyIdentityRecord(signIdentityRecord(record, seed));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.username).toBe(record.username);
        expect(parsed.value.x25519Pk).toEqual(record.x25519Pk);
        expect(parsed.value.ed25519Spk).toEqual(record.ed25519Spk);
        expect(parsed.value.ts).toBe(record.ts);
        expect(parsed.value.versions).toEqual(normalizeIdentityVersions(record.versions ?? [1]));
      }),
      { numRuns: 50 },
    );
  });

  it('rejects any single flipped byte of a signed identity', () => {
    fc.assert(
      fc.property(identityArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, index, mask) => {
        const value = flipBlobByte(
          signIdentityRecord(c.record, c.seed),
          IDENTITY_RECORD_PREFIX,
          index,
          mask,
        );
        expect(parseAndVerifyIdentityRecord(value).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(valueArb(IDENTITY_RECORD_PREFIX), (value) => {
        expect(typeof parseAndVerifyIdentityRecord(value).ok).toBe('boolean');
        expect(typeof parseLegacyJsonIdentity(value).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('omits the versions suffix exactly when the set is {1}', () => {
    const v1 = encodeIdentityBody(baseIdentity());
    expect(encodeIdentityBody({ ...baseIdentity(), versions: [1, 1] })).toEqual(v1);
    expect(v1.length).toBe(73 + 5);
    expect(
      Array.from(encodeIdentityBody({ ...baseIdentity(), versions: [2, 0] }).slice(78)),
    ).toEqual([2, 0, 2]);
  });

  it('refuses forbidden values on sign', () => {
    const bad: Partial<IdentityRecordInput>[] = [
      { username: '' },
      { username: 'u'.repeat(65) },
      { username: 'é'.repeat(33) },
      { username: 'a\udc00' },
      { versions: [] },
      { versions: [256] },
      { versions: [1.5] },
      { versions: Array.from({ length: 256 }, (_, i) => i) },
      { ts: -1 },
      { ts: 1n << 64n },
      { x25519Pk: new Uint8Array(31) },
      { ed25519Spk: new Uint8Array(32) },
    ];
    for (const patch of bad) {
      expect(
        () => signIdentityRecord({ ...baseIdentity(), ...patch }, seed),
        Object.keys(patch).join(),
      ).toThrow(DmpEncodeError);
    }
    expect(signIdentityRecord({ ...baseIdentity(), username: 'u'.repeat(64) }, seed)).toMatch(
      /^v=dmp1/,
    );
  });

  it('enforces the layout rules on correctly signed bodies', () => {
    const alice = utf8('alice');
    expect(parseAndVerifyIdentityRecord(rawIdentity(identityBody(alice))).ok).toBe(true);
    // A suffix of exactly [1] is never written but is accepted.
    const one = parseAndVerifyIdentityRecord(rawIdentity(identityBody(alice, [1, 1])));
    expect(one.ok && one.value.versions).toEqual([1]);
    const zero = parseAndVerifyIdentityRecord(rawIdentity(identityBody(alice, [2, 0, 9])));
    expect(zero.ok && zero.value.versions).toEqual([0, 9]);
    const rejects = [
      identityBody(alice, [0]),
      identityBody(alice, [2, 1]),
      identityBody(alice, [2, 2, 1]),
      identityBody(alice, [2, 1, 1]),
      identityBody(alice, [1, 1, 7]),
      identityBody(new Uint8Array(0)),
      identityBody(new Uint8Array(65).fill(0x75)),
      identityBody(Uint8Array.of(0x61, 0xff)),
      identityBody(alice).subarray(0, 77),
    ];
    for (const body of rejects)
      expect(parseAndVerifyIdentityRecord(rawIdentity(body)).ok).toBe(false);
  });
});

describe('legacy JSON identity', () => {
  it('recognises the shape and rejects anything else', () => {
    const json = { username: 'a', pubkey: '00ff', created: 1, sig: '', meta: { k: 1 } };
    const value = `v=dmp1;type=identity;data=${JSON.stringify(json)}`;
    const parsed = parseLegacyJsonIdentity(value);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual({
      username: 'a',
      publicKey: Uint8Array.of(0, 255),
      created: 1,
      signature: new Uint8Array(0),
      metadata: { k: 1 },
    });
    expect(parseAndVerifyIdentityRecord(value)).toMatchObject({ ok: false, code: 'prefix' });
    for (const broken of [
      value.replace('type=', 't='),
      value.slice(0, -1),
      value.replace('"00ff"', '"0g"'),
      value.replace('"created":1', '"created":"1"'),
      'v=dmp1;type=identity;data=[]',
    ]) {
      expect(parseLegacyJsonIdentity(broken).ok).toBe(false);
    }
  });
});
