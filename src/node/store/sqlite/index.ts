/**
 * better-sqlite3 implementation of the node storage contracts
 * (`../types.ts`): one WAL database file holding records, TSIG keys and
 * tokens.
 */
export {
  MEMORY_PATH,
  type NodeDatabase,
  type NodeDatabaseOptions,
  openNodeDatabase,
} from './database.js';
export { type NodeStores, type NodeStoresOptions, openNodeStores } from './node-stores.js';
export { RecordReadCache, type RecordReadCacheOptions } from './record-cache.js';
export { SqliteRecordStore, type SqliteRecordStoreOptions } from './record-store.js';
export { APPLICATION_ID, type Migration, migrateSchema, SCHEMA_VERSION } from './schema.js';
export {
  SELF_SERVICE_ISSUER,
  SqliteTokenStore,
  type TokenAuditEntry,
  type TokenAuditEvent,
} from './token-store.js';
export { SqliteTsigKeyStore } from './tsig-key-store.js';
