/**
 * Opening the node database (node spec §3): one sqlite file holding every
 * node table, in WAL mode with `synchronous=NORMAL` or `FULL`,
 * schema-versioned with `PRAGMA user_version`, private to the node's user
 * on disk.
 *
 * Durability (see `synchronous.ts`): with WAL + NORMAL (the default) a
 * commit is in the OS page cache when the statement returns, so an
 * acknowledged write survives the process being killed (even `kill -9`);
 * only a power loss or kernel crash can roll back the last commits, never
 * corrupt the file. With FULL the WAL is fsynced before the commit returns,
 * so acknowledged writes survive those too.
 */
import Database from 'better-sqlite3';
import {
  preparePrivateFile,
  restrictSqliteCompanions,
} from '../../../runtime/private-sqlite-file.js';
import { NotNodeDatabaseError, SchemaTooNewError } from '../errors.js';
import {
  APPLICATION_ID,
  MIGRATIONS,
  migrateSchema,
  readApplicationId,
  readUserVersion,
  SCHEMA_VERSION,
  userObjects,
} from './schema.js';
import {
  DEFAULT_SQLITE_SYNCHRONOUS,
  isSqliteSynchronous,
  SQLITE_SYNCHRONOUS_LEVEL,
  type SqliteSynchronous,
} from './synchronous.js';

/** Path that opens a private in-memory database (unit tests). */
export const MEMORY_PATH = ':memory:';

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
// Caps the -wal file left behind after a burst; sqlite otherwise keeps its
// high-water size forever.
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/**
 * WAL pages after which a commit checkpoints (sqlite's default is 1,000).
 * With synchronous=NORMAL (the default) every checkpoint costs two fsyncs
 * plus a WAL header sync at the restart, whatever its size, and runs inline
 * in the committing UPDATE (with FULL, every commit adds one more fsync). A single-row UPDATE writes ~6 pages (table, three
 * indexes, the odd split), so the default checkpointed every ~170 UPDATEs
 * and those fsyncs were ~40 % of the commit time. 8,192 pages (a ~33 MB
 * WAL, under the size limit) amortises them over ~1,400 UPDATEs; measured
 * on a 10k-record store, steady-state commit time fell from ~70 to ~59 µs,
 * and the hot pages (table tail, index tails) are copied back once per
 * ~1,400 UPDATEs instead of once per ~170. The price: one longer stall
 * (~20-30 ms) per checkpoint instead of a ~5 ms one, and up to ~33 MB of
 * WAL to replay when the file is opened after a crash. Durability is
 * unchanged: each commit is still in the WAL before it returns.
 */
const WAL_AUTOCHECKPOINT_PAGES = 8192;

/** Options of {@link openNodeDatabase}. */
export interface NodeDatabaseOptions {
  /**
   * How long a statement waits for a lock held by another connection
   * before failing with SQLITE_BUSY, in ms. Default 5000.
   */
  readonly busyTimeoutMs?: number;
  /** `PRAGMA synchronous`: `normal` (default) or `full`; see `synchronous.ts`. */
  readonly synchronous?: SqliteSynchronous;
}

/** An open node database. Stores are built on it; it outlives them. */
export interface NodeDatabase {
  /** Path as given (`:memory:` for an in-memory database). */
  readonly path: string;
  /** The better-sqlite3 connection the stores prepare their statements on. */
  readonly connection: Database.Database;
  /** Journal mode actually in effect: `wal` for files (unless the filesystem refuses it), `memory` for `:memory:`. */
  readonly journalMode: string;
  /** `PRAGMA synchronous` in effect, read back from sqlite after setting it. */
  readonly synchronous: SqliteSynchronous;
  /** Schema version of the file before this open migrated it (0 = created now). */
  readonly migratedFrom: number;
  /** Schema version now in the file ({@link SCHEMA_VERSION}). */
  readonly schemaVersion: number;
  /** Closes the connection (checkpointing the WAL). Idempotent. */
  close(): void;
}

/**
 * Opens (creating if needed) the node database at `path` and migrates it to
 * {@link SCHEMA_VERSION}.
 *
 * For a file path: missing parent directories are created with mode 0700;
 * the database file is created with mode 0600 and chmod'ed to 0600 on every
 * open, as are its `-wal` and `-shm` companions (sqlite also creates those
 * with the main file's mode).
 *
 * @throws {SchemaTooNewError} the file was written by a newer schema; it is not modified.
 * @throws {NotNodeDatabaseError} the file is some other application's sqlite database.
 */
export function openNodeDatabase(path: string, options: NodeDatabaseOptions = {}): NodeDatabase {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  const synchronous = options.synchronous ?? DEFAULT_SQLITE_SYNCHRONOUS;
  if (!isSqliteSynchronous(synchronous)) {
    throw new RangeError(
      `synchronous must be "normal" or "full", got ${JSON.stringify(synchronous)}`,
    );
  }
  const inMemory = path === MEMORY_PATH;
  if (!inMemory) preparePrivateFile(path);

  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    // Check before anything writes: a refused file must stay byte-identical.
    checkOwnership(db, path);
    const journalMode = String(db.pragma('journal_mode = WAL', { simple: true }));
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    const level = db.pragma('synchronous', { simple: true });
    if (level !== SQLITE_SYNCHRONOUS_LEVEL[synchronous]) {
      throw new Error(`sqlite kept synchronous=${String(level)} after setting ${synchronous}`);
    }
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    const migratedFrom = migrateSchema(db, MIGRATIONS);
    const schemaVersion = readUserVersion(db);
    // Another process may have upgraded the file between the check and now.
    if (schemaVersion > SCHEMA_VERSION) {
      throw new SchemaTooNewError(path, schemaVersion, SCHEMA_VERSION);
    }
    if (!inMemory) restrictSqliteCompanions(path);
    return {
      path,
      connection: db,
      journalMode,
      synchronous,
      migratedFrom,
      schemaVersion,
      close: () => {
        if (!db.open) return;
        try {
          db.pragma('optimize');
        } finally {
          db.close();
        }
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

function checkOwnership(db: Database.Database, path: string): void {
  let appId: number;
  let version: number;
  try {
    appId = readApplicationId(db);
    version = readUserVersion(db);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw new NotNodeDatabaseError(path, 'not an sqlite file');
    }
    throw err;
  }
  if (appId === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) throw new SchemaTooNewError(path, version, SCHEMA_VERSION);
    return;
  }
  const hex = `0x${appId.toString(16).padStart(8, '0')}`;
  if (appId !== 0) throw new NotNodeDatabaseError(path, `application_id ${hex}`);
  const objects = userObjects(db);
  if (version !== 0 || objects.length > 0) {
    const shown = objects.slice(0, 5).join(', ');
    throw new NotNodeDatabaseError(
      path,
      `user_version ${version}, no dnsmesh application_id, existing objects: ${shown || 'none'}`,
    );
  }
}
