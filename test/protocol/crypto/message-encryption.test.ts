import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/protocol/bytes.js';
import {
  decryptFromSender,
  drawEncryptionRandomness,
  ENCRYPTED_MESSAGE_MIN_BYTES,
  ENCRYPTED_MESSAGE_OVERHEAD,
  encodeEncryptedMessage,
  encryptForRecipient,
  parseEncryptedMessage,
} from '../../../src/protocol/crypto/message-encryption.js';
import { x25519PublicKey } from '../../../src/protocol/crypto/x25519.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const setup = fc.record({
  recipientPrivate: bytes(32),
  ephemeralPrivate: bytes(32),
  nonce: bytes(12),
  plaintext: fc.uint8Array({ maxLength: 400 }),
  aad: fc.uint8Array({ maxLength: 300 }),
});

function flip(b: Uint8Array, index: number, mask: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[index]! ^= mask;
  return out;
}

// Low-order X25519 points: 0, 1, and the order-8 point (RFC 7748 / libsodium list).
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
];
const fromHexStr = (h: string) =>
  Uint8Array.from(h.match(/../g)!.map((x) => Number.parseInt(x, 16)));

describe('message encryption', () => {
  it('round-trips random plaintext and AAD; blob is 60 + plaintext bytes', () => {
    fc.assert(
      fc.property(setup, ({ recipientPrivate, ephemeralPrivate, nonce, plaintext, aad }) => {
        const target = x25519PublicKey(recipientPrivate);
        const blob = encryptForRecipient(plaintext, target, aad, { ephemeralPrivate, nonce });
        expect(blob.length).toBe(ENCRYPTED_MESSAGE_OVERHEAD + plaintext.length);
        expect(toHex(blob.subarray(0, 32))).toBe(toHex(x25519PublicKey(ephemeralPrivate)));
        expect(toHex(blob.subarray(32, 44))).toBe(toHex(nonce));
        const opened = decryptFromSender(blob, recipientPrivate, aad);
        expect(opened.ok).toBe(true);
        if (opened.ok) expect(toHex(opened.value)).toBe(toHex(plaintext));
        // Same randomness, same bytes.
        expect(
          toHex(encryptForRecipient(plaintext, target, aad, { ephemeralPrivate, nonce })),
        ).toBe(toHex(blob));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects any flipped bit in the blob or the AAD as "decrypt"', () => {
    fc.assert(
      fc.property(
        setup,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        ({ recipientPrivate, ephemeralPrivate, nonce, plaintext, aad }, at, bit, inAad) => {
          const blob = encryptForRecipient(plaintext, x25519PublicKey(recipientPrivate), aad, {
            ephemeralPrivate,
            nonce,
          });
          const tamperAad = inAad && aad.length > 0;
          const index = at % blob.length;
          // Bit 255 of the ephemeral u-coordinate is ignored by X25519 (see below).
          fc.pre(tamperAad || !(index === 31 && bit === 7));
          const badBlob = tamperAad ? blob : flip(blob, index, 1 << bit);
          const badAad = tamperAad ? flip(aad, at % aad.length, 1 << bit) : aad;
          const result = decryptFromSender(badBlob, recipientPrivate, badAad);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.code).toBe('decrypt');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ignores bit 255 of the ephemeral key, as RFC 7748 X25519 (and the reference) does', () => {
    const recipientPrivate = new Uint8Array(32).fill(7);
    const aad = new Uint8Array([1, 2, 3]);
    const plaintext = new Uint8Array([4, 5, 6]);
    const blob = encryptForRecipient(plaintext, x25519PublicKey(recipientPrivate), aad, {
      ephemeralPrivate: new Uint8Array(32).fill(8),
      nonce: new Uint8Array(12),
    });
    const result = decryptFromSender(flip(blob, 31, 0x80), recipientPrivate, aad);
    expect(result).toEqual({ ok: true, value: plaintext });
  });

  it('rejects an extra or missing AAD byte and the wrong recipient key', () => {
    fc.assert(
      fc.property(
        setup,
        bytes(32),
        ({ recipientPrivate, ephemeralPrivate, nonce, plaintext, aad }, other) => {
          fc.pre(toHex(x25519PublicKey(other)) !== toHex(x25519PublicKey(recipientPrivate)));
          const blob = encryptForRecipient(plaintext, x25519PublicKey(recipientPrivate), aad, {
            ephemeralPrivate,
            nonce,
          });
          const longer = new Uint8Array([...aad, 0]);
          expect(decryptFromSender(blob, recipientPrivate, longer).ok).toBe(false);
          if (aad.length > 0) {
            expect(decryptFromSender(blob, recipientPrivate, aad.subarray(1)).ok).toBe(false);
          }
          expect(decryptFromSender(blob, other, aad).ok).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('parseEncryptedMessage never throws and splits at 32 / 44', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        const parsed = parseEncryptedMessage(input);
        expect(parsed.ok).toBe(input.length >= ENCRYPTED_MESSAGE_MIN_BYTES);
        if (parsed.ok) {
          expect(toHex(parsed.value.ephemeralPublic)).toBe(toHex(input.subarray(0, 32)));
          expect(toHex(parsed.value.nonce)).toBe(toHex(input.subarray(32, 44)));
          expect(toHex(parsed.value.sealed)).toBe(toHex(input.subarray(44)));
          expect(toHex(encodeEncryptedMessage(parsed.value))).toBe(toHex(input));
        } else {
          expect(parsed.code).toBe('length');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('decryptFromSender never throws on arbitrary blobs, keys and AAD', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        fc.uint8Array({ maxLength: 20 }),
        (blob, key, aad) => {
          const result = decryptFromSender(blob, key, aad);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(['length', 'decrypt']).toContain(result.code);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a 44..59-byte blob parses but fails to decrypt', () => {
    const priv = new Uint8Array(32).fill(3);
    const blob = new Uint8Array(50);
    blob.set(x25519PublicKey(new Uint8Array(32).fill(4)), 0);
    expect(parseEncryptedMessage(blob).ok).toBe(true);
    const result = decryptFromSender(blob, priv, new Uint8Array(0));
    expect(result).toMatchObject({ ok: false, code: 'decrypt' });
    expect(decryptFromSender(blob.subarray(0, 43), priv, new Uint8Array(0))).toMatchObject({
      ok: false,
      code: 'length',
    });
  });

  it('refuses low-order keys: encryption throws, decryption rejects', () => {
    const randomness = { ephemeralPrivate: new Uint8Array(32).fill(1), nonce: new Uint8Array(12) };
    for (const h of LOW_ORDER) {
      const point = fromHexStr(h);
      expect(() =>
        encryptForRecipient(new Uint8Array(1), point, new Uint8Array(0), randomness),
      ).toThrow(DmpEncodeError);
      const blob = new Uint8Array(80);
      blob.set(point, 0);
      expect(decryptFromSender(blob, new Uint8Array(32).fill(2), new Uint8Array(0))).toMatchObject({
        ok: false,
        code: 'decrypt',
      });
    }
  });

  it('refuses wrongly sized randomness and keys with DmpEncodeError', () => {
    const target = x25519PublicKey(new Uint8Array(32).fill(9));
    const pt = new Uint8Array(3);
    const aad = new Uint8Array(0);
    const ok = { ephemeralPrivate: new Uint8Array(32).fill(1), nonce: new Uint8Array(12) };
    expect(encryptForRecipient(pt, target, aad, ok).length).toBe(63);
    expect(() =>
      encryptForRecipient(pt, target, aad, { ...ok, nonce: new Uint8Array(11) }),
    ).toThrow(DmpEncodeError);
    expect(() =>
      encryptForRecipient(pt, target, aad, { ...ok, ephemeralPrivate: new Uint8Array(31) }),
    ).toThrow(DmpEncodeError);
    expect(() => encryptForRecipient(pt, target.subarray(1), aad, ok)).toThrow(DmpEncodeError);
  });

  it('drawEncryptionRandomness asks the CSPRNG for 32 + 12 bytes', () => {
    const asked: number[] = [];
    const r = drawEncryptionRandomness((n) => {
      asked.push(n);
      return new Uint8Array(n).fill(n);
    });
    expect(asked).toEqual([32, 12]);
    expect(r.ephemeralPrivate).toEqual(new Uint8Array(32).fill(32));
    expect(r.nonce).toEqual(new Uint8Array(12).fill(12));
  });
});
