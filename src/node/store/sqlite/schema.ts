/**
 * Schema of the node database (our own layout, not the reference's
 * one-file-per-store split; node spec §3) and its forward migrations,
 * versioned with `PRAGMA user_version` and tagged with
 * `PRAGMA application_id` so foreign sqlite files are recognised.
 *
 * Migrations only ever move forward: `MIGRATIONS[i]` takes a file from
 * version i to i+1 inside one IMMEDIATE transaction together with the
 * version bump, so a crash mid-migration leaves the previous version intact
 * and two processes opening the same file cannot both migrate it.
 */
import type Database from 'better-sqlite3';

/** `PRAGMA application_id` of a dnsmesh-node database: ASCII "DMPN". */
export const APPLICATION_ID = 0x444d504e;

/** One forward step; runs inside the migration transaction. */
export type Migration = (db: Database.Database) => void;

const V1_TABLES = `
-- TXT records of the authoritative zone. Keyed by (name, value): a re-add
-- replaces the row, so 'id' (a rowid alias, stable across VACUUM unlike a
-- bare rowid) doubles as the write sequence that breaks created_at ties.
CREATE TABLE records (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  ttl         INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  stored_ts   INTEGER NOT NULL,
  value_hash  TEXT    NOT NULL,
  UNIQUE (name, value)
);
CREATE INDEX records_expires_at ON records (expires_at);
CREATE INDEX records_stored_ts ON records (stored_ts);

CREATE TABLE tsig_keys (
  name                  TEXT    PRIMARY KEY,
  algorithm             TEXT    NOT NULL,
  secret                BLOB    NOT NULL,
  allowed_suffixes      TEXT    NOT NULL,
  created_at            INTEGER NOT NULL,
  expires_at            INTEGER NOT NULL DEFAULT 0,
  revoked               INTEGER NOT NULL DEFAULT 0,
  subject               TEXT    NOT NULL DEFAULT '',
  registered_spk        TEXT    NOT NULL DEFAULT '',
  registered_x25519_pub TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX tsig_keys_active ON tsig_keys (revoked, expires_at);
CREATE INDEX tsig_keys_subject ON tsig_keys (subject);

CREATE TABLE tokens (
  token_hash     TEXT    PRIMARY KEY,
  subject        TEXT    NOT NULL,
  subject_type   INTEGER NOT NULL,
  subject_hash12 TEXT,
  rate_per_sec   REAL    NOT NULL,
  rate_burst     INTEGER NOT NULL,
  issued_at      INTEGER NOT NULL,
  expires_at     INTEGER,
  revoked_at     INTEGER,
  issuer         TEXT    NOT NULL,
  note           TEXT    NOT NULL DEFAULT '',
  registered_spk TEXT
);
CREATE INDEX tokens_live_subject ON tokens (subject) WHERE revoked_at IS NULL;

-- Append-only trail of token lifecycle events (issued, revoked, and what
-- the HTTP layer chooses to add). Holds hashes only, never token strings.
CREATE TABLE token_audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  ts          INTEGER NOT NULL,
  event       TEXT    NOT NULL,
  token_hash  TEXT,
  subject     TEXT,
  remote_addr TEXT    NOT NULL DEFAULT '',
  detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX token_audit_ts ON token_audit (ts);
`;

// Version 2: who wrote each record, for the per-writer limits
// (docs/security.md). The value is a keyed pseudonym whose key lives only in
// the running node's memory (see writer-usage.ts); '' for the operator's own
// writes and for rows written before version 2.
const V2_RECORD_WRITER = `
ALTER TABLE records ADD COLUMN writer TEXT NOT NULL DEFAULT '';
`;

// Version 3: the heartbeat seen-store (node spec §3.4; the reference keeps
// it in a separate file, this node in the one database). One row per
// (operator key, endpoint): the verbatim wire, its fields for ordering and
// display, when it arrived and from which zone it was harvested.
const V3_HEARTBEATS_SEEN = `
CREATE TABLE heartbeats_seen (
  operator_spk_hex    TEXT    NOT NULL,
  endpoint            TEXT    NOT NULL,
  wire                TEXT    NOT NULL,
  ts                  INTEGER NOT NULL,
  exp                 INTEGER NOT NULL,
  version             TEXT    NOT NULL,
  capabilities        INTEGER NOT NULL,
  claim_provider_zone TEXT    NOT NULL,
  received_at         INTEGER NOT NULL,
  remote_addr         TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (operator_spk_hex, endpoint)
);
CREATE INDEX heartbeats_seen_ts ON heartbeats_seen (ts DESC);
CREATE INDEX heartbeats_seen_exp ON heartbeats_seen (exp);
CREATE INDEX heartbeats_seen_received_at ON heartbeats_seen (received_at);
`;

// Version 4: the anti-entropy digest (node spec §3.1, §4.6) pages through
// rows in (stored_ts, name, value_hash) order after a cursor; this index
// serves that order directly instead of sorting every row on each page.
const V4_SYNC_ORDER = `
CREATE INDEX records_sync_order ON records (stored_ts, name, value_hash);
`;

/** The node's migrations, oldest first. Append only; never edit a released step. */
export const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(V1_TABLES);
    db.pragma(`application_id = ${APPLICATION_ID}`);
  },
  (db) => {
    db.exec(V2_RECORD_WRITER);
  },
  (db) => {
    db.exec(V3_HEARTBEATS_SEEN);
  },
  (db) => {
    db.exec(V4_SYNC_ORDER);
  },
];

/** Schema version this binary writes and the highest it can open. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** `PRAGMA user_version` of `db`. */
export function readUserVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** `PRAGMA application_id` of `db`. */
export function readApplicationId(db: Database.Database): number {
  return db.pragma('application_id', { simple: true }) as number;
}

/** Names of the user tables, views and indexes in `db` (sqlite's own objects excluded). */
export function userObjects(db: Database.Database): string[] {
  return db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
    .pluck()
    .all();
}

/**
 * Brings `db` from its current `user_version` up to `migrations.length`,
 * one transaction per step. Returns the version found before migrating.
 * A version above `migrations.length` is left untouched and returned as is
 * — the caller decides how to refuse it.
 */
export function migrateSchema(db: Database.Database, migrations: readonly Migration[]): number {
  const target = migrations.length;
  const found = readUserVersion(db);
  for (let guard = 0; guard <= target; guard++) {
    // Re-read under the write lock: another process may have migrated since.
    const step = db.transaction((): boolean => {
      const current = readUserVersion(db);
      if (current >= target) return false;
      migrations[current]!(db);
      db.pragma(`user_version = ${current + 1}`);
      return true;
    });
    if (!step.immediate()) break;
  }
  return found;
}
