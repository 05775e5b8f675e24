/**
 * One subject, one registered Ed25519 key (anti-takeover, node spec §4.5).
 *
 * The reference checks the two ceremonies separately: a token confirm looks
 * only at tokens, a TSIG confirm only at TSIG keys, and both by subject
 * string. A second key could therefore obtain a bearer token for a subject
 * that already held a TSIG key (and rewrite its identity over HTTP), and a
 * same-named subject of another domain was minted the identity names of a
 * local user (identity names hash the local part only). Here both ceremonies
 * ask the same question before minting anything:
 *
 *   which Ed25519 keys hold a live credential — self-service token or
 *   registration TSIG key — for this subject, or for the identity owner
 *   names this subject would be granted?
 *
 * Any key other than the registrant's → 409. Operator-minted keys (`key
 * add`, no registered key) are the operator's and bind nobody.
 */
import { hexHash } from '../../protocol/crypto/hash.js';
import type { TokenStore, TsigKeyStore } from '../store/types.js';
import { subjectAlreadyOwned } from './errors.js';
import { mintZone } from './tsig-key-name.js';

/** The subject being registered, in canonical form. */
export interface BindingSubject {
  readonly subject: string;
  readonly localPart: string;
  readonly domain: string;
}

/**
 * The identity owner names (`id-<hash16(local)>.<zone>` for the identity,
 * `id-<hash12(local)>.<zone>` under which `prekeys.` lives) a subject may be
 * granted under `zone` — none unless the subject's own domain is the zone:
 * `alice@elsewhere.example` has no identity in this node's zone.
 */
export function identityOwners(subject: BindingSubject, zone: string): string[] {
  const z = mintZone(zone);
  if (z === '' || subject.domain !== z) return [];
  const local = subject.localPart.toLowerCase();
  return [`id-${hexHash(local, 16)}.${z}`, `id-${hexHash(local, 12)}.${z}`];
}

/** Stores whose live credentials bind a subject. */
export interface BindingStores {
  readonly tokens: TokenStore;
  readonly tsigKeys?: TsigKeyStore | undefined;
}

/**
 * Lower-case hex Ed25519 keys holding a live credential for `subject` or for
 * any of `owners`.
 */
export function boundKeys(
  stores: BindingStores,
  subject: string,
  owners: readonly string[],
  now: number,
): Set<string> {
  const keys = new Set<string>();
  for (const t of stores.tokens.liveSelfService(subject, now)) {
    if (t.registeredSpk) keys.add(t.registeredSpk.toLowerCase());
  }
  if (stores.tsigKeys !== undefined) {
    for (const k of stores.tsigKeys.listActive(now)) {
      if (k.registeredSpk === '') continue;
      if (
        k.subject.toLowerCase() === subject ||
        k.allowedSuffixes.some((s) => owners.includes(s))
      ) {
        keys.add(k.registeredSpk.toLowerCase());
      }
    }
  }
  return keys;
}

/**
 * Refuses (409) when any live credential for the subject or its identity
 * names was registered by a key other than `spkHex`.
 *
 * @throws RegistrationError 409
 */
export function assertSubjectFree(
  stores: BindingStores,
  subject: BindingSubject,
  zone: string,
  spkHex: string,
  now: number,
): void {
  const owners = identityOwners(subject, zone);
  for (const key of boundKeys(stores, subject.subject, owners, now)) {
    if (key !== spkHex.toLowerCase()) throw subjectAlreadyOwned();
  }
}
