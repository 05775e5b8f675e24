/**
 * {@link TokenStore} on the node database's `tokens` table (node spec
 * §3.2): bearer tokens of the legacy HTTP publish path, stored by SHA-256
 * only, with an append-only `token_audit` trail written in the same
 * transaction as each lifecycle change.
 */
import type Database from 'better-sqlite3';
import { StoreClosedError } from '../errors.js';
import type { TokenRecord, TokenStore } from '../types.js';
import type { NodeDatabase } from './database.js';

/** `issuer` of registration-issued tokens. */
export const SELF_SERVICE_ISSUER = 'self-service';

/** Events of the token audit trail (spec §3.2). */
export type TokenAuditEvent = 'issued' | 'revoked' | 'used' | 'rejected' | 'throttled';

/** One row of the token audit trail. */
export interface TokenAuditEntry {
  readonly ts: number;
  readonly event: TokenAuditEvent;
  /** Null for shared-pool (slot/chunk) events, which name no token. */
  readonly tokenHash: string | null;
  readonly subject: string | null;
  readonly remoteAddr: string;
  readonly detail: string;
}

interface TokenRow {
  readonly token_hash: string;
  readonly subject: string;
  readonly subject_type: number;
  readonly subject_hash12: string | null;
  readonly rate_per_sec: number;
  readonly rate_burst: number;
  readonly issued_at: number;
  readonly expires_at: number | null;
  readonly revoked_at: number | null;
  readonly issuer: string;
  readonly note: string;
  readonly registered_spk: string | null;
}

interface AuditRow {
  readonly ts: number;
  readonly event: TokenAuditEvent;
  readonly token_hash: string | null;
  readonly subject: string | null;
  readonly remote_addr: string;
  readonly detail: string;
}

const COLUMNS =
  'token_hash, subject, subject_type, subject_hash12, rate_per_sec, rate_burst, issued_at, expires_at, revoked_at, issuer, note, registered_spk';
const LIVE = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)';
const TOKEN_HASH = /^[0-9a-f]{64}$/;
const AUDIT_EVENTS: ReadonlySet<string> = new Set([
  'issued',
  'revoked',
  'used',
  'rejected',
  'throttled',
]);

/** The bearer-token store, backed by sqlite. */
export class SqliteTokenStore implements TokenStore {
  private readonly db: Database.Database;
  private readonly findLiveStmt: Database.Statement<[string, number], TokenRow>;
  private readonly liveSelfServiceStmt: Database.Statement<[string, string, number], TokenRow>;
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly revokeStmt: Database.Statement<[number, string], { subject: string }>;
  private readonly revokeSubjectStmt: Database.Statement<
    [number, string, string],
    { token_hash: string }
  >;
  private readonly auditStmt: Database.Statement<unknown[]>;
  private readonly recentAuditStmt: Database.Statement<[number], AuditRow>;
  private readonly recentAuditOfEventStmt: Database.Statement<[string, number], AuditRow>;
  private readonly listStmt: Database.Statement<[number, string | null, string | null], TokenRow>;
  private readonly revokeAnySubjectStmt: Database.Statement<[number, string], TokenRow>;
  private readonly pruneAuditStmt: Database.Statement<[number, number]>;
  private readonly issueSelfServiceTx: Database.Transaction<
    (token: TokenRecord, now: number) => void
  >;
  private readonly insertTx: Database.Transaction<(token: TokenRecord) => void>;
  private readonly revokeTx: Database.Transaction<(hash: string, now: number) => boolean>;
  private readonly revokeSubjectTx: Database.Transaction<
    (subject: string, now: number, detail: string) => TokenRecord[]
  >;
  private readonly replaceSubjectTx: Database.Transaction<
    (token: TokenRecord, now: number, detail: string) => TokenRecord[]
  >;
  private closed = false;

