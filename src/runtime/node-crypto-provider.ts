/**
 * Node.js {@link CryptoProvider}: node:crypto (OpenSSL) for the curves, hashes
 * and AEAD, and @node-rs/argon2 (native Rust) for Argon2id.
 *
 * OpenSSL is what the reference implementation calls through `cryptography`,
 * so Ed25519 verification here has exactly the reference's acceptance
 * behaviour (including for adversarial encodings the spec leaves to "whatever
 * OpenSSL does"). Raw 32-byte keys become KeyObjects through JWK (see
 * importPrivateKey for why not DER), private ones cached per key array.
 *
 * Every value returned is a plain `Uint8Array` that owns its memory, so
 * callers see the same `slice`/`subarray` semantics as with the pure-JS
 * provider and never alias Node's shared Buffer pool.
 */

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { type Algorithm, hashRaw, type Version } from '@node-rs/argon2';
import { installCryptoProvider } from '../protocol/crypto/active.js';
import type { CryptoProvider } from '../protocol/crypto/provider.js';

type OkpCurve = 'Ed25519' | 'X25519';

// RFC 8410 PKCS#8 headers; the raw 32-byte private key follows the prefix.
const PKCS8_PREFIX: Record<OkpCurve, Uint8Array> = {
  Ed25519: hexBytes('302e020100300506032b657004220420'),
  X25519: hexBytes('302e020100300506032b656e04220420'),
};

// The argon2 typings declare these as ambient const enums, which cannot be
// read as values under isolatedModules; the numbers are the binding's ABI.
const ARGON2ID = 2 as Algorithm.Argon2id;
const ARGON2_VERSION_0X13 = 1 as Version.V0x13;

const AEAD_TAG_BYTES = 16;

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * A plain Uint8Array over `view`'s bytes. Zero-copy when the view already
 * spans its whole ArrayBuffer (true of node:crypto digests and signatures);
 * otherwise a copy, so a pooled Buffer slab never escapes.
 */
function owned(view: Uint8Array): Uint8Array {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) {
    return new Uint8Array(view.buffer, 0, view.byteLength);
  }
  return new Uint8Array(view);
}

/*
 * Raw keys are imported as JWK rather than DER. Both end in the same OpenSSL
 * raw-key constructors, but DER goes through OpenSSL 3's decoder framework,
 * whose per-call set-up dominates (measured on Node 20 / OpenSSL 3.0: PKCS#8
 * 300 µs vs JWK 23 µs; SPKI 65 µs vs JWK 5 µs; exporting SPKI 58 µs vs JWK
 * 1 µs), i.e. more than the signature or ECDH itself.
 */

function importPrivateKey(curve: OkpCurve, raw: Uint8Array): KeyObject {
  try {
    // Node builds a private OKP key from `d` alone and derives the public half
    // itself; `x` must be a string but is not read. An empty `x` means that a
    // future Node which did read it would fail here (falling back to PKCS#8)
    // rather than sign with a public key that does not match the seed.
    return createPrivateKey({
      key: { kty: 'OKP', crv: curve, d: base64url(raw), x: '' },
      format: 'jwk',
    });
  } catch {
    const der = Buffer.alloc(PKCS8_PREFIX[curve].length + raw.length);
    der.set(PKCS8_PREFIX[curve], 0);
    der.set(raw, PKCS8_PREFIX[curve].length);
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }
}

function importPublicKey(curve: OkpCurve, raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError('public key must be 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: curve, x: base64url(raw) }, format: 'jwk' });
}

function rawPublicKey(privateKey: KeyObject): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  // Buffer.from(string) may hand out a slice of the shared pool: copy it out.
  return owned(Buffer.from(jwk.x ?? '', 'base64url'));
}

