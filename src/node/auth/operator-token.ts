/**
 * Operator-token checks of the HTTP API (node spec §4.2). The operator token
 * guards `/metrics` and record reads when configured, and always authorises
 * record writes. Comparisons are constant-time: both sides are hashed to
 * equal-length digests first, so neither content nor length leaks through
 * timing.
 */
import { timingSafeEqual } from 'node:crypto';
import { utf8 } from '../../protocol/bytes.js';
import { sha256 } from '../../protocol/crypto/hash.js';

/** The scheme prefix of an `Authorization` header, exact case and one space. */
export const BEARER_PREFIX = 'Bearer ';

/** Constant-time string equality (timing depends on neither content nor lengths). */
export function secretEquals(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(utf8(presented)), sha256(utf8(expected)));
}

/** The token after `Bearer `, or `''` when the header is absent or uses another scheme. */
export function presentedBearer(authorization: string | undefined): string {
  if (authorization === undefined || !authorization.startsWith(BEARER_PREFIX)) return '';
  return authorization.slice(BEARER_PREFIX.length);
}

/**
 * Gate of the operator-only reads: open when no operator token is
 * configured, else the header must be exactly `Bearer <token>`.
 */
export function operatorReadAllowed(
  authorization: string | undefined,
  operatorToken: string | undefined,
): boolean {
  if (!operatorToken) return true;
  return secretEquals(authorization ?? '', BEARER_PREFIX + operatorToken);
}

/** True when a configured operator token was presented (never true when none is configured). */
export function isOperatorToken(presented: string, operatorToken: string | undefined): boolean {
  if (!operatorToken) return false;
  return secretEquals(presented, operatorToken);
}
