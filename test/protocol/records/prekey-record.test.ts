import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../src/protocol/base64.js';
import { bytesEqual, concatBytes, u32, u64 } from '../../../src/protocol/bytes.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import { PREKEY_RECORD_PREFIX } from '../../../src/protocol/records/prefixes.js';
import {
  isPrekeyExpired,
  type PrekeyRecordInput,
  parseAndVerifyPrekeyRecord,
  signPrekeyRecord,
} from '../../../src/protocol/records/prekey-record.js';
import { MAX_EXP_FUTURE_SECONDS } from '../../../src/protocol/records/record-fields.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';
import { bytesArb, flipBlobByte, signerArb, valueArb } from './record-arbitraries.js';

const NOW = 1_893_456_000;
const seed = new Uint8Array(32).fill(4);
const spk = ed25519PublicKey(seed);

const prekeyArb = fc
  .record({
    signer: signerArb,
    prekeyId: fc.integer({ min: 1, max: 0xffffffff }),
    publicKey: bytesArb(32),
    exp: fc.nat(),
  })
  .map(({ signer, ...prekey }) => ({ signer, prekey: prekey satisfies PrekeyRecordInput }));

const basePrekey = (): PrekeyRecordInput => ({
  prekeyId: 42,
  publicKey: new Uint8Array(32).fill(8),
  exp: NOW + 86_400,
});

/** Signs an arbitrary body with `seed`, bypassing the encoder's checks. */
function rawPrekey(body: Uint8Array): string {
  return PREKEY_RECORD_PREFIX + encodeBase64(concatBytes(body, signEd25519(seed, body)));
}

describe('prekey record', () => {
  it('round-trips every valid prekey against the signer key', () => {
    fc.assert(
      fc.property(prekeyArb, ({ signer, prekey }) => {
        const value = signPrekeyRecord(prekey, signer.seed);
        expect(value.length).toBe(162);
        const parsed = parseAndVerifyPrekeyRecord(value, Number(prekey.exp), signer.publicKey);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.prekeyId).toBe(prekey.prekeyId);
        expect(parsed.value.publicKey).toEqual(prekey.publicKey);
        expect(parsed.value.exp).toBe(BigInt(prekey.exp));
        // Another signer's key never verifies it.
        expect(parseAndVerifyPrekeyRecord(value, Number(prekey.exp), spk).ok).toBe(
          bytesEqual(signer.publicKey, spk),
        );
      }),
      { numRuns: 50 },
    );
  });

  it('rejects any single flipped byte of a signed prekey', () => {
    fc.assert(
      fc.property(prekeyArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, index, mask) => {
        const value = flipBlobByte(
          signPrekeyRecord(c.prekey, c.signer.seed),
          PREKEY_RECORD_PREFIX,
          index,
          mask,
        );
        expect(parseAndVerifyPrekeyRecord(value, Number(c.prekey.exp), c.signer.publicKey).ok).toBe(
          false,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary values or keys', () => {
    fc.assert(
      fc.property(
        valueArb(PREKEY_RECORD_PREFIX),
        fc.integer(),
        fc.uint8Array({ maxLength: 40 }),
        (v, now, key) => {
          expect(typeof parseAndVerifyPrekeyRecord(v, now, key).ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('enforces the 30-day cap but leaves expiry to the caller', () => {
    const value = signPrekeyRecord({ ...basePrekey(), exp: NOW + MAX_EXP_FUTURE_SECONDS }, seed);
    expect(parseAndVerifyPrekeyRecord(value, NOW, spk).ok).toBe(true);
    expect(parseAndVerifyPrekeyRecord(value, NOW - 1, spk)).toMatchObject({
      ok: false,
      code: 'future',
    });
    const old = parseAndVerifyPrekeyRecord(
      signPrekeyRecord({ ...basePrekey(), exp: 100 }, seed),
      NOW,
      spk,
    );
    expect(old.ok).toBe(true);
    if (!old.ok) return;
    expect(isPrekeyExpired(old.value, 100)).toBe(false);
    expect(isPrekeyExpired(old.value, 101)).toBe(true);
  });

  it('refuses forbidden values on sign and id 0 / wrong sizes on parse', () => {
    for (const patch of [
      { prekeyId: 0 },
      { prekeyId: 2 ** 32 },
      { publicKey: new Uint8Array(33) },
      { exp: -5 },
    ]) {
      expect(
        () => signPrekeyRecord({ ...basePrekey(), ...patch }, seed),
        Object.keys(patch).join(),
      ).toThrow(DmpEncodeError);
    }
    const body = (id: number, extra = 0) =>
      concatBytes(u32(id), new Uint8Array(32).fill(8), u64(NOW), new Uint8Array(extra));
    expect(parseAndVerifyPrekeyRecord(rawPrekey(body(7)), NOW, spk).ok).toBe(true);
    expect(parseAndVerifyPrekeyRecord(rawPrekey(body(0)), NOW, spk)).toMatchObject({
      ok: false,
      code: 'structure',
    });
    expect(parseAndVerifyPrekeyRecord(rawPrekey(body(7, 1)), NOW, spk)).toMatchObject({
      ok: false,
      code: 'length',
    });
    expect(parseAndVerifyPrekeyRecord(rawPrekey(body(7).subarray(0, 43)), NOW, spk).ok).toBe(false);
  });
});
