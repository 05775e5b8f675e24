/**
 * Self-service registration (node spec §4.5, §2.6–2.7): subjects, the
 * challenge book, the signed ceremony, minted TSIG key names and scopes,
 * and the scope matcher the DNS UPDATE handler authorises ops with.
 */
export {
  CHALLENGE_BYTES,
  CHALLENGE_TTL_SECONDS,
  ChallengeBook,
  type ChallengeBookOptions,
  DEFAULT_MAX_PENDING_CHALLENGES,
  type PendingChallenge,
  type RandomBytes,
} from './challenge-book.js';
export {
  badRequest,
  RegistrationError,
  type RegistrationStatus,
  SUBJECT_ALREADY_OWNED,
} from './errors.js';
export {
  DEFAULT_REGISTRATION_POLICY,
  type RegistrationDeps,
  type RegistrationPolicy,
} from './policy.js';
export { deriveScopeSuffixes, type ScopeInput, type TsigScopeMode } from './scope-derivation.js';
export {
  type JsonObject,
  ownField,
  parseHexField,
  REGISTRATION_PAYLOAD_VERSION,
  registrationPayload,
  type VerifiedRegistration,
  verifySignedRegistration,
} from './signed-request.js';
export {
  type CanonicalSubject,
  canonicalizeSubject,
  normalizeAllowlist,
  type SubjectResult,
  subjectDomainAllowed,
} from './subject.js';
export {
  type IssuedToken,
  registerToken,
  SELF_SERVICE_ISSUER,
} from './token-registration.js';
export {
  KEY_NAME_LABEL_OVERHEAD,
  MAX_DNS_LABEL_OCTETS,
  mintZone,
  type TsigKeyNameInput,
  tsigKeyNameFor,
} from './tsig-key-name.js';
export {
  MINTED_TSIG_ALGORITHM,
  MINTED_TSIG_SECRET_BYTES,
  type MintedTsigKey,
  registerTsigKey,
} from './tsig-registration.js';
export {
  labelGlobMatches,
  type ScopeOperation,
  scopeOwnerKey,
  scopeSuffixKey,
  TsigScope,
} from './tsig-scope.js';
