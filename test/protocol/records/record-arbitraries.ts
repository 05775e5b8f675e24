/**
 * Shared fast-check generators and wire helpers for the record property
 * tests.
 */
import fc from 'fast-check';
import { decodeBase64Lenient, encodeBase64 } from '../../../src/protocol/base64.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';

/** A random Ed25519 signer. */
export const signerArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((seed) => ({ seed, publicKey: ed25519PublicKey(seed) }));

export const bytesArb = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

/** Strings a TXT value could plausibly hold, including junk after a real prefix. */
export function valueArb(prefix: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
    fc.string({ maxLength: 400 }).map((s) => prefix + s),
    fc.uint8Array({ maxLength: 400 }).map((b) => prefix + encodeBase64(b)),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => prefix + s),
  );
}

/** `prefix + base64(blob)` with byte `index` (mod length) XORed by `mask` (1..255). */
export function flipBlobByte(value: string, prefix: string, index: number, mask: number): string {
  const blob = decodeBase64Lenient(value.slice(prefix.length));
  if (blob === undefined) throw new Error('not a base64 record value');
  const flipped = blob.slice();
  flipped[index % flipped.length]! ^= mask;
  return prefix + encodeBase64(flipped);
}

/** `prefix + base64(mutate(blob))`. */
export function rewriteBlob(
  value: string,
  prefix: string,
  mutate: (blob: Uint8Array) => Uint8Array,
): string {
  const blob = decodeBase64Lenient(value.slice(prefix.length));
  if (blob === undefined) throw new Error('not a base64 record value');
  return prefix + encodeBase64(mutate(blob.slice()));
}
