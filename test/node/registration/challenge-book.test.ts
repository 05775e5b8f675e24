/** ChallengeBook: fresh material per challenge, single use, 60 s lifetime, bounded size. */
import { describe, expect, it } from 'vitest';
import { ChallengeBook } from '../../../src/node/registration/challenge-book.js';
import { toHex } from '../../../src/protocol/bytes.js';
import { installCryptoProvider } from '../../../src/protocol/crypto/active.js';
import { x25519PublicKey } from '../../../src/protocol/crypto/x25519.js';
import { installNodeCrypto } from '../../../src/runtime/node-crypto-provider.js';

const T0 = 1_900_000_000;

describe('ChallengeBook', () => {
  it('issues 32-byte hex challenges with a fresh X25519 pair and a 60 s expiry', () => {
    const book = new ChallengeBook();
    const a = book.issue('api.example.com', T0);
    const b = book.issue('api.example.com', T0);
    expect(a.challengeHex).toMatch(/^[0-9a-f]{64}$/);
    expect(a.challengeHex).not.toBe(b.challengeHex);
    expect(a.expiresAt).toBe(T0 + 60);
    expect(a.node).toBe('api.example.com');
    expect(toHex(a.serverX25519Public)).toBe(toHex(x25519PublicKey(a.serverX25519Private)));
    expect(toHex(a.serverX25519Public)).not.toBe(toHex(b.serverX25519Public));
  });

  it('is single use, in either hex case', () => {
    const book = new ChallengeBook();
    const c = book.issue('n', T0);
    expect(book.consume(c.challengeHex.toUpperCase(), T0)?.challengeHex).toBe(c.challengeHex);
    expect(book.consume(c.challengeHex, T0)).toBe(undefined);
    expect(book.size).toBe(0);
  });

  it('refuses (and drops) a challenge once `expiresAt` is reached', () => {
    const book = new ChallengeBook();
    const live = book.issue('n', T0);
    const dead = book.issue('n', T0);
    expect(book.consume(live.challengeHex, T0 + 59)).toBeDefined();
    expect(book.consume(dead.challengeHex, T0 + 60)).toBe(undefined);
    expect(book.consume('00'.repeat(32), T0)).toBe(undefined);
  });

  it('sweeps expired challenges when issuing', () => {
    const book = new ChallengeBook();
    for (let i = 0; i < 5; i++) book.issue('n', T0);
    book.issue('n', T0 + 61);
    expect(book.size).toBe(1);
  });

  it('holds at most `maxPending`, dropping the oldest first', () => {
    const book = new ChallengeBook({ maxPending: 3 });
    const issued = Array.from({ length: 5 }, () => book.issue('n', T0));
    expect(book.size).toBe(3);
    expect(book.consume(issued[0]!.challengeHex, T0)).toBe(undefined);
    expect(book.consume(issued[1]!.challengeHex, T0)).toBe(undefined);
    expect(book.consume(issued[4]!.challengeHex, T0)).toBeDefined();
  });

  it('defaults to 10,000 outstanding challenges', () => {
    // The daemon runs on the node:crypto provider; so does this bulk test.
    const previous = installNodeCrypto();
    try {
      const book = new ChallengeBook();
      for (let i = 0; i < 10_010; i++) book.issue('n', T0);
      expect(book.size).toBe(10_000);
    } finally {
      installCryptoProvider(previous);
    }
  });

  it('draws challenge and key pair from the injected randomness', () => {
    let counter = 0;
    const book = new ChallengeBook({ random: (n) => new Uint8Array(n).fill(++counter) });
    const c = book.issue('n', T0);
    expect(c.challengeHex).toBe('01'.repeat(32));
    expect(toHex(c.serverX25519Private)).toBe('02'.repeat(32));
  });
});
