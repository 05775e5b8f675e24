/**
 * The durability setting of the node database (sqlite `PRAGMA synchronous`,
 * https://sqlite.org/pragma.html#pragma_synchronous) under WAL:
 *
 * * `normal` (default): a commit is in the WAL file, not yet on the disk,
 *   when it returns; the WAL is fsynced at checkpoints. An acknowledged
 *   write survives the process being killed (even `kill -9`); a power loss
 *   or OS crash may roll back the last commits, never corrupt the file.
 * * `full`: the WAL is fsynced at every commit, before the write is
 *   acknowledged, so acknowledged writes also survive power loss and OS
 *   crashes (provided the disk honours fsync), at the cost of one fsync
 *   per UPDATE or HTTP write.
 *
 * No dependencies, so the configuration can check values without loading
 * sqlite.
 */

/** Accepted values of `DMP_SQLITE_SYNCHRONOUS` / `store.synchronous`. */
export const SQLITE_SYNCHRONOUS_MODES = ['normal', 'full'] as const;

export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

export const DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = 'normal';

/** The `PRAGMA synchronous` numbers sqlite reports back for each mode. */
export const SQLITE_SYNCHRONOUS_LEVEL: Readonly<Record<SqliteSynchronous, number>> = {
  normal: 1,
  full: 2,
};

export function isSqliteSynchronous(value: unknown): value is SqliteSynchronous {
  return (SQLITE_SYNCHRONOUS_MODES as readonly unknown[]).includes(value);
}
