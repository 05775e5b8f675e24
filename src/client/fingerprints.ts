/**
 * The short key forms users see (core.md §2.3). Keep them identical to the
 * reference's so a fingerprint read aloud from either client matches.
 */
import { concatBytes, toHex } from '../protocol/bytes.js';
import { hexHash } from '../protocol/crypto/hash.js';

/** `hex16(sha256(x25519_pub ‖ ed25519_spk))`: the identity fingerprint of `identity fetch`. */
export function identityFingerprint(x25519Pub: Uint8Array, ed25519Spk: Uint8Array): string {
  return hexHash(concatBytes(x25519Pub, ed25519Spk), 16);
}

/** First 16 hex digits of a signing key and `...` — how `recv` names a sender. */
export function shortSenderKey(spk: Uint8Array): string {
  return `${toHex(spk).slice(0, 16)}...`;
}

/** `intro-` + first 12 hex digits of the sender key: the default label of a trusted intro. */
export function defaultIntroLabel(spk: Uint8Array): string {
  return `intro-${toHex(spk).slice(0, 12)}`;
}
