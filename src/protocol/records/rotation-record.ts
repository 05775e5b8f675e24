/**
 * Key rotation record (node.md §6.3): "the holder of `old_spk` hands
 * `subject` over to `new_spk`", co-signed by both keys so neither a stolen
 * old key nor a fresh new key alone can forge it (DRAFT wire type in the
 * reference).
 *
 * Body: `DMPROT1` ‖ subject_type(u8) ‖ subject_len(u8) ‖ subject ‖
 * old_spk(32) ‖ new_spk(32) ‖ seq(u64) ‖ ts(u64) ‖ exp(u64); then sig_old(64)
 * and sig_new(64), both over the body. The CLI uses unix milliseconds as
 * `seq`; `ts` carries no rule, so it is kept as a `bigint` like every u64.
 */
import { bytesEqual, u64, utf8 } from '../bytes.js';
import { ed25519PublicKey, signEd25519, verifyEd25519 } from '../crypto/ed25519.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { encodeOperatorWire, trustExpiryRejection } from './operator-wire.js';
import { ROTATION_RECORD_PREFIX } from './prefixes.js';
import { fixedBytes, nowSeconds, type U64Input, u64Field } from './record-fields.js';
import type { SubjectType } from './rotation-subject.js';
import {
  encodeSubjectRecordBody,
  openSubjectRecord,
  readSubjectRecordHead,
  subjectMismatchRejection,
  subjectSyntaxRejection,
} from './subject-record.js';

/** Body magic. */
export const ROTATION_RECORD_MAGIC = 'DMPROT1';

const MAGIC = utf8(ROTATION_RECORD_MAGIC);
/** old_spk + new_spk + seq + ts + exp, which follow the subject. */
const TAIL_BYTES = 32 + 32 + 8 + 8 + 8;

/** Rotation fields as given to the encoder. */
export interface RotationRecordInput {
  readonly subjectType: SubjectType;
  /** `user@host` (≤255 bytes) or a DNS name (≤64 bytes), per `subjectType`. */
  readonly subject: string;
  readonly seq: U64Input;
  readonly ts: U64Input;
  readonly exp: U64Input;
  /** When given, must be the public key of the old seed. */
  readonly oldSpk?: Uint8Array | undefined;
  /** When given, must be the public key of the new seed. */
  readonly newSpk?: Uint8Array | undefined;
}

/** A verified rotation record. */
export interface RotationRecord {
  readonly subjectType: SubjectType;
  /** The subject exactly as signed (not normalised). */
  readonly subject: string;
  readonly oldSpk: Uint8Array;
  readonly newSpk: Uint8Array;
  readonly seq: bigint;
  readonly ts: bigint;
  readonly exp: bigint;
}

/** What a rotation record is checked against. */
export interface RotationRecordVerifyOptions {
  /** Verification time, Unix seconds. */
  readonly now: number;
  /** When given, the record must rotate away from this key. */
  readonly expectedOldSpk?: Uint8Array | undefined;
  /** When given, the record's subject must match it (see `subjectsMatch`). */
  readonly expectedSubject?: string | undefined;
}

/**
 * The signed body for `input`.
 *
 * @throws DmpEncodeError on a bad subject or equal old and new keys.
 */
export function encodeRotationRecordBody(
  input: RotationRecordInput,
  oldSpk: Uint8Array,
  newSpk: Uint8Array,
): Uint8Array {
  return encodeSubjectRecordBody(MAGIC, input.subjectType, input.subject, () => {
    fixedBytes(oldSpk, 32, 'oldSpk');
    fixedBytes(newSpk, 32, 'newSpk');
    ensure(!bytesEqual(oldSpk, newSpk), 'oldSpk and newSpk must differ');
    return [
      oldSpk,
      newSpk,
      u64(u64Field(input.seq, 'seq')),
      u64(u64Field(input.ts, 'ts')),
      u64(u64Field(input.exp, 'exp')),
    ];
  });
}

/**
 * Co-signs a rotation with the old and the new 32-byte Ed25519 seeds and
 * returns the TXT value.
 *
 * @throws DmpEncodeError on forbidden fields, declared keys that do not
 *   match the seeds, or a value over 1200 bytes.
 */
export function signRotationRecord(
  input: RotationRecordInput,
  oldSeed: Uint8Array,
  newSeed: Uint8Array,
): string {
  fixedBytes(oldSeed, 32, 'old seed');
  fixedBytes(newSeed, 32, 'new seed');
  const oldSpk = ed25519PublicKey(oldSeed);
  const newSpk = ed25519PublicKey(newSeed);
  if (input.oldSpk !== undefined) {
    ensure(bytesEqual(input.oldSpk, oldSpk), 'old seed does not match oldSpk');
  }
  if (input.newSpk !== undefined) {
    ensure(bytesEqual(input.newSpk, newSpk), 'new seed does not match newSpk');
  }
  const body = encodeRotationRecordBody(input, oldSpk, newSpk);
  return encodeOperatorWire(
    ROTATION_RECORD_PREFIX,
    body,
    signEd25519(oldSeed, body),
    signEd25519(newSeed, body),
  );
}

/** Structural decoding of a rotation body (exact length, subject rules, distinct keys). */
export function decodeRotationRecordBody(body: Uint8Array): ParseResult<RotationRecord> {
  const head = readSubjectRecordHead(body, MAGIC, TAIL_BYTES);
  if (!head.ok) return head;
  const { subjectType, subject, tail } = head.value;
  const oldSpk = Uint8Array.from(tail.take(32)!);
  const newSpk = Uint8Array.from(tail.take(32)!);
  const seq = tail.u64()!;
  const ts = tail.u64()!;
  const exp = tail.u64()!;
  const badSubject = subjectSyntaxRejection(subjectType, subject);
  if (badSubject !== undefined) return badSubject;
  if (bytesEqual(oldSpk, newSpk)) return reject('structure', 'old and new keys are equal');
  return accept({ subjectType, subject, oldSpk, newSpk, seq, ts, exp });
}

/**
 * Parses and verifies a rotation TXT value: prefix, 1200-byte cap, strict
 * base64, body structure, both signatures (old key, then new key), optional
 * expected old key and subject, `exp ≥ now`, `exp − now ≤ 5 years`.
 * Never throws on any `value`.
 */
export function parseAndVerifyRotationRecord(
  value: string,
  options: RotationRecordVerifyOptions,
): ParseResult<RotationRecord> {
  const signed = openSubjectRecord(value, ROTATION_RECORD_PREFIX, MAGIC, 2);
  if (!signed.ok) return signed;
  const { body, signatures } = signed.value;
  const record = decodeRotationRecordBody(body);
  if (!record.ok) return record;
  const { oldSpk, newSpk, subjectType, subject, exp } = record.value;
  if (!verifyEd25519(oldSpk, body, signatures[0]!)) {
    return reject('signature', 'old-key signature does not verify');
  }
  if (!verifyEd25519(newSpk, body, signatures[1]!)) {
    return reject('signature', 'new-key signature does not verify');
  }
  const expectedOld = options.expectedOldSpk;
  if (expectedOld !== undefined && !bytesEqual(oldSpk, expectedOld)) {
    return reject('signer', 'record does not rotate away from the expected key');
  }
  const mismatch = subjectMismatchRejection(subjectType, subject, options.expectedSubject);
  if (mismatch !== undefined) return mismatch;
  return trustExpiryRejection(exp, nowSeconds(options.now), 'rotation') ?? record;
}
