/**
 * Typed refusals of the registration ceremony (node spec §4.5). Each carries
 * the HTTP status and the exact `error` text the reference node answers
 * with, so the HTTP layer maps them without inspecting messages.
 */

/** HTTP statuses a registration refusal can carry. */
export type RegistrationStatus = 400 | 401 | 403 | 404 | 409 | 500;

/** A registration request refused with `status` and client-facing `message`. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';

  constructor(
    readonly status: RegistrationStatus,
    message: string,
  ) {
    super(message);
  }
}

/** Text of the anti-takeover refusal (409), shared by both confirm routes. */
export const SUBJECT_ALREADY_OWNED =
  'subject already has a live token; re-registration must be signed with the previously-registered Ed25519 key';

/** 400: malformed input. */
export function badRequest(message: string): RegistrationError {
  return new RegistrationError(400, message);
}

/** 400: the challenge was never issued, already used, or expired. */
export function challengeUnknown(): RegistrationError {
  return new RegistrationError(400, 'challenge expired or unknown');
}

/** 401: the Ed25519 signature (or the X25519 proof) does not verify. */
export function signatureInvalid(message = 'signature verification failed'): RegistrationError {
  return new RegistrationError(401, message);
}

/** 403: the subject's domain is not on the registration allowlist. */
export function subjectNotAllowed(): RegistrationError {
  return new RegistrationError(403, 'subject not in registration allowlist');
}

/** 409: another Ed25519 key already holds live credentials for the subject. */
export function subjectAlreadyOwned(): RegistrationError {
  return new RegistrationError(409, SUBJECT_ALREADY_OWNED);
}
