import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/protocol/bytes.js';
import {
  registrationProof,
  verifyRegistrationProof,
} from '../../../src/protocol/crypto/registration-pop.js';
import { x25519PublicKey } from '../../../src/protocol/crypto/x25519.js';
import { DmpEncodeError } from '../../../src/protocol/result.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const subject = fc.string({ minLength: 1, maxLength: 40 });

describe('registration proof of possession', () => {
  it('the server accepts the client proof; any changed input is refused', () => {
    fc.assert(
      fc.property(
        bytes(32),
        bytes(32),
        bytes(32),
        subject,
        bytes(32),
        (user, server, challenge, subj, other) => {
          const userPub = x25519PublicKey(user);
          const serverPub = x25519PublicKey(server);
          const hex = toHex(challenge);
          const proof = registrationProof(user, serverPub, hex, subj, userPub);
          expect(proof.length).toBe(32);
          expect(verifyRegistrationProof(server, userPub, hex, subj, proof)).toBe(true);
          // Hex case does not matter (bytes.fromhex accepts either).
          expect(verifyRegistrationProof(server, userPub, hex.toUpperCase(), subj, proof)).toBe(
            true,
          );

          const flipped = Uint8Array.from(proof);
          flipped[31]! ^= 0x80;
          expect(verifyRegistrationProof(server, userPub, hex, subj, flipped)).toBe(false);
          expect(verifyRegistrationProof(server, userPub, hex, `${subj}x`, proof)).toBe(false);
          const otherChallenge = Uint8Array.from(challenge);
          otherChallenge[0]! ^= 1;
          expect(verifyRegistrationProof(server, userPub, toHex(otherChallenge), subj, proof)).toBe(
            false,
          );
          const otherPub = x25519PublicKey(other);
          fc.pre(toHex(otherPub) !== toHex(userPub));
          // Claiming someone else's key with one's own secret fails.
          const stolen = registrationProof(user, serverPub, hex, subj, otherPub);
          expect(verifyRegistrationProof(server, otherPub, hex, subj, stolen)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('verification never throws on malformed input', () => {
    const server = new Uint8Array(32).fill(1);
    const pub = x25519PublicKey(new Uint8Array(32).fill(2));
    const proof = new Uint8Array(32);
    expect(verifyRegistrationProof(server, pub, 'zz', 's', proof)).toBe(false);
    expect(verifyRegistrationProof(server, pub, 'abc', 's', proof)).toBe(false);
    expect(verifyRegistrationProof(server, pub, '00', 's', proof.subarray(1))).toBe(false);
    expect(verifyRegistrationProof(server, pub.subarray(1), '00', 's', proof)).toBe(false);
    expect(verifyRegistrationProof(server, new Uint8Array(32), '00', 's', proof)).toBe(false);
  });

  it('the client refuses bad challenge hex, wrong sizes and a low-order server key', () => {
    const user = new Uint8Array(32).fill(1);
    const pub = x25519PublicKey(user);
    const serverPub = x25519PublicKey(new Uint8Array(32).fill(2));
    expect(registrationProof(user, serverPub, '00ff', 's', pub).length).toBe(32);
    expect(() => registrationProof(user, serverPub, '0g', 's', pub)).toThrow(DmpEncodeError);
    expect(() => registrationProof(user, serverPub, '00', 's', pub.subarray(1))).toThrow(
      DmpEncodeError,
    );
    expect(() => registrationProof(user, new Uint8Array(32), '00', 's', pub)).toThrow(
      DmpEncodeError,
    );
  });
});
