/**
 * Wire plumbing shared by the operator and discovery records of node.md
 * §5.1, §6.1, §6.3 and §6.4 (cluster manifest, bootstrap, rotation,
 * revocation, heartbeat): `prefix + strict base64(body ‖ signature(s))`, a
 * 1200-byte cap on the whole value (prefix included) on both sides, and the
 * 5-year expiry ceiling of the long-lived trust records.
 *
 * Representation: every u64 field of a parsed record (`seq`, `ts`, `exp`) is
 * a `bigint`, as for the messaging records (record-fields.ts), so nothing a
 * peer puts on the wire is rounded. Encoders accept `number | bigint`.
 */
import { decodeBase64Strict, encodeBase64 } from '../base64.js';
import { type ByteReader, concatBytes, utf8 } from '../bytes.js';
import { accept, ensure, type ParseResult, type Rejection, reject } from '../result.js';
import { dnsNameError, stripTrailingDot } from './dns-name.js';
import { decodeUtf8Exact, isWellFormedText } from './record-fields.js';

/** Largest TXT value (UTF-8 bytes, prefix included) any operator record may have. */
export const MAX_OPERATOR_WIRE_BYTES = 1200;

/** Furthest a cluster, bootstrap or rotation `exp` may lie beyond "now": 5 × 365 days. */
export const MAX_TRUST_RECORD_EXP_FUTURE_SECONDS = 157_680_000n;

/**
 * The expiry window of a long-lived trust record (cluster manifest,
 * bootstrap, rotation), checked in node.md §5.1's order: `exp ≥ now` (a
 * record is still valid in its last second), then `exp − now` within
 * {@link MAX_TRUST_RECORD_EXP_FUTURE_SECONDS}. `noun` names the record in
 * the rejection detail.
 *
 * @returns the rejection, or `undefined` when `exp` is inside the window.
 */
export function trustExpiryRejection(
  exp: bigint,
  now: bigint,
  noun: string,
): Rejection | undefined {
  if (exp < now) return reject('expired', `${noun} expired at ${exp}`);
  if (exp - now > MAX_TRUST_RECORD_EXP_FUTURE_SECONDS) {
    return reject('future', `${noun} expiry is more than 5 years away`);
  }
  return undefined;
}

/**
 * Checks prefix, the 1200-byte cap and strict base64, and returns the decoded
 * blob when it holds at least `minBlobBytes`. Never throws.
 */
export function decodeOperatorWire(
  value: string,
  prefix: string,
  minBlobBytes: number,
): ParseResult<Uint8Array> {
  if (typeof value !== 'string' || !value.startsWith(prefix)) {
    return reject('prefix', `value does not start with ${prefix}`);
  }
  // UTF-16 length never exceeds UTF-8 length, so this bounds the encode below.
  if (value.length > MAX_OPERATOR_WIRE_BYTES || utf8(value).length > MAX_OPERATOR_WIRE_BYTES) {
    return reject('too-long', `value exceeds ${MAX_OPERATOR_WIRE_BYTES} bytes`);
  }
  const blob = decodeBase64Strict(value.slice(prefix.length));
  if (blob === undefined) return reject('base64', 'payload is not strict base64');
  if (blob.length < minBlobBytes) {
    return reject('length', `decoded payload is ${blob.length} bytes, need ${minBlobBytes}`);
  }
  return accept(blob);
}

/**
 * `prefix + base64(body ‖ signatures…)`; throws `DmpEncodeError` when the
 * value would exceed the 1200-byte cap.
 */
export function encodeOperatorWire(
  prefix: string,
  body: Uint8Array,
  ...signatures: Uint8Array[]
): string {
  const value = prefix + encodeBase64(concatBytes(body, ...signatures));
  ensure(
    value.length <= MAX_OPERATOR_WIRE_BYTES,
    `record value is ${value.length} bytes, cap is ${MAX_OPERATOR_WIRE_BYTES}`,
  );
  return value;
}

/** UTF-8 of an encoder's text field; throws `DmpEncodeError` on a lone surrogate. */
export function encodeText(text: string, field: string): Uint8Array {
  ensure(typeof text === 'string' && isWellFormedText(text), `${field} must be well-formed text`);
  return utf8(text);
}

/** Strict UTF-8 decoding as Python's codec does it (a leading BOM is kept). */
export function decodeText(bytes: Uint8Array): string | undefined {
  return decodeUtf8Exact(bytes);
}

/** Decodes bytes that must all be ASCII; `undefined` otherwise. */
export function decodeAscii(bytes: Uint8Array): string | undefined {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b > 0x7f) return undefined;
    out += String.fromCharCode(b);
  }
  return out;
}

/** True when every UTF-16 unit of `text` is ASCII. */
export function isAsciiString(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** True when `text` has a character at or below 0x20 (space, controls) or DEL. */
export function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Largest cluster name, bootstrap user domain or entry base domain, in bytes (trailing dot excluded). */
export const MAX_NAME_FIELD_BYTES = 64;

/**
 * Encoder side of a length-prefixed DNS-name field: the name must pass the
 * DNS-name validator; one trailing dot is dropped, so encoders never emit it;
 * at most 64 bytes remain. Throws `DmpEncodeError`.
 */
export function canonicalNameField(name: string, field: string): Uint8Array {
  ensure(typeof name === 'string', `${field} must be a string`);
  const problem = dnsNameError(name);
  ensure(problem === undefined, `${field}: ${problem}`);
  // A valid DNS name is ASCII, so its UTF-16 length is its byte length.
  const canonical = stripTrailingDot(name);
  ensure(
    canonical.length <= MAX_NAME_FIELD_BYTES,
    `${field} exceeds ${MAX_NAME_FIELD_BYTES} bytes`,
  );
  return utf8(canonical);
}

/**
 * Parser side of a `u8 length ‖ name` field. Another publisher may keep the
 * FQDN dot, so a 65th byte is allowed when it is that dot. The name must pass
 * the DNS-name validator and is returned without the trailing dot.
 */
export function readNameField(reader: ByteReader, field: string): ParseResult<string> {
  const length = reader.u8();
  if (length === undefined) return reject('length', `truncated before ${field} length`);
  const bytes = reader.take(length);
  if (bytes === undefined) return reject('length', `truncated ${field}`);
  const effective = length > 0 && bytes[length - 1] === 0x2e ? length - 1 : length;
  if (effective === 0 || effective > MAX_NAME_FIELD_BYTES) {
    return reject('structure', `${field} length ${length} out of range`);
  }
  const name = decodeText(bytes);
  if (name === undefined) return reject('structure', `${field} is not UTF-8`);
  const problem = dnsNameError(name);
  if (problem !== undefined) return reject('structure', `${field}: ${problem}`);
  return accept(stripTrailingDot(name));
}

/**
 * Among several RRset values, the verified record with the highest `seq`.
 * Ties keep the earliest value, and values that fail verification are
 * skipped, as the reference's consumers do.
 */
export function pickHighestSeq<T extends { readonly seq: bigint }>(
  values: Iterable<string>,
  verify: (value: string) => ParseResult<T>,
): T | undefined {
  let best: T | undefined;
  for (const value of values) {
    const parsed = verify(value);
    if (parsed.ok && (best === undefined || parsed.value.seq > best.seq)) best = parsed.value;
  }
  return best;
}
