/**
 * The frame shared by the key-lifecycle records of node.md §6.3 (rotation,
 * revocation). A body is
 *
 *   magic(7) ‖ subject_type(u8) ‖ subject_len(u8) ‖ subject ‖ tail
 *
 * where the tail is a fixed-size run of keys and integers each record
 * defines, and the value ends with one 64-byte Ed25519 signature per signing
 * key. The signing keys travel in the tail and nothing is pinned, so unlike
 * the operator list records (operator-record.ts) the body is decoded before
 * any signature is checked. Each record keeps its own tail, signature and
 * freshness rules; this module holds the parts that are the same.
 */
import { ByteReader, bytesEqual, concatBytes } from '../bytes.js';
import { accept, type ParseResult, type Rejection, reject } from '../result.js';
import { decodeOperatorWire } from './operator-wire.js';
import { SIGNATURE_BYTES } from './record-fields.js';
import {
  encodeSubject,
  readSubject,
  type SubjectType,
  subjectError,
  subjectsMatch,
} from './rotation-subject.js';

/** A body's subject, with a reader on its tail. */
export interface SubjectRecordHead {
  readonly subjectType: SubjectType;
  /** Exactly as signed; its syntax is not checked yet (see {@link subjectSyntaxRejection}). */
  readonly subject: string;
  /** Positioned on the tail, which holds exactly the record's tail length. */
  readonly tail: ByteReader;
}

/** A TXT value split into the signed body and its signatures, in wire order. */
export interface SubjectRecordWire {
  readonly body: Uint8Array;
  readonly signatures: readonly Uint8Array[];
}

/**
 * `magic ‖ subject_type ‖ subject_len ‖ subject ‖ tail…`. The subject is
 * checked first and `encodeTail` runs after, the order both records have
 * always had, so a record with several bad fields still gets the same error.
 *
 * @throws DmpEncodeError on a subject that does not suit its type, or
 *   whatever `encodeTail` refuses.
 */
export function encodeSubjectRecordBody(
  magic: Uint8Array,
  subjectType: SubjectType,
  subject: string,
  encodeTail: () => readonly Uint8Array[],
): Uint8Array {
  const subjectBytes = encodeSubject(subjectType, subject);
  const tail = encodeTail();
  return concatBytes(magic, Uint8Array.of(subjectType, subjectBytes.length), subjectBytes, ...tail);
}

/**
 * The wire checks of a TXT value signed by `signatureCount` keys (prefix,
 * 1200-byte cap, strict base64, room for the magic and the signatures),
 * then the split into body and signatures. Never throws.
 */
export function openSubjectRecord(
  value: string,
  prefix: string,
  magic: Uint8Array,
  signatureCount: number,
): ParseResult<SubjectRecordWire> {
  const signaturesBytes = signatureCount * SIGNATURE_BYTES;
  const blob = decodeOperatorWire(value, prefix, magic.length + signaturesBytes);
  if (!blob.ok) return blob;
  const bodyEnd = blob.value.length - signaturesBytes;
  const signatures = Array.from({ length: signatureCount }, (_, i) =>
    blob.value.subarray(bodyEnd + i * SIGNATURE_BYTES, bodyEnd + (i + 1) * SIGNATURE_BYTES),
  );
  return accept({ body: blob.value.subarray(0, bodyEnd), signatures });
}

/**
 * Reads the magic and subject of a body whose tail must be exactly
 * `tailBytes` long. The subject's syntax is left to the caller, to be
 * checked once its tail fields are read, matching the reference's order.
 */
export function readSubjectRecordHead(
  body: Uint8Array,
  magic: Uint8Array,
  tailBytes: number,
): ParseResult<SubjectRecordHead> {
  if (body.length < magic.length + 2 + tailBytes) {
    return reject('length', 'body shorter than the fixed fields');
  }
  const reader = new ByteReader(body);
  if (!bytesEqual(reader.take(magic.length)!, magic)) return reject('structure', 'bad magic');
  const head = readSubject(reader);
  if (!head.ok) return head;
  if (reader.remaining !== tailBytes) {
    return reject('length', 'body length does not match its subject length');
  }
  return accept({ ...head.value, tail: reader });
}

/** A `structure` rejection when `subject` breaks its type's syntax, else `undefined`. */
export function subjectSyntaxRejection(
  subjectType: SubjectType,
  subject: string,
): Rejection | undefined {
  const problem = subjectError(subjectType, subject);
  return problem === undefined ? undefined : reject('structure', `subject: ${problem}`);
}

/**
 * A `name` rejection when the caller expected a subject and the record's
 * does not match it (see `subjectsMatch`), else `undefined`.
 */
export function subjectMismatchRejection(
  subjectType: SubjectType,
  subject: string,
  expected: string | undefined,
): Rejection | undefined {
  if (expected === undefined || subjectsMatch(subjectType, subject, expected)) return undefined;
  return reject('name', `record is about '${subject}'`);
}
