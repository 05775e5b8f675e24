/**
 * The user-visible identity fingerprint (core spec §2.3): the first 16 hex
 * characters of SHA-256(x25519_pub ‖ ed25519_spk). `identity fetch` lists it
 * for ambiguous names and `--accept-fingerprint` selects by it, so
 * `identity show` prints it for out-of-band comparison.
 */
import { concatBytes } from '../protocol/bytes.js';
import { hexHash } from '../protocol/crypto/hash.js';

export function identityFingerprint(x25519Public: Uint8Array, ed25519Public: Uint8Array): string {
  return hexHash(concatBytes(x25519Public, ed25519Public), 16);
}

/** `abcd ef01 …`: the fingerprint in groups of four, easier to read aloud. */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
}
