/**
 * Storage contracts of the node. The DNS server, the UPDATE handler, the HTTP
 * API and the workers depend only on these interfaces; `sqlite/` implements
 * them with better-sqlite3 (one WAL database file, our own schema).
 *
 * Conventions: owner names are stored lower-case without a trailing dot (DNS
 * is case-insensitive; the reference's mixed-case rows were unreachable);
 * times are Unix seconds; every method is synchronous (better-sqlite3), so a
 * write has reached the WAL before the caller answers the client.
 */

/** One change to the TXT data of a name. */
export type StoreOp =
  | {
      readonly kind: 'add';
      readonly name: string;
      readonly value: string;
      readonly ttl: number;
      /**
       * Who writes it, for the per-writer limits: `<class>:<identity>` such
       * as `s:alice@mesh.test` (a registered subject) or `n:192.0.2` (an
       * anonymous client network). Absent or '' = the operator, not
       * counted. A re-add by another writer moves the row to that writer.
       */
      readonly writer?: string;
    }
  | { readonly kind: 'delete-value'; readonly name: string; readonly value: string }
  | { readonly kind: 'delete-name'; readonly name: string };

/** Rows and UTF-8 value bytes held by one writer or writer class. */
export interface WriterUsage {
  readonly rows: number;
  readonly bytes: number;
}

/** The TXT record store behind the authoritative zone. */
export interface RecordStore {
  /** Unexpired values at `name`, oldest (latest write) first. */
  query(name: string, now: number): readonly string[];
  /** Number of unexpired values at `name`. */
  countLive(name: string, now: number): number;
  /**
   * Applies `ops` in order inside one transaction: all or nothing. An `add`
   * of a value already present refreshes its TTL and write time (append
   * semantics per value). Deleting something absent is a no-op (RFC 2136).
   * Throws `StoreFullError` (from `./errors.ts`) when a size-bounded store
   * cannot take a new row; nothing of the batch is applied then.
   */
  apply(ops: readonly StoreOp[], now: number): void;
  /**
   * Optional: runs `fn` inside one write transaction and returns its result
   * once that transaction has committed. Reads and `apply` calls inside it
   * share the transaction (an `apply` stays all or nothing on its own). If
   * `fn` throws, or the commit fails, nothing `fn` wrote is kept and the
   * error is rethrown. The UPDATE handler uses it to check and write under
   * one lock; stores without it are read and written call by call.
   */
  atomically?<T>(fn: () => T): T;
  /** Shorthand for one `add`. */
  publish(name: string, value: string, ttl: number, now: number): void;
  /** Deletes one value (or, with `value` undefined, the whole RRset); true iff a row went. */
  delete(name: string, value: string | undefined): boolean;
  /** Removes expired rows (at most `limit`, oldest-expired first, when given); returns how many. */
  cleanupExpired(now: number, limit?: number): number;
  /** Unexpired rows in the whole store (counts rows: O(rows)). */
  liveCount(now: number): number;
  /** Rows stored, expired ones not yet purged included (O(1)). */
  rowCount(): number;
  /**
   * Rows and bytes `writer` (as given on `add` ops) holds, expired rows not
   * yet purged included, counting writes since this store was opened
   * (writers are not named on disk; see `sqlite/writer-usage.ts`). O(1).
   */
  writerUsage(writer: string): WriterUsage;
  /** Rows and bytes held by every writer of class `cls` (`n` for `n:…`), across restarts. O(1). */
  writerClassUsage(cls: string): WriterUsage;
  /** Unexpired values at `name` written by `writer` since this store was opened. */
  countLiveByWriter(name: string, writer: string, now: number): number;
  close(): void;
}

