/**
 * Pure-JS {@link CryptoProvider}: @noble/* for curves, hashes and AEAD (audited,
 * browser-safe) and hash-wasm for Argon2id (about 3x faster than the pure-JS
 * Argon2 in @noble/hashes, which matters for unlock time in browsers).
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';
import type { CryptoProvider } from './provider.js';

export const nobleCryptoProvider: CryptoProvider = {
  name: 'noble+hash-wasm',
  sha256: (data) => sha256(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  x25519PublicKey: (priv) => x25519.getPublicKey(priv),
  x25519: (priv, pub) => x25519.getSharedSecret(priv, pub),
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (seed, message) => ed25519.sign(message, seed),
  ed25519Verify: (pub, message, sig) => ed25519.verify(sig, message, pub, { zip215: false }),
  chacha20Poly1305Seal: (key, nonce, plaintext, aad) =>
    chacha20poly1305(key, nonce, aad).encrypt(plaintext),
  chacha20Poly1305Open: (key, nonce, sealed, aad) => {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  argon2id: async (password, salt, p) =>
    password.length === 0
      ? // hash-wasm refuses empty passwords, which Argon2 (and the reference) allow.
        argon2idAsync(password, salt, {
          t: p.timeCost,
          m: p.memoryKiB,
          p: p.parallelism,
          dkLen: p.outputLength,
          version: 0x13,
        })
      : argon2id({
          password,
          salt,
          iterations: p.timeCost,
          memorySize: p.memoryKiB,
          parallelism: p.parallelism,
          hashLength: p.outputLength,
          outputType: 'binary',
        }),
};
