/**
 * Subjects of key rotation and revocation records (node.md §6.3): whose key
 * a record speaks about, the per-type syntax rules both records enforce on
 * sign and parse, and the normalisation used to match a record against the
 * subject a caller expected.
 */
import type { ByteReader } from '../bytes.js';
import { accept, ensure, type ParseResult, reject } from '../result.js';
import { casefold, dnsNameError, stripTrailingDot } from './dns-name.js';
import { decodeText, encodeText } from './operator-wire.js';
import { pythonStrip } from './python-text.js';

/** Subject type codes on the wire. */
export const SubjectType = {
  /** A user identity, `user@host`. */
  UserIdentity: 1,
  /** A cluster operator key, subject = cluster base domain. */
  ClusterOperator: 2,
  /** A bootstrap (zone operator) signer, subject = user domain. */
  BootstrapSigner: 3,
} as const;
export type SubjectType = (typeof SubjectType)[keyof typeof SubjectType];

/** Longest user-identity subject, in UTF-8 bytes. */
export const MAX_USER_SUBJECT_BYTES = 255;
/** Longest DNS-name subject (cluster operator, bootstrap signer), in UTF-8 bytes. */
export const MAX_DNS_SUBJECT_BYTES = 64;

/** True for the three defined subject type codes. */
export function isSubjectType(value: number): value is SubjectType {
  return value === 1 || value === 2 || value === 3;
}

/** Largest subject, in UTF-8 bytes, for a subject type. */
export function maxSubjectBytes(type: SubjectType): number {
  return type === SubjectType.UserIdentity ? MAX_USER_SUBJECT_BYTES : MAX_DNS_SUBJECT_BYTES;
}

/** `[user, host]` split at the first `@`, or `undefined` without one. */
function splitAddress(subject: string): [string, string] | undefined {
  const at = subject.indexOf('@');
  return at < 0 ? undefined : [subject.slice(0, at), subject.slice(at + 1)];
}

/**
 * Why `subject` is not valid for `type`, or `undefined` when it is. Byte
 * length is checked by the record codecs. A user subject is `user@host`
 * with both halves non-empty after whitespace stripping and the host a DNS
 * name; a DNS subject is a DNS name. In both cases one trailing dot is
 * removed before the DNS-name validator runs, and the validator tolerates
 * one more, so `example.com..` passes, as it does in the reference.
 */
export function subjectError(type: SubjectType, subject: string): string | undefined {
  if (subject.length === 0) return 'subject must be non-empty';
  let name = subject;
  if (type === SubjectType.UserIdentity) {
    const parts = splitAddress(subject);
    if (parts === undefined) return 'user-identity subject must be user@host';
    const user = pythonStrip(parts[0]);
    name = pythonStrip(parts[1]);
    if (user.length === 0 || name.length === 0) return 'user and host must both be non-empty';
  }
  const normalized = stripTrailingDot(name);
  if (normalized.length === 0) return 'subject host must have at least one label';
  return dnsNameError(normalized);
}

/**
 * The comparison form of a subject: for users, whitespace-stripped user
 * (case kept) `@` host with one trailing dot removed and casefolded; for DNS
 * subjects, one trailing dot removed and casefolded. A user-typed string
 * without `@` is compared verbatim.
 */
export function normalizeSubject(type: SubjectType, subject: string): string {
  if (type !== SubjectType.UserIdentity) return casefold(stripTrailingDot(subject));
  const parts = splitAddress(subject);
  if (parts === undefined) return subject;
  const host = stripTrailingDot(pythonStrip(parts[1]));
  return `${pythonStrip(parts[0])}@${casefold(host)}`;
}

/** True when a record's subject names the same subject as `expected` under `type`'s rules. */
export function subjectsMatch(type: SubjectType, recordSubject: string, expected: string): boolean {
  return normalizeSubject(type, recordSubject) === normalizeSubject(type, expected);
}

/**
 * Subject bytes for an encoder; throws `DmpEncodeError` unless the subject
 * suits its type. Shared by rotation and revocation records.
 */
export function encodeSubject(type: SubjectType, subject: string): Uint8Array {
  ensure(isSubjectType(type), `subjectType must be 1, 2 or 3, got ${type}`);
  const bytes = encodeText(subject, 'subject');
  const cap = maxSubjectBytes(type);
  ensure(bytes.length >= 1 && bytes.length <= cap, `subject must be 1..${cap} bytes`);
  const problem = subjectError(type, subject);
  ensure(problem === undefined, `subject: ${problem}`);
  return bytes;
}

/**
 * Reads `subject_type ‖ subject_len ‖ subject` (after the magic) and checks
 * type, length bound and UTF-8; the syntax check is the caller's, after the
 * fixed tail is known to fit, matching the reference's order.
 */
export function readSubject(
  reader: ByteReader,
): ParseResult<{ subjectType: SubjectType; subject: string }> {
  const type = reader.u8();
  if (type === undefined || !isSubjectType(type)) {
    return reject('structure', `subject_type ${type} is not 1, 2 or 3`);
  }
  const length = reader.u8();
  if (length === undefined) return reject('length', 'truncated before subject_len');
  if (length === 0 || length > maxSubjectBytes(type)) {
    return reject('structure', `subject length ${length} out of range`);
  }
  const bytes = reader.take(length);
  if (bytes === undefined) return reject('length', 'truncated subject');
  const subject = decodeText(bytes);
  if (subject === undefined) return reject('structure', 'subject is not UTF-8');
  return accept({ subjectType: type, subject });
}
