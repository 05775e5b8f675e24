/**
 * Typed errors of the node storage layer. Callers branch on the class
 * (`instanceof`), never on message text: the UPDATE handler maps
 * {@link StoreFullError} to REFUSED, the daemon prints a
 * {@link NodeDatabaseError}'s message and exits 1 (node spec §3).
 */

/** A write would take the record store past its configured `maxRows`. */
export class StoreFullError extends Error {
  override readonly name = 'StoreFullError';

  constructor(readonly maxRows: number) {
    super(`record store is full (${maxRows} rows); expired rows were already purged`);
  }
}

/** A store method was called after `close()`. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';

  constructor(store: string) {
    super(`${store} is closed`);
  }
}

/** The database file cannot be used by this binary; the message says why and what to do. */
export class NodeDatabaseError extends Error {
  override readonly name: string = 'NodeDatabaseError';

  constructor(
    /** Path as given to `openNodeDatabase`. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** The file's schema version is newer than this binary understands (written by a later release). */
export class SchemaTooNewError extends NodeDatabaseError {
  override readonly name = 'SchemaTooNewError';

  constructor(
    path: string,
    /** `PRAGMA user_version` found in the file. */
    readonly fileVersion: number,
    /** Highest schema version this binary can migrate to. */
    readonly supportedVersion: number,
  ) {
    super(
      path,
      `database ${path} has schema version ${fileVersion}, but this dnsmesh-node only understands ` +
        `versions up to ${supportedVersion}; it was written by a newer release. Upgrade dnsmesh-node ` +
        `(or restore a backup made before the upgrade) — the file was left untouched.`,
    );
  }
}

/**
 * The file is an sqlite database that this node did not create (another
 * application's, or one of the Python reference's per-store files) —
 * refused rather than mixed with our tables.
 */
export class NotNodeDatabaseError extends NodeDatabaseError {
  override readonly name = 'NotNodeDatabaseError';

  constructor(path: string, detail: string) {
    super(
      path,
      `database ${path} is not a dnsmesh-node database (${detail}); refusing to open it. ` +
        `Point the node at a new file — files of other DMP implementations are not imported.`,
    );
  }
}
