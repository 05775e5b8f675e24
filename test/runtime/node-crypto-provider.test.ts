/**
 * The Node provider against the pure-JS one: same bytes for every primitive,
 * same Ed25519 verdicts on the inputs DMP's rules pin down (refused keys,
 * S ≥ L, honest signatures), and plain owned Uint8Array results.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../src/protocol/bytes.js';
import { crypto, installCryptoProvider } from '../../src/protocol/crypto/active.js';
import { ED25519_REFUSED_PUBLIC_KEYS, verifyEd25519 } from '../../src/protocol/crypto/ed25519.js';
import { nobleCryptoProvider } from '../../src/protocol/crypto/noble-provider.js';
import type { CryptoProvider } from '../../src/protocol/crypto/provider.js';
import { installNodeCrypto, nodeCryptoProvider } from '../../src/runtime/node-crypto-provider.js';

const PROVIDERS = [nobleCryptoProvider, nodeCryptoProvider] as const;
const ED25519_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 300 });

function withProvider<T>(provider: CryptoProvider, fn: () => T): T {
  const previous = installCryptoProvider(provider);
  try {
    return fn();
  } finally {
    installCryptoProvider(previous);
  }
}

/** DMP verdict (policy + provider) under each provider. */
function verdicts(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean[] {
  return PROVIDERS.map((p) => withProvider(p, () => verifyEd25519(pub, msg, sig)));
}

function littleEndianToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function bigIntToLittleEndian32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

function withScalar(sig: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(sig);
  out.set(bigIntToLittleEndian32(s), 32);
  return out;
}

describe('node crypto provider', () => {
  it('installNodeCrypto installs it and returns the previous provider', () => {
    const before = crypto();
    const previous = installNodeCrypto();
    try {
      expect(previous).toBe(before);
      expect(crypto()).toBe(nodeCryptoProvider);
    } finally {
      installCryptoProvider(previous);
    }
  });

  it('returns plain Uint8Arrays that own their whole buffer', async () => {
    const p = nodeCryptoProvider;
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(12).fill(1);
    const sealed = p.chacha20Poly1305Seal(key, nonce, utf8('hello'), new Uint8Array(0));
    const outputs = [
      p.sha256(utf8('x')),
      p.hmacSha256(key, utf8('x')),
      p.hkdfSha256(key, utf8('s'), utf8('i'), 32),
      p.x25519PublicKey(key),
      p.x25519(key, p.x25519PublicKey(new Uint8Array(32).fill(9))),
      p.ed25519PublicKey(key),
      p.ed25519Sign(key, utf8('x')),
      sealed,
      p.chacha20Poly1305Open(key, nonce, sealed, new Uint8Array(0))!,
      await p.argon2id(utf8('pw'), utf8('saltsalt'), {
        timeCost: 1,
        memoryKiB: 64,
        parallelism: 1,
        outputLength: 32,
      }),
    ];
    for (const out of outputs) {
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
      expect(out.byteOffset).toBe(0);
      expect(out.buffer.byteLength).toBe(out.byteLength);
    }
  });

  it('does not reuse a cached signing key after the seed array is overwritten', () => {
    const seed = new Uint8Array(32).fill(1);
    const msg = utf8('m');
    const first = nodeCryptoProvider.ed25519Sign(seed, msg);
    expect(toHex(first)).toBe(toHex(nobleCryptoProvider.ed25519Sign(seed, msg)));
    seed.fill(2);
    const second = nodeCryptoProvider.ed25519Sign(seed, msg);
    expect(toHex(second)).toBe(toHex(nobleCryptoProvider.ed25519Sign(seed, msg)));
    expect(toHex(second)).not.toBe(toHex(first));
    const priv = new Uint8Array(32).fill(3);
    const pubA = toHex(nodeCryptoProvider.x25519PublicKey(priv));
    priv[5] = 99;
    expect(toHex(nodeCryptoProvider.x25519PublicKey(priv))).toBe(
      toHex(nobleCryptoProvider.x25519PublicKey(priv)),
    );
    expect(toHex(nodeCryptoProvider.x25519PublicKey(priv))).not.toBe(pubA);
  });

  it('refuses an AEAD blob shorter than the tag and a tampered one', () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    expect(
      nodeCryptoProvider.chacha20Poly1305Open(key, nonce, new Uint8Array(15), new Uint8Array(0)),
    ).toBeUndefined();
    const sealed = nodeCryptoProvider.chacha20Poly1305Seal(key, nonce, utf8('abc'), utf8('aad'));
    expect(
      nodeCryptoProvider.chacha20Poly1305Open(key, nonce, sealed, utf8('aae')),
    ).toBeUndefined();
  });
});

