/**
 * {@link ClientState} in one sqlite file. The CLI opens
 * `<configDir>/state.db`; tests open a file in a temp directory.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openStateDatabase } from './sqlite-database.js';
import { SqliteIntroStore } from './sqlite-intro-store.js';
import { SqlitePrekeyStore } from './sqlite-prekey-store.js';
import { SqliteSeenStore } from './sqlite-seen-store.js';
import type { ClientState } from './types.js';

/** File name of the state database inside a config directory. */
export const STATE_FILE_NAME = 'state.db';

/** A {@link ClientState} backed by sqlite; `connection` is exposed for imports and tests. */
export interface SqliteClientState extends ClientState {
  readonly path: string;
  readonly connection: Database.Database;
  /** The stores with their synchronous signatures. */
  readonly prekeys: SqlitePrekeyStore;
  readonly seen: SqliteSeenStore;
  readonly intros: SqliteIntroStore;
}

/**
 * Opens the state database at `path` (created 0600, parent directories 0700).
 *
 * @throws {StateFileError} for a foreign or newer file.
 */
export function openSqliteClientState(path: string): SqliteClientState {
  const db = openStateDatabase(path);
  return {
    path,
    connection: db,
    prekeys: new SqlitePrekeyStore(db),
    seen: new SqliteSeenStore(db),
    intros: new SqliteIntroStore(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** Opens `<configDir>/state.db`. */
export function openClientState(configDir: string): SqliteClientState {
  return openSqliteClientState(join(configDir, STATE_FILE_NAME));
}
