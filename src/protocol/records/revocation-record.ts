/**
 * Key revocation record (node.md §6.3): "the key `revoked_spk` is dead",
 * self-signed by that key (DRAFT wire type in the reference). Revocations
 * are permanent assertions: they never expire, only a `ts` more than 300 s
 * in the future is refused, and callers may opt in to a maximum age.
 *
 * Body: `DMPRV01` ‖ subject_type(u8) ‖ subject_len(u8) ‖ subject ‖
 * revoked_spk(32) ‖ reason_code(u8) ‖ ts(u64); then a 64-byte Ed25519
 * signature by `revoked_spk`.
 */
import { bytesEqual, u64, utf8 } from '../bytes.js';
import { verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { REVOCATION_RECORD_PREFIX } from './prefixes.js';
import { fixedBytes, nowSeconds, type U64Input, u64Field } from './record-fields.js';
import type { SubjectType } from './rotation-subject.js';
import { signWithSeed } from './seed-signing.js';
import {
  encodeSubjectRecordBody,
  openSubjectRecord,
  readSubjectRecordHead,
  subjectMismatchRejection,
  subjectSyntaxRejection,
} from './subject-record.js';

/** Body magic. */
export const REVOCATION_RECORD_MAGIC = 'DMPRV01';

/** Why a key was revoked. */
export const RevocationReason = {
  Compromise: 1,
  Routine: 2,
  LostKey: 3,
  Other: 4,
} as const;
export type RevocationReason = (typeof RevocationReason)[keyof typeof RevocationReason];

/** How far a revocation's `ts` may lie in the future before it is refused. */
export const REVOCATION_FUTURE_SKEW_SECONDS = 300n;

const MAGIC = utf8(REVOCATION_RECORD_MAGIC);
/** revoked_spk + reason_code + ts, which follow the subject. */
const TAIL_BYTES = 32 + 1 + 8;

function isReason(value: number): value is RevocationReason {
  return value >= 1 && value <= 4 && Number.isInteger(value);
}

/** Revocation fields as given to the encoder. */
export interface RevocationRecordInput {
  readonly subjectType: SubjectType;
  readonly subject: string;
  readonly reasonCode: RevocationReason;
  readonly ts: U64Input;
  /** When given, must be the public key of the signing seed. */
  readonly revokedSpk?: Uint8Array | undefined;
}

/** A verified revocation. */
export interface RevocationRecord {
  readonly subjectType: SubjectType;
  /** The subject exactly as signed (not normalised). */
  readonly subject: string;
  readonly revokedSpk: Uint8Array;
  readonly reasonCode: RevocationReason;
  readonly ts: bigint;
}

/** What a revocation is checked against. */
export interface RevocationRecordVerifyOptions {
  /** Verification time, Unix seconds. */
  readonly now: number;
  /** When given, the record must revoke this key. */
  readonly expectedRevokedSpk?: Uint8Array | undefined;
  /** When given, the record's subject must match it (see `subjectsMatch`). */
  readonly expectedSubject?: string | undefined;
  /**
   * Opt-in freshness: refuse records with `ts + maxAgeSeconds < now`. The
   * default (undefined) treats revocations as permanent. Fractions are
   * truncated.
   */
  readonly maxAgeSeconds?: number | undefined;
}

/**
 * The signed body for `input` under `revokedSpk`.
 *
 * @throws DmpEncodeError on a bad subject or reason code.
 */
export function encodeRevocationRecordBody(
  input: RevocationRecordInput,
  revokedSpk: Uint8Array,
): Uint8Array {
  return encodeSubjectRecordBody(MAGIC, input.subjectType, input.subject, () => {
    fixedBytes(revokedSpk, 32, 'revokedSpk');
    ensure(isReason(input.reasonCode), `reasonCode must be 1..4, got ${input.reasonCode}`);
    return [revokedSpk, Uint8Array.of(input.reasonCode), u64(u64Field(input.ts, 'ts'))];
  });
}

/**
 * Self-signs a revocation with the revoked 32-byte Ed25519 seed and returns
 * the TXT value.
 *
 * @throws DmpEncodeError on forbidden fields, a declared `revokedSpk` that is
 *   not the seed's key, or a value over 1200 bytes.
 */
export function signRevocationRecord(
  input: RevocationRecordInput,
  revokedSeed: Uint8Array,
): string {
  return signWithSeed(REVOCATION_RECORD_PREFIX, revokedSeed, 'revoked', input.revokedSpk, (spk) =>
    encodeRevocationRecordBody(input, spk),
  );
}

/** Structural decoding of a revocation body (exact length, subject and reason rules). */
export function decodeRevocationRecordBody(body: Uint8Array): ParseResult<RevocationRecord> {
  const head = readSubjectRecordHead(body, MAGIC, TAIL_BYTES);
  if (!head.ok) return head;
  const { subjectType, subject, tail } = head.value;
  const revokedSpk = Uint8Array.from(tail.take(32)!);
  const reasonCode = tail.u8()!;
  if (!isReason(reasonCode)) return reject('structure', `reason_code ${reasonCode} is not 1..4`);
  const ts = tail.u64()!;
  const badSubject = subjectSyntaxRejection(subjectType, subject);
  if (badSubject !== undefined) return badSubject;
  return accept({ subjectType, subject, revokedSpk, reasonCode, ts });
}

/**
 * Parses and verifies a revocation TXT value: prefix, 1200-byte cap, strict
 * base64, body structure, self-signature, optional expected key and subject,
 * optional maximum age, then `ts ≤ now + 300`. Never throws on any `value`.
 */
export function parseAndVerifyRevocationRecord(
  value: string,
  options: RevocationRecordVerifyOptions,
): ParseResult<RevocationRecord> {
  const signed = openSubjectRecord(value, REVOCATION_RECORD_PREFIX, MAGIC, 1);
  if (!signed.ok) return signed;
  const { body, signatures } = signed.value;
  const record = decodeRevocationRecordBody(body);
  if (!record.ok) return record;
  const { revokedSpk, subjectType, subject, ts } = record.value;
  if (!verifyEd25519(revokedSpk, body, signatures[0]!)) {
    return reject('signature', 'self-signature does not verify');
  }
  const expectedKey = options.expectedRevokedSpk;
  if (expectedKey !== undefined && !bytesEqual(revokedSpk, expectedKey)) {
    return reject('signer', 'record revokes a different key');
  }
  const mismatch = subjectMismatchRejection(subjectType, subject, options.expectedSubject);
  if (mismatch !== undefined) return mismatch;
  const now = nowSeconds(options.now);
  if (options.maxAgeSeconds !== undefined) {
    if (!Number.isFinite(options.maxAgeSeconds)) {
      throw new TypeError(`maxAgeSeconds must be finite, got ${options.maxAgeSeconds}`);
    }
    if (ts + BigInt(Math.trunc(options.maxAgeSeconds)) < now) {
      return reject('stale', `revocation from ${ts} is older than the allowed age`);
    }
  }
  if (ts > now + REVOCATION_FUTURE_SKEW_SECONDS) {
    return reject('future', `revocation timestamp ${ts} is in the future`);
  }
  return record;
}
