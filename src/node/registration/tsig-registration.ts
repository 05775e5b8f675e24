/**
 * `POST /v1/registration/tsig-confirm` (node spec §4.5, §2.7): a verified
 * registrant receives an HMAC-SHA256 TSIG key for DNS UPDATE, scoped to its
 * own names under the served zone.
 *
 * The optional `x25519_pub` only widens the scope (to the registrant's own
 * mailbox `mb-…`) when accompanied by a valid `x25519_pop` proving the
 * private half is held; a wrong proof is refused (401), a missing one simply
 * drops the key — otherwise anyone could claim a victim's published key and
 * write into the victim's mailbox.
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../../protocol/bytes.js';
import { verifyRegistrationProof } from '../../protocol/crypto/registration-pop.js';
import { pythonStrip } from '../../protocol/records/python-text.js';
import { normalizeScopeSuffixes } from '../store/normalize.js';
import { badRequest, RegistrationError, signatureInvalid, subjectAlreadyOwned } from './errors.js';
import { type RegistrationDeps, type RegistrationPolicy, registrationAllowlist } from './policy.js';
import { deriveScopeSuffixes } from './scope-derivation.js';
import {
  type JsonObject,
  ownField,
  parseHexField,
  type VerifiedRegistration,
  verifySignedRegistration,
} from './signed-request.js';
import { assertSubjectFree } from './subject-binding.js';
import { mintZone, tsigKeyNameFor } from './tsig-key-name.js';

/** The only algorithm registration mints. */
export const MINTED_TSIG_ALGORITHM = 'hmac-sha256';

/** Bytes of a minted TSIG secret. */
export const MINTED_TSIG_SECRET_BYTES = 32;

/** The response of a successful TSIG confirm. `secretHex` is secret: shown once, never logged. */
export interface MintedTsigKey {
  /** Absolute key name with trailing dot. */
  readonly name: string;
  readonly secretHex: string;
  readonly algorithm: string;
  /** Sorted scope suffixes. */
  readonly allowedSuffixes: readonly string[];
  readonly subject: string;
  readonly zone: string;
  /** Unix seconds; 0 = never expires. */
  readonly expiresAt: number;
}

/**
 * The X25519 public key (lowercase hex) the registrant proved it holds, or
 * `''` when none was claimed or the claim came without a proof.
 *
 * @throws RegistrationError 400 for malformed hex, 401 for a wrong proof.
 */
function provenX25519Public(body: JsonObject, reg: VerifiedRegistration): string {
  const rawPub = ownField(body, 'x25519_pub');
  const pubHex = typeof rawPub === 'string' ? pythonStrip(rawPub).toLowerCase() : '';
  if (pubHex === '') return '';
  const pub = parseHexField(pubHex, 32, 'x25519_pub');
  const rawPop = ownField(body, 'x25519_pop');
  if (typeof rawPop !== 'string' || rawPop === '') return '';
  const pop = parseHexField(rawPop, 32, 'x25519_pop');
  const proven = verifyRegistrationProof(
    reg.challenge.serverX25519Private,
    pub,
    reg.challenge.challengeHex,
    reg.subject,
    pop,
  );
  if (!proven) {
    throw signatureInvalid(
      'x25519_pop verification failed: registrant did not prove possession of the claimed X25519 key',
    );
  }
  return pubHex;
}

/**
 * Runs the TSIG ceremony on a parsed confirm body and stores the key.
 *
 * @throws RegistrationError for every refusal (400/401/403/404/409/500).
 */
export function registerTsigKey(
  deps: RegistrationDeps,
  policy: RegistrationPolicy,
  body: JsonObject,
  now: number,
): MintedTsigKey {
  const keys = deps.tsigKeys;
  if (keys === undefined) throw new RegistrationError(404, 'tsig registration disabled');
  const reg = verifySignedRegistration(body, deps.challenges, registrationAllowlist(policy), now);
  const x25519PublicHex = provenX25519Public(body, reg);

  const zone = mintZone(policy.servedZone || policy.nodeHostname);
  const scope = {
    subject: reg.subject,
    localPart: reg.localPart,
    spkHex: reg.spkHex,
    zone,
    x25519PublicHex,
  };
  const suffixes = deriveScopeSuffixes(policy.scopeMode, scope);
  if (suffixes.length === 0) {
    throw new RegistrationError(500, 'could not derive TSIG scope from subject + zone');
  }
  const name = tsigKeyNameFor(scope);
  if (name === undefined) {
    // Same text as the reference node, whose "54" ignores the 7-character
    // subject tag; the limit actually enforced is 63 − 16 = 47 characters.
    throw badRequest('subject local part too long for TSIG key label (max 54 chars)');
  }
  assertSubjectFree({ tokens: deps.tokens, tsigKeys: keys }, reg, zone, reg.spkHex, now);
  // A key of the same name that belongs to another subject is never
  // replaced (the name hashes only prefixes of the key and the subject).
  const existing = keys.getActive(name, now);
  if (existing !== undefined && existing.subject.toLowerCase() !== reg.subject) {
    throw subjectAlreadyOwned();
  }

  const secret = (deps.random ?? ((n: number) => new Uint8Array(randomBytes(n))))(
    MINTED_TSIG_SECRET_BYTES,
  );
  const expiresAt = policy.tokenTtlSeconds > 0 ? now + policy.tokenTtlSeconds : 0;
  // The stored form (sorted, deduplicated), so the response shows what the key store keeps.
  const allowedSuffixes = normalizeScopeSuffixes(suffixes);
  // Check and upsert run in one synchronous turn: no concurrent confirm can
  // interleave and leave the subject with keys of two different signers.
  keys.upsert({
    name,
    algorithm: MINTED_TSIG_ALGORITHM,
    secret,
    allowedSuffixes,
    createdAt: now,
    expiresAt,
    revoked: false,
    subject: reg.subject,
    registeredSpk: reg.spkHex,
    registeredX25519Pub: x25519PublicHex,
  });
  return {
    name,
    secretHex: toHex(secret),
    algorithm: MINTED_TSIG_ALGORITHM,
    allowedSuffixes,
    subject: reg.subject,
    zone,
    expiresAt,
  };
}
