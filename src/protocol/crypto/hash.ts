/** SHA-256 and the truncated-hex name hashes DMP owner names use. */
import { toHex, utf8 } from '../bytes.js';
import { crypto } from './active.js';

export function sha256(data: Uint8Array): Uint8Array {
  return crypto().sha256(data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return crypto().hmacSha256(key, data);
}

/** First `chars` lowercase hex characters of SHA-256 over bytes or a UTF-8 string. */
export function hexHash(data: Uint8Array | string, chars: number): string {
  const bytes = typeof data === 'string' ? utf8(data) : data;
  return toHex(sha256(bytes).subarray(0, Math.ceil(chars / 2))).slice(0, chars);
}
