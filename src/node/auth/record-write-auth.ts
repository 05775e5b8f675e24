/**
 * Authorisation of `POST`/`DELETE /v1/records/{name}` (node spec §4.2),
 * per auth mode:
 *
 * * `open` — anyone (development only; refused on public binds).
 * * `legacy` — the operator token only.
 * * `multi-tenant` — the operator token, or a live user token whose scope
 *   covers the name (see `record-name-class.ts`); a user within scope is then
 *   charged one unit from its own per-token bucket.
 * * anything else — the operator token only (fail closed).
 *
 * Failures are 401, except an exhausted per-token bucket, which is 429.
 */
import { hexHash } from '../../protocol/crypto/hash.js';
import type { TokenBuckets } from '../rate-limit/token-bucket.js';
import type { TokenRecord, TokenStore } from '../store/types.js';
import { bearerTokenHash, looksLikeBearerToken } from './bearer-token.js';
import { isOperatorToken, presentedBearer } from './operator-token.js';
import { classifyRecordName, type OwnerRule } from './record-name-class.js';

/** What the write does to the name. */
export type RecordWriteOp = 'publish' | 'delete';

/** Outcome of {@link authorizeRecordWrite}. */
export type RecordWriteDecision =
  | { readonly ok: true; readonly via: 'open' | 'operator' }
  /** A user token; `subject` is its owner, the writer its records are charged to. */
  | { readonly ok: true; readonly via: 'user'; readonly subject: string }
  | { readonly ok: false; readonly status: 401 | 429 };

/** One entry of the token audit trail (store-agnostic; only hashes, never tokens). */
export interface TokenAuditEvent {
  readonly ts: number;
  readonly event: 'used' | 'rejected' | 'throttled';
  /** Null for shared-pool events, which must not name the token (split audit). */
  readonly tokenHash: string | null;
  readonly subject: string | null;
  readonly remoteAddr: string;
  readonly detail: string;
}

/** Where audit events go (the sqlite token store implements `appendAudit`). */
export interface TokenAuditSink {
  appendAudit(event: TokenAuditEvent): void;
}

/** Everything {@link authorizeRecordWrite} needs besides the request. */
export interface RecordWriteAuthContext {
  readonly authMode: string;
  readonly operatorToken: string | undefined;
  /** Absent: every user-token write is refused. */
  readonly tokens: TokenStore | undefined;
  /** Per-token buckets, keyed by token hash. */
  readonly tokenBuckets: TokenBuckets;
  readonly audit?: TokenAuditSink | undefined;
}

/** The request facts the decision depends on. */
export interface RecordWriteRequest {
  readonly authorization: string | undefined;
  readonly name: string;
  readonly op: RecordWriteOp;
  readonly remoteAddr: string;
  /** Unix seconds. */
  readonly now: number;
}

const UNAUTHORIZED: RecordWriteDecision = { ok: false, status: 401 };
const THROTTLED: RecordWriteDecision = { ok: false, status: 429 };

/** Decides whether the request may write its record name. */
export function authorizeRecordWrite(
  ctx: RecordWriteAuthContext,
  req: RecordWriteRequest,
): RecordWriteDecision {
  if (ctx.authMode === 'open') return { ok: true, via: 'open' };
  const presented = presentedBearer(req.authorization);
  if (isOperatorToken(presented, ctx.operatorToken)) return { ok: true, via: 'operator' };
  if (ctx.authMode !== 'multi-tenant' || ctx.tokens === undefined) return UNAUTHORIZED;
  if (!looksLikeBearerToken(presented)) return UNAUTHORIZED;

  const tokenHash = bearerTokenHash(presented);
  const audit = (event: Omit<TokenAuditEvent, 'ts' | 'remoteAddr'>): void => {
    ctx.audit?.appendAudit({ ...event, ts: req.now, remoteAddr: req.remoteAddr });
  };
  const row = ctx.tokens.findLive(tokenHash, req.now);
  if (row === undefined) {
    audit({
      event: 'rejected',
      tokenHash: null,
      subject: null,
      detail: 'unknown, revoked or expired token',
    });
    return UNAUTHORIZED;
  }

  const cls = classifyRecordName(req.name);
  if (cls.kind === 'unknown' || cls.kind === 'operator') {
    audit({
      event: 'rejected',
      tokenHash: null,
      subject: null,
      detail: `${cls.kind} record namespace`,
    });
    return UNAUTHORIZED;
  }
  if (cls.kind === 'owner') {
    if (!ownerRuleHolds(cls.rule, row)) {
      audit({ event: 'rejected', tokenHash, subject: row.subject, detail: 'outside token scope' });
      return UNAUTHORIZED;
    }
    if (!ctx.tokenBuckets.take(tokenHash, tokenLimit(row))) {
      audit({ event: 'throttled', tokenHash, subject: row.subject, detail: 'owner-exclusive' });
      return THROTTLED;
    }
    audit({ event: 'used', tokenHash, subject: row.subject, detail: 'owner-exclusive' });
    return { ok: true, via: 'user', subject: row.subject };
  }
  // Shared pool: any live token may publish, none may delete — nobody can
  // tell which token wrote a pooled record. Events here never name the token.
  if (req.op === 'delete') {
    audit({
      event: 'rejected',
      tokenHash: null,
      subject: null,
      detail: 'shared-pool delete refused',
    });
    return UNAUTHORIZED;
  }
  if (!ctx.tokenBuckets.take(tokenHash, tokenLimit(row))) {
    audit({ event: 'throttled', tokenHash: null, subject: null, detail: 'shared-pool' });
    return THROTTLED;
  }
  audit({ event: 'used', tokenHash: null, subject: null, detail: 'shared-pool' });
  return { ok: true, via: 'user', subject: row.subject };
}

function tokenLimit(row: TokenRecord): { ratePerSecond: number; burst: number } {
  return { ratePerSecond: row.ratePerSec, burst: row.rateBurst };
}

/** True when the token's subject satisfies an owner name's rule. */
export function ownerRuleHolds(rule: OwnerRule, row: TokenRecord): boolean {
  switch (rule.by) {
    case 'subject':
      return row.subject === rule.subject;
    case 'local-hash': {
      const at = row.subject.indexOf('@');
      const local = at < 0 ? row.subject : row.subject.slice(0, at);
      const domain = at < 0 ? '' : row.subject.slice(at + 1);
      return hexHash(local, rule.chars) === rule.hash && domain === rule.domain;
    }
    case 'subject-hash12':
      return row.subjectHash12 !== null && row.subjectHash12 === rule.hash12;
  }
}
