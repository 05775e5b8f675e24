/**
 * Operator management of the records API's bearer tokens (the reference's
 * `dnsmesh-node-admin token …` and `audit tail`, node spec §3.2, §4.2):
 * issue a token without the registration ceremony, list, revoke and rotate
 * tokens, and read the audit trail.
 *
 * A token exists in clear only in what {@link issueToken} and
 * {@link rotateToken} return, for the operator to hand over once; the store
 * keeps its SHA-256.
 */

import { toHex, tryFromHex } from '../../protocol/bytes.js';
import { sha256 } from '../../protocol/crypto/hash.js';
import { bearerTokenHash, generateBearerToken } from '../auth/bearer-token.js';
import { canonicalizeSubject } from '../registration/subject.js';
import type { SqliteTokenStore, TokenAuditEvent } from '../store/sqlite/token-store.js';
import type { TokenRecord } from '../store/types.js';

/** A refused token operation: `message` for the operator, `exitCode` for the shell. */
export class TokenAdminError extends Error {
  override readonly name = 'TokenAdminError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Rate of an admin-issued token unless given (the reference's defaults). */
export const ADMIN_TOKEN_RATE_PER_SEC = 10;
export const ADMIN_TOKEN_RATE_BURST = 50;

/** `subject_type` of a user identity (spec §3.2). */
const SUBJECT_TYPE_USER = 1;

const DURATION = /^([0-9]+)([smhdw]?)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  '': 1,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
};

/**
 * Seconds in a duration: ASCII digits, optionally followed by one of
 * s, m, h, d, w (`90d`, `12h`, `300`). Surrounding ASCII blanks are
 * ignored; anything else (other digits, other units, `1.5h`) throws.
 */
export function parseDuration(text: string): number {
  const trimmed = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (trimmed === '') throw new RangeError('empty duration');
  const m = DURATION.exec(trimmed);
  if (m === null) {
    throw new RangeError(
      `bad duration ${JSON.stringify(trimmed)}: expected digits with optional unit s/m/h/d/w`,
    );
  }
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  if (!Number.isSafeInteger(seconds)) throw new RangeError(`duration ${trimmed} is too long`);
  return seconds;
}

/**
 * The `subject_hash12` that lets a token publish the prekeys of the X25519
 * key `hex` (`pk-<n>.<hash12>.<domain>`): the first 12 hex digits of its
 * SHA-256.
 */
export function prekeyScopeHash12(hex: string): string {
  const bytes = tryFromHex(hex);
  if (bytes === undefined) {
    throw new TokenAdminError('--with-prekey-scope: value must be hex (32 bytes / 64 chars)', 2);
  }
  if (bytes.length !== 32) {
    throw new TokenAdminError(
      `--with-prekey-scope: expected 32-byte x25519 pubkey, got ${bytes.length} bytes`,
      2,
    );
  }
  return toHex(sha256(bytes)).slice(0, 12);
}

/** The canonical subject (spec §4.5 rules), or a {@link TokenAdminError}. */
export function adminSubject(raw: string): string {
  const s = canonicalizeSubject(raw);
  if (!s.ok) throw new TokenAdminError(`subject ${JSON.stringify(raw)}: ${s.reason}`, 2);
  return s.subject;
}

export interface IssueOptions {
  readonly subject: string;
  /** Lifetime in seconds; undefined or 0 = never expires. */
  readonly expiresInSeconds?: number | undefined;
  readonly ratePerSec?: number | undefined;
  readonly rateBurst?: number | undefined;
  readonly note?: string | undefined;
  /** From {@link prekeyScopeHash12}. */
  readonly subjectHash12?: string | null | undefined;
  /** `admin:<user>`, as the reference records it. */
  readonly issuer: string;
  readonly now: number;
  /** Token source (tests); default the OS CSPRNG. */
  readonly generate?: () => string;
}

/** A token as handed to the operator: the secret, once, and what was stored. */
export interface IssuedToken {
  readonly token: string;
  readonly record: TokenRecord;
}

