/**
 * Ed25519 signing and verification with DMP's acceptance rules (core.md §1.4):
 * pure Ed25519 over the exact body; a public key must be 32 bytes and not one
 * of the 14 low-order / non-canonical encodings the reference refuses before
 * any curve arithmetic; verification is strict (S < L, cofactorless).
 */
import { toHex } from '../bytes.js';
import { crypto } from './active.js';

/** Low-order and non-canonical Ed25519 public keys refused outright (hex). */
export const ED25519_REFUSED_PUBLIC_KEYS: ReadonlySet<string> = new Set([
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
]);

/** Ed25519 public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new TypeError('Ed25519 seed must be 32 bytes');
  return crypto().ed25519PublicKey(seed);
}

/** Signs `message` with a 32-byte Ed25519 seed; returns the 64-byte signature. */
export function signEd25519(seed: Uint8Array, message: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new TypeError('Ed25519 seed must be 32 bytes');
  return crypto().ed25519Sign(seed, message);
}

/** True when `publicKey` is a 32-byte key not on the refused list. */
export function isAcceptableEd25519Key(publicKey: Uint8Array): boolean {
  return publicKey.length === 32 && !ED25519_REFUSED_PUBLIC_KEYS.has(toHex(publicKey));
}

/** DMP signature check; never throws. */
export function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64 || !isAcceptableEd25519Key(publicKey)) return false;
  try {
    return crypto().ed25519Verify(publicKey, message, signature);
  } catch {
    return false;
  }
}
