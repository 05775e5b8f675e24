/**
 * fast-check generators and wire helpers for the operator record property
 * tests (cluster, bootstrap, rotation, revocation, heartbeat).
 */
import fc from 'fast-check';
import { decodeBase64Strict, encodeBase64 } from '../../../src/protocol/base64.js';
import { ed25519PublicKey, signEd25519 } from '../../../src/protocol/crypto/ed25519.js';
import { encodeOperatorWire } from '../../../src/protocol/records/operator-wire.js';

/** A random Ed25519 signer (raw seed, as heartbeat operators use). */
export const signerArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((seed) => ({ seed, publicKey: ed25519PublicKey(seed) }));

export const labelArb = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/);

/** A valid DNS name of at most 64 characters, sometimes with the FQDN dot. */
export const dnsNameArb: fc.Arbitrary<string> = fc
  .tuple(fc.array(labelArb, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(
    ([labels, dot]) =>
      labels
        .join('.')
        .slice(0, 60)
        .replace(/[.-]+$/, '') + (dot ? '.' : ''),
  )
  .filter((name) => /^[a-zA-Z0-9]/.test(name) && !/\.-|-\./.test(name));

/** Unix seconds that any encoder accepts. */
export const timeArb = fc.integer({ min: 0, max: 4_000_000_000 });

/** Strings a TXT value could hold, including junk and random blobs after the real prefix. */
export function valueArb(prefix: string, magic: string): fc.Arbitrary<string> {
  const magicBytes = new TextEncoder().encode(magic);
  return fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
    fc.string({ maxLength: 400 }).map((s) => prefix + s),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => prefix + s),
    fc.uint8Array({ maxLength: 600 }).map((b) => prefix + encodeBase64(b)),
    fc
      .uint8Array({ maxLength: 400 })
      .map((b) => prefix + encodeBase64(new Uint8Array([...magicBytes, ...b]))),
  );
}

/** `prefix + base64(blob)` with blob byte `index` (mod length) XORed by `mask` (1..255). */
export function flipBlobByte(value: string, prefix: string, index: number, mask: number): string {
  const blob = decodeBase64Strict(value.slice(prefix.length));
  if (blob === undefined) throw new Error('not a strict base64 record value');
  const flipped = blob.slice();
  flipped[index % flipped.length]! ^= mask;
  return prefix + encodeBase64(flipped);
}

/** The decoded blob of a record value. */
export function blobOf(value: string, prefix: string): Uint8Array {
  const blob = decodeBase64Strict(value.slice(prefix.length));
  if (blob === undefined) throw new Error('not a strict base64 record value');
  return blob;
}

/** A correctly signed value around an arbitrary body: what a hostile publisher can emit. */
export function signRawBody(prefix: string, body: Uint8Array, seed: Uint8Array): string {
  return encodeOperatorWire(prefix, body, signEd25519(seed, body));
}