function newToken(o: IssueOptions): IssuedToken {
  const token = (o.generate ?? generateBearerToken)();
  const expires = o.expiresInSeconds;
  const record: TokenRecord = {
    tokenHash: bearerTokenHash(token),
    subject: adminSubject(o.subject),
    subjectType: SUBJECT_TYPE_USER,
    subjectHash12: o.subjectHash12 ?? null,
    ratePerSec: o.ratePerSec ?? ADMIN_TOKEN_RATE_PER_SEC,
    rateBurst: o.rateBurst ?? ADMIN_TOKEN_RATE_BURST,
    issuedAt: o.now,
    expiresAt: expires ? o.now + expires : null,
    revokedAt: null,
    issuer: o.issuer,
    note: o.note ?? '',
    registeredSpk: null,
  };
  return { token, record };
}

/** Mints a token for a subject; other tokens of the subject stay live. */
export function issueToken(store: SqliteTokenStore, o: IssueOptions): IssuedToken {
  const issued = newToken(o);
  store.insert(issued.record);
  return issued;
}

/** What {@link rotateToken} did. */
export interface RotatedToken extends IssuedToken {
  readonly revoked: readonly TokenRecord[];
}

/**
 * Revokes every unrevoked token of the subject (whoever issued it) and
 * mints a new one, in one transaction: no moment with both or neither.
 * The new token keeps the prekey scope of the newest token it replaces
 * that had one (the reference drops it, which silently stops the user's
 * prekey publishing).
 */
export function rotateToken(store: SqliteTokenStore, o: IssueOptions): RotatedToken {
  const subject = adminSubject(o.subject);
  const previous = store.list({ subject }).find((t) => t.subjectHash12 !== null);
  const issued = newToken({
    ...o,
    subject,
    subjectHash12: o.subjectHash12 ?? previous?.subjectHash12 ?? null,
  });
  const revoked = store.replaceSubject(issued.record, o.now, 'rotated');
  return { ...issued, revoked };
}

/** What {@link revokeTokens} revoked. */
export type RevokeOutcome =
  | { readonly by: 'subject'; readonly subject: string; readonly revoked: readonly TokenRecord[] }
  | { readonly by: 'hash-prefix'; readonly token: TokenRecord };

/**
 * Revokes by exact subject (every unrevoked token of it), else by a token
 * hash prefix that names exactly one unrevoked token. An ambiguous prefix
 * revokes nothing (exit 2); no match is exit 1.
 */
export function revokeTokens(store: SqliteTokenStore, target: string, now: number): RevokeOutcome {
  const subject = canonicalizeSubject(target);
  if (subject.ok) {
    const revoked = store.revokeSubject(subject.subject, now);
    if (revoked.length > 0) return { by: 'subject', subject: subject.subject, revoked };
  }
  const prefix = target.toLowerCase();
  const matches = /^[0-9a-f]+$/.test(prefix)
    ? store.list().filter((t) => t.tokenHash.startsWith(prefix))
    : [];
  if (matches.length === 0) {
    throw new TokenAdminError(
      `no live token found for subject or hash-prefix ${JSON.stringify(target)}`,
      1,
    );
  }
  if (matches.length > 1) {
    throw new TokenAdminError(
      `hash prefix ${JSON.stringify(target)} is ambiguous — matches ${matches.length} tokens. ` +
        'Use a longer prefix or an exact subject.',
      2,
    );
  }
  const token = matches[0]!;
  if (!store.revoke(token.tokenHash, now)) {
    throw new TokenAdminError('revoke failed: the token was revoked meanwhile', 1);
  }
  return { by: 'hash-prefix', token };
}

/** True when the token is unrevoked and unexpired at `now`. */
export function isLive(t: TokenRecord, now: number): boolean {
  return t.revokedAt === null && (t.expiresAt === null || now < t.expiresAt);
}

/** The audit events `audit tail --event` filters on. */
export const AUDIT_EVENTS: readonly TokenAuditEvent[] = [
  'issued',
  'revoked',
  'used',
  'rejected',
  'throttled',
];