interface CachedKey {
  /** Copy of the bytes the KeyObject was built from, to detect in-place mutation. */
  readonly bytes: Uint8Array;
  readonly key: KeyObject;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Private KeyObjects cached per key array: an identity signs many records
 * with the same seed array, and even the fast import costs as much as a
 * signature. Weak keys let the entry die with the array; the byte check keeps
 * a cached key from outliving an in-place overwrite (e.g. zeroisation).
 */
function privateKeyCache(curve: OkpCurve): (raw: Uint8Array) => KeyObject {
  const cache = new WeakMap<Uint8Array, CachedKey>();
  return (raw) => {
    const hit = cache.get(raw);
    if (hit !== undefined && sameBytes(hit.bytes, raw)) return hit.key;
    if (raw.length !== 32) throw new TypeError('private key must be 32 bytes');
    const key = importPrivateKey(curve, raw);
    cache.set(raw, { bytes: Uint8Array.from(raw), key });
    return key;
  };
}

const ed25519PrivateKey = privateKeyCache('Ed25519');
const x25519PrivateKey = privateKeyCache('X25519');

/** node:crypto + @node-rs/argon2 provider. Install with {@link installNodeCrypto}. */
export const nodeCryptoProvider: CryptoProvider = {
  name: 'node:crypto+@node-rs/argon2',
  sha256: (data) => owned(createHash('sha256').update(data).digest()),
  hmacSha256: (key, data) => owned(createHmac('sha256', key).update(data).digest()),
  hkdfSha256: (ikm, salt, info, length) =>
    new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)),
  x25519PublicKey: (priv) => rawPublicKey(x25519PrivateKey(priv)),
  // OpenSSL throws on an all-zero result (low-order peer), as in the reference.
  x25519: (priv, pub) =>
    owned(
      diffieHellman({
        privateKey: x25519PrivateKey(priv),
        publicKey: importPublicKey('X25519', pub),
      }),
    ),
  ed25519PublicKey: (seed) => rawPublicKey(ed25519PrivateKey(seed)),
  ed25519Sign: (seed, message) => owned(sign(null, message, ed25519PrivateKey(seed))),
  ed25519Verify: (pub, message, sig) => verify(null, message, importPublicKey('Ed25519', pub), sig),
  chacha20Poly1305Seal: (key, nonce, plaintext, aad) => {
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, {
      authTagLength: AEAD_TAG_BYTES,
    });
    // plaintextLength only matters for CCM; the typings demand it for ChaCha20 too.
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const body = cipher.update(plaintext);
    const tail = cipher.final();
    const tag = cipher.getAuthTag();
    const out = new Uint8Array(body.length + tail.length + tag.length);
    out.set(body, 0);
    out.set(tail, body.length);
    out.set(tag, body.length + tail.length);
    return out;
  },
  chacha20Poly1305Open: (key, nonce, sealed, aad) => {
    if (sealed.length < AEAD_TAG_BYTES) return undefined;
    const split = sealed.length - AEAD_TAG_BYTES;
    try {
      const decipher = createDecipheriv('chacha20-poly1305', key, nonce, {
        authTagLength: AEAD_TAG_BYTES,
      });
      decipher.setAuthTag(sealed.subarray(split));
      decipher.setAAD(aad, { plaintextLength: split });
      const body = decipher.update(sealed.subarray(0, split));
      // final() is where the tag is checked; nothing is returned before it passes.
      const tail = decipher.final();
      if (tail.length === 0) return owned(body);
      const out = new Uint8Array(body.length + tail.length);
      out.set(body, 0);
      out.set(tail, body.length);
      return out;
    } catch {
      return undefined;
    }
  },
  argon2id: async (password, salt, p) =>
    owned(
      await hashRaw(password, {
        salt,
        timeCost: p.timeCost,
        memoryCost: p.memoryKiB,
        parallelism: p.parallelism,
        outputLen: p.outputLength,
        algorithm: ARGON2ID,
        version: ARGON2_VERSION_0X13,
      }),
    ),
};

/**
 * Makes {@link nodeCryptoProvider} the process-wide provider. Call once at
 * start-up of a Node entry point; returns the provider it replaced.
 */
export function installNodeCrypto(): CryptoProvider {
  return installCryptoProvider(nodeCryptoProvider);
}
