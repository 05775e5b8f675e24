/**
 * Prekey record (core.md §6.3): one one-time X25519 public key in a user's
 * pool at `prekeys.id-<hex12(username)>.<zone>`.
 *
 * Body: prekey_id(u32, 1..2^32−1) ‖ x25519 public key(32) ‖ exp(u64), then a
 * 64-byte signature by the owner's identity Ed25519 key. The body does not
 * name its signer, so the verifier must supply the owner's pinned key.
 */
import { decodeBase64Lenient } from '../base64.js';
import { concatBytes, readU32, readU64, u32, u64 } from '../bytes.js';
import { signEd25519, verifyEd25519 } from '../crypto/ed25519.js';
import { accept, type ParseResult, reject } from '../result.js';
import { PREKEY_RECORD_PREFIX } from './prefixes.js';
import {
  exceedsExpiryCap,
  fixedBytes,
  isAsciiText,
  nowSeconds,
  SIGNATURE_BYTES,
  signedRecordValue,
  type U64Input,
  u64Field,
  uintField,
} from './record-fields.js';

/** Signed body length. */
export const PREKEY_BODY_BYTES = 44;

/** Prekey fields as given to the encoder. */
export interface PrekeyRecordInput {
  /** 1..2^32−1; 0 is reserved for "no prekey" in manifests. */
  readonly prekeyId: number;
  /** 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  readonly exp: U64Input;
}

/** A prekey record that parsed and verified against the expected signer. */
export interface PrekeyRecord {
  readonly prekeyId: number;
  readonly publicKey: Uint8Array;
  readonly exp: bigint;
  readonly signature: Uint8Array;
}

/** The signed body. Throws `DmpEncodeError` on values the protocol forbids. */
export function encodePrekeyBody(prekey: PrekeyRecordInput): Uint8Array {
  return concatBytes(
    u32(uintField(prekey.prekeyId, 'prekeyId', 1, 0xffffffff)),
    fixedBytes(prekey.publicKey, 32, 'publicKey'),
    u64(u64Field(prekey.exp, 'exp')),
  );
}

/**
 * Signs a prekey with the owner's 32-byte identity Ed25519 seed and returns
 * the TXT value (always 162 characters).
 *
 * @throws DmpEncodeError on invalid fields.
 */
export function signPrekeyRecord(prekey: PrekeyRecordInput, ed25519Seed: Uint8Array): string {
  fixedBytes(ed25519Seed, 32, 'ed25519Seed');
  const body = encodePrekeyBody(prekey);
  return signedRecordValue(PREKEY_RECORD_PREFIX, body, signEd25519(ed25519Seed, body));
}

/**
 * Parses a prekey TXT value, verifies it with `signerSpk` (the owner's pinned
 * Ed25519 key) and enforces the 30-day cap on `exp` at `now`. Expiry itself
 * is the caller's check ({@link isPrekeyExpired}). Never throws on any value.
 */
export function parseAndVerifyPrekeyRecord(
  value: string,
  now: number,
  signerSpk: Uint8Array,
): ParseResult<PrekeyRecord> {
  const at = nowSeconds(now);
  if (!value.startsWith(PREKEY_RECORD_PREFIX)) return reject('prefix', 'not a prekey record');
  const text = value.slice(PREKEY_RECORD_PREFIX.length);
  const blob = isAsciiText(text) ? decodeBase64Lenient(text) : undefined;
  if (blob === undefined) return reject('base64', 'prekey body is not base64');
  if (blob.length !== PREKEY_BODY_BYTES + SIGNATURE_BYTES) {
    return reject('length', `prekey blob is ${blob.length} bytes`);
  }
  const body = blob.subarray(0, PREKEY_BODY_BYTES);
  const prekeyId = readU32(body, 0);
  if (prekeyId === 0) return reject('structure', 'prekey id 0 is reserved');
  const signature = blob.slice(PREKEY_BODY_BYTES);
  if (!verifyEd25519(signerSpk, body, signature)) {
    return reject('signature', 'prekey signature does not verify with the expected key');
  }
  const exp = readU64(body, 36);
  if (exceedsExpiryCap(exp, at)) return reject('future', 'prekey exp more than 30 days ahead');
  return accept({ prekeyId, publicKey: body.slice(4, 36), exp, signature });
}

/**
 * A prekey is expired when `now > exp`: senders may still use it at
 * `now == exp` (the owner's own pool maintenance uses `exp > now` instead).
 */
export function isPrekeyExpired(prekey: Pick<PrekeyRecord, 'exp'>, now: number): boolean {
  return nowSeconds(now) > prekey.exp;
}
