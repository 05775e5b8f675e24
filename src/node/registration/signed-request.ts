/**
 * The part of the registration ceremony both confirm routes share (node
 * spec §4.5): parse the four fields, canonicalise the subject, consume the
 * challenge, verify the Ed25519 signature, then apply the allowlist.
 *
 * The signed bytes are
 *
 *   challenge(32) ‖ utf8(canonical subject) ‖ utf8(node) ‖ 0x01
 *
 * The order matters: the challenge is consumed before the signature is
 * checked (every attempt burns one), and policy answers (403, 409) come only
 * after a valid signature, so a caller without the key learns nothing about
 * which subjects or domains exist.
 */
import { concatBytes, tryFromHex, utf8 } from '../../protocol/bytes.js';
import { verifyEd25519 } from '../../protocol/crypto/ed25519.js';
import type { ChallengeBook, PendingChallenge } from './challenge-book.js';
import { badRequest, challengeUnknown, signatureInvalid, subjectNotAllowed } from './errors.js';
import { type CanonicalSubject, canonicalizeSubject, subjectDomainAllowed } from './subject.js';

/** A parsed JSON request body. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Version byte closing the signed payload. */
export const REGISTRATION_PAYLOAD_VERSION = 0x01;

/** Fields every confirm body carries, in the order they are checked. */
const SIGNED_FIELDS = ['subject', 'ed25519_spk', 'challenge', 'signature'] as const;

/** A confirm request whose signature verified and whose subject passed the allowlist. */
export interface VerifiedRegistration extends CanonicalSubject {
  /** The signing key, lowercase hex. */
  readonly spkHex: string;
  /** The consumed challenge (its X25519 key pair backs the proof of possession). */
  readonly challenge: PendingChallenge;
}

/** The bytes a registrant signs. */
export function registrationPayload(
  challenge: Uint8Array,
  subject: string,
  node: string,
): Uint8Array {
  return concatBytes(
    challenge,
    utf8(subject),
    utf8(node),
    Uint8Array.of(REGISTRATION_PAYLOAD_VERSION),
  );
}

/** `body[name]` if it is the body's own property (never an inherited one). */
export function ownField(body: JsonObject, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

/**
 * Decodes a hex field of exactly `bytes` bytes (either case).
 *
 * @throws RegistrationError 400 `<field>: not valid hex` or
 *   `<field>: expected N bytes, got M`.
 */
export function parseHexField(value: string, bytes: number, field: string): Uint8Array {
  const raw = tryFromHex(value);
  if (raw === undefined) throw badRequest(`${field}: not valid hex`);
  if (raw.length !== bytes) {
    throw badRequest(`${field}: expected ${bytes} bytes, got ${raw.length}`);
  }
  return raw;
}

/**
 * Runs the shared checks on a confirm body.
 *
 * @throws RegistrationError with the status and text of the first failing step.
 */
export function verifySignedRegistration(
  body: JsonObject,
  challenges: ChallengeBook,
  allowlist: readonly string[],
  now: number,
): VerifiedRegistration {
  const fields: Record<string, string> = {};
  for (const name of SIGNED_FIELDS) {
    const value = ownField(body, name);
    if (typeof value !== 'string' || value === '') {
      throw badRequest(`missing or non-string field: ${name}`);
    }
    fields[name] = value;
  }
  const subject = canonicalizeSubject(fields.subject);
  if (!subject.ok) throw badRequest(`subject invalid: ${subject.reason}`);

  const spk = parseHexField(fields.ed25519_spk!, 32, 'ed25519_spk');
  const signature = parseHexField(fields.signature!, 64, 'signature');
  const challengeBytes = parseHexField(fields.challenge!, 32, 'challenge');

  const challenge = challenges.consume(fields.challenge!, now);
  if (challenge === undefined) throw challengeUnknown();

  const payload = registrationPayload(challengeBytes, subject.subject, challenge.node);
  if (!verifyEd25519(spk, payload, signature)) throw signatureInvalid();

  if (!subjectDomainAllowed(subject, allowlist)) throw subjectNotAllowed();

  return {
    subject: subject.subject,
    localPart: subject.localPart,
    domain: subject.domain,
    spkHex: fields.ed25519_spk!.toLowerCase(),
    challenge,
  };
}
