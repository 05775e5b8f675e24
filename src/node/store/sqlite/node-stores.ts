/**
 * The node's stores opened together on one database file — what the
 * daemon (and the durability test's child process) start from.
 */
import { type NodeDatabase, type NodeDatabaseOptions, openNodeDatabase } from './database.js';
import { SqliteRecordStore, type SqliteRecordStoreOptions } from './record-store.js';
import { SqliteTokenStore } from './token-store.js';
import { SqliteTsigKeyStore } from './tsig-key-store.js';

/** Options of {@link openNodeStores}. */
export interface NodeStoresOptions extends NodeDatabaseOptions {
  readonly records?: SqliteRecordStoreOptions;
}

/** Every node store on one open database. */
export interface NodeStores {
  readonly database: NodeDatabase;
  readonly records: SqliteRecordStore;
  readonly tsigKeys: SqliteTsigKeyStore;
  readonly tokens: SqliteTokenStore;
  /** Closes the stores, then the database. Idempotent. */
  close(): void;
}

/**
 * Opens the database at `path` ({@link openNodeDatabase}: created, migrated,
 * permissions pinned) and builds every store on it.
 */
export function openNodeStores(path: string, options: NodeStoresOptions = {}): NodeStores {
  const database = openNodeDatabase(path, options);
  try {
    const records = new SqliteRecordStore(database, options.records);
    const tsigKeys = new SqliteTsigKeyStore(database);
    const tokens = new SqliteTokenStore(database);
    return {
      database,
      records,
      tsigKeys,
      tokens,
      close: () => {
        records.close();
        tsigKeys.close();
        tokens.close();
        database.close();
      },
    };
  } catch (err) {
    database.close();
    throw err;
  }
}
