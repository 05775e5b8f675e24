/**
 * {@link TsigKeyStore} on the node database's `tsig_keys` table (node spec
 * §3.3, §2.5–2.7): registration-minted and operator-inserted TSIG keys with
 * their UPDATE scope. Secrets are stored as BLOBs and never appear in
 * errors or logs.
 */
import type Database from 'better-sqlite3';
import { StoreClosedError } from '../errors.js';
import { lowerAscii, normalizeScopeSuffixes, normalizeTsigKeyName } from '../normalize.js';
import type { TsigKeyRecord, TsigKeyStore } from '../types.js';
import type { NodeDatabase } from './database.js';

interface TsigKeyRow {
  readonly name: string;
  readonly algorithm: string;
  readonly secret: Buffer;
  readonly allowed_suffixes: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly revoked: number;
  readonly subject: string;
  readonly registered_spk: string;
  readonly registered_x25519_pub: string;
}

const COLUMNS =
  'name, algorithm, secret, allowed_suffixes, created_at, expires_at, revoked, subject, registered_spk, registered_x25519_pub';
const ACTIVE = 'revoked = 0 AND (expires_at = 0 OR expires_at > ?)';

/** The TSIG key store, backed by sqlite. */
export class SqliteTsigKeyStore implements TsigKeyStore {
  private readonly db: Database.Database;
  private readonly getActiveStmt: Database.Statement<[string, number], TsigKeyRow>;
  private readonly listActiveStmt: Database.Statement<[number], TsigKeyRow>;
  private readonly upsertStmt: Database.Statement<unknown[]>;
  private readonly revokeStmt: Database.Statement<[string]>;
  private readonly dataVersionStmt: Database.Statement<[], number>;
  private localChanges = 0;
  private externalChanges = 0;
  private lastDataVersion: number;
  private closed = false;

  constructor(database: NodeDatabase) {
    const db = database.connection;
    this.db = db;
    this.getActiveStmt = db.prepare(
      `SELECT ${COLUMNS} FROM tsig_keys WHERE name = ? AND ${ACTIVE}`,
    );
    this.listActiveStmt = db.prepare(
      `SELECT ${COLUMNS} FROM tsig_keys WHERE ${ACTIVE} ORDER BY name`,
    );
    this.upsertStmt = db.prepare(
      `INSERT INTO tsig_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET
         algorithm = excluded.algorithm, secret = excluded.secret,
         allowed_suffixes = excluded.allowed_suffixes, created_at = excluded.created_at,
         expires_at = excluded.expires_at, revoked = excluded.revoked, subject = excluded.subject,
         registered_spk = excluded.registered_spk,
         registered_x25519_pub = excluded.registered_x25519_pub`,
    );
    this.revokeStmt = db.prepare('UPDATE tsig_keys SET revoked = 1 WHERE name = ? AND revoked = 0');
    this.dataVersionStmt = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.lastDataVersion = this.dataVersionStmt.get()!;
  }

  /**
   * Changes with every upsert or revoke through this store, and also when
   * another connection (an operator's `sqlite3` session, say) committed to
   * the file since the last read — so a keyring cached per generation never
   * outlives a key edit. Costs one `PRAGMA data_version`.
   */
  get generation(): number {
    this.ensureOpen();
    const dv = this.dataVersionStmt.get()!;
    if (dv !== this.lastDataVersion) {
      this.lastDataVersion = dv;
      this.externalChanges++;
    }
    return this.localChanges + this.externalChanges;
  }

  /** The key named `name` (any case, trailing dot optional) if not revoked and not expired at `now`. */
  getActive(name: string, now: number): TsigKeyRecord | undefined {
    this.ensureOpen();
    let key: string;
    try {
      key = normalizeTsigKeyName(name);
    } catch {
      return undefined;
    }
    const row = this.getActiveStmt.get(key, now);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every active key at `now`, by name. */
  listActive(now: number): readonly TsigKeyRecord[] {
    this.ensureOpen();
    return this.listActiveStmt.all(now).map(fromRow);
  }

  /**
   * Inserts `key` or replaces the row of the same (normalised) name — every
   * column, so re-registration installs the new secret and un-revokes.
   * Name, algorithm, subject and key hex are stored lower-case; scope
   * suffixes as {@link normalizeScopeSuffixes} gives them.
   *
   * @throws {RangeError} empty secret, empty name, or no usable scope suffix
   *   (a key that may write nowhere is a minting bug).
   */
  upsert(key: TsigKeyRecord): void {
    this.ensureOpen();
    const name = normalizeTsigKeyName(key.name);
    if (!(key.secret instanceof Uint8Array) || key.secret.length === 0) {
      throw new RangeError(`TSIG key ${name}: secret must be non-empty bytes`);
    }
    const suffixes = normalizeScopeSuffixes(key.allowedSuffixes);
    if (suffixes.length === 0) {
      throw new RangeError(`TSIG key ${name}: at least one non-empty allowed suffix is required`);
    }
    checkTime(key.createdAt, 'createdAt');
    checkTime(key.expiresAt, 'expiresAt');
    this.upsertStmt.run(
      name,
      lowerAscii(key.algorithm.trim()).replace(/\.$/, ''),
      Buffer.from(key.secret.buffer, key.secret.byteOffset, key.secret.byteLength),
      suffixes.join('\n'),
      key.createdAt,
      key.expiresAt,
      key.revoked ? 1 : 0,
      lowerAscii(key.subject.trim()),
      lowerAscii(key.registeredSpk.trim()),
      lowerAscii(key.registeredX25519Pub.trim()),
    );
    this.localChanges++;
  }

  /** Marks the key revoked; true iff an unrevoked key of that name existed. */
  revoke(name: string): boolean {
    this.ensureOpen();
    let key: string;
    try {
      key = normalizeTsigKeyName(name);
    } catch {
      return false;
    }
    const changed = this.revokeStmt.run(key).changes > 0;
    if (changed) this.localChanges++;
    return changed;
  }

  /** Stops the store (later calls throw); the database itself is closed by its owner. */
  close(): void {
    this.closed = true;
  }

  private ensureOpen(): void {
    if (this.closed || !this.db.open) throw new StoreClosedError('TSIG key store');
  }
}

function checkTime(t: number, what: string): void {
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new RangeError(`${what} must be a non-negative integer (Unix seconds), got ${t}`);
  }
}

function fromRow(row: TsigKeyRow): TsigKeyRecord {
  return {
    name: row.name,
    algorithm: row.algorithm,
    // A copy that owns its memory: callers never alias sqlite's buffer or Node's pool.
    secret: new Uint8Array(row.secret),
    allowedSuffixes: row.allowed_suffixes === '' ? [] : row.allowed_suffixes.split('\n'),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revoked: row.revoked !== 0,
    subject: row.subject,
    registeredSpk: row.registered_spk,
    registeredX25519Pub: row.registered_x25519_pub,
  };
}
