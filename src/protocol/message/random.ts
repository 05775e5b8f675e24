/**
 * Randomness for sealing. Protocol functions take a `RandomBytes` source so
 * tests and vectors can fix every draw; the default is WebCrypto's CSPRNG,
 * available in browsers and in Node ≥ 19 as `globalThis.crypto`.
 */

/** Returns `n` cryptographically secure random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

export const defaultRandomBytes: RandomBytes = (n) => {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
};

/** A random 16-byte message id laid out as a UUIDv4 (version nibble 4, variant bits 10). */
export function newMessageId(random: RandomBytes): Uint8Array {
  const id = random(16);
  id[6] = (id[6]! & 0x0f) | 0x40;
  id[8] = (id[8]! & 0x3f) | 0x80;
  return id;
}