/** One stored row as the anti-entropy routes and worker see it (node spec §3.1, §4.6). */
export interface SyncRow {
  readonly name: string;
  readonly value: string;
  /** Lowercase hex SHA-256 of the value's UTF-8 bytes. */
  readonly valueHash: string;
  /** Unix milliseconds of the latest local write. */
  readonly storedTs: number;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** Position in the (stored_ts, name, value_hash) order; `ts` may exceed 2^53 (a peer's input). */
export interface SyncCursor {
  readonly ts: bigint;
  readonly name: string;
  readonly hash: string;
}

/** What cluster sync reads from a record store, in (stored_ts, name, value_hash) order. */
export interface RecordSyncSource {
  /**
   * Unexpired rows whose (stored_ts, name, value_hash) is strictly greater
   * than `after` (strings compared byte-wise), ascending, at most `limit`.
   * `value` is '' in these rows (the digest carries hashes only).
   */
  digestAfter(after: SyncCursor, limit: number, now: number): readonly SyncRow[];
  /** Every unexpired row at the given (canonical) names, ascending. */
  liveRowsAt(names: readonly string[], now: number): readonly SyncRow[];
}

/** Live values under an owner-name prefix (the `cluster.*` scan of node spec §5.6). */
export interface RecordPrefixScan {
  /**
   * Unexpired (name, value) rows whose canonical owner name starts with
   * `prefix`, ordered by name then write order, at most `limit`.
   */
  liveRowsUnder(
    prefix: string,
    now: number,
    limit: number,
  ): readonly { readonly name: string; readonly value: string }[];
}

/** A TSIG key minted by registration (or inserted by an operator). */
export interface TsigKeyRecord {
  /** Absolute key name, lower-case, with trailing dot. */
  readonly name: string;
  /** Only `hmac-sha256` is minted. */
  readonly algorithm: string;
  readonly secret: Uint8Array;
  /** Scope suffixes (lower-case, no leading/trailing dot; `*` globs inside one label). */
  readonly allowedSuffixes: readonly string[];
  readonly createdAt: number;
  /** 0 = never expires. */
  readonly expiresAt: number;
  readonly revoked: boolean;
  /** Canonical `user@host` subject or ''. */
  readonly subject: string;
  /** Hex Ed25519 key that registered it, or ''. */
  readonly registeredSpk: string;
  /** Hex X25519 key proven at registration, or ''. */
  readonly registeredX25519Pub: string;
}

export interface TsigKeyStore {
  /** The key if it exists, is not revoked and not expired at `now`. */
  getActive(name: string, now: number): TsigKeyRecord | undefined;
  /** Every active key (used to derive the registered-recipient set). */
  listActive(now: number): readonly TsigKeyRecord[];
  /** Inserts or replaces by name (re-registration replaces the secret and un-revokes). */
  upsert(key: TsigKeyRecord): void;
  revoke(name: string): boolean;
  /**
   * Bumped on every change, so a server can cache a keyring and rebuild it
   * only when keys change instead of per packet.
   */
  readonly generation: number;
}

/** A bearer token for the legacy HTTP publish path. Only its SHA-256 is stored. */
export interface TokenRecord {
  /** Lowercase hex SHA-256 of the token string. */
  readonly tokenHash: string;
  readonly subject: string;
  /** 1 = user identity. */
  readonly subjectType: number;
  readonly subjectHash12: string | null;
  readonly ratePerSec: number;
  readonly rateBurst: number;
  readonly issuedAt: number;
  /** null = never. */
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  /** `self-service` for registration-issued tokens. */
  readonly issuer: string;
  readonly note: string;
  readonly registeredSpk: string | null;
}

export interface TokenStore {
  /** The token if known and live (`revokedAt` null and not expired). */
  findLive(tokenHash: string, now: number): TokenRecord | undefined;
  /** Live self-service tokens of a subject. */
  liveSelfService(subject: string, now: number): readonly TokenRecord[];
  /**
   * Atomically revokes every prior self-service token of `token.subject` and
   * inserts `token`.
   */
  issueSelfService(token: TokenRecord, now: number): void;
  insert(token: TokenRecord): void;
  revoke(tokenHash: string, now: number): boolean;
}
