/**
 * Parse outcomes. DMP parsers read network data, so they never throw: they
 * return either the parsed value or a typed rejection naming what failed.
 */

/** Why a record or message was refused. `code` is stable and machine-readable. */
export interface Rejection {
  readonly ok: false;
  readonly code: RejectionCode;
  readonly detail: string;
}

export interface Accepted<T> {
  readonly ok: true;
  readonly value: T;
}

export type ParseResult<T> = Accepted<T> | Rejection;

/** Stable rejection codes shared by every parser. */
export type RejectionCode =
  | 'prefix' // value does not start with the expected record prefix
  | 'too-long' // wire exceeds the record's length cap
  | 'base64' // body is not decodable base64 under the record's rules
  | 'length' // decoded blob or body has the wrong size
  | 'structure' // a field is out of range or malformed
  | 'signature' // Ed25519 signature does not verify (or key is refused)
  | 'signer' // embedded key differs from the expected/pinned key
  | 'name' // owner or embedded name does not match expectations
  | 'expired' // record is past its expiry at the verification time
  | 'future' // timestamp or expiry too far in the future
  | 'stale' // timestamp too far in the past
  | 'decrypt' // AEAD failed
  | 'decode' // RS / erasure / JSON decoding failed
  | 'mismatch' // cross-check between two structures failed
  | 'missing' // required record or share is absent
  | 'unsupported';

export function accept<T>(value: T): Accepted<T> {
  return { ok: true, value };
}

export function reject(code: RejectionCode, detail: string): Rejection {
  return { ok: false, code, detail };
}

/** Error thrown by *encoders* (sign side) when given values the protocol forbids. */
export class DmpEncodeError extends Error {
  override readonly name = 'DmpEncodeError';
}

/** Throws a {@link DmpEncodeError} unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DmpEncodeError(message);
}
