/**
 * `POST /v1/registration/confirm` (node spec §4.5): a verified registrant
 * receives a self-service bearer token for the records API.
 *
 * Anti-takeover: while the subject holds any live credential (token or
 * TSIG key, see `subject-binding.ts`) registered by a different Ed25519 key,
 * nobody else can register it (409).
 * Otherwise every earlier self-service token of the subject is revoked and
 * the new one inserted in one store transaction; admin-issued tokens are left
 * alone. Only the token's SHA-256 is stored.
 */
import { bearerTokenHash, generateBearerToken } from '../auth/bearer-token.js';
import type { TokenRecord } from '../store/types.js';
import { type RegistrationDeps, type RegistrationPolicy, registrationAllowlist } from './policy.js';
import { type JsonObject, verifySignedRegistration } from './signed-request.js';
import { assertSubjectFree } from './subject-binding.js';

/** `issuer` of registration-minted tokens. */
export const SELF_SERVICE_ISSUER = 'self-service';

/** `subject_type` of a user identity. */
const SUBJECT_TYPE_USER = 1;

/** The response of a successful confirm. `token` is secret: shown once, never logged. */
export interface IssuedToken {
  readonly token: string;
  readonly subject: string;
  /** Unix seconds, or null for a token that never expires. */
  readonly expiresAt: number | null;
  readonly ratePerSec: number;
  readonly rateBurst: number;
}

/**
 * Runs the token ceremony on a parsed confirm body.
 *
 * @throws RegistrationError for every refusal (400/401/403/409).
 */
export function registerToken(
  deps: RegistrationDeps,
  policy: RegistrationPolicy,
  body: JsonObject,
  now: number,
): IssuedToken {
  const reg = verifySignedRegistration(body, deps.challenges, registrationAllowlist(policy), now);
  assertSubjectFree(
    { tokens: deps.tokens, tsigKeys: deps.tsigKeys },
    reg,
    policy.servedZone || policy.nodeHostname,
    reg.spkHex,
    now,
  );

  const token = generateBearerToken(deps.random);
  const expiresAt = policy.tokenTtlSeconds > 0 ? now + policy.tokenTtlSeconds : null;
  const record: TokenRecord = {
    tokenHash: bearerTokenHash(token),
    subject: reg.subject,
    subjectType: SUBJECT_TYPE_USER,
    subjectHash12: null,
    ratePerSec: policy.issuedRatePerSecond,
    rateBurst: policy.issuedBurst,
    issuedAt: now,
    expiresAt,
    revokedAt: null,
    issuer: SELF_SERVICE_ISSUER,
    note: '',
    registeredSpk: reg.spkHex,
  };
  // Check and issue run in one synchronous turn, so no other confirm can
  // slip in between them.
  deps.tokens.issueSelfService(record, now);
  return {
    token,
    subject: reg.subject,
    expiresAt,
    ratePerSec: policy.issuedRatePerSecond,
    rateBurst: policy.issuedBurst,
  };
}
