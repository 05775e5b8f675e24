/**
 * What a DMP answer must contain for a resolver to be believed (core.md
 * §11.1: a resolver whose answers fail signature checks is lying). Each
 * validator accepts an RRset when at least one value is a record of the
 * expected kind whose signature verifies. Time is deliberately not judged
 * here: an honest but stale cache that still holds an expired claim is not
 * a liar, and the consumer drops expired records anyway.
 *
 * Every read of a given name in one session must use the same validator
 * (the session memoises by name), so each kind of name has exactly one
 * validator, built here.
 */
import type { TxtValidator } from '../dns/client/txt-reader.js';
import { parseAndVerifyIdentityRecord } from '../protocol/records/identity-record.js';
import { parseAndVerifyPrekeyRecord } from '../protocol/records/prekey-record.js';
import type { ParseResult } from '../protocol/result.js';

/**
 * Accepted, or refused only for its timing. Every DMP parser checks the
 * signature before ts/exp, so a time rejection implies a good signature.
 */
export function isAuthentic(result: ParseResult<unknown>): boolean {
  return result.ok || result.code === 'expired' || result.code === 'future';
}

/** An RRset holding at least one value `parse` finds authentic. */
export function authenticAny(parse: (value: string) => ParseResult<unknown>): TxtValidator {
  return (values) => values.some((v) => isAuthentic(parse(v)));
}

/** Identity RRsets (hashed and zone-anchored names): a signed identity record. */
export const identityRrsetValidator: TxtValidator = authenticAny(parseAndVerifyIdentityRecord);

/** A prekey pool: a prekey signed by the owner's pinned key. */
export function prekeyPoolValidator(ownerSpk: Uint8Array, now: number): TxtValidator {
  return authenticAny((v) => parseAndVerifyPrekeyRecord(v, now, ownerSpk));
}
