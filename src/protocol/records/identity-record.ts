/**
 * Identity record (core.md §6.2): a self-signed binding of a username to an
 * X25519 encryption key and an Ed25519 signing key, published at
 * `id-<hex16(username)>.<zone>` or `dmp.<zone>`.
 *
 * Body: u(u8, 1..64) ‖ username(u bytes, UTF-8) ‖ x25519_pk(32) ‖
 * ed25519_spk(32) ‖ ts(u64) [‖ v(u8 ≥ 1) ‖ v strictly increasing version
 * bytes], then a 64-byte signature by `ed25519_spk`. The versions suffix is
 * written only when the set is not exactly {1}, so v1-only records stay
 * bit-identical to the historical layout older parsers require.
 */
import { decodeBase64Lenient } from '../base64.js';
import { bytesEqual, concatBytes, readU64, u64, utf8 } from '../bytes.js';
import { ed25519PublicKey, signEd25519, verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { IDENTITY_RECORD_PREFIX } from './prefixes.js';
import {
  decodeUtf8Exact,
  fixedBytes,
  isAsciiText,
  isWellFormedText,
  SIGNATURE_BYTES,
  signedRecordValue,
  splitSignedBlob,
  type U64Input,
  u64Field,
} from './record-fields.js';

/** Longest username, in UTF-8 bytes. */
export const MAX_USERNAME_BYTES = 64;
/** Protocol versions this implementation can receive. */
export const SUPPORTED_IDENTITY_VERSIONS: readonly number[] = Object.freeze([1, 2]);
/** Versions assumed when the suffix is absent. */
const V1_ONLY: readonly number[] = Object.freeze([1]);
/** u + username(≥1) + two keys + ts: the shortest legal body. */
const MIN_BODY_BYTES = 1 + 1 + 32 + 32 + 8;

/** Identity fields as given to the encoder. */
export interface IdentityRecordInput {
  /** 1..64 UTF-8 bytes, case preserved. */
  readonly username: string;
  readonly x25519Pk: Uint8Array;
  /** Must be the public key of the signing seed. */
  readonly ed25519Spk: Uint8Array;
  readonly ts: U64Input;
  /** Advertised receive versions (u8 each); default `[1]`. Sorted and de-duplicated. */
  readonly versions?: readonly number[];
}

/** An identity record that parsed and verified. `ts` is informational only. */
export interface IdentityRecord {
  readonly username: string;
  readonly x25519Pk: Uint8Array;
  readonly ed25519Spk: Uint8Array;
  readonly ts: bigint;
  /** Sorted, unique; `[1]` when the record carries no suffix. */
  readonly versions: readonly number[];
  readonly signature: Uint8Array;
}

/**
 * Sorts and de-duplicates a versions list. Throws `DmpEncodeError` when it is
 * empty (so a typo cannot advertise nothing), holds a non-u8 value, or has
 * more entries than the u8 count can say.
 */
export function normalizeIdentityVersions(versions: readonly number[]): number[] {
  for (const v of versions) {
    ensure(Number.isInteger(v) && v >= 0 && v <= 255, `version ${v} out of range 0..255`);
  }
  const sorted = [...new Set(versions)].sort((a, b) => a - b);
  ensure(sorted.length > 0, 'versions must include at least one entry');
  ensure(sorted.length <= 255, 'at most 255 versions fit the count byte');
  return sorted;
}

/** The signed body. Throws `DmpEncodeError` on values the protocol forbids. */
export function encodeIdentityBody(record: IdentityRecordInput): Uint8Array {
  ensure(isWellFormedText(record.username), 'username is not well-formed Unicode');
  const name = utf8(record.username);
  ensure(name.length >= 1, 'username must not be empty');
  ensure(name.length <= MAX_USERNAME_BYTES, `username longer than ${MAX_USERNAME_BYTES} bytes`);
  const versions = normalizeIdentityVersions(record.versions ?? V1_ONLY);
  const suffix = isV1Only(versions)
    ? new Uint8Array(0)
    : Uint8Array.from([versions.length, ...versions]);
  return concatBytes(
    Uint8Array.of(name.length),
    name,
    fixedBytes(record.x25519Pk, 32, 'x25519Pk'),
    fixedBytes(record.ed25519Spk, 32, 'ed25519Spk'),
    u64(u64Field(record.ts, 'ts')),
    suffix,
  );
}

/**
 * Signs an identity record with the owner's 32-byte Ed25519 seed and returns
 * the TXT value.
 *
 * @throws DmpEncodeError on invalid fields or when the seed's public key is
 *   not `ed25519Spk`.
 */
export function signIdentityRecord(record: IdentityRecordInput, ed25519Seed: Uint8Array): string {
  fixedBytes(ed25519Seed, 32, 'ed25519Seed');
  const body = encodeIdentityBody(record);
  ensure(
    bytesEqual(ed25519PublicKey(ed25519Seed), record.ed25519Spk),
    'signing key does not match ed25519Spk',
  );
  return signedRecordValue(IDENTITY_RECORD_PREFIX, body, signEd25519(ed25519Seed, body));
}

/**
 * Parses an identity TXT value and verifies it against its embedded
 * `ed25519Spk`. There is no freshness rule, hence no "now". Trust (pinning,
 * TOFU, username comparison) is the caller's decision. Never throws.
 */
export function parseAndVerifyIdentityRecord(value: string): ParseResult<IdentityRecord> {
  if (!value.startsWith(IDENTITY_RECORD_PREFIX)) return reject('prefix', 'not an identity record');
  const text = value.slice(IDENTITY_RECORD_PREFIX.length);
  const blob = isAsciiText(text) ? decodeBase64Lenient(text) : undefined;
  if (blob === undefined) return reject('base64', 'identity body is not base64');
  if (blob.length < SIGNATURE_BYTES + 1) return reject('length', 'identity blob too short');
  const { body, signature } = splitSignedBlob(blob);
  if (body.length < MIN_BODY_BYTES) return reject('length', 'identity body too short');
  const u = body[0]!;
  if (u < 1 || u > MAX_USERNAME_BYTES) return reject('structure', `username length ${u}`);
  const tsEnd = 1 + u + 32 + 32 + 8;
  if (body.length < tsEnd) return reject('length', 'identity body truncated');
  const username = decodeUtf8Exact(body.subarray(1, 1 + u));
  if (username === undefined) return reject('structure', 'username is not valid UTF-8');
  let versions = V1_ONLY;
  if (body.length > tsEnd) {
    const count = body[tsEnd]!;
    if (count === 0) return reject('structure', 'empty versions suffix');
    if (tsEnd + 1 + count !== body.length) {
      return reject('length', 'versions suffix does not end the body');
    }
    const raw = Array.from(body.subarray(tsEnd + 1));
    for (let i = 1; i < raw.length; i++) {
      if (raw[i]! <= raw[i - 1]!) return reject('structure', 'versions not strictly increasing');
    }
    versions = raw;
  }
  const ed25519Spk = body.slice(1 + u + 32, 1 + u + 64);
  if (!verifyEd25519(ed25519Spk, body, signature)) {
    return reject('signature', 'identity signature does not verify');
  }
  return accept({
    username,
    x25519Pk: body.slice(1 + u, 1 + u + 32),
    ed25519Spk,
    ts: readU64(body, 1 + u + 64),
    versions,
    signature: signature.slice(),
  });
}

function isV1Only(versions: readonly number[]): boolean {
  return versions.length === 1 && versions[0] === 1;
}
