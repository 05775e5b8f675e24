/**
 * Field conventions shared by the messaging record codecs (core.md §6):
 * u64 time fields, the "now" parameter, the 30-day expiry cap, the
 * signature split of §1.4 and exact UTF-8 text.
 *
 * Timestamps: every u64 field of a *parsed* record (`ts`, `exp`) is a
 * `bigint`, always, so no value a peer can put on the wire is rounded.
 * Encoders accept `number | bigint` (a non-negative integer) so callers can
 * pass `now + ttl` directly. Freshness checks take `now` as a `number` of
 * Unix seconds.
 */
import { encodeBase64 } from '../base64.js';
import { ensure } from '../result.js';

/** A u64 field value as accepted by encoders. */
export type U64Input = number | bigint;

/** Furthest an `exp` may lie beyond "now" for manifests, prekeys and claims: 30 days. */
export const MAX_EXP_FUTURE_SECONDS = 2_592_000;

/** Length of the Ed25519 signature that ends every signed record blob. */
export const SIGNATURE_BYTES = 64;

const U64_LIMIT = 1n << 64n;

/**
 * Validates an encoder's u64 input: an integer in `[0, limit)` (default
 * 2^64). Throws `DmpEncodeError` otherwise.
 */
export function u64Field(value: U64Input, field: string, limit: bigint = U64_LIMIT): bigint {
  let v: bigint;
  if (typeof value === 'bigint') {
    v = value;
  } else {
    ensure(Number.isSafeInteger(value), `${field} must be a safe integer, got ${value}`);
    v = BigInt(value);
  }
  ensure(v >= 0n && v < limit, `${field} out of range: ${v}`);
  return v;
}

/** Validates an encoder's fixed-width u8/u32 input. Throws `DmpEncodeError`. */
export function uintField(value: number, field: string, min: number, max: number): number {
  ensure(
    Number.isSafeInteger(value) && value >= min && value <= max,
    `${field} must be an integer in ${min}..${max}, got ${value}`,
  );
  return value;
}

/** Throws `DmpEncodeError` unless `bytes` is exactly `length` bytes long. */
export function fixedBytes(bytes: Uint8Array, length: number, field: string): Uint8Array {
  ensure(
    bytes instanceof Uint8Array && bytes.length === length,
    `${field} must be ${length} bytes`,
  );
  return bytes;
}

/**
 * "now" as an integer for comparisons against u64 fields. The reference
 * compares against `int(time.time())`, so fractional seconds are floored.
 *
 * @throws TypeError when `now` is not a finite number (a caller bug, not
 *   network input).
 */
export function nowSeconds(now: number): bigint {
  if (!Number.isFinite(now)) throw new TypeError(`now must be a finite number, got ${now}`);
  return BigInt(Math.floor(now));
}

/** True when `exp` lies more than {@link MAX_EXP_FUTURE_SECONDS} after `now`. */
export function exceedsExpiryCap(exp: bigint, now: bigint): boolean {
  return exp - now > BigInt(MAX_EXP_FUTURE_SECONDS);
}

/** Splits a decoded blob into body and trailing 64-byte signature (caller checked the length). */
export function splitSignedBlob(blob: Uint8Array): { body: Uint8Array; signature: Uint8Array } {
  const cut = blob.length - SIGNATURE_BYTES;
  return { body: blob.subarray(0, cut), signature: blob.subarray(cut) };
}

/** `prefix + base64(body ‖ signature)`. */
export function signedRecordValue(prefix: string, body: Uint8Array, signature: Uint8Array): string {
  const blob = new Uint8Array(body.length + signature.length);
  blob.set(body, 0);
  blob.set(signature, body.length);
  return prefix + encodeBase64(blob);
}

/**
 * True when every character is below 0x80. The reference hands record text to
 * Python's `base64.b64decode` as a `str`, which refuses any non-ASCII
 * character before decoding, even in its lenient mode.
 */
export function isAsciiText(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` has no lone surrogate, i.e. it has an exact UTF-8 encoding. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Strict UTF-8 decoder that leaves a leading U+FEFF in place. */
const exactUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Strict UTF-8 decoding as Python's `utf-8` codec does it: a leading U+FEFF
 * is kept. (`tryDecodeUtf8` uses the WHATWG default, which drops it, so a
 * username or mailbox zone starting with a BOM would differ from the
 * reference's.) `undefined` when the bytes are not valid UTF-8.
 */
export function decodeUtf8Exact(bytes: Uint8Array): string | undefined {
  try {
    return exactUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
