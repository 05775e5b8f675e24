/**
 * The client's one sqlite file (`<configDir>/state.db`): prekeys, delivered
 * message ids and the intro queue, where the reference keeps three files
 * (cli.md §2.4). WAL mode; schema versioned with `PRAGMA user_version` and
 * tagged with `PRAGMA application_id` so a foreign sqlite file is refused
 * rather than written to. Private on disk: directory 0700, file and its
 * `-wal`/`-shm` companions 0600.
 */
import Database from 'better-sqlite3';
import { preparePrivateFile, restrictSqliteCompanions } from '../../runtime/private-sqlite-file.js';
import { StateFileError } from '../errors.js';

/** `PRAGMA application_id` of a client state file: ASCII "DMPC". */
export const STATE_APPLICATION_ID = 0x444d5043;
/** Schema version this code writes. */
export const STATE_SCHEMA_VERSION = 1;

const SCHEMA_V1 = `
CREATE TABLE prekeys (
  prekey_id       INTEGER PRIMARY KEY,
  private_key     BLOB    NOT NULL,
  public_key      BLOB    NOT NULL,
  exp             INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  published_value TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX prekeys_exp ON prekeys (exp);

CREATE TABLE replay_seen (
  sender_spk BLOB    NOT NULL,
  msg_id     BLOB    NOT NULL,
  expiry     INTEGER NOT NULL,
  PRIMARY KEY (sender_spk, msg_id)
) WITHOUT ROWID;
CREATE INDEX replay_seen_expiry ON replay_seen (expiry);

CREATE TABLE intros (
  id                    INTEGER PRIMARY KEY AUTOINCREMENT,
  sender_spk            BLOB    NOT NULL,
  msg_id                BLOB    NOT NULL,
  plaintext             BLOB    NOT NULL,
  sender_mailbox_domain TEXT    NOT NULL,
  sender_label          TEXT    NOT NULL DEFAULT '',
  received_at           INTEGER NOT NULL,
  msg_exp               INTEGER NOT NULL,
  UNIQUE (sender_spk, msg_id)
);
CREATE INDEX intros_received_at ON intros (received_at DESC);

CREATE TABLE denylist (
  sender_spk BLOB    PRIMARY KEY,
  blocked_at INTEGER NOT NULL,
  note       TEXT    NOT NULL DEFAULT ''
);
`;

/** Copies a BLOB read from sqlite into a plain `Uint8Array` that owns its memory. */
export function blobBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b);
}

/**
 * Opens (creating if needed) the state database at `path`.
 *
 * @throws {StateFileError} the file belongs to another application or to a
 *   newer dnsmesh; it is left untouched.
 */
export function openStateDatabase(path: string): Database.Database {
  preparePrivateFile(path);
  const db = new Database(path, { timeout: 5000 });
  try {
    const appId = Number(db.pragma('application_id', { simple: true }));
    const version = Number(db.pragma('user_version', { simple: true }));
    if (appId !== STATE_APPLICATION_ID) {
      const tables = db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type='table'")
        .get() as {
        n: number;
      };
      if (appId !== 0 || version !== 0 || tables.n > 0) {
        throw new StateFileError(
          path,
          `not a dnsmesh client state file (application_id 0x${appId.toString(16)}, ${tables.n} tables)`,
          'Move it aside or choose another config directory',
        );
      }
    }
    if (version > STATE_SCHEMA_VERSION) {
      throw new StateFileError(
        path,
        `written by a newer dnsmesh (schema ${version}, this one knows ${STATE_SCHEMA_VERSION})`,
        'Upgrade dnsmesh',
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (version < STATE_SCHEMA_VERSION) {
      // IMMEDIATE: two processes opening a fresh file cannot both create the schema.
      db.transaction(() => {
        if (Number(db.pragma('user_version', { simple: true })) !== 0) return;
        db.exec(SCHEMA_V1);
        db.pragma(`application_id = ${STATE_APPLICATION_ID}`);
        db.pragma(`user_version = ${STATE_SCHEMA_VERSION}`);
      }).immediate();
    }
    restrictSqliteCompanions(path);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
