/**
 * User bearer tokens of the records API (node spec §4.2, §3.2):
 * `dmp_v1_` followed by the unpadded upper-case base32 of 32 random bytes
 * (52 characters). The node keeps only the token's SHA-256; the token itself
 * is shown to its owner once and never logged.
 */
import { randomBytes } from 'node:crypto';
import { toHex, utf8 } from '../../protocol/bytes.js';
import { sha256 } from '../../protocol/crypto/hash.js';

/** Prefix of every user token. */
export const BEARER_TOKEN_PREFIX = 'dmp_v1_';

/** Random bytes behind a token. */
export const BEARER_TOKEN_RANDOM_BYTES = 32;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TOKEN_SHAPE = /^dmp_v1_[A-Z2-7]{52}$/;

/** RFC 4648 base32, upper case, without `=` padding. */
export function base32NoPad(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
    // Keep only the bits not yet emitted, so `buffer` never overflows.
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** A fresh token from `random` (default: the OS CSPRNG). */
export function generateBearerToken(
  random: (length: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
): string {
  return BEARER_TOKEN_PREFIX + base32NoPad(random(BEARER_TOKEN_RANDOM_BYTES));
}

/** True when `token` has the shape of a user token (checked before any store lookup). */
export function looksLikeBearerToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** The stored form of a token: lowercase hex SHA-256 of its UTF-8 bytes. */
export function bearerTokenHash(token: string): string {
  return toHex(sha256(utf8(token)));
}
