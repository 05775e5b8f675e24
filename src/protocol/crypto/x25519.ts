/** X25519 (RFC 7748) with DMP's rule that low-order peers are refused (core.md §2.4). */
import { crypto } from './active.js';

export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== 32) throw new TypeError('X25519 private key must be 32 bytes');
  return crypto().x25519PublicKey(privateKey);
}

/**
 * Shared secret, or `undefined` when the peer key is malformed or low-order
 * (an all-zero result), which OpenSSL — and so the reference — refuses.
 */
export function x25519SharedSecret(
  privateKey: Uint8Array,
  peerPublicKey: Uint8Array,
): Uint8Array | undefined {
  if (privateKey.length !== 32 || peerPublicKey.length !== 32) return undefined;
  let shared: Uint8Array;
  try {
    shared = crypto().x25519(privateKey, peerPublicKey);
  } catch {
    return undefined;
  }
  let acc = 0;
  for (let i = 0; i < shared.length; i++) acc |= shared[i]!;
  return acc === 0 ? undefined : shared;
}
