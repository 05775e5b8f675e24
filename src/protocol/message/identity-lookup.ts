/**
 * Finding a user's identity record (core.md §10.3) and verifying the sender
 * address a DMPv2 envelope claims (§8.8).
 *
 * Split in two so callers can query DNS however they like (in parallel, over
 * any transport): {@link identityLookupNames} says which owner names to read,
 * {@link selectIdentityRecord} picks the record from what came back.
 */
import { bytesEqual } from '../bytes.js';
import { hashedIdentityName, zoneAnchoredIdentityName } from '../names.js';
import { type IdentityRecord, parseAndVerifyIdentityRecord } from '../records/identity-record.js';
import { canonicalizeAddress } from './envelope.js';
import type { TxtLookup } from './open.js';

/**
 * Candidate owner names for `user@host`, in lookup order: the zone-anchored
 * `dmp.<host>`, then `id-<hex16(v)>.<host>` for `user` and each spelling
 * variant (empty and duplicate spellings skipped).
 */
export function identityLookupNames(
  user: string,
  host: string,
  variants: readonly string[] = [],
): string[] {
  const names = [zoneAnchoredIdentityName(host)];
  const seen = new Set<string>();
  for (const v of [user, ...variants]) {
    if (v.length === 0 || seen.has(v)) continue;
    seen.add(v);
    names.push(hashedIdentityName(v, host));
  }
  return names;
}

export interface IdentityExpectation {
  /** Return at once a record carrying this Ed25519 key. */
  readonly ed25519Spk?: Uint8Array;
  /** Return at once a record carrying this X25519 key (legacy pins). */
  readonly x25519Pk?: Uint8Array;
}

/**
 * Picks the identity for lower-case `user` from the values read at the
 * candidate names (in candidate order): a verified record whose username
 * matches case-insensitively and whose key equals the expected one wins
 * immediately; otherwise the first username-matching record, if any. A stale
 * record therefore cannot shadow a pinned one.
 */
export function selectIdentityRecord(
  user: string,
  valuesByName: Iterable<readonly string[] | undefined>,
  expected: IdentityExpectation = {},
): IdentityRecord | undefined {
  let first: IdentityRecord | undefined;
  for (const values of valuesByName) {
    for (const value of values ?? []) {
      const parsed = parseAndVerifyIdentityRecord(value);
      if (!parsed.ok || parsed.value.username.toLowerCase() !== user) continue;
      const record = parsed.value;
      if (expected.ed25519Spk && bytesEqual(expected.ed25519Spk, record.ed25519Spk)) return record;
      if (expected.x25519Pk && bytesEqual(expected.x25519Pk, record.x25519Pk)) return record;
      first ??= record;
    }
  }
  return first;
}

/**
 * The verified sender label of an opened message: the canonical claimed
 * address when an identity record for it, signed by `senderSpk`, is found;
 * otherwise `""`. The label is informational and never affects acceptance.
 */
export function verifySenderLabel(
  claimedFrom: string | undefined,
  senderSpk: Uint8Array,
  lookup: TxtLookup,
): string {
  if (claimedFrom === undefined) return '';
  const canonical = canonicalizeAddress(claimedFrom);
  if (canonical === undefined) return '';
  const at = canonical.indexOf('@');
  const user = canonical.slice(0, at);
  const host = canonical.slice(at + 1);
  const record = selectIdentityRecord(
    user,
    identityLookupNames(user, host).map((name) => lookup(name)),
    { ed25519Spk: senderSpk },
  );
  return record && bytesEqual(record.ed25519Spk, senderSpk) ? canonical : '';
}