  constructor(database: NodeDatabase) {
    const db = database.connection;
    this.db = db;
    this.findLiveStmt = db.prepare(
      `SELECT ${COLUMNS} FROM tokens WHERE token_hash = ? AND ${LIVE}`,
    );
    this.liveSelfServiceStmt = db.prepare(
      `SELECT ${COLUMNS} FROM tokens WHERE subject = ? AND issuer = ? AND ${LIVE} ORDER BY issued_at, rowid`,
    );
    this.insertStmt = db.prepare(
      `INSERT INTO tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.revokeStmt = db.prepare(
      'UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL RETURNING subject',
    );
    this.revokeSubjectStmt = db.prepare(
      'UPDATE tokens SET revoked_at = ? WHERE subject = ? AND issuer = ? AND revoked_at IS NULL RETURNING token_hash',
    );
    this.auditStmt = db.prepare(
      'INSERT INTO token_audit (ts, event, token_hash, subject, remote_addr, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.pruneAuditStmt = db.prepare(
      'DELETE FROM token_audit WHERE id IN (SELECT id FROM token_audit WHERE ts < ? ORDER BY ts LIMIT ?)',
    );
    this.recentAuditStmt = db.prepare(
      'SELECT ts, event, token_hash, subject, remote_addr, detail FROM token_audit ORDER BY id DESC LIMIT ?',
    );
    this.recentAuditOfEventStmt = db.prepare(
      'SELECT ts, event, token_hash, subject, remote_addr, detail FROM token_audit WHERE event = ? ORDER BY id DESC LIMIT ?',
    );
    this.listStmt = db.prepare(
      `SELECT ${COLUMNS} FROM tokens WHERE (? = 1 OR revoked_at IS NULL) AND (? IS NULL OR subject = ?) ORDER BY issued_at DESC, rowid DESC`,
    );
    this.revokeAnySubjectStmt = db.prepare(
      `UPDATE tokens SET revoked_at = ? WHERE subject = ? AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    );
    this.issueSelfServiceTx = db.transaction((token: TokenRecord, now: number) => {
      for (const { token_hash } of this.revokeSubjectStmt.all(
        now,
        token.subject,
        SELF_SERVICE_ISSUER,
      )) {
        this.writeAudit(
          now,
          'revoked',
          token_hash,
          token.subject,
          'superseded by self-service issue',
        );
      }
      this.insertRow(token);
    });
    this.insertTx = db.transaction((token: TokenRecord) => this.insertRow(token));
    this.revokeSubjectTx = db.transaction((subject: string, now: number, detail: string) =>
      this.revokeSubjectRows(subject, now, detail),
    );
    this.replaceSubjectTx = db.transaction((token: TokenRecord, now: number, detail: string) => {
      const revoked = this.revokeSubjectRows(token.subject, now, detail);
      this.insertRow(token);
      return revoked;
    });
    this.revokeTx = db.transaction((hash: string, now: number): boolean => {
      const row = this.revokeStmt.get(now, hash);
      if (row === undefined) return false;
      this.writeAudit(now, 'revoked', hash, row.subject, '');
      return true;
    });
  }

