/**
 * The PKCS#8 fallback of the Node provider's private-key import, exercised by
 * making JWK private-key import fail (as it would on a Node release that
 * started validating the unused `x` member).
 */
import type * as nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { toHex } from '../../src/protocol/bytes.js';
import { nobleCryptoProvider } from '../../src/protocol/crypto/noble-provider.js';

const formats: string[] = [];

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof nodeCrypto>();
  return {
    ...real,
    createPrivateKey: (input: Parameters<typeof real.createPrivateKey>[0]) => {
      const format = (input as { format?: string }).format ?? 'pem';
      formats.push(format);
      if (format === 'jwk') throw new Error('simulated: JWK private import refused');
      return real.createPrivateKey(input);
    },
  };
});

const { nodeCryptoProvider } = await import('../../src/runtime/node-crypto-provider.js');

describe('node crypto provider PKCS#8 fallback', () => {
  it('still derives the same keys, signatures and shared secrets', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 100 }),
        (a, b, msg) => {
          const n = nobleCryptoProvider;
          const o = nodeCryptoProvider;
          expect(toHex(o.ed25519PublicKey(a))).toBe(toHex(n.ed25519PublicKey(a)));
          expect(toHex(o.ed25519Sign(a, msg))).toBe(toHex(n.ed25519Sign(a, msg)));
          expect(toHex(o.x25519PublicKey(a))).toBe(toHex(n.x25519PublicKey(a)));
          const pubB = n.x25519PublicKey(b);
          expect(toHex(o.x25519(a, pubB))).toBe(toHex(n.x25519(a, pubB)));
        },
      ),
      { numRuns: 50 },
    );
    expect(formats).toContain('jwk');
    expect(formats).toContain('der');
  });
});