describe('providers agree', () => {
  it('on hashes, HKDF, X25519 and ChaCha20-Poly1305 for random inputs', () => {
    fc.assert(
      fc.property(bytes32, bytes32, message, message, (a, b, data, aad) => {
        const [n, o] = PROVIDERS;
        expect(toHex(o.sha256(data))).toBe(toHex(n.sha256(data)));
        expect(toHex(o.hmacSha256(a, data))).toBe(toHex(n.hmacSha256(a, data)));
        expect(toHex(o.hkdfSha256(a, b, aad.subarray(0, 100), 64))).toBe(
          toHex(n.hkdfSha256(a, b, aad.subarray(0, 100), 64)),
        );
        const pubB = n.x25519PublicKey(b);
        expect(toHex(o.x25519PublicKey(b))).toBe(toHex(pubB));
        expect(toHex(o.x25519(a, pubB))).toBe(toHex(n.x25519(a, pubB)));
        const nonce = b.subarray(0, 12);
        const sealed = n.chacha20Poly1305Seal(a, nonce, data, aad);
        expect(toHex(o.chacha20Poly1305Seal(a, nonce, data, aad))).toBe(toHex(sealed));
        expect(toHex(o.chacha20Poly1305Open(a, nonce, sealed, aad)!)).toBe(toHex(data));
      }),
      { numRuns: 200 },
    );
  });

  it('on Argon2id output for random passwords and salts (cheap parameters)', async () => {
    const params = { timeCost: 1, memoryKiB: 64, parallelism: 2, outputLength: 32 };
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ minLength: 8, maxLength: 40 }),
        async (password, salt) => {
          const [n, o] = PROVIDERS;
          const expected = toHex(await n.argon2id(password, salt, params));
          expect(toHex(await o.argon2id(password, salt, params))).toBe(expected);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('on honest Ed25519 keys and signatures: identical bytes, both valid', () => {
    fc.assert(
      fc.property(bytes32, message, (seed, msg) => {
        const [n, o] = PROVIDERS;
        const pub = n.ed25519PublicKey(seed);
        const sig = n.ed25519Sign(seed, msg);
        expect(toHex(o.ed25519PublicKey(seed))).toBe(toHex(pub));
        expect(toHex(o.ed25519Sign(seed, msg))).toBe(toHex(sig));
        expect(verdicts(pub, msg, sig)).toEqual([true, true]);
      }),
      { numRuns: 200 },
    );
  });

  it('that every refused (low-order / non-canonical) key never verifies', () => {
    expect(ED25519_REFUSED_PUBLIC_KEYS.size).toBe(14);
    const msg = utf8('dmp verify vector');
    const identity = fromHex('01'.padEnd(64, '0'));
    for (const keyHex of ED25519_REFUSED_PUBLIC_KEYS) {
      const pub = fromHex(keyHex);
      const forgeries = [
        // R = identity, S = 0: satisfies the cofactorless equation for A = identity.
        new Uint8Array([...identity, ...new Uint8Array(32)]),
        // R = A, S = 0.
        new Uint8Array([...pub, ...new Uint8Array(32)]),
        nobleCryptoProvider.ed25519Sign(new Uint8Array(32).fill(5), msg),
      ];
      for (const sig of forgeries) expect(verdicts(pub, msg, sig), keyHex).toEqual([false, false]);
    }
  });

  it('that signatures with S ≥ L never verify', () => {
    fc.assert(
      fc.property(
        bytes32,
        message,
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        (seed, msg, big) => {
          const pub = nobleCryptoProvider.ed25519PublicKey(seed);
          const sig = nobleCryptoProvider.ed25519Sign(seed, msg);
          const s = littleEndianToBigInt(sig.subarray(32));
          expect(s < ED25519_ORDER).toBe(true);
          // S + L is the same scalar mod L, so only the range check can refuse it.
          expect(verdicts(pub, msg, withScalar(sig, s + ED25519_ORDER))).toEqual([false, false]);
          const other = ED25519_ORDER + (big % (2n ** 256n - ED25519_ORDER));
          expect(verdicts(pub, msg, withScalar(sig, other))).toEqual([false, false]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('on random keys and signatures (both refuse)', () => {
    fc.assert(
      fc.property(
        bytes32,
        message,
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (pub, msg, sig) => {
          expect(verdicts(pub, msg, sig)).toEqual([false, false]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