  /** The token with SHA-256 `tokenHash` (hex, any case) if known, unrevoked and unexpired at `now`. */
  findLive(tokenHash: string, now: number): TokenRecord | undefined {
    this.ensureOpen();
    const row = this.findLiveStmt.get(tokenHash.toLowerCase(), now);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Live self-service tokens of `subject`, oldest first. */
  liveSelfService(subject: string, now: number): readonly TokenRecord[] {
    this.ensureOpen();
    return this.liveSelfServiceStmt.all(subject, SELF_SERVICE_ISSUER, now).map(fromRow);
  }

  /**
   * In one IMMEDIATE transaction: revokes (at `now`) every unrevoked
   * self-service token of `token.subject`, inserts `token`, and audits both.
   * Nothing changes if any step throws.
   *
   * @throws {RangeError} `token.issuer` is not `self-service`, or a malformed hash.
   */
  issueSelfService(token: TokenRecord, now: number): void {
    this.ensureOpen();
    if (token.issuer !== SELF_SERVICE_ISSUER) {
      throw new RangeError(
        `issueSelfService needs issuer '${SELF_SERVICE_ISSUER}', got '${token.issuer}'`,
      );
    }
    this.issueSelfServiceTx.immediate(token, now);
  }

  /** Inserts `token` (audited as `issued`). Throws if a token with that hash exists. */
  insert(token: TokenRecord): void {
    this.ensureOpen();
    this.insertTx.immediate(token);
  }

  /** Revokes the token at `now`; true iff it existed unrevoked. */
  revoke(tokenHash: string, now: number): boolean {
    this.ensureOpen();
    return this.revokeTx.immediate(tokenHash.toLowerCase(), now);
  }

  /**
   * Tokens newest first: the unrevoked ones (expired included), or every
   * one with `includeRevoked`; only `subject`'s when given.
   */
  list(options: { includeRevoked?: boolean; subject?: string } = {}): readonly TokenRecord[] {
    this.ensureOpen();
    const subject = options.subject ?? null;
    return this.listStmt.all(options.includeRevoked ? 1 : 0, subject, subject).map(fromRow);
  }

  /**
   * Revokes at `now` every unrevoked token of `subject`, whoever issued it,
   * each audited as `revoked` with `detail`; returns them, now revoked.
   */
  revokeSubject(subject: string, now: number, detail = 'by subject'): readonly TokenRecord[] {
    this.ensureOpen();
    return this.revokeSubjectTx.immediate(subject, now, detail);
  }

  /**
   * In one IMMEDIATE transaction: {@link revokeSubject} for `token.subject`,
   * then inserts `token`. Returns the revoked tokens; nothing changes if a
   * step throws.
   */
  replaceSubject(token: TokenRecord, now: number, detail = 'replaced'): readonly TokenRecord[] {
    this.ensureOpen();
    return this.replaceSubjectTx.immediate(token, now, detail);
  }

  /**
   * Appends an event the HTTP layer observed (`used`, `rejected`,
   * `throttled`, …). Pass hashes only — never a token string.
   */
  appendAudit(entry: TokenAuditEntry): void {
    this.ensureOpen();
    this.writeAudit(
      entry.ts,
      entry.event,
      entry.tokenHash,
      entry.subject,
      entry.detail,
      entry.remoteAddr,
    );
  }

  /**
   * Deletes audit entries older than `before` (Unix seconds), at most
   * `limit` of them, oldest first; returns how many went. The trail would
   * otherwise grow by one row per authenticated write, forever.
   */
  pruneAudit(before: number, limit: number): number {
    this.ensureOpen();
    return this.pruneAuditStmt.run(before, limit).changes;
  }

  /** The `limit` most recent audit entries (of `event` only, when given), newest first. */
  recentAudit(limit: number, event?: TokenAuditEvent): readonly TokenAuditEntry[] {
    this.ensureOpen();
    const rows =
      event === undefined
        ? this.recentAuditStmt.all(limit)
        : this.recentAuditOfEventStmt.all(event, limit);
    return rows.map((r) => ({
      ts: r.ts,
      event: r.event,
      tokenHash: r.token_hash,
      subject: r.subject,
      remoteAddr: r.remote_addr,
      detail: r.detail,
    }));
  }

  /** Stops the store (later calls throw); the database itself is closed by its owner. */
  close(): void {
    this.closed = true;
  }

  private revokeSubjectRows(subject: string, now: number, detail: string): TokenRecord[] {
    const rows = this.revokeAnySubjectStmt.all(now, subject);
    for (const row of rows) this.writeAudit(now, 'revoked', row.token_hash, subject, detail);
    return rows.map(fromRow);
  }

  private insertRow(token: TokenRecord): void {
    const hash = token.tokenHash.toLowerCase();
    if (!TOKEN_HASH.test(hash)) throw new RangeError('tokenHash must be 64 hex digits (SHA-256)');
    this.insertStmt.run(
      hash,
      token.subject,
      token.subjectType,
      token.subjectHash12,
      token.ratePerSec,
      token.rateBurst,
      token.issuedAt,
      token.expiresAt,
      token.revokedAt,
      token.issuer,
      token.note,
      token.registeredSpk,
    );
    this.writeAudit(token.issuedAt, 'issued', hash, token.subject, token.issuer);
  }

  private writeAudit(
    ts: number,
    event: TokenAuditEvent,
    tokenHash: string | null,
    subject: string | null,
    detail: string,
    remoteAddr = '',
  ): void {
    if (!AUDIT_EVENTS.has(event)) throw new RangeError(`unknown token audit event '${event}'`);
    this.auditStmt.run(ts, event, tokenHash, subject, remoteAddr, detail);
  }

  private ensureOpen(): void {
    if (this.closed || !this.db.open) throw new StoreClosedError('token store');
  }
}

function fromRow(row: TokenRow): TokenRecord {
  return {
    tokenHash: row.token_hash,
    subject: row.subject,
    subjectType: row.subject_type,
    subjectHash12: row.subject_hash12,
    ratePerSec: row.rate_per_sec,
    rateBurst: row.rate_burst,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    issuer: row.issuer,
    note: row.note,
    registeredSpk: row.registered_spk,
  };
}
